//
// StanBackendTest.cpp
//

#include "StanBackendTest.h"
#include "StanTestUtil.h"
#include "StanServerFixture.h"
#include "StanBackendFixture.h"
#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JetStreamException.h"
#include "jetstream/JsStanConnection.h"
#include "core/ImplAccess.h"
#include "jetstream/JsStanSubscription.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include <Poco/Thread.h>
#include <atomic>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

using namespace Nats;
using Nats::Test::StanCollector;
using Nats::Test::seqRange;
using Nats::Test::publishRange;
using Nats::Test::errorOf;

NATS_STAN_BACKEND_SUITE(StanBackendStreamingTest, StanBackendTest, Test::startStreamingBackend);
CPPUNIT_TEST_SUITE_REGISTRATION(StanBackendJetStreamTest);

namespace {

const Poco::Timespan WAIT(10, 0);

/// One round of a durable subscriber: `subscribe` subscribes a collector's handler; waits until
/// exactly the sequences first..last arrived, then ends the subscription (close() keeps the
/// durable, unsubscribe() removes it).
enum class RoundEnd { CLOSE, UNSUBSCRIBE };
void durableRound(const std::function<StanSubscription(const StanMessageHandler&)>& subscribe, std::uint64_t first, std::uint64_t last, RoundEnd end)
{
	StanCollector got;
	StanSubscription sub = subscribe(got.handler());
	NATS_WAIT_FOR(got.size() == last - first + 1, WAIT);
	CPPUNIT_ASSERT(got.sequences() == seqRange(first, last));
	if (end == RoundEnd::CLOSE) sub.close();
	else sub.unsubscribe();
}

} // namespace

// ---------------------------------------------------------------------------------------------
// both backends
// ---------------------------------------------------------------------------------------------

void StanBackendTest::testPublishSubscribeAll()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	CPPUNIT_ASSERT(sc.isConnected());
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 10);
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().deliverAllAvailable());
	CPPUNIT_ASSERT(sub.isValid());
	CPPUNIT_ASSERT_EQUAL(channel, sub.channel());
	NATS_WAIT_FOR(got.size() == 10, WAIT);
	CPPUNIT_ASSERT(got.sequences() == seqRange(1, 10));
	auto msgs = got.messages();
	std::int64_t last = 0;
	for (int i = 0; i < 10; ++i)
	{
		CPPUNIT_ASSERT_EQUAL("m" + std::to_string(i + 1), msgs[i].data());
		CPPUNIT_ASSERT_EQUAL(channel, msgs[i].channel());
		CPPUNIT_ASSERT(!msgs[i].isRedelivered());
		CPPUNIT_ASSERT(msgs[i].timestamp() >= last);
		CPPUNIT_ASSERT(msgs[i].timestamp() > 1600000000LL * 1000000000LL);
		last = msgs[i].timestamp();
	}
	// New messages keep coming.
	publishRange(sc, channel, 11, 12);
	NATS_WAIT_FOR(got.size() == 12, WAIT);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(12), got.sequences().back());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(12), sub.delivered());
	sub.unsubscribe();
	CPPUNIT_ASSERT(!sub.isValid());
	sc.close();
	CPPUNIT_ASSERT(sc.isClosed());
}

void StanBackendTest::testStartPositions()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 5);
	{
		StanCollector got;
		StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().startWithLastReceived());
		NATS_WAIT_FOR(got.size() == 1, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), got.sequences()[0]);
		CPPUNIT_ASSERT_EQUAL(std::string("m5"), got.messages()[0].data());
		sub.close();
	}
	{
		StanCollector got;
		StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().startAtSequence(3));
		NATS_WAIT_FOR(got.size() == 3, WAIT);
		CPPUNIT_ASSERT(got.sequences() == seqRange(3, 5));
		sub.close();
	}
	{
		StanCollector got;
		StanSubscription sub = sc.subscribe(channel, got.handler()); // NEW_ONLY
		publishRange(sc, channel, 6, 6);
		NATS_WAIT_FOR(got.size() == 1, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(6), got.sequences()[0]);
		sub.close();
	}
}

