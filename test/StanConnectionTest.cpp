//
// StanConnectionTest.cpp
//
// One body for both backends; the streaming-only scenarios and why they have no JetStream
// meaning: StanConnectionTest.h (and README, "JetStream backend").
//

#include "StanConnectionTest.h"
#include "StanTestUtil.h"
#include "StanServerFixture.h"
#include "stan/StanConnectionImpl.h"
#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include "Nats/Exception.h"
#include "core/ThreadName.h"
#include "core/ImplAccess.h"
#include <Poco/Event.h>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace Nats;
using Nats::Test::StanCollector;
using Nats::Test::optionsFor;
using Nats::Test::seqRange;

NATS_STAN_BACKEND_SUITES(StanConnectionTest, StanConnectionStreamingTest, StanConnectionJetStreamTest);

void StanConnectionTest::testConnectPublishClose()
{
	std::string id = Test::uniqueName("c");
	std::string channel = Test::uniqueName("ch");
	StanConnection sc(clusterId(), id, options());
	CPPUNIT_ASSERT(sc.status() == StanConnection::Status::DISCONNECTED);
	CPPUNIT_ASSERT_THROW(sc.publish(channel, "x"), ConnectionClosedException);
	sc.connect();
	CPPUNIT_ASSERT(sc.isConnected());
	StanServer* pServer = _pBackend->stan() ? _pBackend->stan()->stanServer() : nullptr; // none on JetStream, or external
	CPPUNIT_ASSERT(sc.natsConnection().isConnected());
	if (pServer) CPPUNIT_ASSERT(pServer->hasClient(id));
	sc.publish(channel, "one");
	sc.publish(channel, std::string("t\0wo", 4));
	sc.publish(channel, "three", 5);
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().deliverAllAvailable());
	NATS_WAIT_FOR(got.size() == 3, WAIT);
	auto msgs = got.messages();
	CPPUNIT_ASSERT(got.sequences() == seqRange(1, 3));
	CPPUNIT_ASSERT_EQUAL(std::string("one"), msgs[0].data());
	CPPUNIT_ASSERT_EQUAL(std::string("t\0wo", 4), msgs[1].data());
	CPPUNIT_ASSERT_EQUAL(std::string("three"), msgs[2].data());
	CPPUNIT_ASSERT_EQUAL(channel, msgs[0].channel());
	CPPUNIT_ASSERT(msgs[0].timestamp() > 0);
	CPPUNIT_ASSERT(msgs[0].timestamp() <= msgs[2].timestamp());
	CPPUNIT_ASSERT(!msgs[0].isRedelivered());
	sc.close();
	CPPUNIT_ASSERT(sc.status() == StanConnection::Status::CLOSED);
	CPPUNIT_ASSERT(!sub.isValid());
	if (pServer) CPPUNIT_ASSERT(!pServer->hasClient(id));
	sc.close();
	Nats::Test::expectThrow<ConnectionClosedException>("closed", "stan: connection closed", [&]() {
		sc.publish(channel, "x");
	});
	CPPUNIT_ASSERT_THROW(sc.connect(), Poco::IllegalStateException);
}

void StanConnectionTest::testClientIdRegistered()
{
	std::string id = Test::uniqueName("c");
	StanConnection first(clusterId(), id, options());
	first.connect();
	StanConnection second(clusterId(), id, options());
	Nats::Test::expectThrow<StanClientIDRegisteredException>("the first client answers heartbeats: the ID is taken", "stan: clientID already registered", [&]() {
		second.connect();
	});
	CPPUNIT_ASSERT(!second.isConnected());
	first.publish(Test::uniqueName("ch"), "still works");
}

void StanConnectionTest::testInvalidClientId()
{
	StanConnection sc(clusterId(), "bad id!", options());
	Nats::Test::expectThrow<StanConnectException>("invalid client ID", "stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed", [&]() {
		sc.connect();
	});
}

