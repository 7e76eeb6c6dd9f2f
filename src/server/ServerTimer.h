//
// ServerTimer.h
//
// Library: Nats
// Package: Server
// Module:  ServerTimer
//
// One thread running deadline-ordered tasks for the streaming server.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ServerTimer_INCLUDED
#define Nats_ServerTimer_INCLUDED

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace Nats {

/// A single timer thread. Tasks are scheduled for a deadline (steady clock) and run in deadline
/// order (ties in scheduling order) on the timer thread, without the timer's lock held. A task
/// may schedule and cancel tasks. Scheduling and cancelling are O(log n).
///
///     ServerTimer timer;
///     timer.start();
///     ServerTimer::Id id = timer.scheduleAfter(std::chrono::milliseconds(100), [] { ... });
///     timer.cancel(id);
///     timer.stop();
///
/// Thread safety: Thread-safe. stop() must not be called from a task.
class ServerTimer
{
public:
	using Clock = std::chrono::steady_clock;
	using Id = std::uint64_t;
	using Task = std::function<void()>;

	ServerTimer();
	~ServerTimer();

	ServerTimer(const ServerTimer&) = delete;
	ServerTimer& operator=(const ServerTimer&) = delete;

	/// Starts the thread. REQUIRES: not running.
	void start();

	/// Stops and joins the thread; pending tasks are dropped. Idempotent. Blocks until a running
	/// task has returned. REQUIRES: not called from a task.
	void stop();

	/// Schedules `task` at `deadline`. Returns an id for cancel(), or 0 (task dropped) once
	/// stop() has been called and until the next start().
	Id schedule(Clock::time_point deadline, Task task);

	/// Schedules `task` after `delay` from now.
	Id scheduleAfter(Clock::duration delay, Task task);

	/// Cancels a task that has not started yet. Returns false if unknown (already run or
	/// cancelled). Id 0 is ignored.
	bool cancel(Id id);

	/// Number of pending tasks.
	std::size_t pending() const;

private:
	void run();

	struct Entry
	{
		Clock::time_point deadline;
		Task task;
	};

	mutable std::mutex _mutex;
	std::condition_variable _cond;
	std::multimap<std::pair<Clock::time_point, Id>, Task> _queue;
	std::unordered_map<Id, Clock::time_point> _deadlines;
	Id _nextId = 1;
	bool _stop = false;
	std::thread _thread;
};

} // namespace Nats

#endif // Nats_ServerTimer_INCLUDED