void StanBackendTest::testStartAtTime()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 2);
	// The pauses put a gap into the stored timestamps (test data), they synchronise nothing: the
	// streaming protocol sends "now - startTime", which the server applies to its own clock.
	Poco::Thread::sleep(300);
	Poco::Timestamp middle;
	Poco::Thread::sleep(300);
	publishRange(sc, channel, 3, 4);
	StanCollector atTime, longAgo;
	StanSubscription s1 = sc.subscribe(channel, atTime.handler(), StanSubscriptionOptions().startAtTime(middle));
	StanSubscription s2 = sc.subscribe(channel, longAgo.handler(), StanSubscriptionOptions().startAtTimeDelta(Poco::Timespan(3600, 0)));
	NATS_WAIT_FOR(atTime.size() == 2 && longAgo.size() == 4, WAIT);
	CPPUNIT_ASSERT(atTime.sequences() == seqRange(3, 4));
	CPPUNIT_ASSERT(longAgo.sequences() == seqRange(1, 4));
	CPPUNIT_ASSERT(atTime.messages()[0].time() >= middle);
}

void StanBackendTest::testDurableResume()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 3);
	auto durable = [&](const StanMessageHandler& handler) {
		StanSubscription sub = sc.subscribe(channel, handler, StanSubscriptionOptions().deliverAllAvailable().setDurableName("dur"));
		CPPUNIT_ASSERT_EQUAL(std::string("dur"), sub.durableName());
		return sub;
	};
	durableRound(durable, 1, 3, RoundEnd::CLOSE); // close() keeps the durable (acks flushed first)
	publishRange(sc, channel, 4, 6);
	// The start position is ignored on resume.
	durableRound(durable, 4, 6, RoundEnd::UNSUBSCRIBE);
}

void StanBackendTest::testDurableResumeAfterReconnect()
{
	const std::string clientId = Test::uniqueName("c");
	std::string channel = Test::uniqueName("ch");
	{
		StanConnection sc(clusterId(), clientId, options());
		sc.connect();
		publishRange(sc, channel, 1, 2);
		StanCollector got;
		StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().deliverAllAvailable().setDurableName("d"));
		NATS_WAIT_FOR(got.size() == 2, WAIT);
		sc.close(); // the connection's close keeps durables
	}
	StanConnection sc(clusterId(), clientId, options());
	sc.connect();
	publishRange(sc, channel, 3, 4);
	durableRound([&](const StanMessageHandler& handler) { return sc.subscribe(channel, handler, StanSubscriptionOptions().setDurableName("d")); }, 3, 4,
		RoundEnd::UNSUBSCRIBE);
}

void StanBackendTest::testDurableUnsubscribeForgets()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 3);
	{
		StanCollector got;
		StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().deliverAllAvailable().setDurableName("dur"));
		NATS_WAIT_FOR(got.size() == 3, WAIT);
		sub.unsubscribe();
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid subscription"), errorOf([&]() { sub.unsubscribe(); }));
	}
	durableRound([&](const StanMessageHandler& handler) {
		return sc.subscribe(channel, handler, StanSubscriptionOptions().deliverAllAvailable().setDurableName("dur"));
	}, 1, 3, RoundEnd::UNSUBSCRIBE);
}

void StanBackendTest::testDuplicateDurable()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().setDurableName("dur"));
	CPPUNIT_ASSERT_THROW(sc.subscribe(channel, got.handler(), StanSubscriptionOptions().setDurableName("dur")), StanSubscriptionException);
	CPPUNIT_ASSERT_EQUAL(std::string("stan: duplicate durable registration"),
		errorOf([&]() { StanSubscription s = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().setDurableName("dur")); }));
	// The first one still works.
	publishRange(sc, channel, 1, 1);
	NATS_WAIT_FOR(got.size() == 1, WAIT);
	sub.unsubscribe();
}

void StanBackendTest::testQueueGroup()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanCollector a, b;
	StanSubscription s1 = sc.queueSubscribe(channel, "grp", a.handler());
	StanSubscription s2 = sc.queueSubscribe(channel, "grp", b.handler());
	CPPUNIT_ASSERT_EQUAL(std::string("grp"), s1.queueGroup());
	publishRange(sc, channel, 1, 40);
	NATS_WAIT_FOR(a.size() + b.size() == 40, WAIT);
	std::set<std::uint64_t> seen;
	for (auto s: a.sequences()) seen.insert(s);
	for (auto s: b.sequences()) seen.insert(s);
	CPPUNIT_ASSERT_EQUAL(std::size_t(40), seen.size());
	s1.close();
	s2.close();
}

