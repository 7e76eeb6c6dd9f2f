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
#include "core/ThreadName.h"

namespace Nats {

Timer::Timer(const std::string& name)
	: _name(name)
{
}

Timer::~Timer()
{
	stop();
	// Only left joinable when the last stop() ran on the timer thread, which is this thread
	// now: the thread returns right after this task.
	if (_thread.joinable()) _thread.detach();
}

void Timer::start()
{
	std::thread old;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_thread.joinable() && !_stop) return; // running
		old.swap(_thread);
		_stop = false;
		const std::uint64_t generation = ++_generation;
		_thread = std::thread([this, generation] { run(generation); });
		_threadId = _thread.get_id();
	}
	// A thread stopped from one of its own tasks: it ends without taking the lock again.
	if (old.joinable())
	{
		if (old.get_id() == std::this_thread::get_id()) old.detach();
		else old.join();
	}
}

void Timer::stop()
{
	std::thread t;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stop = true;
		_queue.clear();
		_deadlines.clear();
		if (_thread.joinable() && _thread.get_id() != std::this_thread::get_id()) t.swap(_thread);
	}
	_cond.notify_all();
	// Joined outside the lock: a running task may be scheduling.
	if (t.joinable()) t.join();
}

bool Timer::isCurrent() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _thread.joinable() && _threadId == std::this_thread::get_id();
}

Timer::Id Timer::schedule(Clock::time_point deadline, Task task)
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

Timer::Id Timer::scheduleAfter(Clock::duration delay, Task task)
{
	return schedule(Clock::now() + delay, std::move(task));
}

Timer::Id Timer::schedule(Poco::Timespan delay, Task task)
{
	return scheduleAfter(std::chrono::microseconds(delay.totalMicroseconds()), std::move(task));
}

bool Timer::cancel(Id id)
{
	if (id == 0) return false;
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _deadlines.find(id);
	if (it == _deadlines.end()) return false;
	_queue.erase(std::make_pair(it->second, id));
	_deadlines.erase(it);
	return true;
}

std::size_t Timer::pending() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _queue.size();
}

void Timer::run(std::uint64_t generation)
{
	setCurrentThreadName(_name);
	std::unique_lock<std::mutex> lock(_mutex);
	// A thread stopped from its own task and replaced by start() ends at its next look.
	while (!_stop && generation == _generation)
	{
		if (_queue.empty())
		{
			// Woken by schedule() of a first task or by stop().
			_cond.wait(lock);
			continue;
		}
		auto it = _queue.begin();
		// A copy: wait_until() reads the deadline again after waking, when stop() or cancel()
		// may have erased the entry.
		const Clock::time_point deadline = it->first.first;
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
