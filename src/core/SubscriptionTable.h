//
// SubscriptionTable.h
//
// Library: Nats
// Package: Core
// Module:  SubscriptionTable
//
// The subscriptions of one connection by sid: what MSG frames are demultiplexed by and what a
// reconnect subscribes again.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_SubscriptionTable_INCLUDED
#define Nats_SubscriptionTable_INCLUDED

#include "core/SubscriptionImpl.h"
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace Nats {

/// The sid -> subscription map. Every change bumps a generation counter, so the reader thread
/// looks a sid up under the mutex only when it differs from the last one or the map changed
/// (find()): a stream of messages on one subscription costs no lock.
///
///     SubscriptionTable::Lock lock = table.lock();
///     table.addLocked(sub);                 // sid from table.nextSidLocked()
///     SubscriptionImpl* s = table.find(sid); // reader thread only
///
/// Lock order: ConnectionState's mutex before this one before the Writer's output mutex.
///
/// Thread safety: thread-safe; find() is for one thread (the reader) only.
class SubscriptionTable
{
public:
	using Lock = std::unique_lock<std::mutex>;

	SubscriptionTable() = default;
	SubscriptionTable(const SubscriptionTable&) = delete;
	SubscriptionTable& operator=(const SubscriptionTable&) = delete;

	Lock lock() const { return Lock(_mutex); }

	// ---- REQUIRE the lock ----

	std::int64_t nextSidLocked() { return ++_nextSid; }
	void addLocked(const std::shared_ptr<SubscriptionImpl>& sub);
	void eraseLocked(std::int64_t sid);

	/// Calls `fn(sid, subscription)` for every entry.
	template <class Fn>
	void forEachLocked(Fn&& fn) const
	{
		for (const auto& entry: _subs) fn(entry.first, entry.second);
	}

	/// SUB (and UNSUB <sid> <remaining> for an auto-unsubscribe) of every entry, for a reconnect.
	std::string resubscribeLocked() const;

	// ---- take the lock ----

	void erase(std::int64_t sid);

	/// Erases all of `subs` (one generation bump).
	void erase(const std::vector<std::shared_ptr<SubscriptionImpl>>& subs);

	/// Empties the table and returns what it held (close()).
	std::vector<std::shared_ptr<SubscriptionImpl>> takeAll();

	/// The subscription of `sid`, or nullptr. The pointer stays valid until the next find().
	/// REQUIRES: always the same thread (the reader); it owns the cache of the last lookup.
	SubscriptionImpl* find(std::int64_t sid)
	{
		const std::uint64_t generation = _generation.load(std::memory_order_acquire);
		if (sid != _cachedSid || generation != _cachedGeneration || !_cachedSub)
		{
			Lock lock(_mutex);
			auto it = _subs.find(sid);
			_cachedSid = sid;
			_cachedGeneration = _generation.load(std::memory_order_relaxed);
			_cachedSub = it == _subs.end() ? nullptr : it->second;
		}
		return _cachedSub.get();
	}

private:
	void changedLocked() { _generation.fetch_add(1, std::memory_order_release); }

	mutable std::mutex _mutex;
	std::unordered_map<std::int64_t, std::shared_ptr<SubscriptionImpl>> _subs;  // guarded by _mutex
	std::int64_t _nextSid = 0;                                                  // guarded by _mutex
	std::atomic<std::uint64_t> _generation{0};
	// find()'s thread only: the last lookup
	std::int64_t _cachedSid = -1;
	std::uint64_t _cachedGeneration = 0;
	std::shared_ptr<SubscriptionImpl> _cachedSub;
};

} // namespace Nats

#endif // Nats_SubscriptionTable_INCLUDED
