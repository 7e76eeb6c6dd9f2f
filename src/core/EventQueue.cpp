//
// EventQueue.cpp
//
// Library: Nats
// Package: Core
// Module:  EventQueue
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/EventQueue.h"
#include "core/ThreadName.h"

namespace Nats {

EventQueue::EventQueue(const std::string& name): _thread(name)
{
}

EventQueue::~EventQueue()
{
	shutdown();
}

void EventQueue::start()
{
	_started = true;
	_thread.start(*this);
}

void EventQueue::post(std::function<void()> fn)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_stop) return;
	_queue.push_back(std::move(fn));
	_cond.notify_one();
}

void EventQueue::shutdown()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stop = true;
		_cond.notify_all();
	}
	if (!isCurrent() && _started && !_joined.exchange(true)) _thread.join();
}

bool EventQueue::isCurrent() const
{
	return Poco::Thread::current() == &_thread;
}

void EventQueue::run()
{
	setCurrentThreadName(_thread.getName());
	for (;;)
	{
		std::function<void()> fn;
		{
			std::unique_lock<std::mutex> lock(_mutex);
			_cond.wait(lock, [this]() { return _stop || !_queue.empty(); });
			if (_queue.empty()) return;
			fn = std::move(_queue.front());
			_queue.pop_front();
		}
		try
		{
			fn();
		}
		catch (...)
		{
		}
	}
}

} // namespace Nats
