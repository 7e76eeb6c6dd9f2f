//
// FuzzStanCodec.cpp
//
// libFuzzer target: the streaming codec (src/protocol/StanCodec), every message type. The first
// byte picks the message; the rest is either decoded (MsgProto, PubAck, PingResponse,
// ConnectResponse, SubscriptionResponse, CloseResponse) or split into fields at NUL bytes and
// encoded (PubMsg, Ack, Ping, ConnectRequest, SubscriptionRequest, UnsubscribeRequest,
// CloseRequest, the server's redelivered flag). Properties: decoders fail only with
// NatsProtocolException; the hand-written MsgProto / PubAck decoders agree with the generated
// protobuf code whenever both accept the input; every encoded message parses with the generated
// code back to the same fields.
//

#include "protocol/StanCodec.h"
#include <google/protobuf/stubs/logging.h>
#include "protocol/ServerProtocol.h"
#include "core/SubjectRules.h"
#include "protocol.pb.h"
#include "Nats/Exception.h"
#include <Poco/Exception.h>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace {

void check(bool ok)
{
	if (!ok) std::abort();
}

std::vector<std::string> fields(const std::string& s, std::size_t n)
{
	std::vector<std::string> out;
	std::string cur;
	for (char c : s)
	{
		if (c == '\0' && out.size() + 1 < n)
		{
			out.push_back(cur);
			cur.clear();
		}
		else
		{
			cur += c;
		}
	}
	out.push_back(cur);
	while (out.size() < n) out.emplace_back();
	return out;
}

/// proto3 `string` fields must be UTF-8 for the generated parser: keep them ASCII.
std::vector<std::string> ascii(std::vector<std::string> f, std::initializer_list<std::size_t> which)
{
	for (std::size_t i : which)
		for (char& c : f[i]) c = static_cast<char>(c & 0x7f);
	return f;
}

std::uint64_t number(const std::string& s)
{
	std::uint64_t v = 0;
	std::memcpy(&v, s.data(), std::min(s.size(), sizeof(v)));
	return v;
}

/// Runs the decoder call `f`: true if it decoded, false if it refused the input with
/// NatsProtocolException (the only failure allowed; anything else escapes to the fuzzer).
template <class F>
bool decodes(F f)
{
	try
	{
		f();
		return true;
	}
	catch (const Nats::NatsProtocolException&)
	{
		return false;
	}
}

template <class F>
void decodeOnly(F f)
{
	(void) decodes(f);
}

void decodeMsgProto(const std::string& in)
{
	Nats::MsgProtoView v;
	bool ours = decodes([&]() { Nats::StanCodec::decodeMsgProto(in.data(), in.size(), v); });
	natsstan::MsgProto p;
	if (ours && p.ParseFromString(in))
	{
		check(v.sequence == p.sequence());
		check(v.subject == p.subject());
		check(v.reply == p.reply());
		check(v.data == p.data());
		check(v.timestamp == p.timestamp());
		check(v.redelivered == p.redelivered());
		check(v.redeliveryCount == p.redeliverycount());
		check(v.crc32 == p.crc32());
	}
}

void decodePubAck(const std::string& in)
{
	Nats::PubAckView v;
	bool ours = decodes([&]() { Nats::StanCodec::decodePubAck(in.data(), in.size(), v); });
	natsstan::PubAck p;
	if (ours && p.ParseFromString(in))
	{
		check(v.guid == p.guid());
		check(v.error == p.error());
	}
}

