//
// StanCodecTest.cpp
//

#include "StanCodecTest.h"
#include "protocol/StanCodec.h"
#include "Nats/Exception.h"
#include "protocol.pb.h"
#include <string>

using Nats::StanCodec;

CPPUNIT_TEST_SUITE_REGISTRATION(StanCodecTest);

void StanCodecTest::testPubMsgMatchesGenerated()
{
	std::string data = "hello world";
	std::string out = "prefix"; // encode appends
	StanCodec::encodePubMsg(out, "client-1", "GUID12345678901234567890", "orders.eu", data.data(), data.size(), "CONNID");
	CPPUNIT_ASSERT_EQUAL(std::string("prefix"), out.substr(0, 6));

	natsstan::PubMsg m;
	m.set_clientid("client-1");
	m.set_guid("GUID12345678901234567890");
	m.set_subject("orders.eu");
	m.set_data(data);
	m.set_connid("CONNID");
	CPPUNIT_ASSERT_EQUAL(m.SerializeAsString(), out.substr(6));

	natsstan::PubMsg back;
	CPPUNIT_ASSERT(back.ParseFromString(out.substr(6)));
	CPPUNIT_ASSERT_EQUAL(std::string("client-1"), back.clientid());
	CPPUNIT_ASSERT_EQUAL(std::string("orders.eu"), back.subject());
	CPPUNIT_ASSERT_EQUAL(data, back.data());
}

void StanCodecTest::testPubMsgEmptyFieldsOmitted()
{
	std::string out;
	StanCodec::encodePubMsg(out, "", "g", "c", "", 0, "");
	// only guid and subject: 0x12 0x01 'g' 0x1A 0x01 'c'
	CPPUNIT_ASSERT_EQUAL(std::string("\x12\x01g\x1A\x01" "c", 6), out);
}

void StanCodecTest::testPubMsgBinaryAndLargePayload()
{
	std::string data(300000, '\0');
	for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + 13);
	data[5] = '\r';
	data[6] = '\n';
	std::string out;
	StanCodec::encodePubMsg(out, "id", "guid", "ch", data.data(), data.size(), "cid");
	natsstan::PubMsg back;
	CPPUNIT_ASSERT(back.ParseFromString(out));
	CPPUNIT_ASSERT(back.data() == data);
	CPPUNIT_ASSERT_EQUAL(std::string("cid"), back.connid());
}

void StanCodecTest::testAckMatchesGenerated()
{
	const std::uint64_t seqs[] = {0, 1, 127, 128, 300, 16384, 0xFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL};
	for (std::uint64_t seq : seqs)
	{
		std::string out;
		StanCodec::encodeAck(out, "chan", seq);
		natsstan::Ack a;
		a.set_subject("chan");
		a.set_sequence(seq);
		CPPUNIT_ASSERT_EQUAL(a.SerializeAsString(), out);
	}
}

void StanCodecTest::testMsgProtoDecode()
{
	natsstan::MsgProto m;
	m.set_sequence(1234567890123ULL);
	m.set_subject("foo.bar");
	m.set_reply("r");
	m.set_data(std::string("a\0b\r\nc", 6));
	m.set_timestamp(1700000000123456789LL);
	m.set_redelivered(true);
	m.set_redeliverycount(3);
	m.set_crc32(0xDEADBEEF);
	std::string bytes = m.SerializeAsString();

	Nats::MsgProtoView v;
	StanCodec::decodeMsgProto(bytes.data(), bytes.size(), v);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1234567890123ULL), v.sequence);
	CPPUNIT_ASSERT(v.subject == "foo.bar");
	CPPUNIT_ASSERT(v.reply == "r");
	CPPUNIT_ASSERT(v.data == std::string_view("a\0b\r\nc", 6));
	CPPUNIT_ASSERT_EQUAL(std::int64_t(1700000000123456789LL), v.timestamp);
	CPPUNIT_ASSERT(v.redelivered);
	CPPUNIT_ASSERT_EQUAL(std::uint32_t(3), v.redeliveryCount);
	CPPUNIT_ASSERT_EQUAL(std::uint32_t(0xDEADBEEF), v.crc32);

	// all defaults: empty message
	StanCodec::decodeMsgProto("", 0, v);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), v.sequence);
	CPPUNIT_ASSERT(v.data.empty());
	CPPUNIT_ASSERT(!v.redelivered);
}