void StanConnectionTest::testAsyncPublish1024()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	std::mutex m;
	std::map<std::string, std::vector<std::string>> results;
	std::set<std::string> guids;
	for (int i = 0; i < 1024; ++i)
	{
		std::string g = sc.publishAsync(channel, "msg-" + std::to_string(i), [&](const std::string& guid, const std::string& err) {
			std::lock_guard<std::mutex> lock(m);
			results[guid].push_back(err);
		});
		CPPUNIT_ASSERT(guids.insert(g).second);
	}
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(m); return results.size() == 1024; }()), WAIT);
	{
		std::lock_guard<std::mutex> lock(m);
		for (const auto& g : guids)
		{
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), results[g].size());
			CPPUNIT_ASSERT_EQUAL(std::string(), results[g][0]);
		}
	}
	CPPUNIT_ASSERT_EQUAL(0, sc.pubAcksInflight());
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().deliverAllAvailable());
	NATS_WAIT_FOR(got.size() == 1024, WAIT);
	auto msgs = got.messages();
	for (int i = 0; i < 1024; ++i)
	{
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(i + 1), msgs[i].sequence());
		CPPUNIT_ASSERT_EQUAL("msg-" + std::to_string(i), msgs[i].data());
	}
}

void StanConnectionTest::testPublishRateLimit()
{
	StanOptions o = options();
	o.maxPubAcksInflight = 512;
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	const int total = 5000;
	std::atomic<int> acked{0};
	std::atomic<int> errors{0};
	int maxInflight = 0;
	std::string payload(128, 'x');
	for (int i = 0; i < total; ++i)
	{
		sc.publishAsync(channel, payload, [&](const std::string&, const std::string& err) {
			if (!err.empty()) ++errors;
			++acked;
		});
		maxInflight = std::max(maxInflight, sc.pubAcksInflight());
	}
	NATS_WAIT_FOR(acked.load() == total, Poco::Timespan(30, 0));
	CPPUNIT_ASSERT_EQUAL(0, errors.load());
	CPPUNIT_ASSERT_MESSAGE("max in flight " + std::to_string(maxInflight), maxInflight <= 512);
	CPPUNIT_ASSERT(maxInflight >= 1);
}

void StanConnectionTest::testPublishInvalidChannel()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	CPPUNIT_ASSERT_THROW(sc.publish("", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(sc.publish("a b", "x"), Poco::InvalidArgumentException);
	// A literal NATS token, but not a valid channel: refused before anything is sent (the server's
	// own answer, "stan: invalid publish request", is checked raw in StanServerInteropTest).
	Nats::Test::expectThrow<Poco::InvalidArgumentException>("the client must refuse it",
		"stan: invalid channel 'foo*': no '*', '>' or '/', no empty token, no leading or trailing '.'",
		[&]() { sc.publish("foo*", "x"); });
	sc.publish(Test::uniqueName("ch"), "still works");
}

void StanConnectionTest::testBorrowedConnection()
{
	Options no;
	no.servers = {options().natsUrl};
	Connection nc(no);
	nc.connect();
	StanOptions o = options();
	o.natsConnection = &nc;
	std::string channel = Test::uniqueName("ch");
	{
		StanConnection sc(clusterId(), Test::uniqueName("c"), o);
		sc.connect();
		CPPUNIT_ASSERT(&sc.natsConnection() == &nc);
		sc.publish(channel, "x");
		sc.close();
	}
	CPPUNIT_ASSERT(nc.isConnected()); // not ours to close
	nc.flush(WAIT);
	StanConnection again(clusterId(), Test::uniqueName("c"), o);
	again.connect();
	StanSubscription sub = again.subscribeSync(channel, StanSubscriptionOptions().deliverAllAvailable());
	CPPUNIT_ASSERT_EQUAL(std::string("x"), sub.nextMessage(WAIT).data());
}

void StanConnectionTest::testCloseFromCallback()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	std::atomic<bool> returned{false};
	std::atomic<int> calls{0};
	std::atomic<bool> published{false};
	StanSubscription sub = sc.subscribe(channel, [&](const StanMessage&) {
		++calls;
		// both publishes are out before the close (else the second one may see a closed connection)
		Test::waitFor([&]() { return published.load(); }, WAIT);
		sc.close();
		sc.close();
		returned = true;
	});
	sc.publishAsync(channel, "a", nullptr);
	sc.publishAsync(channel, "b", nullptr);
	published = true;
	NATS_WAIT_FOR(returned.load(), WAIT);
	CPPUNIT_ASSERT(sc.status() == StanConnection::Status::CLOSED);
	CPPUNIT_ASSERT_EQUAL(1, calls.load()); // no delivery after the close
	sub.close(); // no-op
}

