//
// JetStreamTest.cpp
//

#include "JetStreamTest.h"
#include "TestUtil.h"
#include "NatsServerProcess.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JetStreamException.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <atomic>
#include <mutex>
#include <set>

using namespace Nats;

CPPUNIT_TEST_SUITE_REGISTRATION(JetStreamTest);

namespace {

const Poco::Timespan WAIT(10, 0);
const Poco::Timespan API_WAIT(5, 0);

/// A nats-server -js (or NATS_URL) and a connection to it.
struct JsFixture
{
	std::unique_ptr<Test::NatsServerProcess> pServer;
	std::string url;
	std::unique_ptr<Connection> pConn;

	JsFixture()
	{
		pServer = Test::startJetStreamServerUnlessExternal(url);
		Options o;
		o.servers = {url};
		pConn.reset(new Connection(o));
		pConn->connect();
	}

	/// A synchronous subscription on a new inbox, which becomes `cc`'s deliver subject (a push
	/// consumer added with `cc` delivers to it).
	Subscription pushInbox(ConsumerConfig& cc)
	{
		cc.deliverSubject = pConn->newInbox();
		return pConn->subscribeSync(cc.deliverSubject);
	}
};

StreamConfig streamFor(const std::string& name, const std::string& subject)
{
	StreamConfig c;
	c.name = name;
	c.subjects = {subject};
	c.storage = StreamConfig::Storage::MEMORY;
	return c;
}

/// Adds the memory stream streamFor(name, name) with name = uniqueName(prefix); returns the name.
std::string addStream(JetStreamContext& js, const std::string& prefix)
{
	std::string name = Test::uniqueName(prefix);
	js.addStream(streamFor(name, name));
	return name;
}

/// Publishes "m<first>" ... "m<last>" to `subject`, each waiting for its ack.
void publishNumbered(JetStreamContext& js, const std::string& subject, int first, int last)
{
	for (int i = first; i <= last; ++i) js.publish(subject, "m" + std::to_string(i));
}

template <typename F>
int apiErrCode(F f)
{
	try
	{
		f();
	}
	catch (const JetStreamApiException& e)
	{
		return e.errCode();
	}
	return -1;
}

} // namespace

void JetStreamTest::testAckMetadataForms()
{
	AckMetadata m;
	CPPUNIT_ASSERT(AckMetadata::parse("$JS.ACK.ORDERS.billing.3.42.7.1700000000123456789.5", m));
	CPPUNIT_ASSERT_EQUAL(std::string("ORDERS"), m.stream);
	CPPUNIT_ASSERT_EQUAL(std::string("billing"), m.consumer);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), m.numDelivered);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), m.streamSequence);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), m.consumerSequence);
	CPPUNIT_ASSERT_EQUAL(std::int64_t(1700000000123456789LL), m.timestamp);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), m.numPending);
	CPPUNIT_ASSERT(m.domain.empty());
	CPPUNIT_ASSERT(m.accountHash.empty());

	// 12 tokens: domain, account hash, ..., random suffix.
	CPPUNIT_ASSERT(AckMetadata::parse("$JS.ACK.hub.ACCHASH.S.C.1.2.3.44.0.xyz", m));
	CPPUNIT_ASSERT_EQUAL(std::string("hub"), m.domain);
	CPPUNIT_ASSERT_EQUAL(std::string("ACCHASH"), m.accountHash);
	CPPUNIT_ASSERT_EQUAL(std::string("S"), m.stream);
	CPPUNIT_ASSERT_EQUAL(std::string("C"), m.consumer);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), m.numDelivered);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), m.streamSequence);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), m.consumerSequence);
	CPPUNIT_ASSERT_EQUAL(std::int64_t(44), m.timestamp);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), m.numPending);

	// 11 tokens, "_" = no domain.
	CPPUNIT_ASSERT(AckMetadata::parse("$JS.ACK._.H.S2.C2.9.8.7.6.5", m));
	CPPUNIT_ASSERT(m.domain.empty());
	CPPUNIT_ASSERT_EQUAL(std::string("H"), m.accountHash);
	CPPUNIT_ASSERT_EQUAL(std::string("S2"), m.stream);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(9), m.numDelivered);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), m.numPending);
}

