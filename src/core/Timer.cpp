//
// Timer.cpp
//
// Library: Nats
// Package: Core
// Module:  Timer
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/Timer.h"

namespace Nats {

Timer::Timer(const std::string& name): _thread(name)
{
}

Timer::~Timer()
{
	stop();
}

void Timer::start()
{
	_started = true;
	_thread.start(*this);
}

void Timer::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stop = true;
		_entries.clear();
		_index.clear();
		_cond.notify_all();
	}
	if (!isCurrent() && _started && !_joined.exchange(true)) _thread.join();
}

bool Timer::isCurrent() const
{
	return Poco::Thread::current() == &_thread;
}

std::uint64_t Timer::schedule(Poco::Timespan delay, std::function<void()> fn)
{
	auto when = Clock::now() + std::chrono::microseconds(delay.totalMicroseconds());
	std::lock_guard<std::mutex> lock(_mutex);
	if (_stop) return 0;
	std::uint64_t id = _nextId++;
	bool first = _entries.empty() || when < _entries.begin()->first;
	_entries.emplace(when, Entry{id, std::move(fn)});
	_index[id] = when;
	if (first) _cond.notify_one();
	return id;
}

bool Timer::cancel(std::uint64_t id)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _index.find(id);
	if (it == _index.end()) return false;
	auto range = _entries.equal_range(it->second);
	for (auto e = range.first; e != range.second; ++e)
	{
		if (e->second.id == id)
		{
			_entries.erase(e);
			break;
		}
	}
	_index.erase(it);
	return true;
}

void Timer::run()
{
	std::unique_lock<std::mutex> lock(_mutex);
	while (!_stop)
	{
		if (_entries.empty())
		{
			_cond.wait(lock);
			continue;
		}
		auto first = _entries.begin();
		if (first->first > Clock::now())
		{
			// A copy: wait_until() reads the deadline again after waking, when stop() or cancel()
			// may have erased the entry (heap-use-after-free found by ASan).
			const Clock::time_point when = first->first;
			_cond.wait_until(lock, when);
			continue;
		}
		std::function<void()> fn = std::move(first->second.fn);
		_index.erase(first->second.id);
		_entries.erase(first);
		lock.unlock();
		try
		{
			fn();
		}
		catch (...)
		{
		}
		lock.lock();
	}
}

} // namespace Nats