void StanBackendTest::testDurableQueueGroupSurvivesClose()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	auto durableQueue = [&](const StanMessageHandler& handler) {
		return sc.queueSubscribe(channel, "grp", handler, StanSubscriptionOptions().deliverAllAvailable().setDurableName("dq"));
	};
	durableRound([&](const StanMessageHandler& handler) {
		StanSubscription sub = durableQueue(handler);
		publishRange(sc, channel, 1, 3);
		return sub;
	}, 1, 3, RoundEnd::CLOSE);
	publishRange(sc, channel, 4, 5);
	durableRound(durableQueue, 4, 5, RoundEnd::UNSUBSCRIBE);
	Test::expectThrow<StanSubscriptionException>("':' is not allowed", "stan: durable name of a durable queue subscriber can't contain the character ':'", [&]() {
		StanSubscription s = sc.queueSubscribe(channel, "grp", [](const StanMessage&) {}, StanSubscriptionOptions().setDurableName("a:b"));
	});
}

void StanBackendTest::testManualAckRedelivery()
{
	StanOptions o = options();
	std::atomic<int> asyncErrors{0};
	o.errorHandler = [&](const Poco::Exception& e) {
		std::cerr << "async error: " << e.displayText() << std::endl;
		++asyncErrors;
	};
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 2);
	std::mutex mutex;
	std::vector<StanMessage> got;
	StanSubscription sub = sc.subscribe(channel,
		[&](const StanMessage& m) {
			std::lock_guard<std::mutex> lock(mutex);
			got.push_back(m);
			// Ack message 2 (and 3) at once; message 1 only when it comes back.
			if (m.sequence() != 1 || m.isRedelivered()) m.ack();
		},
		StanSubscriptionOptions().deliverAllAvailable().setManualAckMode().setAckWait(Poco::Timespan(1, 0)));
	CPPUNIT_ASSERT(sub.isManualAck());
	auto count = [&]() {
		std::lock_guard<std::mutex> lock(mutex);
		return got.size();
	};
	NATS_WAIT_FOR(count() >= 3, WAIT);
	// Message 2 was acked: it is not redelivered. A marker published now arrives after any
	// redelivery due so far, and acking never failed.
	publishRange(sc, channel, 3, 3);
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> l(mutex); return !got.empty() && got.back().sequence() == 3; })(), WAIT);
	CPPUNIT_ASSERT_EQUAL(0, asyncErrors.load());
	std::lock_guard<std::mutex> lock(mutex);
	for (std::size_t i = 3; i < got.size(); ++i) CPPUNIT_ASSERT(got[i].sequence() != 2);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), got[0].sequence());
	CPPUNIT_ASSERT(!got[0].isRedelivered());
	CPPUNIT_ASSERT_EQUAL(std::uint32_t(0), got[0].redeliveryCount());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), got[1].sequence());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), got[2].sequence());
	CPPUNIT_ASSERT(got[2].isRedelivered());
	CPPUNIT_ASSERT_EQUAL(std::string("m1"), got[2].data());
}

void StanBackendTest::testAutoAckNoRedelivery()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel, got.handler(),
		StanSubscriptionOptions().setDurableName("auto").setAckWait(Poco::Timespan(1, 0)));
	publishRange(sc, channel, 1, 3);
	NATS_WAIT_FOR(got.size() == 3, WAIT);
	// Auto-acked: closing and resuming the durable delivers nothing old; a marker published now
	// is the next message.
	sub.close();
	publishRange(sc, channel, 4, 4);
	StanCollector again;
	StanSubscription sub2 = sc.subscribe(channel, again.handler(), StanSubscriptionOptions().setDurableName("auto"));
	NATS_WAIT_FOR(again.size() == 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), again.sequences()[0]);
	CPPUNIT_ASSERT_THROW(sub2.ack(again.messages()[0]), Poco::IllegalStateException);
	sub2.unsubscribe();
}

