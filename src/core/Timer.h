//
// Timer.h
//
// Library: Nats
// Package: Core
// Module:  Timer
//
// One deadline-ordered timer thread per connection.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Timer_INCLUDED
#define Nats_Timer_INCLUDED

#include <Poco/Runnable.h>
#include <Poco/Thread.h>
#include <Poco/Timespan.h>
#include <chrono>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace Nats {

/// Runs closures at deadlines on one Poco::Thread (PING keepalive, asynchronous request
/// timeouts). Closures run outside the timer's lock and must not block for long.
///
/// Thread safety: schedule()/cancel() from any thread (also from a timer closure).
class Timer: public Poco::Runnable
{
public:
	using Clock = std::chrono::steady_clock;

	explicit Timer(const std::string& name);
	~Timer() override;

	void start();

	/// Stops the thread (pending closures are dropped) and joins it unless called from it.
	void stop();

	/// Runs `fn` once after `delay`. Returns an id for cancel().
	std::uint64_t schedule(Poco::Timespan delay, std::function<void()> fn);

	/// Removes a pending closure; returns false if it already ran (or is running) or is unknown.
	bool cancel(std::uint64_t id);

	bool isCurrent() const;

	void run() override;

private:
	struct Entry
	{
		std::uint64_t id;
		std::function<void()> fn;
	};

	std::mutex _mutex;
	std::condition_variable _cond;
	std::multimap<Clock::time_point, Entry> _entries;
	std::map<std::uint64_t, Clock::time_point> _index;
	std::uint64_t _nextId = 1;
	bool _stop = false;
	std::atomic<bool> _started{false};
	std::atomic<bool> _joined{false};
	Poco::Thread _thread;
};

} // namespace Nats

#endif // Nats_Timer_INCLUDED