void StanConnectionTest::testCloseFromAckHandler()
{
	StanConnection sc(clusterId(), Test::uniqueName("c"), options());
	sc.connect();
	std::atomic<bool> returned{false};
	std::string err = "<none>";
	sc.publishAsync(Test::uniqueName("ch"), "a", [&](const std::string&, const std::string& e) {
		err = e;
		sc.close();
		returned = true;
	});
	NATS_WAIT_FOR(returned.load(), WAIT);
	CPPUNIT_ASSERT_EQUAL(std::string(), err);
	CPPUNIT_ASSERT(sc.status() == StanConnection::Status::CLOSED);
}

void StanConnectionTest::testPublishFromAckHandler()
{
	// A window of one: each ack handler publishes the next message (the slot is free by then).
	StanOptions o = options();
	o.maxPubAcksInflight = 1;
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	std::atomic<int> acked{0};
	std::atomic<int> errors{0};
	std::function<void(const std::string&, const std::string&)> next;
	next = [&](const std::string&, const std::string& err) {
		if (!err.empty()) ++errors;
		if (++acked < 100) sc.publishAsync(channel, std::to_string(acked.load()), next);
	};
	sc.publishAsync(channel, "0", next);
	NATS_WAIT_FOR(acked.load() == 100, WAIT);
	CPPUNIT_ASSERT_EQUAL(0, errors.load());
	StanSubscription sub = sc.subscribeSync(channel, StanSubscriptionOptions().deliverAllAvailable());
	for (int i = 0; i < 100; ++i) CPPUNIT_ASSERT_EQUAL(std::to_string(i), sub.nextMessage(WAIT).data());
}

