//
// CoreFeaturesTest.cpp
//
// Core connection features against scripted servers: the send deadline (a server that stops
// reading); against nats-server: Subscription::drain(), retry on failed connect, custom inbox prefix.
//

#include "FakeNatsServer.h"
#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

using namespace Nats;
using Nats::Test::FakeNatsServer;

namespace {

const Poco::Timespan WAIT(5, 0);

/// A nats-server of its own (NATS_URL in external mode) and a connected client made with `o`
/// (its servers set to that server).
struct LiveConnection
{
	explicit LiveConnection(Options o = Options()): server(Test::startNatsServerUnlessExternal(url)), conn(withServer(o, url))
	{
		conn.connect();
	}

	static Options withServer(Options o, const std::string& url)
	{
		o.servers = {url};
		return o;
	}

	std::string url; // first: the server start fills it in
	std::unique_ptr<Test::NatsServerProcess> server;
	Connection conn;
};

} // namespace

class CoreFeaturesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(CoreFeaturesTest);
	CPPUNIT_TEST(testWriteDeadlineWhenServerStopsReading);
	CPPUNIT_TEST(testWriteDeadlineOption);
	CPPUNIT_TEST(testSubscriptionDrain);
	CPPUNIT_TEST(testSubscriptionDrainTimeout);
	CPPUNIT_TEST(testSyncSubscriptionDrain);
	CPPUNIT_TEST(testRetryOnFailedConnect);
	CPPUNIT_TEST(testRetryOnFailedConnectGivesUp);
	CPPUNIT_TEST(testNoRetryThrows);
	CPPUNIT_TEST(testInboxPrefix);
	CPPUNIT_TEST_SUITE_END();