void JetStreamTest::testAckMetadataMalformed()
{
	AckMetadata m;
	CPPUNIT_ASSERT(!AckMetadata::parse("", m));
	CPPUNIT_ASSERT(!AckMetadata::parse("_INBOX.abc", m));
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.C.1.2.3.4", m));           // 8 tokens
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.C.1.2.3.4.5.6", m));       // 10 tokens
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.C.x.2.3.4.5", m));         // not a number
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.C.-1.2.3.4.5", m));        // negative
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK..C.1.2.3.4.5", m));          // empty stream
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.NAK.S.C.1.2.3.4.5", m));
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.*.1.2.3.4.5", m));         // wildcard token
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.>.C.1.2.3.4.5", m));
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK..H.S.C.1.2.3.4.5", m));      // empty domain token
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.C.1.2.3.4.5.", m));        // empty last token
	// 64-bit limits: 2^64 - 1 is read, 2^64 and 20-digit values above it are refused.
	CPPUNIT_ASSERT(AckMetadata::parse("$JS.ACK.S.C.18446744073709551615.2.3.4.5", m));
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(18446744073709551615ULL), m.numDelivered);
	CPPUNIT_ASSERT(AckMetadata::parse("$JS.ACK.S.C.10000000000000000000.2.3.4.5", m));
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(10000000000000000000ULL), m.numDelivered);
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.C.18446744073709551616.2.3.4.5", m));
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.C.19999999999999999999.2.3.4.5", m));
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.C.20000000000000000000.2.3.4.5", m));
	CPPUNIT_ASSERT(!AckMetadata::parse("$JS.ACK.S.C.100000000000000000000.2.3.4.5", m)); // 21 digits
}

void JetStreamTest::testTimeRoundTrip()
{
	CPPUNIT_ASSERT_EQUAL(std::string("1970-01-01T00:00:00.000000000Z"), JetStreamJson::formatTime(0));
	CPPUNIT_ASSERT_EQUAL(std::string("2023-11-14T22:13:20.123456789Z"), JetStreamJson::formatTime(1700000000123456789LL));
	CPPUNIT_ASSERT_EQUAL(std::int64_t(1700000000123456789LL), JetStreamJson::parseTime("2023-11-14T22:13:20.123456789Z"));
	CPPUNIT_ASSERT_EQUAL(std::int64_t(1700000000000000000LL), JetStreamJson::parseTime("2023-11-14T22:13:20Z"));
	CPPUNIT_ASSERT_EQUAL(std::int64_t(1700000000500000000LL), JetStreamJson::parseTime("2023-11-15T00:13:20.5+02:00"));
	CPPUNIT_ASSERT_THROW(JetStreamJson::parseTime("yesterday"), NatsProtocolException);
}

void JetStreamTest::testConfigJson()
{
	ConsumerConfig c;
	c.durableName = "d";
	c.deliverSubject = "_INBOX.x";
	c.deliverGroup = "g";
	c.deliverPolicy = ConsumerConfig::DeliverPolicy::BY_START_SEQUENCE;
	c.optStartSeq = 42;
	c.ackWait = Poco::Timespan(3, 0);
	c.maxAckPending = 7;
	c.flowControl = true;
	c.idleHeartbeat = Poco::Timespan(5, 0);
	Poco::JSON::Object::Ptr obj = c.toJson();
	CPPUNIT_ASSERT_EQUAL(std::string("by_start_sequence"), obj->getValue<std::string>("deliver_policy"));
	CPPUNIT_ASSERT_EQUAL(Poco::Int64(3000000000LL), obj->getValue<Poco::Int64>("ack_wait"));
	CPPUNIT_ASSERT_EQUAL(Poco::Int64(5000000000LL), obj->getValue<Poco::Int64>("idle_heartbeat"));
	CPPUNIT_ASSERT_EQUAL(std::string("explicit"), obj->getValue<std::string>("ack_policy"));
	ConsumerConfig back = ConsumerConfig::fromJson(JetStreamJson::parseObject(JetStreamJson::stringify(obj)));
	CPPUNIT_ASSERT_EQUAL(std::string("d"), back.durableName);
	CPPUNIT_ASSERT_EQUAL(std::string("g"), back.deliverGroup);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), back.optStartSeq);
	CPPUNIT_ASSERT(back.deliverPolicy == ConsumerConfig::DeliverPolicy::BY_START_SEQUENCE);
	CPPUNIT_ASSERT_EQUAL(7, back.maxAckPending);
	CPPUNIT_ASSERT(back.flowControl);
	CPPUNIT_ASSERT_EQUAL(Poco::Timespan(3, 0).totalMicroseconds(), back.ackWait.totalMicroseconds());

	StreamConfig s = streamFor("S", "a.b");
	s.maxMsgs = 10;
	s.maxAge = Poco::Timespan(60, 0);
	StreamConfig sb = StreamConfig::fromJson(JetStreamJson::parseObject(JetStreamJson::stringify(s.toJson())));
	CPPUNIT_ASSERT_EQUAL(std::string("S"), sb.name);
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), sb.subjects.size());
	CPPUNIT_ASSERT_EQUAL(std::string("a.b"), sb.subjects[0]);
	CPPUNIT_ASSERT_EQUAL(std::int64_t(10), sb.maxMsgs);
	CPPUNIT_ASSERT_EQUAL(Poco::Timespan(60, 0).totalMicroseconds(), sb.maxAge.totalMicroseconds());
	CPPUNIT_ASSERT(sb.storage == StreamConfig::Storage::MEMORY);
}

