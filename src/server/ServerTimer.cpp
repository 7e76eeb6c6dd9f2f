//
// ServerTimer.cpp
//
// Library: Nats
// Package: Server
// Module:  ServerTimer
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/ServerTimer.h"
#include <Poco/Thread.h>
#include <pthread.h>

namespace Nats {

ServerTimer::ServerTimer() = default;

ServerTimer::~ServerTimer()
{
	stop();
}

void ServerTimer::start()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_thread.joinable()) return;
	_stop = false;
	_thread = std::thread([this] { run(); });
}

void ServerTimer::stop()
{
	std::thread t;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stop = true;
		_queue.clear();
		_deadlines.clear();
		t.swap(_thread);
	}
	_cond.notify_all();
	// Joined outside the lock: a running task may be scheduling.
	if (t.joinable()) t.join();
}

ServerTimer::Id ServerTimer::schedule(Clock::time_point deadline, Task task)
{
	std::lock_guard<std::mutex> lock(_mutex);
	// A task scheduled by a running task while stop() is in progress is dropped, so that it
	// cannot run after a later start().
	if (_stop) return 0;
	Id id = _nextId++;
	bool first = _queue.empty() || deadline < _queue.begin()->first.first;
	_queue.emplace(std::make_pair(deadline, id), std::move(task));
	_deadlines.emplace(id, deadline);
	if (first) _cond.notify_one();
	return id;
}

ServerTimer::Id ServerTimer::scheduleAfter(Clock::duration delay, Task task)
{
	return schedule(Clock::now() + delay, std::move(task));
}

bool ServerTimer::cancel(Id id)
{
	if (id == 0) return false;
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _deadlines.find(id);
	if (it == _deadlines.end()) return false;
	_queue.erase(std::make_pair(it->second, id));
	_deadlines.erase(it);
	return true;
}

std::size_t ServerTimer::pending() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _queue.size();
}

void ServerTimer::run()
{
	pthread_setname_np(pthread_self(), "stan-timer");
	std::unique_lock<std::mutex> lock(_mutex);
	while (!_stop)
	{
		if (_queue.empty())
		{
			// Woken by schedule() of a first task or by stop().
			_cond.wait(lock);
			continue;
		}
		auto it = _queue.begin();
		Clock::time_point deadline = it->first.first;
		if (Clock::now() < deadline)
		{
			// Woken by an earlier schedule(), by stop(), or at the deadline.
			_cond.wait_until(lock, deadline);
			continue;
		}
		Task task = std::move(it->second);
		_deadlines.erase(it->first.second);
		_queue.erase(it);
		lock.unlock();
		try
		{
			task();
		}
		catch (...)
		{
			// Tasks report their own errors; nothing may escape the timer thread.
		}
		lock.lock();
	}
}

} // namespace Nats
