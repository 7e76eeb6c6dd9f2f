//
// MemoryMsgStore.h
//
// Library: Nats
// Package: Server
// Module:  MemoryMsgStore
//
// The messages of one channel in memory, with the per-channel limits.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_MemoryMsgStore_INCLUDED
#define Nats_MemoryMsgStore_INCLUDED

#include <cstdint>
#include <deque>
#include <string>

namespace Nats {

/// One stored message. `encoded` is the MsgProto of its first delivery (sequence, subject, reply,
/// data, timestamp), built once when the message is stored; redeliveries append the
/// redelivered/redeliveryCount fields to it (protobuf decoders accept fields in any order).
struct StoredMsg
{
	std::uint64_t sequence = 0;
	std::int64_t timestamp = 0; ///< Unix nanoseconds
	std::string encoded;
};

/// The messages of a channel, in a deque indexed by `sequence - first`: append, lookup and
/// removal of the oldest are O(1). Sequences start at 1 and are never reused while the store
/// exists, also after limits removed messages. Timestamps are forced non-decreasing.
///
/// Limits (0 = unlimited): maxMsgs and maxBytes drop the oldest messages when a new one is
/// stored (the newest is always kept, even if alone it exceeds maxBytes); maxAge is applied by
/// expire(now).
///
///     MemoryMsgStore store(1000, 0, 0);
///     const StoredMsg& m = store.store("foo", "", "hello", nowNs);
///     const StoredMsg* p = store.lookup(m.sequence);
///
/// Thread safety: not synchronised; the server's lock protects it.
class MemoryMsgStore
{
public:
	MemoryMsgStore(std::int64_t maxMsgs, std::int64_t maxBytes, std::int64_t maxAgeNs);

	/// Stores a message for `channel` received at `nowNs` and returns it. Applies maxMsgs/maxBytes.
	const StoredMsg& store(const std::string& channel, const std::string& reply, const std::string& data, std::int64_t nowNs);

	/// The message with `sequence`, nullptr if not (or no longer) stored.
	const StoredMsg* lookup(std::uint64_t sequence) const;

	/// First stored sequence; when empty, lastSequence() + 1 (the next one).
	std::uint64_t firstSequence() const { return _first; }

	/// Last assigned sequence, 0 if nothing was ever stored.
	std::uint64_t lastSequence() const { return _first + _msgs.size() - 1; }

	std::uint64_t count() const { return _msgs.size(); }
	std::uint64_t bytes() const { return _bytes; }
	bool empty() const { return _msgs.empty(); }

	/// Timestamp of the oldest stored message, 0 if empty.
	std::int64_t firstTimestamp() const { return _msgs.empty() ? 0 : _msgs.front().timestamp; }

	/// Drops the messages older than maxAge at `nowNs` (timestamp <= now - maxAge).
	/// Returns the number dropped. No-op when maxAge is 0.
	std::size_t expire(std::int64_t nowNs);

	/// The first sequence whose timestamp is >= `timestampNs`, 0 if none (binary search).
	std::uint64_t firstSequenceAtOrAfter(std::int64_t timestampNs) const;

	std::int64_t maxAgeNs() const { return _maxAgeNs; }

	/// `lastSent` for a new subscription with the given start position (protocol.md 3.4):
	/// 0 = NewOnly, 1 = LastReceived, 2 = TimeDeltaStart (startTimeDeltaNs before nowNs),
	/// 3 = SequenceStart (startSequence), 4 = First. REQUIRES: position in 0..4.
	std::uint64_t startLastSent(int position, std::uint64_t startSequence, std::int64_t startTimeDeltaNs, std::int64_t nowNs) const;

private:
	void dropFirst();

	std::deque<StoredMsg> _msgs;
	std::uint64_t _first = 1;
	std::uint64_t _bytes = 0;
	std::int64_t _lastTimestamp = 0;
	std::int64_t _maxMsgs;
	std::int64_t _maxBytes;
	std::int64_t _maxAgeNs;
};

} // namespace Nats

#endif // Nats_MemoryMsgStore_INCLUDED