void StanBackendTest::testPublishAsyncHandlers()
{
	StanOptions o = options();
	o.maxPubAcksInflight = 8;
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	std::mutex mutex;
	std::map<std::string, int> calls;
	std::vector<std::string> errors;
	std::set<std::string> guids;
	for (int i = 0; i < 200; ++i)
	{
		std::string g = sc.publishAsync(channel, "a" + std::to_string(i), [&](const std::string& guid, const std::string& error) {
			std::lock_guard<std::mutex> lock(mutex);
			++calls[guid];
			if (!error.empty()) errors.push_back(error);
		});
		CPPUNIT_ASSERT(!g.empty());
		guids.insert(g);
		CPPUNIT_ASSERT(sc.pubAcksInflight() <= 8);
	}
	CPPUNIT_ASSERT_EQUAL(std::size_t(200), guids.size());
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return calls.size() == 200; })(), WAIT);
	std::lock_guard<std::mutex> lock(mutex);
	CPPUNIT_ASSERT(errors.empty());
	for (const auto& g: guids) CPPUNIT_ASSERT_EQUAL(1, calls[g]);
	StanSubscription sub = sc.subscribeSync(channel, StanSubscriptionOptions().startWithLastReceived());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(200), sub.nextMessage(WAIT).sequence());
}

void StanBackendTest::testPullSubscription()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 3);
	StanSubscription sub = sc.subscribeSync(channel, StanSubscriptionOptions().deliverAllAvailable());
	for (std::uint64_t i = 1; i <= 3; ++i)
	{
		StanMessage m = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(i, m.sequence());
		CPPUNIT_ASSERT_EQUAL("m" + std::to_string(i), m.data());
	}
	CPPUNIT_ASSERT_THROW(sub.nextMessage(Poco::Timespan(0, 50000)), NatsTimeoutException);
	StanCollector got;
	StanSubscription async = sc.subscribe(channel, got.handler());
	CPPUNIT_ASSERT_THROW(async.nextMessage(Poco::Timespan(0, 1000)), Poco::IllegalStateException);
	sub.close();
	CPPUNIT_ASSERT_THROW(sub.nextMessage(Poco::Timespan(0, 1000)), StanSubscriptionException);
}

void StanBackendTest::testClientIdUnique()
{
	const std::string id = Test::uniqueName("c");
	StanConnection first(clusterId(), id, options());
	first.connect();
	StanConnection second(clusterId(), id, options());
	CPPUNIT_ASSERT_THROW(second.connect(), StanClientIDRegisteredException);
	first.close();
	// Free again once the first one closed.
	StanConnection third(clusterId(), id, options());
	third.connect();
	third.close();
}

void StanBackendTest::testHandleLifetime()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanCollector got;
	{
		StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().setDurableName("h"));
		StanSubscription copy = sub;
		publishRange(sc, channel, 1, 1);
		NATS_WAIT_FOR(got.size() == 1, WAIT);
	} // last handle: closed, durable kept
	publishRange(sc, channel, 2, 2);
	StanCollector again;
	StanSubscription sub = sc.subscribe(channel, again.handler(), StanSubscriptionOptions().setDurableName("h"));
	NATS_WAIT_FOR(again.size() == 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), again.sequences()[0]);
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.size());
	sub.unsubscribe();
}

void StanBackendTest::testCloseFailsNothingAcked()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	std::atomic<int> ok{0}, failed{0};
	for (int i = 0; i < 50; ++i)
	{
		sc.publishAsync(channel, "x", [&](const std::string&, const std::string& error) {
			if (error.empty()) ++ok;
			else if (error == "stan: connection closed") ++failed;
		});
	}
	sc.close();
	// Every handler ran by the time close() returned, once, with success or "connection closed".
	CPPUNIT_ASSERT_EQUAL(50, ok.load() + failed.load());
	CPPUNIT_ASSERT_THROW(sc.publish(channel, "late"), ConnectionClosedException);
	CPPUNIT_ASSERT_EQUAL(std::string("stan: connection closed"), errorOf([&]() { sc.publish(channel, "late"); }));
}

