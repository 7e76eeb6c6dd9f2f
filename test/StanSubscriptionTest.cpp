//
// StanSubscriptionTest.cpp
//
// One body for both backends (StanSubscriptionTest.h); every scenario has a JetStream meaning.
//

#include "StanSubscriptionTest.h"
#include "StanTestUtil.h"
#include "StanServerFixture.h"
#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include "Nats/Exception.h"
#include <Poco/Event.h>
#include <Poco/Thread.h>
#include <atomic>
#include <deque>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

using namespace Nats;
using Nats::Test::StanCollector;
using Nats::Test::publishRange;
using Nats::Test::seqRange;

NATS_STAN_BACKEND_SUITES(StanSubscriptionTest, StanSubscriptionStreamingTest, StanSubscriptionJetStreamTest);

void StanSubscriptionTest::testBasicFromFirstMessage()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel, got.handler());
	CPPUNIT_ASSERT(sub.isValid());
	CPPUNIT_ASSERT_EQUAL(channel, sub.channel());
	CPPUNIT_ASSERT(sub.queueGroup().empty());
	CPPUNIT_ASSERT(!sub.isManualAck());
	publishRange(sc, channel, 1, 10);
	NATS_WAIT_FOR(got.size() == 10, WAIT);
	CPPUNIT_ASSERT(got.sequences() == seqRange(1, 10));
	auto msgs = got.messages();
	for (int i = 0; i < 10; ++i) CPPUNIT_ASSERT_EQUAL("m" + std::to_string(i + 1), msgs[i].data());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), sub.delivered());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), sub.dropped());
	sub.unsubscribe();
	CPPUNIT_ASSERT(!sub.isValid());
}

void StanSubscriptionTest::testStartPositions()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 10);
	StanCollector all, fromSeq, last, newOnly, seqBeyond;
	StanSubscription s1 = sc.subscribe(channel, all.handler(), StanSubscriptionOptions().deliverAllAvailable());
	StanSubscription s2 = sc.subscribe(channel, fromSeq.handler(), StanSubscriptionOptions().startAtSequence(5));
	StanSubscription s3 = sc.subscribe(channel, last.handler(), StanSubscriptionOptions().startWithLastReceived());
	StanSubscription s4 = sc.subscribe(channel, newOnly.handler());
	StanSubscription s5 = sc.subscribe(channel, seqBeyond.handler(), StanSubscriptionOptions().startAtSequence(1000));
	NATS_WAIT_FOR(all.size() == 10 && fromSeq.size() == 6 && last.size() == 1, WAIT);
	sc.publish(channel, "m11");
	NATS_WAIT_FOR(all.size() == 11 && fromSeq.size() == 7 && last.size() == 2 && newOnly.size() == 1 && seqBeyond.size() == 1, WAIT);
	CPPUNIT_ASSERT(all.sequences() == seqRange(1, 11));
	CPPUNIT_ASSERT(fromSeq.sequences() == seqRange(5, 11));
	CPPUNIT_ASSERT(last.sequences() == seqRange(10, 11));
	CPPUNIT_ASSERT(newOnly.sequences() == seqRange(11, 11));
	CPPUNIT_ASSERT(seqBeyond.sequences() == seqRange(11, 11)); // beyond the last: new only
}

void StanSubscriptionTest::testStartAtTime()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 5);
	// The pauses put a gap into the stored timestamps (test data), they synchronise nothing.
	Poco::Thread::sleep(300);
	Poco::Timestamp middle;
	Poco::Thread::sleep(300);
	publishRange(sc, channel, 6, 8);
	StanCollector atTime, atDelta, longAgo;
	StanSubscription s1 = sc.subscribe(channel, atTime.handler(), StanSubscriptionOptions().startAtTime(middle));
	StanSubscription s2 = sc.subscribe(channel, atDelta.handler(),
		StanSubscriptionOptions().startAtTimeDelta(Poco::Timespan(Poco::Timestamp() - middle)));
	StanSubscription s3 = sc.subscribe(channel, longAgo.handler(), StanSubscriptionOptions().startAtTimeDelta(Poco::Timespan(3600, 0)));
	NATS_WAIT_FOR(atTime.size() == 3 && atDelta.size() == 3 && longAgo.size() == 8, WAIT);
	CPPUNIT_ASSERT(atTime.sequences() == seqRange(6, 8));
	CPPUNIT_ASSERT(atDelta.sequences() == seqRange(6, 8));
	CPPUNIT_ASSERT(longAgo.sequences() == seqRange(1, 8));
	CPPUNIT_ASSERT(atTime.messages()[0].time() >= middle);
}

