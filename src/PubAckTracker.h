//
// PubAckTracker.h
//
// Library: Nats
// Package: Streaming
// Module:  PubAckTracker
//
// Bookkeeping of publishes awaiting their PubAck.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_PubAckTracker_INCLUDED
#define Nats_PubAckTracker_INCLUDED

#include <Poco/Timespan.h>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace Nats {

/// Publishes awaiting their PubAck: an inflight window (a bounded semaphore of `maxInflight`
/// slots with nats.c's release threshold), a guid -> entry map, and a deadline-ordered list (all
/// entries share the same wait, so insertion order is deadline order: an intrusive FIFO through
/// the map nodes). Every entry ends exactly once: acked (complete()), timed out (expire()) or
/// failed (failAll()); each of those releases its slot and hands back the callback, which the
/// caller runs after the tracker's lock is released.
///
/// Thread safety: Thread-safe. Callbacks are never run by the tracker itself.
class PubAckTracker
{
public:
	using Clock = std::chrono::steady_clock;
	using Callback = std::function<void(const std::string& guid, const std::string& error)>;

	/// A finished entry, returned so that the caller runs its callback outside the lock.
	struct Completion
	{
		std::string guid;
		Callback callback;
		bool direct = false;
	};

	/// `maxInflight` >= 1; once the window is full, waiting publishers resume when the count drops
	/// below max(1, maxInflight * percentage). `ackWait` is each entry's lifetime.
	PubAckTracker(int maxInflight, double percentage, Poco::Timespan ackWait);

	/// Takes a slot and registers `guid`. Blocks while the window is full, at most `maxWait`
	/// (negative = unbounded). Returns false on timeout. Throws ConnectionClosedException
	/// "stan: connection closed" once close() was called (also when woken by it).
	/// `direct` is stored with the entry and returned in its Completion (the caller uses it to run
	/// internal callbacks in place instead of handing them to a user-callback thread).
	bool add(const std::string& guid, Callback callback, Poco::Timespan maxWait = Poco::Timespan(-1), bool direct = false);

	/// The PubAck for `guid` arrived. Returns true and fills `out` if the entry was pending (its
	/// slot is released); false for an unknown guid (late or foreign ack).
	bool complete(std::string_view guid, Completion& out);

	/// Removes `guid` without a callback (its publish failed before it went out). Returns false if
	/// it was no longer pending.
	bool remove(const std::string& guid);

	/// Moves every entry whose deadline is <= now into `out` (oldest first). Returns the next
	/// deadline, or Clock::time_point::max() if none.
	Clock::time_point expire(Clock::time_point now, std::vector<Completion>& out);

	/// Deadline of the oldest entry, Clock::time_point::max() if none.
	Clock::time_point nextDeadline() const;

	/// Refuses new entries from now on, wakes blocked publishers (they throw) and moves every
	/// pending entry into `out`.
	void close(std::vector<Completion>& out);

	/// Entries pending now.
	int inflight() const;

	bool isClosed() const;

	/// Called (outside the lock) when the first entry is added to an empty list, so that a timer
	/// can arm itself. Set before use.
	void setArmCallback(std::function<void()> arm) { _arm = std::move(arm); }

private:
	struct Entry;
	using Map = std::unordered_map<std::string, Entry>;
	struct Entry
	{
		Callback callback;
		bool direct = false;
		Clock::time_point deadline;
		Map::value_type* prev = nullptr;
		Map::value_type* next = nullptr;
	};

	void unlinkLocked(Map::value_type& node);
	void releaseLocked();

	const int _max;
	const int _resumeBelow;
	const Clock::duration _ackWait;
	mutable std::mutex _mutex;
	std::condition_variable _slotFree;
	Map _map;
	Map::value_type* _head = nullptr;
	Map::value_type* _tail = nullptr;
	int _waiters = 0;
	bool _stalled = false;
	bool _closed = false;
	std::function<void()> _arm;
};

} // namespace Nats

#endif // Nats_PubAckTracker_INCLUDED