void StanBackendTest::testBadArguments()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	CPPUNIT_ASSERT_THROW(sc.publish("", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(StanSubscription s = sc.subscribe("", [](const StanMessage&) {}), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(StanSubscription s = sc.subscribe("ch", StanMessageHandler()), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(StanSubscription s = sc.queueSubscribe("ch", "", [](const StanMessage&) {}), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(StanSubscription s = sc.subscribe("ch", [](const StanMessage&) {}, StanSubscriptionOptions().setMaxInflight(0)),
		Poco::InvalidArgumentException);
	StanConnection bad(clusterId(), "", options());
	CPPUNIT_ASSERT_THROW(bad.connect(), Poco::InvalidArgumentException);
}

void StanBackendTest::testPubAckTimeout()
{
	Test::skipIfExternal("pauses the server");
	StanOptions o = options();
	o.pubAckWait = Poco::Timespan(0, 500000);
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	sc.publish(channel, "before"); // the channel / stream exists
	std::mutex mutex;
	std::string asyncError;
	std::atomic<int> calls{0};
	_pBackend->natsServer()->pause(); // stops answering, sockets stay open
	sc.publishAsync(channel, "lost", [&](const std::string&, const std::string& error) {
		std::lock_guard<std::mutex> lock(mutex);
		asyncError = error;
		++calls;
	});
	CPPUNIT_ASSERT_THROW(sc.publish(channel, "lost too"), StanPubAckTimeoutException);
	NATS_WAIT_FOR(calls.load() == 1, WAIT);
	_pBackend->natsServer()->resume();
	{
		std::lock_guard<std::mutex> lock(mutex);
		CPPUNIT_ASSERT_EQUAL(std::string("stan: publish ack timeout"), asyncError);
	}
	CPPUNIT_ASSERT_EQUAL(0, sc.pubAcksInflight());
}

// ---------------------------------------------------------------------------------------------
// JetStream only
// ---------------------------------------------------------------------------------------------

void StanBackendJetStreamTest::testStreamNameRule()
{
	CPPUNIT_ASSERT_EQUAL(std::string("orders"), JsStanConnection::streamName("", "orders"));
	CPPUNIT_ASSERT_EQUAL(std::string("orders_2Eeu"), JsStanConnection::streamName("", "orders.eu"));
	CPPUNIT_ASSERT_EQUAL(std::string("a_5Fb"), JsStanConnection::streamName("", "a_b"));
	CPPUNIT_ASSERT_EQUAL(std::string("STAN_x-y"), JsStanConnection::streamName("STAN_", "x-y"));
	CPPUNIT_ASSERT(JsStanConnection::streamName("", "a.b") != JsStanConnection::streamName("", "a_b"));

	StanOptions o = options();
	o.jetStream.streamPrefix = "P_";
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("dotted") + ".sub.x";
	sc.publish(channel, "hello");
	JetStreamContext js(sc.natsConnection(), WAIT);
	StreamInfo info = js.streamInfo(JsStanConnection::streamName("P_", channel));
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), info.config.subjects.size());
	CPPUNIT_ASSERT_EQUAL(channel, info.config.subjects[0]);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), info.state.messages);
	CPPUNIT_ASSERT(info.config.storage == StreamConfig::Storage::MEMORY);
}

void StanBackendJetStreamTest::testStreamsRequiredToExist()
{
	StanOptions o = options();
	o.jetStream.createStreams = false;
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("req");
	std::string stream = JsStanConnection::streamName("", channel);
	CPPUNIT_ASSERT_THROW(sc.publish(channel, "x"), StanPublishException);
	CPPUNIT_ASSERT_EQUAL("stan: no stream for channel '" + channel + "' (stream " + stream + ")", errorOf([&]() { sc.publish(channel, "x"); }));
	CPPUNIT_ASSERT_THROW(StanSubscription s = sc.subscribe(channel, [](const StanMessage&) {}), StanSubscriptionException);
	// Once it exists (made by someone else), it is used.
	JetStreamContext js(sc.natsConnection(), WAIT);
	StreamConfig cfg;
	cfg.name = stream;
	cfg.subjects = {channel};
	cfg.storage = StreamConfig::Storage::MEMORY;
	js.addStream(cfg);
	sc.publish(channel, "x");
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), js.streamInfo(stream).state.messages);
}

void StanBackendJetStreamTest::testStreamLimitsFromOptions()
{
	StanOptions o = options();
	o.jetStream.maxMsgs = 3;
	o.jetStream.maxAge = Poco::Timespan(3600, 0);
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("lim");
	publishRange(sc, channel, 1, 5);
	JetStreamContext js(sc.natsConnection(), WAIT);
	StreamInfo info = js.streamInfo(JsStanConnection::streamName("", channel));
	CPPUNIT_ASSERT_EQUAL(std::int64_t(3), info.config.maxMsgs);
	CPPUNIT_ASSERT_EQUAL(Poco::Timespan(3600, 0).totalMicroseconds(), info.config.maxAge.totalMicroseconds());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), info.state.messages);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), info.state.firstSeq);
	// As on the streaming server: "all available" starts at the first message kept.
	StanSubscription sub = sc.subscribeSync(channel, StanSubscriptionOptions().deliverAllAvailable());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), sub.nextMessage(WAIT).sequence());
}

