//
// StanOptionsTest.cpp
//

#include "StanOptionsTest.h"
#include "Nats/StanOptions.h"
#include "Nats/StanSubscriptionOptions.h"
#include "Nats/StanMessage.h"
#include "Nats/Exception.h"

using Nats::StanOptions;
using Nats::StanSubscriptionOptions;

CPPUNIT_TEST_SUITE_REGISTRATION(StanOptionsTest);

namespace {

template <class F>
std::string invalidText(F f)
{
	try
	{
		f();
	}
	catch (Poco::InvalidArgumentException& exc)
	{
		return exc.message();
	}
	return "<no exception>";
}

} // namespace

void StanOptionsTest::testDefaults()
{
	StanOptions o;
	CPPUNIT_ASSERT(o.natsUrl.empty());
	CPPUNIT_ASSERT_EQUAL(std::string("nats://127.0.0.1:4222"), std::string(StanOptions::DEFAULT_NATS_URL));
	CPPUNIT_ASSERT(o.natsConnection == nullptr);
	CPPUNIT_ASSERT(o.connectWait == Poco::Timespan(2, 0));
	CPPUNIT_ASSERT(o.pubAckWait == Poco::Timespan(30, 0));
	CPPUNIT_ASSERT_EQUAL(16384, o.maxPubAcksInflight);
	CPPUNIT_ASSERT_EQUAL(0.5, o.maxPubAcksInflightPercentage);
	CPPUNIT_ASSERT_EQUAL(std::string("_STAN.discover"), o.discoverPrefix);
	CPPUNIT_ASSERT(o.pingInterval == Poco::Timespan(5, 0));
	CPPUNIT_ASSERT_EQUAL(88, o.pingMaxOut);
	CPPUNIT_ASSERT(!o.connectionLostHandler);
	CPPUNIT_ASSERT(!o.errorHandler);
	o.validate();
}

void StanOptionsTest::testValidation()
{
	auto check = [](void (*mutate)(StanOptions&), const std::string& expected) {
		StanOptions o;
		mutate(o);
		CPPUNIT_ASSERT_EQUAL(expected, invalidText([&]() { o.validate(); }));
	};
	check([](StanOptions& o) { o.connectWait = 0; }, "StanOptions.connectWait must be > 0");
	check([](StanOptions& o) { o.pubAckWait = -1; }, "StanOptions.pubAckWait must be > 0");
	check([](StanOptions& o) { o.maxPubAcksInflight = 0; }, "StanOptions.maxPubAcksInflight must be >= 1");
	check([](StanOptions& o) { o.maxPubAcksInflightPercentage = 0; }, "StanOptions.maxPubAcksInflightPercentage must be in (0, 1]");
	check([](StanOptions& o) { o.maxPubAcksInflightPercentage = 1.5; }, "StanOptions.maxPubAcksInflightPercentage must be in (0, 1]");
	check([](StanOptions& o) { o.discoverPrefix.clear(); }, "StanOptions.discoverPrefix must not be empty");
	check([](StanOptions& o) { o.pingInterval = 500; }, "StanOptions.pingInterval must be >= 1 s");
	check([](StanOptions& o) { o.pingInterval = Poco::Timespan(999 * Poco::Timespan::MILLISECONDS); }, "StanOptions.pingInterval must be >= 1 s");
	check([](StanOptions& o) { o.pingInterval = Poco::Timespan(-5, 0); }, "StanOptions.pingInterval must be >= 1 s");
	check([](StanOptions& o) { o.pingInterval = Poco::Timespan(0x80000000LL, 0); }, "StanOptions.pingInterval is too large");
	check([](StanOptions& o) { o.pingMaxOut = 1; }, "StanOptions.pingMaxOut must be >= 2");
	check([](StanOptions& o) { o.natsUrl = " , "; o.natsOptions.servers.clear(); }, "StanOptions.natsUrl must name at least one server");

	StanOptions ok;
	ok.pingInterval = Poco::Timespan(1, 0); // the smallest a released server takes
	ok.pingMaxOut = 2;
	ok.maxPubAcksInflight = 1;
	ok.maxPubAcksInflightPercentage = 1.0;
	ok.validate();
}

void StanOptionsTest::testEffectiveServers()
{
	StanOptions o;
	std::vector<std::string> s = o.effectiveServers();
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), s.size());
	CPPUNIT_ASSERT_EQUAL(std::string("nats://127.0.0.1:4222"), s[0]);
	o.natsUrl = "nats://a:1, nats://b:2 ,,nats://c:3";
	s = o.effectiveServers();
	CPPUNIT_ASSERT_EQUAL(std::size_t(3), s.size());
	CPPUNIT_ASSERT_EQUAL(std::string("nats://a:1"), s[0]);
	CPPUNIT_ASSERT_EQUAL(std::string("nats://b:2"), s[1]);
	CPPUNIT_ASSERT_EQUAL(std::string("nats://c:3"), s[2]);
	o.natsUrl.clear();
	o.natsOptions.servers = {"nats://x:9"};
	s = o.effectiveServers();
	CPPUNIT_ASSERT_EQUAL(std::string("nats://x:9"), s.at(0));
}