void StanConnectionTest::testNatsRestart()
{
	Test::skipIfExternal("restarts nats-server");
	StanOptions o = options();
	o.pubAckWait = Poco::Timespan(2, 0);
	o.natsOptions.reconnectWait = Poco::Timespan(100 * Poco::Timespan::MILLISECONDS);
	o.jetStream.memoryStorage = false; // JetStream: the stream must survive the restart
	StanConnection sc(clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	std::string channel = Test::uniqueName("ch");
	StanCollector got;
	StanSubscription sub = sc.subscribe(channel, got.handler(),
		StanSubscriptionOptions().deliverAllAvailable().setDurableName("dur"));
	std::set<std::string> acked;
	for (int i = 1; i <= 20; ++i)
	{
		sc.publish(channel, "m" + std::to_string(i));
		acked.insert("m" + std::to_string(i));
	}
	NATS_WAIT_FOR(got.size() == 20, WAIT);
	_pBackend->restartNats();
	for (int i = 21; i <= 40; ++i)
	{
		std::string data = "m" + std::to_string(i);
		bool ok = Test::waitFor([&]() {
			try
			{
				sc.publish(channel, data);
				return true;
			}
			catch (NatsException&)
			{
				return false;
			}
		}, Poco::Timespan(30, 0));
		CPPUNIT_ASSERT_MESSAGE("publish after restart: " + data, ok);
		acked.insert(data);
	}
	CPPUNIT_ASSERT(sc.isConnected());
	auto allReceived = [&]() {
		std::set<std::string> seen;
		for (const auto& m : got.messages()) seen.insert(m.data());
		for (const auto& a : acked)
			if (!seen.count(a)) return false;
		return true;
	};
	NATS_WAIT_FOR(allReceived(), Poco::Timespan(30, 0));
	sc.publish(channel, "final");
	NATS_WAIT_FOR(got.messages().back().data() == "final", WAIT);
	// The durable's position survived: resuming it delivers nothing new from before, only
	// redeliveries of messages whose acks were lost while disconnected.
	std::uint64_t lastSeq = got.messages().back().sequence();
	sub.close();
	StanCollector resumed;
	StanSubscription again = sc.subscribe(channel, resumed.handler(),
		StanSubscriptionOptions().deliverAllAvailable().setDurableName("dur"));
	sc.publish(channel, "after-resume");
	NATS_WAIT_FOR(resumed.size() >= 1 && resumed.messages().back().data() == "after-resume", WAIT);
	for (const auto& m : resumed.messages())
	{
		if (m.data() == "after-resume")
			CPPUNIT_ASSERT_EQUAL(lastSeq + 1, m.sequence());
		else
			CPPUNIT_ASSERT(m.isRedelivered() && m.sequence() <= lastSeq);
	}
}

// ---------------------------------------------------------------------------------------------
// streaming server only (see StanConnectionTest.h)
// ---------------------------------------------------------------------------------------------

#ifndef NATS_JETSTREAM_SUITE

CPPUNIT_TEST_SUITE_REGISTRATION(StanConnectionStreamingOnlyTest);

void StanConnectionStreamingOnlyTest::testWrongClusterId()
{
	StanOptions o = optionsFor(*_pFixture);
	o.connectWait = Poco::Timespan(500 * Poco::Timespan::MILLISECONDS);
	StanConnection sc(Test::uniqueName("no-such-cluster"), Test::uniqueName("c"), o);
	Nats::Test::expectThrow<StanConnectTimeoutException>("connect must fail", "stan: connect request timeout (possibly wrong cluster ID?)", [&]() {
		sc.connect();
	});
	CPPUNIT_ASSERT(!sc.isConnected());
}


void StanConnectionStreamingOnlyTest::testLostWhenServerStops()
{
	Test::skipIfExternal("stops the streaming server");
	StanOptions o = optionsFor(*_pFixture);
	o.pingInterval = Poco::Timespan(1, 0); // the smallest interval a released server takes
	o.pingMaxOut = 2;
	std::mutex m;
	std::vector<std::string> errors;
	std::string thread;
	o.connectionLostHandler = [&](StanConnection& c, const std::string& err) {
		std::lock_guard<std::mutex> lock(m);
		errors.push_back(err);
		thread = Nats::currentThreadName();
		CPPUNIT_ASSERT(c.status() == StanConnection::Status::LOST);
	};
	StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), o);
	sc.connect();
	sc.publish(Test::uniqueName("ch"), "before");
	_pFixture->stopStan();
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(m); return !errors.empty(); }()), WAIT);
	Nats::Test::expectThrow<ConnectionClosedException>("lost", "stan: connection closed", [&]() {
		sc.publish(Test::uniqueName("ch"), "after");
	});
	CPPUNIT_ASSERT_EQUAL(std::string("stan: connection lost due to PING failure"), sc.lostError());
	sc.close();
	std::lock_guard<std::mutex> lock(m);
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), errors.size());
	CPPUNIT_ASSERT_EQUAL(std::string("stan: connection lost due to PING failure"), errors[0]);
	CPPUNIT_ASSERT_EQUAL(std::string("stan-lost"), thread);
}


void StanConnectionStreamingOnlyTest::testLostWhenReplaced()
{
	std::string id = Test::uniqueName("c");
	StanOptions o = optionsFor(*_pFixture);
	o.pingInterval = Poco::Timespan(1, 0);
	std::mutex m;
	std::vector<std::string> errors;
	o.connectionLostHandler = [&](StanConnection&, const std::string& err) {
		std::lock_guard<std::mutex> lock(m);
		errors.push_back(err);
	};
	StanConnection first(_pFixture->clusterId(), id, o);
	first.connect();
	Test::stanImpl(first)->setIgnoreHeartbeats(true); // as if the process hung: the server's check fails
	StanConnection second(_pFixture->clusterId(), id, optionsFor(*_pFixture));
	second.connect();
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(m); return !errors.empty(); }()), WAIT);
	CPPUNIT_ASSERT(first.status() == StanConnection::Status::LOST);
	CPPUNIT_ASSERT_THROW(first.publish(Test::uniqueName("ch"), "x"), ConnectionClosedException);
	second.publish(Test::uniqueName("ch"), "the new one works");
	first.close();
	std::lock_guard<std::mutex> lock(m);
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), errors.size());
	CPPUNIT_ASSERT_EQUAL(std::string("client has been replaced or is no longer registered"), errors[0]);
}

#endif
