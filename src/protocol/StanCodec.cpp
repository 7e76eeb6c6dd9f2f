//
// StanCodec.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanCodec
//
// SPDX-License-Identifier: Apache-2.0
//

#include "protocol/StanCodec.h"
#include "Nats/Exception.h"
#include "protocol.pb.h"
#include <cstring>

namespace Nats {

namespace {

enum WireType
{
	WT_VARINT = 0,
	WT_FIXED64 = 1,
	WT_LEN = 2,
	WT_FIXED32 = 5
};

// Raw writers for the hot-path encoders: the output is sized once, then filled through a pointer
// (one string append per field cost more than the copying itself). Fields < 16: one-byte tags.
inline char* putVarint(char* p, std::uint64_t v)
{
	while (v >= 0x80)
	{
		*p++ = static_cast<char>((v & 0x7F) | 0x80);
		v >>= 7;
	}
	*p++ = static_cast<char>(v);
	return p;
}

inline char* putBytesField(char* p, int field, const void* data, std::size_t length)
{
	if (length == 0) return p; // proto3: default values are not emitted
	*p++ = static_cast<char>((field << 3) | WT_LEN);
	p = putVarint(p, length);
	std::memcpy(p, data, length);
	return p + length;
}

/// Grows `out` by at most `max` bytes and returns where to write; finish() trims it.
inline char* grow(std::string& out, std::size_t max)
{
	const std::size_t old = out.size();
	out.resize(old + max);
	return &out[old];
}

inline void finish(std::string& out, const char* end)
{
	out.resize(static_cast<std::size_t>(end - out.data()));
}

class Reader
{
public:
	Reader(const char* data, std::size_t length, const char* what)
		: _p(reinterpret_cast<const unsigned char*>(data)), _end(_p + length), _what(what)
	{
	}

	bool atEnd() const { return _p >= _end; }

	std::uint64_t varint()
	{
		std::uint64_t result = 0;
		int shift = 0;
		while (true)
		{
			if (_p >= _end || shift > 63) fail();
			unsigned char b = *_p++;
			result |= static_cast<std::uint64_t>(b & 0x7F) << shift;
			if ((b & 0x80) == 0) return result;
			shift += 7;
		}
	}

	std::string_view bytes()
	{
		std::uint64_t len = varint();
		if (len > static_cast<std::uint64_t>(_end - _p)) fail();
		std::string_view v(reinterpret_cast<const char*>(_p), static_cast<std::size_t>(len));
		_p += len;
		return v;
	}

	void skip(int wireType)
	{
		switch (wireType)
		{
		case WT_VARINT:
			varint();
			break;
		case WT_FIXED64:
			advance(8);
			break;
		case WT_LEN:
			bytes();
			break;
		case WT_FIXED32:
			advance(4);
			break;
		default:
			fail();
		}
	}

	[[noreturn]] void fail() const
	{
		throw NatsProtocolException(std::string("stan: malformed ") + _what);
	}

private:
	void advance(std::size_t n)
	{
		if (n > static_cast<std::size_t>(_end - _p)) fail();
		_p += n;
	}

