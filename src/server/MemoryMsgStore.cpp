//
// MemoryMsgStore.cpp
//
// Library: Nats
// Package: Server
// Module:  MemoryMsgStore
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/MemoryMsgStore.h"
#include "protocol.pb.h"
#include <algorithm>

namespace Nats {

MemoryMsgStore::MemoryMsgStore(std::int64_t maxMsgs, std::int64_t maxBytes, std::int64_t maxAgeNs)
	: _maxMsgs(maxMsgs), _maxBytes(maxBytes), _maxAgeNs(maxAgeNs)
{
}

const StoredMsg& MemoryMsgStore::store(const std::string& channel, const std::string& reply, const std::string& data, std::int64_t nowNs)
{
	// Timestamps never go back within a channel (the Go server reuses the previous one).
	std::int64_t ts = nowNs < _lastTimestamp ? _lastTimestamp : nowNs;
	_lastTimestamp = ts;

	StoredMsg m;
	m.sequence = lastSequence() + 1;
	m.timestamp = ts;
	natsstan::MsgProto proto;
	proto.set_sequence(m.sequence);
	proto.set_subject(channel);
	if (!reply.empty()) proto.set_reply(reply);
	if (!data.empty()) proto.set_data(data);
	proto.set_timestamp(ts);
	proto.SerializeToString(&m.encoded);
	_bytes += m.encoded.size();
	_msgs.push_back(std::move(m));

	// Drop the oldest beyond the limits; the newest is always kept.
	while (_msgs.size() > 1 &&
		((_maxMsgs > 0 && static_cast<std::int64_t>(_msgs.size()) > _maxMsgs) ||
		 (_maxBytes > 0 && static_cast<std::int64_t>(_bytes) > _maxBytes)))
	{
		dropFirst();
	}
	return _msgs.back();
}

const StoredMsg* MemoryMsgStore::lookup(std::uint64_t sequence) const
{
	if (sequence < _first || sequence - _first >= _msgs.size()) return nullptr;
	return &_msgs[static_cast<std::size_t>(sequence - _first)];
}

void MemoryMsgStore::dropFirst()
{
	_bytes -= _msgs.front().encoded.size();
	_msgs.pop_front();
	++_first;
}

std::size_t MemoryMsgStore::expire(std::int64_t nowNs)
{
	if (_maxAgeNs <= 0) return 0;
	std::size_t n = 0;
	std::int64_t limit = nowNs - _maxAgeNs;
	while (!_msgs.empty() && _msgs.front().timestamp <= limit)
	{
		dropFirst();
		++n;
	}
	return n;
}

std::uint64_t MemoryMsgStore::firstSequenceAtOrAfter(std::int64_t timestampNs) const
{
	auto it = std::lower_bound(_msgs.begin(), _msgs.end(), timestampNs,
		[](const StoredMsg& m, std::int64_t ts) { return m.timestamp < ts; });
	if (it == _msgs.end()) return 0;
	return it->sequence;
}

std::uint64_t MemoryMsgStore::startLastSent(int position, std::uint64_t startSequence, std::int64_t startTimeDeltaNs, std::int64_t nowNs) const
{
	if (_msgs.empty())
	{
		// Empty channel: every position starts with the next message. Sequences are never reused,
		// so "next" is lastSequence() + 1 (0 + 1 for a channel that never had a message).
		return lastSequence();
	}
	std::uint64_t first = _first;
	std::uint64_t last = lastSequence();
	switch (position)
	{
	case 0: // NewOnly
		return last;
	case 1: // LastReceived
		return last - 1;
	case 2: // TimeDeltaStart
	{
		std::int64_t target = nowNs - startTimeDeltaNs;
		std::uint64_t seq = firstSequenceAtOrAfter(target);
		if (seq == 0) return last; // newer than the last message (or a future start): new only
		return seq - 1;            // older than the first message: seq == first
	}
	case 3: // SequenceStart
		if (startSequence == 0 || startSequence < first) return first - 1;
		if (startSequence > last) return last;
		return startSequence - 1;
	case 4: // First
	default:
		return first - 1;
	}
}

} // namespace Nats