void JetStreamTest::testApiErrorParsed()
{
	Poco::JSON::Object::Ptr obj = JetStreamJson::parseObject(
		"{\"type\":\"io.nats.jetstream.api.v1.stream_info_response\",\"error\":{\"code\":404,\"err_code\":10059,\"description\":\"stream not found\"}}");
	try
	{
		JetStreamJson::throwIfError(obj);
		CPPUNIT_FAIL("no exception");
	}
	catch (const JetStreamApiException& e)
	{
		CPPUNIT_ASSERT_EQUAL(404, e.code());
		CPPUNIT_ASSERT_EQUAL(10059, e.errCode());
		CPPUNIT_ASSERT_EQUAL(std::string("stream not found"), e.description());
		CPPUNIT_ASSERT(dynamic_cast<const StanException*>(&e) != nullptr);
		std::unique_ptr<Poco::Exception> pCopy(e.clone());
		CPPUNIT_ASSERT_THROW(pCopy->rethrow(), JetStreamApiException);
	}
	CPPUNIT_ASSERT_THROW(JetStreamJson::parseObject("not json"), NatsProtocolException);
	CPPUNIT_ASSERT_THROW(JetStreamJson::parseObject("[1,2]"), NatsProtocolException);
}

void JetStreamTest::testInvalidNames()
{
	for (const char* bad: {"", "a.b", "a*", "a>", "a b", "a/b", "a\\b", "a\tb"})
	{
		CPPUNIT_ASSERT_THROW(JetStreamContext::validateName("stream name", bad), Poco::InvalidArgumentException);
	}
	JetStreamContext::validateName("stream name", "ORDERS_2-x");
}

void JetStreamTest::testNotEnabled()
{
	Test::skipIfExternal("needs a server without JetStream");
	std::string url;
	std::unique_ptr<Test::NatsServerProcess> pServer = Test::startNatsServerUnlessExternal(url);
	Options o;
	o.servers = {url};
	Connection conn(o);
	conn.connect();
	JetStreamContext js(conn, API_WAIT);
	try
	{
		js.accountInfo();
		CPPUNIT_FAIL("no exception");
	}
	catch (const JetStreamApiException& e)
	{
		CPPUNIT_ASSERT_EQUAL(std::string("nats: JetStream not enabled"), e.message());
		CPPUNIT_ASSERT_EQUAL(int(JetStreamApiException::JETSTREAM_NOT_ENABLED), e.errCode());
	}
}

void JetStreamTest::testAccountInfo()
{
	JsFixture f;
	JetStreamContext js(*f.pConn, API_WAIT);
	AccountInfo before = js.accountInfo();
	std::string name = Test::uniqueName("AI");
	js.addStream(streamFor(name, name + ".x"));
	AccountInfo after = js.accountInfo();
	CPPUNIT_ASSERT_EQUAL(before.streams + 1, after.streams);
	js.deleteStream(name);
	CPPUNIT_ASSERT_EQUAL(before.streams, js.accountInfo().streams);
}

void JetStreamTest::testStreamLifecycle()
{
	JsFixture f;
	JetStreamContext js(*f.pConn, API_WAIT);
	std::string name = Test::uniqueName("LC");
	StreamConfig cfg = streamFor(name, name + ".*");
	cfg.maxMsgs = 100;
	StreamInfo info = js.addStream(cfg);
	CPPUNIT_ASSERT_EQUAL(name, info.config.name);
	CPPUNIT_ASSERT_EQUAL(std::int64_t(100), info.config.maxMsgs);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), info.state.messages);
	// Same config again: idempotent.
	js.addStream(cfg);
	// Another config under the same name: refused.
	StreamConfig other = cfg;
	other.maxMsgs = 5;
	CPPUNIT_ASSERT_EQUAL(int(JetStreamApiException::STREAM_NAME_IN_USE), apiErrCode([&]() { js.addStream(other); }));
	std::vector<std::string> names = js.streamNames();
	CPPUNIT_ASSERT(std::find(names.begin(), names.end(), name) != names.end());
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), js.streamNames(name + ".a").size());
	CPPUNIT_ASSERT_EQUAL(name, js.streamInfo(name).config.name);
	js.deleteStream(name);
	try
	{
		js.streamInfo(name);
		CPPUNIT_FAIL("no exception");
	}
	catch (const JetStreamApiException& e)
	{
		CPPUNIT_ASSERT_EQUAL(404, e.code());
		CPPUNIT_ASSERT_EQUAL(int(JetStreamApiException::STREAM_NOT_FOUND), e.errCode());
		CPPUNIT_ASSERT_EQUAL(std::string("stream not found"), e.message());
	}
	CPPUNIT_ASSERT_EQUAL(int(JetStreamApiException::STREAM_NOT_FOUND), apiErrCode([&]() { js.deleteStream(name); }));
}