	const unsigned char* _p;
	const unsigned char* _end;
	const char* _what;
};

template <class M>
void parseOrThrow(M& m, const std::string& data, const char* what)
{
	if (!m.ParseFromString(data)) throw NatsProtocolException(std::string("stan: malformed ") + what);
}

} // namespace

void StanCodec::appendVarint(std::string& out, std::uint64_t value)
{
	char buf[10];
	std::size_t n = 0;
	while (value >= 0x80)
	{
		buf[n++] = static_cast<char>((value & 0x7F) | 0x80);
		value >>= 7;
	}
	buf[n++] = static_cast<char>(value);
	out.append(buf, n);
}

void StanCodec::appendTag(std::string& out, int field, int wireType)
{
	appendVarint(out, (static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wireType));
}

void StanCodec::appendBytesField(std::string& out, int field, const void* data, std::size_t length)
{
	if (length == 0) return; // proto3: default values are not emitted
	appendTag(out, field, WT_LEN);
	appendVarint(out, length);
	out.append(static_cast<const char*>(data), length);
}

void StanCodec::appendVarintField(std::string& out, int field, std::uint64_t value)
{
	if (value == 0) return;
	appendTag(out, field, WT_VARINT);
	appendVarint(out, value);
}

void StanCodec::encodePubMsg(std::string& out, std::string_view clientID, std::string_view guid,
	std::string_view subject, const void* data, std::size_t length, std::string_view connID)
{
	char* p = grow(out, pubMsgMaxSize(clientID, guid, subject, length, connID));
	finish(out, encodePubMsg(p, clientID, guid, subject, data, length, connID));
}

std::size_t StanCodec::pubMsgMaxSize(std::string_view clientID, std::string_view guid, std::string_view subject, std::size_t length,
	std::string_view connID)
{
	// per field at most 1 tag byte + 10 length bytes
	return clientID.size() + guid.size() + subject.size() + length + connID.size() + 5 * 11;
}

char* StanCodec::encodePubMsg(char* out, std::string_view clientID, std::string_view guid, std::string_view subject,
	const void* data, std::size_t length, std::string_view connID)
{
	char* p = putBytesField(out, 1, clientID.data(), clientID.size());
	p = putBytesField(p, 2, guid.data(), guid.size());
	p = putBytesField(p, 3, subject.data(), subject.size());
	p = putBytesField(p, 5, data, length);
	return putBytesField(p, 6, connID.data(), connID.size());
}

void StanCodec::encodeAck(std::string& out, std::string_view subject, std::uint64_t sequence)
{
	char* p = grow(out, subject.size() + 11 + 11);
	p = putBytesField(p, 1, subject.data(), subject.size());
	if (sequence != 0)
	{
		*p++ = static_cast<char>((2 << 3) | WT_VARINT);
		p = putVarint(p, sequence);
	}
	finish(out, p);
}

void StanCodec::encodePubAck(std::string& out, std::string_view guid, std::string_view error)
{
	out.reserve(out.size() + guid.size() + error.size() + 2 * 3);
	appendBytesField(out, 1, guid.data(), guid.size());
	appendBytesField(out, 2, error.data(), error.size());
}

void StanCodec::encodeSubscriptionResponse(std::string& out, std::string_view ackInbox, std::string_view error)
{
	appendBytesField(out, 2, ackInbox.data(), ackInbox.size());
	appendBytesField(out, 3, error.data(), error.size());
}

void StanCodec::appendRedelivered(std::string& encodedMsgProto, std::uint32_t count)
{
	appendVarintField(encodedMsgProto, 6, 1);
	appendVarintField(encodedMsgProto, 7, count);
}

void StanCodec::decodeMsgProto(const char* data, std::size_t length, MsgProtoView& msg)
{
	msg = MsgProtoView();
	Reader r(data, length, "MsgProto");
	while (!r.atEnd())
	{
		std::uint64_t key = r.varint();
		int field = static_cast<int>(key >> 3);
		int wt = static_cast<int>(key & 7);
		switch (field)
		{
		case 1:
			if (wt != WT_VARINT) r.fail();
			msg.sequence = r.varint();
			break;
		case 2:
			if (wt != WT_LEN) r.fail();
			msg.subject = r.bytes();
			break;
		case 3:
			if (wt != WT_LEN) r.fail();
			msg.reply = r.bytes();
			break;
		case 4:
			if (wt != WT_LEN) r.fail();
			msg.data = r.bytes();
			break;
		case 5:
			if (wt != WT_VARINT) r.fail();
			msg.timestamp = static_cast<std::int64_t>(r.varint());
			break;
		case 6:
			if (wt != WT_VARINT) r.fail();
			msg.redelivered = r.varint() != 0;
			break;
		case 7:
			if (wt != WT_VARINT) r.fail();
			msg.redeliveryCount = static_cast<std::uint32_t>(r.varint());
			break;
		case 10:
			if (wt != WT_VARINT) r.fail();
			msg.crc32 = static_cast<std::uint32_t>(r.varint());
			break;
		default:
			if (field == 0) r.fail();
			r.skip(wt);
		}
	}
}

void StanCodec::decodePubAck(const char* data, std::size_t length, PubAckView& ack)
{
	ack = PubAckView();
	Reader r(data, length, "PubAck");
	while (!r.atEnd())
	{
		std::uint64_t key = r.varint();
		int field = static_cast<int>(key >> 3);
		int wt = static_cast<int>(key & 7);
		if (field == 1 && wt == WT_LEN)
			ack.guid = r.bytes();
		else if (field == 2 && wt == WT_LEN)
			ack.error = r.bytes();
		else if (field == 0 || field == 1 || field == 2)
			r.fail();
		else
			r.skip(wt);
	}
}

std::string StanCodec::encodePing(std::string_view connID)
{
	std::string out;
	appendBytesField(out, 1, connID.data(), connID.size());
	return out;
}

std::string StanCodec::decodePingResponse(const std::string& data)
{
	natsstan::PingResponse m;
	parseOrThrow(m, data, "PingResponse");
	return m.error();
}

std::string StanCodec::encodeConnectRequest(const StanConnectRequest& req)
{
	natsstan::ConnectRequest m;
	m.set_clientid(req.clientID);
	m.set_heartbeatinbox(req.heartbeatInbox);
	m.set_protocol(req.protocol);
	m.set_connid(req.connID);
	m.set_pinginterval(req.pingInterval);
	m.set_pingmaxout(req.pingMaxOut);
	return m.SerializeAsString();
}

StanConnectResponse StanCodec::decodeConnectResponse(const std::string& data)
{
	natsstan::ConnectResponse m;
	parseOrThrow(m, data, "ConnectResponse");
	StanConnectResponse r;
	r.pubPrefix = m.pubprefix();
	r.subRequests = m.subrequests();
	r.unsubRequests = m.unsubrequests();
	r.closeRequests = m.closerequests();
	r.error = m.error();
	r.subCloseRequests = m.subcloserequests();
	r.pingRequests = m.pingrequests();
	r.pingInterval = m.pinginterval();
	r.pingMaxOut = m.pingmaxout();
	r.protocol = m.protocol();
	return r;
}

std::string StanCodec::encodeSubscriptionRequest(const StanSubscriptionRequest& req)
{
	natsstan::SubscriptionRequest m;
	m.set_clientid(req.clientID);
	m.set_subject(req.subject);
	m.set_qgroup(req.qGroup);
	m.set_inbox(req.inbox);
	m.set_maxinflight(req.maxInFlight);
	m.set_ackwaitinsecs(req.ackWaitInSecs);
	m.set_durablename(req.durableName);
	m.set_startposition(static_cast<natsstan::StartPosition>(req.startPosition));
	m.set_startsequence(req.startSequence);
	m.set_starttimedelta(req.startTimeDelta);
	return m.SerializeAsString();
}

StanSubscriptionResponse StanCodec::decodeSubscriptionResponse(const std::string& data)
{
	natsstan::SubscriptionResponse m;
	parseOrThrow(m, data, "SubscriptionResponse");
	StanSubscriptionResponse r;
	r.ackInbox = m.ackinbox();
	r.error = m.error();
	return r;
}

std::string StanCodec::encodeUnsubscribeRequest(const StanUnsubscribeRequest& req)
{
	natsstan::UnsubscribeRequest m;
	m.set_clientid(req.clientID);
	m.set_subject(req.subject);
	m.set_inbox(req.inbox);
	m.set_durablename(req.durableName);
	return m.SerializeAsString();
}

std::string StanCodec::encodeCloseRequest(const std::string& clientID)
{
	natsstan::CloseRequest m;
	m.set_clientid(clientID);
	return m.SerializeAsString();
}

std::string StanCodec::decodeCloseResponse(const std::string& data)
{
	natsstan::CloseResponse m;
	parseOrThrow(m, data, "CloseResponse");
	return m.error();
}

} // namespace Nats
