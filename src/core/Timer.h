//
// Timer.h
//
// Library: Nats
// Package: Core
// Module:  Timer
//
// One thread running closures at deadlines: the core client's PINGs and request timeouts, the
// streaming server's redelivery, heartbeats and expiry.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Timer_INCLUDED
#define Nats_Timer_INCLUDED

#include <Poco/Timespan.h>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace Nats {

/// A timer thread: tasks run one at a time, in deadline order (ties in scheduling order), on
/// the thread named `name` (OS name, at most 15 characters). An exception escaping a task is
/// swallowed.
///
/// Thread safety: Thread-safe. Tasks may schedule and cancel tasks.
class Timer
{
public:
	using Clock = std::chrono::steady_clock;
	using Id = std::uint64_t;
	using Task = std::function<void()>;

	explicit Timer(const std::string& name);

	/// Calls stop().
	~Timer();

	Timer(const Timer&) = delete;
	Timer& operator=(const Timer&) = delete;

	/// Starts the thread; no-op while it runs. Restartable after stop(): tasks scheduled before
	/// that stop() never run.
	void start();

	/// Stops the thread; pending tasks are dropped. Blocks until a running task has returned and
	/// joins the thread, unless called from a task (the thread then ends after that task and is
	/// joined by the next start(), stop() or the destructor). Idempotent. Never throws.
	void stop();

	/// Schedules `task` at `deadline`. Returns an id for cancel(), or 0 (task dropped) once
	/// stop() has been called and until the next start(). Tasks scheduled before start() run
	/// once it is called.
	Id schedule(Clock::time_point deadline, Task task);

	/// Schedules `task` after `delay` from now.
	Id scheduleAfter(Clock::duration delay, Task task);

	/// Schedules `task` after `delay` from now.
	Id schedule(Poco::Timespan delay, Task task);

	/// Cancels a task that has not started yet. Returns false if unknown (already run, running
	/// or cancelled). Id 0 is ignored.
	bool cancel(Id id);

	/// Number of pending tasks.
	std::size_t pending() const;

	/// Whether the caller runs on the timer thread.
	bool isCurrent() const;

private:
	void run(std::uint64_t generation);

	const std::string _name;
	mutable std::mutex _mutex;
	std::condition_variable _cond;
	std::multimap<std::pair<Clock::time_point, Id>, Task> _queue;
	std::unordered_map<Id, Clock::time_point> _deadlines;
	Id _nextId = 1;
	bool _stop = false;
	std::thread _thread;
	std::thread::id _threadId;  ///< of the running thread, guarded by _mutex
	std::uint64_t _generation = 0; ///< of the running thread (start() counts)
};

} // namespace Nats

#endif // Nats_Timer_INCLUDED