void StanSubscriptionTest::testDurableResume()
{
	std::string id = Test::uniqueName("c");
	std::string channel = Test::uniqueName("ch");
	StanSubscriptionOptions opts = StanSubscriptionOptions().setDurableName("dur").deliverAllAvailable();
	{
		StanConnection sc(clusterId(), id, options());
		sc.connect();
		StanCollector got;
		StanSubscription sub = sc.subscribe(channel, got.handler(), opts);
		CPPUNIT_ASSERT_EQUAL(std::string("dur"), sub.durableName());
		publishRange(sc, channel, 1, 40);
		NATS_WAIT_FOR(got.size() == 40, WAIT);
		CPPUNIT_ASSERT(got.sequences() == seqRange(1, 40));
		sc.close(); // the durable stays, acks are flushed first
	}
	{
		StanConnection pub(clusterId(), Test::uniqueName("p"), options());
		pub.connect();
		publishRange(pub, channel, 41, 80);
	}
	StanConnection sc(clusterId(), id, options());
	sc.connect();
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel, got.handler(), opts);
	NATS_WAIT_FOR(got.size() == 40, WAIT);
	CPPUNIT_ASSERT(got.sequences() == seqRange(41, 80));
	for (const auto& m : got.messages()) CPPUNIT_ASSERT(!m.isRedelivered());
	CPPUNIT_ASSERT_EQUAL(std::string("m41"), got.messages()[0].data());
}

void StanSubscriptionTest::testQueueGroupWithPlainSubscriber()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	StanConnection other(clusterId(), Test::uniqueName("c"), options());
	other.connect();
	std::string channel = Test::uniqueName("ch");
	StanCollector q1, q2, plain;
	StanSubscription s1 = sc.queueSubscribe(channel, "group", q1.handler());
	StanSubscription s2 = other.queueSubscribe(channel, "group", q2.handler());
	StanSubscription s3 = sc.subscribe(channel, plain.handler());
	CPPUNIT_ASSERT_EQUAL(std::string("group"), s1.queueGroup());
	for (int i = 1; i <= 100; ++i) sc.publishAsync(channel, "m" + std::to_string(i), nullptr);
	NATS_WAIT_FOR(q1.size() + q2.size() == 100 && plain.size() == 100, WAIT);
	std::multiset<std::uint64_t> groupSeqs;
	for (auto s : q1.sequences()) groupSeqs.insert(s);
	for (auto s : q2.sequences()) groupSeqs.insert(s);
	std::multiset<std::uint64_t> expected;
	for (auto s : seqRange(1, 100)) expected.insert(s);
	CPPUNIT_ASSERT(groupSeqs == expected); // each message exactly once to the group
	CPPUNIT_ASSERT(plain.sequences() == seqRange(1, 100));
}

void StanSubscriptionTest::testDurableQueueGroupSurvives()
{
	std::string channel = Test::uniqueName("ch");
	StanSubscriptionOptions opts = StanSubscriptionOptions().setDurableName("dq").deliverAllAvailable();
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	publishRange(sc, channel, 1, 20);
	{
		StanCollector got;
		StanSubscription member = sc.queueSubscribe(channel, "g", got.handler(), opts);
		NATS_WAIT_FOR(got.size() == 20, WAIT);
		CPPUNIT_ASSERT(got.sequences() == seqRange(1, 20));
		member.close(); // last member leaves with close: the durable group is kept
	}
	publishRange(sc, channel, 21, 40);
	StanConnection other(clusterId(), Test::uniqueName("c"), options());
	other.connect();
	StanCollector got;
	StanSubscription member = other.queueSubscribe(channel, "g", got.handler(), opts);
	NATS_WAIT_FOR(got.size() == 20, WAIT);
	CPPUNIT_ASSERT(got.sequences() == seqRange(21, 40));
	member.unsubscribe(); // last member unsubscribes: the group is removed
	StanCollector fresh;
	StanSubscription again = other.queueSubscribe(channel, "g", fresh.handler(), opts);
	NATS_WAIT_FOR(fresh.size() == 40, WAIT);
	CPPUNIT_ASSERT(fresh.sequences() == seqRange(1, 40));
}