public:
	void testWriteDeadlineWhenServerStopsReading()
	{
		std::atomic<bool> release{false};
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			if (s.index() == 0)
			{
				// stop reading: the client's sends fill both socket buffers and then block; the fake
				// serves one session at a time, so this one ends when the test saw the deadline
				Test::waitFor([&]() { return release.load(); }, Poco::Timespan(30, 0));
				return;
			}
			s.readUntilClosed();
		});
		std::atomic<int> deadlineErrors{0};
		std::atomic<int> disconnects{0};
		std::atomic<int> reconnects{0};
		Options o = fake.clientOptions();
		o.writeDeadline = Poco::Timespan(0, 300000);
		o.errorHandler = [&](const Poco::Exception& e) {
			if (dynamic_cast<const WriteDeadlineException*>(&e)) ++deadlineErrors;
		};
		o.disconnectedHandler = [&]() { ++disconnects; };
		o.reconnectedHandler = [&]() { ++reconnects; };
		Connection conn(o);
		conn.connect();
		// (no flush(): this server answers no PING)
		const Test::WriteDeadlineRun run = Test::publishUntilWriteDeadline(conn, "sink");
		CPPUNIT_ASSERT_MESSAGE(run.otherError + " / last error: " + conn.lastError(), run.otherError.empty());
		CPPUNIT_ASSERT_MESSAGE("publish never hit the write deadline", run.deadlineHit);
		CPPUNIT_ASSERT_MESSAGE(run.deadlineText, run.deadlineText.find("write deadline exceeded") != std::string::npos);
		// bounded by the deadline (plus the time to fill the buffers), far below stale detection
		CPPUNIT_ASSERT(run.elapsed < std::chrono::seconds(10));
		NATS_WAIT_FOR(deadlineErrors.load() >= 1, WAIT);
		// treated as a lost socket: disconnected, then reconnected to the server's next session
		NATS_WAIT_FOR(disconnects.load() >= 1, WAIT);
		release = true;
		NATS_WAIT_FOR(reconnects.load() >= 1, Poco::Timespan(10, 0));
		CPPUNIT_ASSERT(fake.accepted() >= 2);
		CPPUNIT_ASSERT(conn.isConnected());
		conn.publish("after", "ok");
	}

	void testWriteDeadlineOption()
	{
		CPPUNIT_ASSERT(Options().writeDeadline == Options::DEFAULT_WRITE_DEADLINE);
		CPPUNIT_ASSERT_EQUAL(Poco::Timespan::TimeDiff(10000), Options::DEFAULT_WRITE_DEADLINE.totalMilliseconds());
		Options o;
		o.writeDeadline = Poco::Timespan(-1);
		try
		{
			o.validate();
			CPPUNIT_FAIL("negative writeDeadline accepted");
		}
		catch (Poco::InvalidArgumentException& e)
		{
			CPPUNIT_ASSERT(e.message().find("writeDeadline") != std::string::npos);
		}
		o.writeDeadline = 0;
		o.validate();
	}

	void testSubscriptionDrain()
	{
		LiveConnection live;
		Connection& conn = live.conn;
		const std::string subject = Test::uniqueName("core.drain");
		std::atomic<int> handled{0};
		std::atomic<bool> go{false};
		Subscription sub = conn.subscribe(subject, [&](const Message&) {
			Test::waitFor([&]() { return go.load(); }, WAIT); // hold the first ones back: a queue builds up
			++handled;
		});
		conn.flush(WAIT);
		for (int i = 0; i < 50; ++i) conn.publish(subject, std::to_string(i));
		conn.flush(WAIT);
		go = true;
		sub.drain(WAIT);
		// everything the server had sent was delivered before drain() returned
		CPPUNIT_ASSERT_EQUAL(50, handled.load());
		CPPUNIT_ASSERT(!sub.isValid());
		conn.publish(subject, "late");
		conn.flush(WAIT);
		CPPUNIT_ASSERT_EQUAL(50, handled.load());
		CPPUNIT_ASSERT(conn.isConnected());
	}

	void testSubscriptionDrainTimeout()
	{
		LiveConnection live;
		Connection& conn = live.conn;
		const std::string subject = Test::uniqueName("core.drain.slow");
		std::atomic<bool> release{false};
		std::atomic<int> handled{0};
		Subscription sub = conn.subscribe(subject, [&](const Message&) {
			Test::waitFor([&]() { return release.load(); }, WAIT);
			++handled;
		});
		conn.flush(WAIT);
		conn.publish(subject, "a");
		conn.publish(subject, "b");
		conn.flush(WAIT);
		CPPUNIT_ASSERT_THROW(sub.drain(Poco::Timespan(0, 200000)), NatsTimeoutException);
		CPPUNIT_ASSERT(!sub.isValid());
		release = true;
		// the handler in progress ends; the queued message was dropped with the subscription
		NATS_WAIT_FOR(handled.load() == 1, WAIT);
	}

	void testSyncSubscriptionDrain()
	{
		LiveConnection live;
		Connection& conn = live.conn;
		const std::string subject = Test::uniqueName("core.drain.sync");
		Subscription sub = conn.subscribeSync(subject);
		conn.flush(WAIT);
		conn.publish(subject, "1");
		conn.publish(subject, "2");
		conn.flush(WAIT);
		std::atomic<int> got{0};
		std::thread consumer([&]() {
			try
			{
				for (;;)
				{
					sub.nextMessage(WAIT);
					++got;
				}
			}
			catch (Poco::Exception&)
			{
			}
		});
		sub.drain(WAIT); // returns once the consumer took both
		// The consumer counts after nextMessage() returned: join it (its next pull ends on the
		// closed subscription, or at the latest by WAIT) before the count is read, and before
		// any assertion can leave a joinable thread behind.
		consumer.join();
		CPPUNIT_ASSERT_EQUAL(2, got.load());
		CPPUNIT_ASSERT(!sub.isValid());
	}

	void testRetryOnFailedConnect()
	{
		Test::skipIfExternal();
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
		Test::NatsServerProcess server; // not started yet: nothing listens on its port
		std::atomic<int> reconnected{0};
		std::atomic<int> disconnected{0};
		Options o;
		o.servers = {server.url()};
		o.retryOnFailedConnect = true;
		o.maxReconnect = -1;
		o.reconnectWait = Poco::Timespan(0, 50000);
		o.reconnectJitter = Poco::Timespan(0, 1000);
		o.reconnectedHandler = [&]() { ++reconnected; };
		o.disconnectedHandler = [&]() { ++disconnected; };
		Connection conn(o);
		conn.connect(); // returns although no server runs
		CPPUNIT_ASSERT(conn.isReconnecting());
		Subscription sub = conn.subscribeSync("retry.x");
		conn.publish("retry.x", "early"); // buffered
		server.start();
		NATS_WAIT_FOR(reconnected.load() == 1, WAIT);
		CPPUNIT_ASSERT(conn.isConnected());
		CPPUNIT_ASSERT_EQUAL(std::string("early"), sub.nextMessage(WAIT).data());
		CPPUNIT_ASSERT_EQUAL(0, disconnected.load());
		conn.subscribe("retry.svc", [&conn](const Message& m) { conn.publish(m.reply(), "pong"); });
		CPPUNIT_ASSERT_EQUAL(std::string("pong"), conn.request("retry.svc", "ping", WAIT).data());
	}

	void testRetryOnFailedConnectGivesUp()
	{
		std::atomic<int> closed{0};
		Options o;
		o.servers = {"nats://127.0.0.1:" + std::to_string(Test::freePort())};
		o.retryOnFailedConnect = true;
		o.maxReconnect = 2;
		o.reconnectWait = Poco::Timespan(0, 20000);
		o.reconnectJitter = Poco::Timespan(0, 1000);
		o.closedHandler = [&]() { ++closed; };
		Connection conn(o);
		conn.connect();
		NATS_WAIT_FOR(closed.load() == 1, WAIT);
		CPPUNIT_ASSERT(conn.isClosed());
		CPPUNIT_ASSERT_THROW(conn.publish("x", "y"), ConnectionClosedException);
	}

	void testNoRetryThrows()
	{
		Options o;
		o.servers = {"nats://127.0.0.1:" + std::to_string(Test::freePort())};
		Connection conn(o);
		CPPUNIT_ASSERT_THROW(conn.connect(), NoServerException);
		CPPUNIT_ASSERT(!conn.isReconnecting());
	}

	void testInboxPrefix()
	{
		Options bad;
		for (const char* p: {"", "a.*", "a..b", ".a", "a.", "a b", ">"})
		{
			bad.inboxPrefix = p;
			CPPUNIT_ASSERT_THROW_MESSAGE(p, bad.validate(), Poco::InvalidArgumentException);
		}
		Options o;
		o.inboxPrefix = "my.replies";
		LiveConnection live(o);
		Connection& conn = live.conn;
		CPPUNIT_ASSERT_EQUAL(std::string("my.replies."), conn.newInbox().substr(0, 11));
		const std::string subject = Test::uniqueName("core.inbox");
		std::mutex mutex;
		std::string replySubject;
		conn.subscribe(subject, [&](const Message& m) {
			{
				std::lock_guard<std::mutex> lock(mutex);
				replySubject = m.reply();
			}
			conn.publish(m.reply(), "r");
		});
		conn.flush(WAIT);
		CPPUNIT_ASSERT_EQUAL(std::string("r"), conn.request(subject, "q", WAIT).data());
		std::lock_guard<std::mutex> lock(mutex);
		CPPUNIT_ASSERT_EQUAL(std::string("my.replies."), replySubject.substr(0, 11));
		CPPUNIT_ASSERT_EQUAL(std::string("_INBOX."), Connection().newInbox().substr(0, 7)); // the default
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(CoreFeaturesTest);
