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

#include "core/RingQueue.h"
#include <Poco/Timespan.h>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace Nats {

/// Publishes awaiting their PubAck: an inflight window (a bounded semaphore of `maxInflight`
/// slots with nats.c's release threshold), and the pending entries.
///
/// The tracker chooses the guids: a short random prefix plus a per-tracker sequence in base 62
/// (at most 15 characters, so a std::string holds it without allocating). The sequence locates the
/// entry directly: entries live in a deque indexed by sequence (insertion order is also deadline
/// order, since all entries share the same wait), so adding, acking and expiring need no hashing
/// and no allocation per entry. Entries acked out of order leave holes that are dropped once they
/// reach the front; an entry that stays pending while many later ones complete is moved to a small
/// ordered overflow map so that the deque never spans more than a few windows.
///
/// Every entry ends exactly once: acked (complete()), timed out (expire()) or failed (close());
/// each releases its slot and hands back the callback, which the caller runs after the tracker's
/// lock is released.
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
		/// The entry's slot stays taken until release() (holdSlots, non-direct, with a callback).
		bool held = false;
	};

	/// `maxInflight` >= 1; once the window is full, waiting publishers resume when the count drops
	/// below max(1, maxInflight * percentage). `ackWait` is each entry's lifetime.
	/// `holdSlots`: a completed entry with a non-direct callback keeps its slot until the caller
	/// has run that callback and calls release(), so that the completions waiting for their
	/// handler never exceed the window (back pressure through slow ack handlers).
	PubAckTracker(int maxInflight, double percentage, Poco::Timespan ackWait, bool holdSlots = false);

	/// Takes a slot, registers a new entry and writes its guid to `guid`. Blocks while the window
	/// is full, at most `maxWait` (negative = unbounded). Returns false on timeout (nothing
	/// registered). `direct` is returned in the Completion (the caller runs such callbacks in
	/// place instead of handing them to a user-callback thread).
	/// `ignoreHeld`: only entries awaiting their ack count against the window (for a caller that
	/// runs the held completions itself and would otherwise wait for itself).
	/// Throws ConnectionClosedException "stan: connection closed" once close() was called (also
	/// when woken by it).
	bool add(std::string& guid, Callback callback, Poco::Timespan maxWait = Poco::Timespan(-1), bool direct = false,
		bool ignoreHeld = false);

	/// Frees the slots of `n` held completions whose callbacks have run (see holdSlots).
	void release(int n);

	/// Completions holding a slot now.
	int held() const;

	/// The PubAck for `guid` arrived. Returns true and fills `out` if the entry was pending (its
	/// slot is released); false for an unknown guid (late, duplicate or foreign ack).
	bool complete(std::string_view guid, Completion& out);

	/// Removes `guid` without a callback (its publish failed before it went out). Returns false if
	/// it was no longer pending.
	bool remove(std::string_view guid);

	/// Moves every entry whose deadline is <= now into `out` (oldest first). Returns the next
	/// deadline, or Clock::time_point::max() if none.
	Clock::time_point expire(Clock::time_point now, std::vector<Completion>& out);

	/// Deadline of the oldest entry, Clock::time_point::max() if none.
	Clock::time_point nextDeadline() const;

	/// Refuses new entries from now on, wakes blocked publishers (they throw) and moves every
	/// pending entry into `out` (oldest first).
	void close(std::vector<Completion>& out);

	/// Entries pending now.
	int inflight() const;

	bool isClosed() const;

	/// Called (outside the lock) when the first entry is added to an empty tracker, so that a
	/// timer can arm itself. Set before use.
	void setArmCallback(std::function<void()> arm) { _arm = std::move(arm); }

	/// The guid prefix of this tracker (tests).
	const std::string& guidPrefix() const { return _prefix; }

private:
	struct Entry
	{
		Callback callback;
		Clock::time_point deadline;
		bool pending = false;
		bool direct = false;
	};

	void formatGuid(std::uint64_t seq, std::string& out) const;
	bool parseGuid(std::string_view guid, std::uint64_t& seq) const;
	/// Finds a pending entry; nullptr if none.
	Entry* findLocked(std::uint64_t seq, bool& inOverflow);
	void eraseLocked(std::uint64_t seq, bool inOverflow);
	void compactLocked();
	void releaseLocked();
	void holdLocked(Completion& c);

	const int _max;
	const int _resumeBelow;
	const Clock::duration _ackWait;
	const std::size_t _spanLimit;
	const bool _holdSlots;
	std::string _prefix;
	mutable std::mutex _mutex;
	std::condition_variable _slotFree;
	RingQueue<Entry> _ring;      // entries _base .. _base + size - 1 (no allocation per entry)
	std::uint64_t _base = 1;
	std::uint64_t _nextSeq = 1;
	std::map<std::uint64_t, Entry> _overflow; // old pending entries moved out of the ring
	int _count = 0;
	int _held = 0;
	int _waiters = 0;
	bool _stalled = false;
	bool _closed = false;
	std::function<void()> _arm;
};

} // namespace Nats

#endif // Nats_PubAckTracker_INCLUDED