void StanCodecTest::testMsgProtoSkipsUnknownFields()
{
	natsstan::MsgProto m;
	m.set_sequence(5);
	m.set_data("payload");
	std::string bytes = m.SerializeAsString();
	// unknown fields of every wire type: 20 varint, 21 fixed64, 22 length-delimited, 23 fixed32
	std::string extra;
	StanCodec::appendVarintField(extra, 20, 99999);
	StanCodec::appendTag(extra, 21, 1);
	extra.append(8, 'x');
	StanCodec::appendBytesField(extra, 22, "zzz", 3);
	StanCodec::appendTag(extra, 23, 5);
	extra.append(4, 'y');
	bytes = extra + bytes + extra;
	Nats::MsgProtoView v;
	StanCodec::decodeMsgProto(bytes.data(), bytes.size(), v);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), v.sequence);
	CPPUNIT_ASSERT(v.data == "payload");
}

void StanCodecTest::testMsgProtoMalformed()
{
	natsstan::MsgProto m;
	m.set_sequence(5);
	m.set_subject("chan");
	m.set_data("payload-data");
	std::string bytes = m.SerializeAsString();
	// every strict prefix that cuts a field must be rejected, never read out of bounds
	int rejected = 0;
	for (std::size_t n = 1; n < bytes.size(); ++n)
	{
		Nats::MsgProtoView v;
		try
		{
			StanCodec::decodeMsgProto(bytes.data(), n, v);
		}
		catch (Nats::NatsProtocolException&)
		{
			++rejected;
		}
	}
	// boundaries between fields (after field 1 and after field 2) decode fine; all others fail
	CPPUNIT_ASSERT_EQUAL(static_cast<int>(bytes.size()) - 1 - 2, rejected);
	std::string bad("\x08\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 12); // varint too long
	Nats::MsgProtoView v;
	CPPUNIT_ASSERT_THROW(StanCodec::decodeMsgProto(bad.data(), bad.size(), v), Nats::NatsProtocolException);
	std::string wrongType("\x0A\x01x", 3); // field 1 as length-delimited
	CPPUNIT_ASSERT_THROW(StanCodec::decodeMsgProto(wrongType.data(), wrongType.size(), v), Nats::NatsProtocolException);
}

void StanCodecTest::testPubAckDecode()
{
	natsstan::PubAck a;
	a.set_guid("theguid");
	a.set_error("stan: invalid publish request");
	std::string bytes = a.SerializeAsString();
	Nats::PubAckView v;
	StanCodec::decodePubAck(bytes.data(), bytes.size(), v);
	CPPUNIT_ASSERT(v.guid == "theguid");
	CPPUNIT_ASSERT(v.error == "stan: invalid publish request");
	a.clear_error();
	bytes = a.SerializeAsString();
	StanCodec::decodePubAck(bytes.data(), bytes.size(), v);
	CPPUNIT_ASSERT(v.guid == "theguid");
	CPPUNIT_ASSERT(v.error.empty());
	std::string truncated = bytes.substr(0, bytes.size() - 1);
	CPPUNIT_ASSERT_THROW(StanCodec::decodePubAck(truncated.data(), truncated.size(), v), Nats::NatsProtocolException);
}

void StanCodecTest::testControlMessages()
{
	Nats::StanConnectRequest cr;
	cr.clientID = "me";
	cr.heartbeatInbox = "_INBOX.hb";
	cr.protocol = 1;
	cr.connID = "conn";
	cr.pingInterval = -100; // a negative int32 is a ten-byte varint: the codec must not truncate it
	cr.pingMaxOut = 3;
	natsstan::ConnectRequest g;
	CPPUNIT_ASSERT(g.ParseFromString(StanCodec::encodeConnectRequest(cr)));
	CPPUNIT_ASSERT_EQUAL(std::string("me"), g.clientid());
	CPPUNIT_ASSERT_EQUAL(std::string("_INBOX.hb"), g.heartbeatinbox());
	CPPUNIT_ASSERT_EQUAL(1, g.protocol());
	CPPUNIT_ASSERT_EQUAL(std::string("conn"), g.connid());
	CPPUNIT_ASSERT_EQUAL(-100, g.pinginterval());
	CPPUNIT_ASSERT_EQUAL(3, g.pingmaxout());

	natsstan::ConnectResponse resp;
	resp.set_pubprefix("_STAN.pub.c");
	resp.set_subrequests("_STAN.sub.c");
	resp.set_unsubrequests("_STAN.unsub.c");
	resp.set_closerequests("_STAN.close.c");
	resp.set_subcloserequests("_STAN.subclose.c");
	resp.set_pingrequests("_STAN.discover.c.pings");
	resp.set_pinginterval(5);
	resp.set_pingmaxout(88);
	resp.set_protocol(1);
	resp.set_publickey("ignored");
	Nats::StanConnectResponse r = StanCodec::decodeConnectResponse(resp.SerializeAsString());
	CPPUNIT_ASSERT_EQUAL(std::string("_STAN.pub.c"), r.pubPrefix);
	CPPUNIT_ASSERT_EQUAL(std::string("_STAN.sub.c"), r.subRequests);
	CPPUNIT_ASSERT_EQUAL(std::string("_STAN.unsub.c"), r.unsubRequests);
	CPPUNIT_ASSERT_EQUAL(std::string("_STAN.close.c"), r.closeRequests);
	CPPUNIT_ASSERT_EQUAL(std::string("_STAN.subclose.c"), r.subCloseRequests);
	CPPUNIT_ASSERT_EQUAL(std::string("_STAN.discover.c.pings"), r.pingRequests);
	CPPUNIT_ASSERT_EQUAL(5, r.pingInterval);
	CPPUNIT_ASSERT_EQUAL(88, r.pingMaxOut);
	CPPUNIT_ASSERT_EQUAL(1, r.protocol);
	CPPUNIT_ASSERT(r.error.empty());

	Nats::StanSubscriptionRequest sr;
	sr.clientID = "me";
	sr.subject = "ch";
	sr.qGroup = "q";
	sr.inbox = "_INBOX.x";
	sr.maxInFlight = 128;
	sr.ackWaitInSecs = 30;
	sr.durableName = "dur";
	sr.startPosition = 3;
	sr.startSequence = 42;
	sr.startTimeDelta = 5000000000LL;
	natsstan::SubscriptionRequest gs;
	CPPUNIT_ASSERT(gs.ParseFromString(StanCodec::encodeSubscriptionRequest(sr)));
	CPPUNIT_ASSERT_EQUAL(std::string("q"), gs.qgroup());
	CPPUNIT_ASSERT_EQUAL(std::string("_INBOX.x"), gs.inbox());
	CPPUNIT_ASSERT_EQUAL(128, gs.maxinflight());
	CPPUNIT_ASSERT_EQUAL(30, gs.ackwaitinsecs());
	CPPUNIT_ASSERT_EQUAL(std::string("dur"), gs.durablename());
	CPPUNIT_ASSERT_EQUAL(natsstan::SequenceStart, gs.startposition());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), static_cast<std::uint64_t>(gs.startsequence()));
	CPPUNIT_ASSERT_EQUAL(std::int64_t(5000000000LL), static_cast<std::int64_t>(gs.starttimedelta()));

	natsstan::SubscriptionResponse sresp;
	sresp.set_ackinbox("_INBOX.ack");
	Nats::StanSubscriptionResponse srr = StanCodec::decodeSubscriptionResponse(sresp.SerializeAsString());
	CPPUNIT_ASSERT_EQUAL(std::string("_INBOX.ack"), srr.ackInbox);
	sresp.Clear();
	sresp.set_error("stan: duplicate durable registration");
	srr = StanCodec::decodeSubscriptionResponse(sresp.SerializeAsString());
	CPPUNIT_ASSERT_EQUAL(std::string("stan: duplicate durable registration"), srr.error);

	Nats::StanUnsubscribeRequest ur;
	ur.clientID = "me";
	ur.subject = "ch";
	ur.inbox = "_INBOX.ack";
	natsstan::UnsubscribeRequest gu;
	CPPUNIT_ASSERT(gu.ParseFromString(StanCodec::encodeUnsubscribeRequest(ur)));
	CPPUNIT_ASSERT_EQUAL(std::string("_INBOX.ack"), gu.inbox());

	natsstan::CloseRequest gc;
	CPPUNIT_ASSERT(gc.ParseFromString(StanCodec::encodeCloseRequest("me")));
	CPPUNIT_ASSERT_EQUAL(std::string("me"), gc.clientid());

	natsstan::Ping gp;
	CPPUNIT_ASSERT(gp.ParseFromString(StanCodec::encodePing("conn-id")));
	CPPUNIT_ASSERT_EQUAL(std::string("conn-id"), gp.connid());

	natsstan::PingResponse pr;
	pr.set_error("client has been replaced or is no longer registered");
	CPPUNIT_ASSERT_EQUAL(std::string("client has been replaced or is no longer registered"),
		StanCodec::decodePingResponse(pr.SerializeAsString()));
	CPPUNIT_ASSERT_THROW(StanCodec::decodeConnectResponse(std::string("\x0A\x05" "ab", 4)), Nats::NatsProtocolException);
}