void StanOptionsTest::testSubscriptionDefaults()
{
	StanSubscriptionOptions o;
	CPPUNIT_ASSERT(o.durableName.empty());
	CPPUNIT_ASSERT_EQUAL(1024, o.maxInflight);
	CPPUNIT_ASSERT(o.ackWait == Poco::Timespan(30, 0));
	CPPUNIT_ASSERT(o.startPosition == StanSubscriptionOptions::StartPosition::NEW_ONLY);
	CPPUNIT_ASSERT(!o.manualAcks);
	o.validate();
}

void StanOptionsTest::testSubscriptionHelpers()
{
	StanSubscriptionOptions o;
	CPPUNIT_ASSERT(&o.startAtSequence(42) == &o);
	CPPUNIT_ASSERT(o.startPosition == StanSubscriptionOptions::StartPosition::SEQUENCE_START);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), o.startSequence);
	o.startWithLastReceived();
	CPPUNIT_ASSERT(o.startPosition == StanSubscriptionOptions::StartPosition::LAST_RECEIVED);
	o.deliverAllAvailable();
	CPPUNIT_ASSERT(o.startPosition == StanSubscriptionOptions::StartPosition::FIRST);
	Poco::Timestamp t0;
	o.startAtTime(t0);
	CPPUNIT_ASSERT(o.startPosition == StanSubscriptionOptions::StartPosition::TIME_DELTA_START);
	CPPUNIT_ASSERT(o.startTime == t0);
	Poco::Timestamp before;
	o.startAtTimeDelta(Poco::Timespan(10, 0));
	Poco::Timestamp after;
	CPPUNIT_ASSERT(o.startTime >= before - 10 * Poco::Timespan::SECONDS);
	CPPUNIT_ASSERT(o.startTime <= after - 10 * Poco::Timespan::SECONDS);
	CPPUNIT_ASSERT_THROW(o.startAtTimeDelta(Poco::Timespan(-1)), Poco::InvalidArgumentException);
	o.setDurableName("d").setMaxInflight(7).setAckWait(Poco::Timespan(2, 0)).setManualAckMode();
	CPPUNIT_ASSERT_EQUAL(std::string("d"), o.durableName);
	CPPUNIT_ASSERT_EQUAL(7, o.maxInflight);
	CPPUNIT_ASSERT(o.ackWait == Poco::Timespan(2, 0));
	CPPUNIT_ASSERT(o.manualAcks);
}

void StanOptionsTest::testSubscriptionValidation()
{
	CPPUNIT_ASSERT_EQUAL(std::string("StanSubscriptionOptions.ackWait must be >= 1 s"),
		invalidText([]() { StanSubscriptionOptions().setAckWait(Poco::Timespan(999 * Poco::Timespan::MILLISECONDS)).validate(); }));
	CPPUNIT_ASSERT_EQUAL(std::string("StanSubscriptionOptions.ackWait must be >= 1 s"),
		invalidText([]() { StanSubscriptionOptions().setAckWait(Poco::Timespan(0)).validate(); }));
	CPPUNIT_ASSERT_EQUAL(std::string("StanSubscriptionOptions.ackWait must be >= 1 s"),
		invalidText([]() { StanSubscriptionOptions().setAckWait(Poco::Timespan(-5, 0)).validate(); }));
	CPPUNIT_ASSERT_EQUAL(std::string("StanSubscriptionOptions.ackWait is too large"),
		invalidText([]() { StanSubscriptionOptions().setAckWait(Poco::Timespan(0x80000000LL, 0)).validate(); }));
	CPPUNIT_ASSERT_EQUAL(std::string("StanSubscriptionOptions.maxInflight must be >= 1"),
		invalidText([]() { StanSubscriptionOptions().setMaxInflight(0).validate(); }));
	CPPUNIT_ASSERT_EQUAL(std::string("StanSubscriptionOptions.startSequence must be >= 1"),
		invalidText([]() { StanSubscriptionOptions().startAtSequence(0).validate(); }));
	StanSubscriptionOptions o;
	o.startPosition = static_cast<StanSubscriptionOptions::StartPosition>(9);
	CPPUNIT_ASSERT_EQUAL(std::string("StanSubscriptionOptions.startPosition is invalid"), invalidText([&]() { o.validate(); }));
	StanSubscriptionOptions().setAckWait(Poco::Timespan(1, 0)).startAtSequence(1).validate();
}

void StanOptionsTest::testMessageValue()
{
	Nats::StanMessage m(7, 1700000000123456789LL, true, 2, "chan", std::string("a\0b", 3), 99);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), m.sequence());
	CPPUNIT_ASSERT_EQUAL(std::int64_t(1700000000123456789LL), m.timestamp());
	CPPUNIT_ASSERT(m.time() == Poco::Timestamp(1700000000123456LL));
	CPPUNIT_ASSERT(m.isRedelivered());
	CPPUNIT_ASSERT_EQUAL(std::uint32_t(2), m.redeliveryCount());
	CPPUNIT_ASSERT_EQUAL(std::string("chan"), m.channel());
	CPPUNIT_ASSERT_EQUAL(std::string("a\0b", 3), m.data());
	CPPUNIT_ASSERT_EQUAL(std::uint32_t(99), m.crc32());
	Nats::StanMessage copy = m;
	CPPUNIT_ASSERT_EQUAL(m.data(), copy.data());
	// A message that came from no subscription cannot be acked.
	CPPUNIT_ASSERT_THROW(m.ack(), Nats::StanSubscriptionException);
}