void StanSubscriptionTest::testManualAckRedelivery()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel, got.handler(),
		StanSubscriptionOptions().setManualAckMode().setAckWait(Poco::Timespan(1, 0)));
	CPPUNIT_ASSERT(sub.isManualAck());
	sc.publish(channel, "redeliver me");
	NATS_WAIT_FOR(got.size() >= 2, WAIT); // not acked: redelivered after about 1 s
	auto msgs = got.messages();
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), msgs[0].sequence());
	CPPUNIT_ASSERT(!msgs[0].isRedelivered());
	CPPUNIT_ASSERT_EQUAL(std::uint32_t(0), msgs[0].redeliveryCount());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), msgs[1].sequence());
	CPPUNIT_ASSERT(msgs[1].isRedelivered());
	CPPUNIT_ASSERT(msgs[1].redeliveryCount() >= 1);
	CPPUNIT_ASSERT_EQUAL(std::string("redeliver me"), msgs[1].data());
	sub.ack(msgs[1]);
}

void StanSubscriptionTest::testAckModes()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	sc.publish(channel, "x");
	StanSubscription autoSub = sc.subscribeSync(channel, StanSubscriptionOptions().deliverAllAvailable());
	StanMessage m = autoSub.nextMessage(WAIT);
	Nats::Test::expectThrow<Poco::IllegalStateException>("auto-ack mode", "stan: cannot manually ack in auto-ack mode", [&]() {
		autoSub.ack(m);
	});
	CPPUNIT_ASSERT_THROW(m.ack(), Poco::IllegalStateException);
	StanSubscription manual = sc.subscribeSync(channel, StanSubscriptionOptions().deliverAllAvailable().setManualAckMode());
	StanMessage mm = manual.nextMessage(WAIT);
	CPPUNIT_ASSERT_THROW(manual.ack(m), Poco::InvalidArgumentException); // belongs to the other subscription
	manual.ack(mm);
	manual.close();
	Nats::Test::expectThrow<StanSubscriptionException>("closed", "stan: invalid subscription", [&]() {
		mm.ack();
	});
}

void StanSubscriptionTest::testSubscriberRateLimit()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	const int total = 1000;
	const int maxInflight = 128;
	for (int i = 0; i < total; ++i) sc.publishAsync(channel, "m", nullptr);
	std::mutex m;
	std::deque<StanMessage> toAck;
	int received = 0;
	int acked = 0;
	int maxUnacked = 0;
	StanSubscription sub = sc.subscribe(channel,
		[&](const StanMessage& msg) {
			std::lock_guard<std::mutex> lock(m);
			++received;
			maxUnacked = std::max(maxUnacked, received - acked);
			toAck.push_back(msg);
		},
		StanSubscriptionOptions().deliverAllAvailable().setManualAckMode().setMaxInflight(maxInflight));
	// The slow consumer acks in batches, only once the server had to stop at maxInflight.
	while (true)
	{
		bool ready = Test::waitFor([&]() {
			std::lock_guard<std::mutex> lock(m);
			return received - acked >= maxInflight || (received == total && acked < total);
		}, WAIT);
		CPPUNIT_ASSERT_MESSAGE("no progress at " + std::to_string(received) + " received", ready);
		std::deque<StanMessage> batch;
		{
			std::lock_guard<std::mutex> lock(m);
			batch.swap(toAck);
			acked += static_cast<int>(batch.size());
		}
		for (const auto& msg : batch) sub.ack(msg);
		std::lock_guard<std::mutex> lock(m);
		if (acked == total) break;
	}
	std::lock_guard<std::mutex> lock(m);
	CPPUNIT_ASSERT_EQUAL(total, received);
	CPPUNIT_ASSERT_EQUAL(maxInflight, maxUnacked); // reached, never exceeded
}