void StanBackendJetStreamTest::testConsumerNames()
{
	const std::string clientId = Test::uniqueName("c");
	StanConnection sc(clusterId(), clientId, options());
	sc.connect();
	std::string channel = Test::uniqueName("cn");
	std::string stream = JsStanConnection::streamName("", channel);
	StanSubscriptionOptions so;
	so.durableName = "my.durable";
	so.maxInflight = 7;
	so.ackWait = Poco::Timespan(4, 0);
	StanSubscription d = sc.subscribe(channel, [](const StanMessage&) {}, so);
	StanSubscription q = sc.queueSubscribe(channel, "workers", [](const StanMessage&) {}, StanSubscriptionOptions().setDurableName("dq"));
	JetStreamContext js(sc.natsConnection(), WAIT);
	ConsumerInfo ci = js.consumerInfo(stream, "d__" + JsStanConnection::escapeName(clientId) + "__my_2Edurable");
	CPPUNIT_ASSERT_EQUAL(7, ci.config.maxAckPending);
	CPPUNIT_ASSERT_EQUAL(Poco::Timespan(4, 0).totalMicroseconds(), ci.config.ackWait.totalMicroseconds());
	CPPUNIT_ASSERT(ci.config.ackPolicy == ConsumerConfig::AckPolicy::EXPLICIT);
	CPPUNIT_ASSERT(ci.config.flowControl);
	CPPUNIT_ASSERT(ci.config.idleHeartbeat.totalMicroseconds() > 0);
	ConsumerInfo qi = js.consumerInfo(stream, "q__dq__workers");
	CPPUNIT_ASSERT_EQUAL(std::string("workers"), qi.config.deliverGroup);
	// unsubscribe deletes, close keeps.
	d.unsubscribe();
	CPPUNIT_ASSERT_THROW(js.consumerInfo(stream, ci.name), JetStreamApiException);
	q.close();
	js.consumerInfo(stream, "q__dq__workers");
}

void StanBackendJetStreamTest::testFlowControlLargeReplay()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("fc");
	const std::string payload(16 * 1024, 'p');
	std::atomic<int> acked{0};
	const int N = 2000; // 32 MB through one push consumer: the server asks for flow control on the way
	for (int i = 0; i < N; ++i)
	{
		sc.publishAsync(channel, payload, [&](const std::string&, const std::string& e) {
			if (e.empty()) ++acked;
		});
	}
	NATS_WAIT_FOR(acked.load() == N, Poco::Timespan(60, 0));
	std::atomic<int> got{0};
	std::atomic<std::uint64_t> lastSeq{0};
	std::atomic<bool> inOrder{true};
	StanSubscription sub = sc.subscribe(channel,
		[&](const StanMessage& m) {
			if (m.sequence() != lastSeq + 1) inOrder = false;
			lastSeq = m.sequence();
			++got;
		},
		StanSubscriptionOptions().deliverAllAvailable().setMaxInflight(N));
	NATS_WAIT_FOR(got.load() == N, Poco::Timespan(60, 0));
	CPPUNIT_ASSERT(inOrder.load());
	// The server did ask for flow control on the way, and was answered.
	CPPUNIT_ASSERT(std::dynamic_pointer_cast<JsStanSubscription>(ImplAccess::impl(sub))->flowControlReplies() > 0);
}

void StanBackendJetStreamTest::testNotJetStreamServer()
{
	Test::skipIfExternal("needs a server without JetStream");
	std::string url;
	std::unique_ptr<Test::NatsServerProcess> pPlain = Test::startNatsServerUnlessExternal(url);
	StanOptions o = options();
	o.natsUrl = url;
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	CPPUNIT_ASSERT_EQUAL(std::string("nats: JetStream not enabled"), errorOf([&]() { sc.connect(); }));
	CPPUNIT_ASSERT(sc.status() == StanConnection::Status::DISCONNECTED);
}