void JetStreamTest::testPublishPubAck()
{
	JsFixture f;
	JetStreamContext js(*f.pConn, API_WAIT);
	std::string name = addStream(js, "PA");
	for (std::uint64_t i = 1; i <= 5; ++i)
	{
		PubAck a = js.publish(name, "m" + std::to_string(i));
		CPPUNIT_ASSERT_EQUAL(name, a.stream);
		CPPUNIT_ASSERT_EQUAL(i, a.sequence);
		CPPUNIT_ASSERT(!a.duplicate);
	}
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), js.streamInfo(name).state.messages);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), js.streamInfo(name).state.lastSeq);
	try
	{
		js.publish(name + "-nostream", "x");
		CPPUNIT_FAIL("no exception");
	}
	catch (const JetStreamApiException& e)
	{
		CPPUNIT_ASSERT_EQUAL(std::string("nats: no response from stream"), e.message());
		CPPUNIT_ASSERT_EQUAL(503, e.code());
	}
	js.deleteStream(name);
}

void JetStreamTest::testPublishDeduplicated()
{
	JsFixture f;
	JetStreamContext js(*f.pConn, API_WAIT);
	std::string name = addStream(js, "DD");
	Headers extra;
	extra.set("Trace", "t1");
	PubAck a = js.publish(name, "one", "id-1", extra);
	CPPUNIT_ASSERT(!a.duplicate);
	PubAck again = js.publish(name, "one", "id-1");
	CPPUNIT_ASSERT(again.duplicate);
	CPPUNIT_ASSERT_EQUAL(a.sequence, again.sequence);
	PubAck b = js.publish(name, "two", "id-2");
	CPPUNIT_ASSERT(!b.duplicate);
	CPPUNIT_ASSERT_EQUAL(a.sequence + 1, b.sequence);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), js.streamInfo(name).state.messages);
	// The headers are stored with the message.
	ConsumerConfig cc;
	Subscription sub = f.pushInbox(cc);
	cc.ackPolicy = ConsumerConfig::AckPolicy::NONE;
	js.addConsumer(name, cc);
	Message m = sub.nextMessage(WAIT);
	CPPUNIT_ASSERT_EQUAL(std::string("id-1"), m.headers().get(JetStreamContext::MSG_ID_HEADER));
	CPPUNIT_ASSERT_EQUAL(std::string("t1"), m.headers().get("Trace"));
	js.deleteStream(name);
}

void JetStreamTest::testDurablePushConsumerAck()
{
	JsFixture f;
	JetStreamContext js(*f.pConn, API_WAIT);
	std::string name = addStream(js, "DC");
	publishNumbered(js, name, 1, 3);

	ConsumerConfig cc;
	Subscription sub = f.pushInbox(cc);
	cc.durableName = "dur";
	cc.ackWait = Poco::Timespan(30, 0);
	cc.maxAckPending = 10;
	ConsumerInfo ci = js.addConsumer(name, cc);
	CPPUNIT_ASSERT_EQUAL(std::string("dur"), ci.name);
	CPPUNIT_ASSERT_EQUAL(name, ci.stream);
	CPPUNIT_ASSERT_EQUAL(cc.deliverSubject, ci.config.deliverSubject);
	CPPUNIT_ASSERT_EQUAL(10, ci.config.maxAckPending);

	for (std::uint64_t i = 1; i <= 3; ++i)
	{
		Message m = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL("m" + std::to_string(i), m.data());
		AckMetadata md;
		CPPUNIT_ASSERT_MESSAGE(m.reply(), AckMetadata::parse(m.reply(), md));
		CPPUNIT_ASSERT_EQUAL(name, md.stream);
		CPPUNIT_ASSERT_EQUAL(std::string("dur"), md.consumer);
		CPPUNIT_ASSERT_EQUAL(i, md.streamSequence);
		CPPUNIT_ASSERT_EQUAL(i, md.consumerSequence);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), md.numDelivered);
		CPPUNIT_ASSERT_EQUAL(3 - i, md.numPending);
		CPPUNIT_ASSERT(md.timestamp > 0);
		if (i < 3) f.pConn->publish(m.reply(), "+ACK");
	}
	f.pConn->flush(WAIT);
	NATS_WAIT_FOR(js.consumerInfo(name, "dur").numAckPending == 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), js.consumerInfo(name, "dur").ackFloorStreamSeq);

	js.deleteConsumer(name, "dur");
	CPPUNIT_ASSERT_EQUAL(int(JetStreamApiException::CONSUMER_NOT_FOUND), apiErrCode([&]() { js.consumerInfo(name, "dur"); }));
	js.deleteStream(name);
}