void StanSubscriptionTest::testSlowCallbackRateLimit()
{
	// Auto-ack with a slow handler: what the client holds unacked (queued + the one being handled)
	// never exceeds maxInflight, because the server stops sending at that many unacked messages.
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	const int total = 400;
	const int maxInflight = 128;
	for (int i = 0; i < total; ++i) sc.publishAsync(channel, "m", nullptr);
	std::atomic<int> handled{0};
	std::atomic<int> maxUnacked{0};
	StanSubscription* pSub = nullptr;
	Poco::Event ready(Poco::Event::EVENT_MANUALRESET);
	StanSubscription sub = sc.subscribe(channel,
		[&](const StanMessage&) {
			ready.wait();
			int unacked = pSub->pendingMessages() + 1;
			int prev = maxUnacked.load();
			while (unacked > prev && !maxUnacked.compare_exchange_weak(prev, unacked)) {}
			Poco::Thread::sleep(1); // the slow part of the handler (simulated work, not a synchronisation)
			++handled;
		},
		StanSubscriptionOptions().deliverAllAvailable().setMaxInflight(maxInflight));
	pSub = &sub;
	ready.set();
	NATS_WAIT_FOR(handled.load() == total, Poco::Timespan(60, 0));
	CPPUNIT_ASSERT_MESSAGE("max unacked " + std::to_string(maxUnacked.load()), maxUnacked.load() <= maxInflight);
	CPPUNIT_ASSERT_MESSAGE("max unacked " + std::to_string(maxUnacked.load()), maxUnacked.load() >= 32); // the limit was in play
	CPPUNIT_ASSERT_EQUAL(0, sub.pendingMessages());
}

void StanSubscriptionTest::testPullSubscription()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 5);
	StanSubscription sub = sc.subscribeSync(channel, StanSubscriptionOptions().deliverAllAvailable());
	for (std::uint64_t s = 1; s <= 5; ++s)
	{
		StanMessage msg = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(s, msg.sequence());
		CPPUNIT_ASSERT_EQUAL("m" + std::to_string(s), msg.data());
	}
	CPPUNIT_ASSERT_THROW(sub.nextMessage(Poco::Timespan(50 * Poco::Timespan::MILLISECONDS)), NatsTimeoutException);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), sub.delivered());
	StanSubscription q = sc.queueSubscribeSync(channel, "g", StanSubscriptionOptions().deliverAllAvailable().setManualAckMode());
	StanMessage first = q.nextMessage(WAIT);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), first.sequence());
	q.ack(first);
	StanSubscription async = sc.subscribe(channel, [](const StanMessage&) {});
	CPPUNIT_ASSERT_THROW(async.nextMessage(Poco::Timespan(1000)), Poco::IllegalStateException);
	sub.close();
	CPPUNIT_ASSERT_THROW(sub.nextMessage(Poco::Timespan(1000)), StanSubscriptionException);
	StanSubscription invalid;
	CPPUNIT_ASSERT(!invalid.isValid());
	CPPUNIT_ASSERT_THROW(invalid.nextMessage(Poco::Timespan(1000)), StanSubscriptionException);
}

void StanSubscriptionTest::testPendingLimits()
{
	StanOptions o = options();
	std::atomic<int> slow{0};
	o.errorHandler = [&](const Poco::Exception& exc) {
		if (dynamic_cast<const SlowConsumerException*>(&exc)) ++slow;
	};
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanSubscription sub = sc.subscribeSync(channel);
	CPPUNIT_ASSERT_EQUAL(-1, sub.maxPendingMessages()); // unlimited by default
	CPPUNIT_ASSERT_THROW(sub.setPendingLimits(0, 100), Poco::InvalidArgumentException);
	sub.setPendingLimits(2, -1);
	CPPUNIT_ASSERT_EQUAL(2, sub.maxPendingMessages());
	CPPUNIT_ASSERT_EQUAL(-1LL, sub.maxPendingBytes());
	// The streaming server delivers before it acks, and both come over our one NATS connection:
	// when the blocking publish returns, its message has been queued or dropped. A JetStream
	// consumer delivers after the stream's PubAck went out: wait for it.
	publishRange(sc, channel, 1, 10);
	if (isJetStream()) NATS_WAIT_FOR(sub.pendingMessages() + sub.dropped() == 10, WAIT);
	CPPUNIT_ASSERT_EQUAL(2, sub.pendingMessages());
	CPPUNIT_ASSERT_EQUAL(4LL, sub.pendingBytes()); // "m1", "m2"
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(8), sub.dropped());
	// once per episode, on the event thread
	NATS_WAIT_FOR(slow.load() >= 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(1, slow.load());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), sub.nextMessage(WAIT).sequence());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), sub.nextMessage(WAIT).sequence());
	CPPUNIT_ASSERT_EQUAL(0, sub.pendingMessages());
}