void StanBackendJetStreamTest::testMsgIdIsGuid()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("id");
	std::atomic<int> done{0};
	std::string guid = sc.publishAsync(channel, "x", [&](const std::string&, const std::string&) { ++done; });
	NATS_WAIT_FOR(done.load() == 1, WAIT);
	sc.publish(channel, "y");
	JetStreamContext js(sc.natsConnection(), WAIT);
	std::string stream = JsStanConnection::streamName("", channel);
	// A retry of the same publish (same guid) is stored once.
	PubAck dup = js.publish(channel, "x", guid);
	CPPUNIT_ASSERT(dup.duplicate);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), dup.sequence);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), js.streamInfo(stream).state.messages);
	std::string inbox = sc.natsConnection().newInbox();
	Subscription sub = sc.natsConnection().subscribeSync(inbox);
	ConsumerConfig cc;
	cc.deliverSubject = inbox;
	cc.ackPolicy = ConsumerConfig::AckPolicy::NONE;
	js.addConsumer(stream, cc);
	Message m = sub.nextMessage(WAIT);
	CPPUNIT_ASSERT_EQUAL(guid, m.headers().get("Nats-Msg-Id"));
	CPPUNIT_ASSERT(!sub.nextMessage(WAIT).headers().get("Nats-Msg-Id").empty());
}

// #10 item 7 / #13: nextMessage() in auto-ack mode acks a message at the next pull or at close,
// never before the application has it.
void StanBackendTest::testPullAutoAckAfterTheApplicationHadIt()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	const std::string channel = Test::uniqueName("ch");
	const StanSubscriptionOptions so = StanSubscriptionOptions().setDurableName("pull").setAckWait(Poco::Timespan(1, 0)).deliverAllAvailable();
	sc.publish(channel, "m1");
	{
		StanSubscription sub = sc.subscribeSync(channel, so);
		StanMessage m = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), m.sequence());
		// The application holds it and pulls nothing: not acked, so the server redelivers it
		// after ackWait (acking on return would make this wait fail).
		NATS_WAIT_FOR(sub.pendingMessages() >= 1, WAIT);
		StanMessage again = sub.nextMessage(WAIT); // acks the first delivery
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), again.sequence());
		CPPUNIT_ASSERT(again.isRedelivered());
		publishRange(sc, channel, 2, 3);
		StanMessage m2;
		do
		{
			m2 = sub.nextMessage(WAIT); // skips a further redelivery of 1 on a slow machine
		} while (m2.sequence() == 1);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), m2.sequence());
		sub.close(); // acks 2 (the application had it), not 3 (still queued)
	}
	// The durable resumes after the acked ones: 1 and 2 are never seen again.
	StanSubscription sub = sc.subscribeSync(channel, so);
	StanMessage m3 = sub.nextMessage(WAIT);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), m3.sequence());
	sub.unsubscribe();
}

// #10 item 5 / #13: a publish's window slot is freed only after its ack handler ran, so a blocked
// ack handler stops publishAsync() at maxPubAcksInflight (no unbounded queue of completions).
void StanBackendTest::testAckHandlersHoldTheirWindowSlot()
{
	StanOptions o = options();
	o.maxPubAcksInflight = 10;
	o.maxPubAcksInflightPercentage = 1.0;
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	const std::string channel = Test::uniqueName("ch");
	sc.publish(channel, "warm-up"); // creates the stream on JetStream
	std::mutex mutex;
	std::condition_variable cv;
	bool open = false;
	std::atomic<int> handled{0};
	auto handler = [&](const std::string&, const std::string&) {
		if (handled.fetch_add(1) != 0) return;
		std::unique_lock<std::mutex> lock(mutex);
		cv.wait(lock, [&]() { return open; }); // the first handler blocks
	};
	int accepted = 0;
	bool windowFull = false;
	for (int i = 0; i < 100 && !windowFull; ++i)
	{
		try
		{
			// 2 s: far more than an ack needs, so only held slots can fill the window
			sc.publishAsync(channel, "x", handler, Poco::Timespan(2, 0));
			++accepted;
		}
		catch (const NatsTimeoutException&)
		{
			windowFull = true;
		}
	}
	{
		std::lock_guard<std::mutex> lock(mutex);
		open = true;
	}
	cv.notify_all();
	CPPUNIT_ASSERT(windowFull);
	CPPUNIT_ASSERT_EQUAL(10, accepted);
	NATS_WAIT_FOR(handled.load() == accepted, WAIT);
	sc.publishAsync(channel, "after", nullptr, WAIT); // the slots are free again
}