void StanCodecTest::testEmptyResponses()
{
	// An OK PingResponse / CloseResponse / SubscriptionResponse may be 0 bytes (protocol.md 2.1).
	CPPUNIT_ASSERT(StanCodec::decodePingResponse("").empty());
	CPPUNIT_ASSERT(StanCodec::decodeCloseResponse("").empty());
	Nats::StanSubscriptionResponse r = StanCodec::decodeSubscriptionResponse("");
	CPPUNIT_ASSERT(r.ackInbox.empty() && r.error.empty());
}

void StanCodecTest::testServerPubAckMatchesGenerated()
{
	std::string out = "x"; // encode appends
	StanCodec::encodePubAck(out, "GUID-1", "stan: invalid publish request");
	CPPUNIT_ASSERT_EQUAL(std::string("x"), out.substr(0, 1));
	natsstan::PubAck g;
	g.set_guid("GUID-1");
	g.set_error("stan: invalid publish request");
	CPPUNIT_ASSERT(out.substr(1) == g.SerializeAsString());

	std::string ok;
	StanCodec::encodePubAck(ok, "GUID-2", "");
	natsstan::PubAck back;
	CPPUNIT_ASSERT(back.ParseFromString(ok));
	CPPUNIT_ASSERT_EQUAL(std::string("GUID-2"), back.guid());
	CPPUNIT_ASSERT(back.error().empty());
	Nats::PubAckView view;
	StanCodec::decodePubAck(ok.data(), ok.size(), view);
	CPPUNIT_ASSERT(view.guid == "GUID-2" && view.error.empty());
}