void encode(int which, const std::string& in)
{
	switch (which)
	{
	case 0:
	{
		auto f = ascii(fields(in, 5), {0, 1, 2});
		std::string out;
		Nats::StanCodec::encodePubMsg(out, f[0], f[1], f[2], f[3].data(), f[3].size(), f[4]);
		natsstan::PubMsg p;
		check(p.ParsePartialFromString(out));
		check(p.clientid() == f[0] && p.guid() == f[1] && p.subject() == f[2] && p.data() == f[3] && p.connid() == f[4]);
		break;
	}
	case 1:
	{
		auto f = ascii(fields(in, 2), {0});
		std::string out;
		Nats::StanCodec::encodeAck(out, f[0], number(f[1]));
		natsstan::Ack p;
		check(p.ParsePartialFromString(out));
		check(p.subject() == f[0] && p.sequence() == number(f[1]));
		break;
	}
	case 2:
	{
		natsstan::Ping p;
		check(p.ParsePartialFromString(Nats::StanCodec::encodePing(in)));
		check(p.connid() == in);
		break;
	}
	case 3:
	{
		auto f = ascii(fields(in, 4), {0, 1});
		Nats::StanConnectRequest r;
		r.clientID = f[0];
		r.heartbeatInbox = f[1];
		r.connID = f[2];
		r.protocol = static_cast<int>(number(f[3]) & 0xff);
		r.pingInterval = static_cast<int>(number(f[3]) >> 8);
		r.pingMaxOut = static_cast<int>(number(f[3]) >> 40);
		natsstan::ConnectRequest p;
		check(p.ParsePartialFromString(Nats::StanCodec::encodeConnectRequest(r)));
		check(p.clientid() == r.clientID && p.heartbeatinbox() == r.heartbeatInbox && p.connid() == r.connID);
		check(p.protocol() == r.protocol && p.pinginterval() == r.pingInterval && p.pingmaxout() == r.pingMaxOut);
		break;
	}
	case 4:
	{
		auto f = ascii(fields(in, 6), {0, 1, 2, 3, 4});
		Nats::StanSubscriptionRequest r;
		r.clientID = f[0];
		r.subject = f[1];
		r.qGroup = f[2];
		r.inbox = f[3];
		r.durableName = f[4];
		const std::uint64_t n = number(f[5]);
		r.maxInFlight = static_cast<int>(n & 0xffff);
		r.ackWaitInSecs = static_cast<int>((n >> 16) & 0xffff);
		r.startPosition = static_cast<int>((n >> 32) % 5);
		r.startSequence = n >> 35;
		r.startTimeDelta = static_cast<std::int64_t>(n);
		natsstan::SubscriptionRequest p;
		check(p.ParsePartialFromString(Nats::StanCodec::encodeSubscriptionRequest(r)));
		check(p.clientid() == r.clientID && p.subject() == r.subject && p.qgroup() == r.qGroup && p.inbox() == r.inbox
			&& p.durablename() == r.durableName);
		check(p.maxinflight() == r.maxInFlight && p.ackwaitinsecs() == r.ackWaitInSecs && p.startposition() == r.startPosition
			&& p.startsequence() == r.startSequence && p.starttimedelta() == r.startTimeDelta);
		break;
	}
	case 5:
	{
		auto f = ascii(fields(in, 4), {0, 1, 2, 3});
		Nats::StanUnsubscribeRequest r;
		r.clientID = f[0];
		r.subject = f[1];
		r.inbox = f[2];
		r.durableName = f[3];
		natsstan::UnsubscribeRequest p;
		check(p.ParsePartialFromString(Nats::StanCodec::encodeUnsubscribeRequest(r)));
		check(p.clientid() == r.clientID && p.subject() == r.subject && p.inbox() == r.inbox && p.durablename() == r.durableName);
		break;
	}
	case 6:
	{
		const std::string id = ascii({in}, {0})[0];
		natsstan::CloseRequest p;
		check(p.ParsePartialFromString(Nats::StanCodec::encodeCloseRequest(id)));
		check(p.clientid() == id);
		break;
	}
	default:
	{
		// the server's redelivery marker appended to an encoded MsgProto; the subject / channel rules
		auto f = fields(in, 2);
		natsstan::MsgProto m;
		m.set_sequence(number(f[0]));
		m.set_data(f[1]);
		std::string encoded = m.SerializeAsString();
		const std::uint32_t count = static_cast<std::uint32_t>(number(f[0]) >> 32);
		Nats::StanCodec::appendRedelivered(encoded, count);
		Nats::MsgProtoView v;
		Nats::StanCodec::decodeMsgProto(encoded.data(), encoded.size(), v);
		check(v.redelivered && v.redeliveryCount == count && v.sequence == m.sequence() && v.data == m.data());
		// and the pure validators never crash
		(void) Nats::SubjectRules::isValidChannel(in);
		(void) Nats::ServerProtocol::isValidClientID(in);
		(void) Nats::SubjectRules::isValidToken(in);
		try
		{
			Nats::SubjectRules::checkPublishSubject(in);
		}
		catch (const Poco::InvalidArgumentException&)
		{
		}
		break;
	}
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
	static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true); // no UTF-8 complaints on stderr
	(void) quiet;
	if (size == 0) return 0;
	const int which = bytes[0];
	const std::string in(reinterpret_cast<const char*>(bytes) + 1, size - 1);
	switch (which % 14)
	{
	case 0: decodeMsgProto(in); break;
	case 1: decodePubAck(in); break;
	case 2: decodeOnly([&]() { (void) Nats::StanCodec::decodePingResponse(in); }); break;
	case 3: decodeOnly([&]() { (void) Nats::StanCodec::decodeConnectResponse(in); }); break;
	case 4: decodeOnly([&]() { (void) Nats::StanCodec::decodeSubscriptionResponse(in); }); break;
	case 5: decodeOnly([&]() { (void) Nats::StanCodec::decodeCloseResponse(in); }); break;
	default: encode(which % 14 - 6, in); break;
	}
	return 0;
}