void JetStreamTest::testEphemeralConsumerDeliverGroup()
{
	JsFixture f;
	JetStreamContext js(*f.pConn, API_WAIT);
	std::string name = addStream(js, "EG");
	std::string inbox = f.pConn->newInbox();
	std::mutex mutex;
	std::multiset<std::string> got;
	std::atomic<int> a{0}, b{0};
	auto collect = [&](std::atomic<int>& n)
	{
		return [&](const Message& m)
		{
			{
				std::lock_guard<std::mutex> lock(mutex);
				got.insert(m.data());
			}
			f.pConn->publish(m.reply(), "+ACK");
			++n;
		};
	};
	Subscription s1 = f.pConn->queueSubscribe(inbox, "grp", collect(a));
	Subscription s2 = f.pConn->queueSubscribe(inbox, "grp", collect(b));
	ConsumerConfig cc;
	cc.deliverSubject = inbox;
	cc.deliverGroup = "grp";
	ConsumerInfo ci = js.addConsumer(name, cc);
	CPPUNIT_ASSERT(!ci.name.empty());
	CPPUNIT_ASSERT_EQUAL(std::string("grp"), ci.config.deliverGroup);
	for (int i = 0; i < 50; ++i) js.publish(name, "m" + std::to_string(i));
	NATS_WAIT_FOR(a + b == 50, WAIT);
	std::lock_guard<std::mutex> lock(mutex);
	CPPUNIT_ASSERT_EQUAL(std::size_t(50), got.size());
	for (int i = 0; i < 50; ++i) CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.count("m" + std::to_string(i)));
	js.deleteConsumer(name, ci.name);
	js.deleteStream(name);
}

void JetStreamTest::testDeliverPolicies()
{
	JsFixture f;
	JetStreamContext js(*f.pConn, API_WAIT);
	std::string name = addStream(js, "DP");
	publishNumbered(js, name, 1, 5);
	std::int64_t ts3 = 0;
	{
		// Timestamp of message 3 from its metadata.
		ConsumerConfig cc;
		Subscription sub = f.pushInbox(cc);
		cc.deliverPolicy = ConsumerConfig::DeliverPolicy::BY_START_SEQUENCE;
		cc.optStartSeq = 3;
		cc.ackPolicy = ConsumerConfig::AckPolicy::NONE;
		js.addConsumer(name, cc);
		Message m = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(std::string("m3"), m.data());
		AckMetadata md;
		CPPUNIT_ASSERT(AckMetadata::parse(m.reply(), md));
		ts3 = md.timestamp;
		sub.unsubscribe();
	}
	struct Case
	{
		ConsumerConfig::DeliverPolicy policy;
		std::string first;
	};
	for (const Case& c: {Case{ConsumerConfig::DeliverPolicy::ALL, "m1"}, Case{ConsumerConfig::DeliverPolicy::LAST, "m5"},
			 Case{ConsumerConfig::DeliverPolicy::BY_START_TIME, "m3"}, Case{ConsumerConfig::DeliverPolicy::NEW, "m6"}})
	{
		ConsumerConfig cc;
		Subscription sub = f.pushInbox(cc);
		cc.deliverPolicy = c.policy;
		cc.optStartTimeNs = ts3;
		cc.ackPolicy = ConsumerConfig::AckPolicy::NONE;
		ConsumerInfo ci = js.addConsumer(name, cc);
		if (c.policy == ConsumerConfig::DeliverPolicy::NEW) js.publish(name, "m6");
		CPPUNIT_ASSERT_EQUAL(c.first, sub.nextMessage(WAIT).data());
		sub.unsubscribe();
		js.deleteConsumer(name, ci.name);
	}
	js.deleteStream(name);
}