void StanCodecTest::testServerSubscriptionResponseMatchesGenerated()
{
	std::string out;
	StanCodec::encodeSubscriptionResponse(out, "_INBOX.abc.1", "");
	natsstan::SubscriptionResponse g;
	g.set_ackinbox("_INBOX.abc.1");
	CPPUNIT_ASSERT(out == g.SerializeAsString());
	Nats::StanSubscriptionResponse r = StanCodec::decodeSubscriptionResponse(out);
	CPPUNIT_ASSERT_EQUAL(std::string("_INBOX.abc.1"), r.ackInbox);
	CPPUNIT_ASSERT(r.error.empty());

	std::string err;
	StanCodec::encodeSubscriptionResponse(err, "", "stan: invalid subscription request");
	r = StanCodec::decodeSubscriptionResponse(err);
	CPPUNIT_ASSERT(r.ackInbox.empty());
	CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid subscription request"), r.error);

	std::string ok;
	StanCodec::encodeSubscriptionResponse(ok, "", "");
	CPPUNIT_ASSERT(ok.empty()); // an OK unsubscribe / close answer is 0 bytes, as the Go server's
}

void StanCodecTest::testAppendRedelivered()
{
	natsstan::MsgProto m;
	m.set_sequence(7);
	m.set_subject("foo");
	m.set_data(std::string("a\0b", 3));
	m.set_timestamp(123456789);
	std::string encoded = m.SerializeAsString();
	for (std::uint32_t count : {0u, 1u, 2u, 127u, 128u, 300u, 70000u})
	{
		std::string buf = encoded;
		StanCodec::appendRedelivered(buf, count);
		natsstan::MsgProto back;
		CPPUNIT_ASSERT(back.ParseFromString(buf));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), back.sequence());
		CPPUNIT_ASSERT_EQUAL(std::string("foo"), back.subject());
		CPPUNIT_ASSERT_EQUAL(std::string("a\0b", 3), back.data());
		CPPUNIT_ASSERT(back.redelivered());
		CPPUNIT_ASSERT_EQUAL(count, back.redeliverycount());
		Nats::MsgProtoView view;
		StanCodec::decodeMsgProto(buf.data(), buf.size(), view);
		CPPUNIT_ASSERT(view.redelivered);
		CPPUNIT_ASSERT_EQUAL(count, view.redeliveryCount);
		CPPUNIT_ASSERT(view.data == std::string_view("a\0b", 3));
	}
}