// #13: StanMessage::subscription() is a non-owning handle on both backends: it never keeps the
// subscription open once the application's last handle is gone (RAII closes it).
void StanBackendTest::testMessageSubscriptionDoesNotOwn()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	const std::string channel = Test::uniqueName("ch");
	StanCollector got;
	StanSubscription fromMessage;
	{
		StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().setDurableName("own"));
		sc.publish(channel, "m1");
		NATS_WAIT_FOR(got.size() == 1, WAIT);
		fromMessage = got.messages()[0].subscription();
		CPPUNIT_ASSERT(fromMessage.isValid());
		CPPUNIT_ASSERT_EQUAL(channel, fromMessage.channel());
		{
			StanSubscription copy = fromMessage; // copies and drops of it never close it
		}
		CPPUNIT_ASSERT(sub.isValid());
	} // the application's last handle: closed, although a message-made handle still exists
	CPPUNIT_ASSERT(!fromMessage.isValid());
	sc.publish(channel, "m2");
	StanCollector again;
	StanSubscription resumed = sc.subscribe(channel, again.handler(), StanSubscriptionOptions().setDurableName("own"));
	NATS_WAIT_FOR(again.size() == 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), again.messages()[0].sequence());
	resumed.unsubscribe();
}

void StanBackendTest::testSecondCloseWaitsForTheFirst()
{
	// StanConnection.h: a second close() returns when the first one's teardown is done. The first
	// close waits for the handler in progress (up to 1 s here); the second must not return before.
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	const std::string channel = Test::uniqueName("ch");
	std::mutex mutex;
	std::condition_variable cv;
	std::atomic<bool> inHandler{false};
	std::atomic<bool> handlerReturned{false};
	StanSubscription sub = sc.subscribe(channel, [&](const StanMessage&) {
		if (inHandler.exchange(true)) return;
		std::unique_lock<std::mutex> lock(mutex);
		cv.wait_for(lock, std::chrono::seconds(1)); // bounded: nobody wakes it
		handlerReturned = true;
	});
	sc.publish(channel, "x");
	NATS_WAIT_FOR(inHandler.load(), WAIT);
	std::atomic<bool> firstReturned{false};
	std::thread first([&]() {
		try
		{
			sc.close();
		}
		catch (Poco::Exception&)
		{
		}
		firstReturned = true;
	});
	NATS_WAIT_FOR(sc.status() == StanConnection::Status::CLOSED, WAIT);
	sc.close();
	const bool returnedAfterHandler = handlerReturned.load();
	first.join();
	CPPUNIT_ASSERT_MESSAGE("the second close() returned while the first teardown still waited for the handler", returnedAfterHandler);
	CPPUNIT_ASSERT(firstReturned.load());
}

void StanBackendTest::testSlowConsumerReportedOncePerEpisode()
{
	// #10 item 6: a slow consumer is reported to the error handler once per episode (not once per
	// dropped message); the episode ends when the queue drained.
	StanOptions o = options();
	std::atomic<int> reports{0};
	o.errorHandler = [&](const Poco::Exception& e) {
		if (dynamic_cast<const SlowConsumerException*>(&e)) ++reports;
	};
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	const std::string channel = Test::uniqueName("ch");
	sc.publish(channel, "warm-up"); // creates the stream on JetStream (not delivered: new only)
	Test::Gate gate;
	std::atomic<int> entered{0};
	StanSubscription sub = sc.subscribe(channel, [&](const StanMessage&) {
		++entered;
		gate.wait();
	});
	sub.setPendingLimits(1, -1);
	// episode 1: one message in the handler, one queued, the other three dropped. The first is in
	// the handler before the rest are sent: else it may still sit in the queue when the others
	// arrive, and a fourth drop would come after dropped1 was read.
	sc.publish(channel, "x");
	NATS_WAIT_FOR(entered.load() == 1, WAIT);
	for (int i = 1; i < 5; ++i) sc.publish(channel, "x");
	NATS_WAIT_FOR(sub.dropped() >= 3, WAIT);
	NATS_WAIT_FOR(reports.load() >= 1, WAIT);
	const std::uint64_t dropped1 = sub.dropped();
	gate.open();
	NATS_WAIT_FOR(sub.delivered() == 5 - dropped1 && sub.pendingMessages() == 0, WAIT);
	CPPUNIT_ASSERT_EQUAL(1, reports.load());
	// episode 2
	gate.close();
	for (int i = 0; i < 5; ++i) sc.publish(channel, "x");
	NATS_WAIT_FOR(sub.dropped() >= dropped1 + 3, WAIT);
	NATS_WAIT_FOR(reports.load() >= 2, WAIT);
	gate.open();
	CPPUNIT_ASSERT_EQUAL(2, reports.load());
}