void StanSubscriptionTest::testCloseWaitsForCallback()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	Poco::Event entered, release;
	std::atomic<bool> finished{false};
	StanSubscription sub = sc.subscribe(channel, [&](const StanMessage&) {
		entered.set();
		release.tryWait(10000);
		finished = true;
	});
	sc.publishAsync(channel, "x", nullptr);
	CPPUNIT_ASSERT(entered.tryWait(10000));
	std::atomic<bool> finishedWhenCloseReturned{false};
	std::atomic<bool> closing{false};
	std::thread closer([&]() {
		closing = true;
		sub.close();
		finishedWhenCloseReturned = finished.load();
	});
	NATS_WAIT_FOR(closing.load(), WAIT);
	release.set();
	closer.join();
	CPPUNIT_ASSERT(finishedWhenCloseReturned.load());
}

void StanSubscriptionTest::testHandleLifetime()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	publishRange(sc, channel, 1, 3);
	StanSubscriptionOptions opts = StanSubscriptionOptions().setDurableName("d").deliverAllAvailable();
	StanCollector first;
	{
		StanSubscription sub = sc.subscribe(channel, first.handler(), opts);
		StanSubscription copy = sub;
		NATS_WAIT_FOR(first.size() == 3, WAIT);
		{
			StanSubscription another = copy;
		}
		CPPUNIT_ASSERT(sub.isValid()); // copies share the subscription
	} // last handle gone: closed, the durable kept
	StanCollector second;
	StanSubscription resumed = sc.subscribe(channel, second.handler(), opts); // no "duplicate durable": it was closed
	sc.publish(channel, "m4");
	NATS_WAIT_FOR(second.size() >= 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), second.sequences()[0]); // resumed, not restarted
}

void StanSubscriptionTest::testCloseFromOwnCallback()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanSubscription sub;
	std::atomic<int> calls{0};
	std::atomic<bool> closed{false};
	sub = sc.subscribe(channel, [&](const StanMessage&) {
		++calls;
		sub.close();
		closed = true;
	});
	sc.publish(channel, "a");
	NATS_WAIT_FOR(closed.load(), WAIT);
	sc.publish(channel, "b");
	sc.natsConnection().flush(WAIT);
	CPPUNIT_ASSERT_EQUAL(1, calls.load());
	CPPUNIT_ASSERT(!sub.isValid());
}

void StanSubscriptionTest::testHandlerExceptionNotAcked()
{
	StanOptions o = options();
	std::mutex m;
	std::vector<std::string> errors;
	o.errorHandler = [&](const Poco::Exception& exc) {
		std::lock_guard<std::mutex> lock(m);
		errors.push_back(exc.displayText());
	};
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel,
		[&](const StanMessage& msg) {
			got.add(msg);
			if (!msg.isRedelivered()) throw std::runtime_error("boom");
		},
		StanSubscriptionOptions().setAckWait(Poco::Timespan(1, 0)));
	sc.publish(channel, "x");
	NATS_WAIT_FOR(got.size() >= 2, WAIT); // the failed message was not acked: redelivered
	CPPUNIT_ASSERT(got.messages()[1].isRedelivered());
	std::lock_guard<std::mutex> lock(m);
	CPPUNIT_ASSERT(!errors.empty());
	CPPUNIT_ASSERT(errors[0].find("boom") != std::string::npos);
}
