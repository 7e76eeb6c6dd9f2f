//
// ReconnectTest.cpp
//
// Reconnect, buffering while disconnected, stale-connection detection and cluster failover against
// real nats-server processes. Every test needs to control the servers (skipped with NATS_URL).
//

#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "core/ConnectionImpl.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

using namespace Nats;
using Nats::Test::NatsServerProcess;

namespace {

const Poco::Timespan WAIT(10, 0);

struct Events
{
	std::mutex mutex;
	std::vector<std::string> list;
	std::vector<std::string> discovered;

	void add(const std::string& e)
	{
		std::lock_guard<std::mutex> lock(mutex);
		list.push_back(e);
	}
	std::vector<std::string> get()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return list;
	}
	int count(const std::string& e)
	{
		std::lock_guard<std::mutex> lock(mutex);
		int n = 0;
		for (const auto& s: list) n += (s == e);
		return n;
	}
	void install(Options& o)
	{
		o.disconnectedHandler = [this]() { add("disconnected"); };
		o.reconnectedHandler = [this]() { add("reconnected"); };
		o.closedHandler = [this]() { add("closed"); };
		o.errorHandler = [this](const Poco::Exception& e) {
			if (dynamic_cast<const StaleConnectionException*>(&e)) add("stale");
		};
		o.discoveredServersHandler = [this](const std::vector<std::string>& urls) {
			std::lock_guard<std::mutex> lock(mutex);
			discovered = urls;
			list.push_back("discovered");
		};
	}
};

Options fastReconnect(const std::string& url)
{
	Options o;
	o.servers = {url};
	o.reconnectWait = Poco::Timespan(0, 50000);
	o.reconnectJitter = Poco::Timespan(0, 10000);
	o.maxReconnect = -1;
	o.connectTimeout = Poco::Timespan(1, 0);
	return o;
}

/// The single-server tests' start: a started nats-server, a client's event log, and the client's
/// options (fast reconnect, the events installed; tests adjust them before connecting).
struct Watched
{
	Watched()
	{
		server.start();
		options = fastReconnect(server.url());
		events.install(options);
	}

	NatsServerProcess server;
	Events events;
	Options options;
};

} // namespace

class ReconnectTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ReconnectTest);
	CPPUNIT_TEST(testReconnectResubscribes);
	CPPUNIT_TEST(testReconnectBufferDisabled);
	CPPUNIT_TEST(testReconnectBufferLimit);
	CPPUNIT_TEST(testGivesUp);
	CPPUNIT_TEST(testNoReconnect);
	CPPUNIT_TEST(testStaleConnection);
	CPPUNIT_TEST(testAutoUnsubscribeAcrossReconnect);
	CPPUNIT_TEST(testClusterFailover);
	CPPUNIT_TEST(testCloseWhileReconnecting);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		Test::skipIfExternal();
		if (!NatsServerProcess::available()) Test::skip("nats-server not installed");
	}

	void testReconnectResubscribes()
	{
		Watched w;
		Connection conn(w.options);
		conn.connect();
		std::atomic<int> got{0};
		std::mutex mutex;
		std::vector<std::string> data;
		conn.subscribe("re.sub", [&](const Message& m) {
			std::lock_guard<std::mutex> lock(mutex);
			data.push_back(m.data());
		});
		Subscription sync = conn.subscribeSync("re.sync", "q");
		conn.flush(WAIT);

		w.server.stop();
		NATS_WAIT_FOR(conn.isReconnecting(), WAIT);
		NATS_WAIT_FOR(w.events.count("disconnected") == 1, WAIT);
		// published while disconnected: buffered and sent after the subscriptions
		conn.publish("re.sub", "buffered");
		CPPUNIT_ASSERT_THROW(conn.flush(Poco::Timespan(0, 100000)), NatsTimeoutException);
		w.server.start();
		NATS_WAIT_FOR(conn.isConnected(), WAIT);
		NATS_WAIT_FOR(w.events.count("reconnected") == 1, WAIT);
		conn.flush(WAIT);
		const int n = 500;
		for (int i = 0; i < n; ++i) conn.publish("re.sub", std::to_string(i));
		conn.publish("re.sync", "sync");
		conn.flush(WAIT);
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return data.size() == std::size_t(n + 1); })(), WAIT);
		{
			std::lock_guard<std::mutex> lock(mutex);
			CPPUNIT_ASSERT_EQUAL(std::string("buffered"), data[0]);
			for (int i = 0; i < n; ++i) CPPUNIT_ASSERT_EQUAL(std::to_string(i), data[static_cast<std::size_t>(i + 1)]);
		}
		CPPUNIT_ASSERT_EQUAL(std::string("sync"), sync.nextMessage(WAIT).data());
		std::vector<std::string> seq = w.events.get();
		CPPUNIT_ASSERT(seq.size() >= 2);
		CPPUNIT_ASSERT_EQUAL(std::string("disconnected"), seq[0]);
		CPPUNIT_ASSERT_EQUAL(std::string("reconnected"), seq[1]);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), conn.statistics().reconnects);
		// requests work after the reconnect (the shared inbox was resubscribed)
		conn.subscribe("re.svc", [&conn](const Message& m) { conn.publish(m.reply(), "pong"); });
		CPPUNIT_ASSERT_EQUAL(std::string("pong"), conn.request("re.svc", "ping", WAIT).data());
	}

	void testReconnectBufferDisabled()
	{
		NatsServerProcess server;
		server.start();
		Options o = fastReconnect(server.url());
		o.reconnectBufferSize = -1;
		Connection conn(o);
		conn.connect();
		server.stop();
		NATS_WAIT_FOR(conn.isReconnecting(), WAIT);
		CPPUNIT_ASSERT_THROW(conn.publish("a", "x"), NatsException);
		try
		{
			conn.publish("a", "x");
		}
		catch (ConnectionClosedException&)
		{
			CPPUNIT_FAIL("must not report closed while reconnecting");
		}
		catch (NatsException& e)
		{
			CPPUNIT_ASSERT(e.message().find("outbound buffer") != std::string::npos);
		}
	}

	void testReconnectBufferLimit()
	{
		NatsServerProcess server;
		server.start();
		Options o = fastReconnect(server.url());
		o.reconnectBufferSize = 1000;
		Connection conn(o);
		conn.connect();
		server.stop();
		NATS_WAIT_FOR(conn.isReconnecting(), WAIT);
		conn.publish("a", std::string(500, 'x'));
		CPPUNIT_ASSERT_THROW(conn.publish("a", std::string(500, 'x')), NatsException);
	}

	void testGivesUp()
	{
		Watched w;
		w.options.maxReconnect = 3;
		Connection conn(w.options);
		conn.connect();
		w.server.stop();
		NATS_WAIT_FOR(conn.isClosed(), WAIT);
		NATS_WAIT_FOR(w.events.count("closed") == 1, WAIT);
		std::vector<std::string> seq = w.events.get();
		CPPUNIT_ASSERT_EQUAL(std::string("disconnected"), seq.front());
		CPPUNIT_ASSERT_EQUAL(std::string("closed"), seq.back());
		CPPUNIT_ASSERT(conn.lastError().find("no servers available") != std::string::npos);
		CPPUNIT_ASSERT_THROW(conn.publish("a", "x"), ConnectionClosedException);
	}

	void testNoReconnect()
	{
		Watched w;
		w.options.allowReconnect = false;
		Connection conn(w.options);
		conn.connect();
		w.server.stop();
		NATS_WAIT_FOR(conn.isClosed(), WAIT);
		NATS_WAIT_FOR(w.events.count("closed") == 1, WAIT);
		CPPUNIT_ASSERT_EQUAL(0, w.events.count("reconnected"));
	}

	void testStaleConnection()
	{
		Watched w;
		w.options.pingInterval = Poco::Timespan(0, 100000);
		w.options.maxPingsOut = 2;
		Connection conn(w.options);
		conn.connect();
		conn.subscribe("stale.x", [](const Message&) {});
		conn.flush(WAIT);
		// pings are answered: still connected after several intervals
		Subscription probe = conn.subscribeSync("stale.probe");
		for (int i = 0; i < 3; ++i)
		{
			conn.publish("stale.probe", "p");
			probe.nextMessage(WAIT);
		}
		CPPUNIT_ASSERT_EQUAL(0, w.events.count("stale"));
		w.server.pause();
		NATS_WAIT_FOR(w.events.count("stale") >= 1, WAIT);
		NATS_WAIT_FOR(w.events.count("disconnected") >= 1, WAIT);
		w.server.resume();
		NATS_WAIT_FOR(w.events.count("reconnected") >= 1, WAIT);
		NATS_WAIT_FOR(conn.isConnected(), WAIT);
		conn.flush(WAIT);
	}

	void testAutoUnsubscribeAcrossReconnect()
	{
		NatsServerProcess server;
		server.start();
		Connection conn(fastReconnect(server.url()));
		conn.connect();
		std::atomic<int> count{0};
		Subscription sub = conn.subscribe("auto.re", [&count](const Message&) { ++count; });
		sub.autoUnsubscribe(5);
		conn.flush(WAIT);
		for (int i = 0; i < 2; ++i) conn.publish("auto.re", "x");
		conn.flush(WAIT);
		NATS_WAIT_FOR(count == 2, WAIT);
		server.restart();
		NATS_WAIT_FOR(conn.isConnected(), WAIT);
		conn.flush(WAIT);
		for (int i = 0; i < 10; ++i) conn.publish("auto.re", "x");
		conn.flush(WAIT);
		NATS_WAIT_FOR(count == 5 && !sub.isValid(), WAIT);
		Subscription witness = conn.subscribeSync("auto.re");
		conn.flush(WAIT);
		conn.publish("auto.re", "late");
		witness.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(5, count.load());
	}

	void testClusterFailover()
	{
		std::vector<std::unique_ptr<NatsServerProcess>> nodes;
		for (int i = 0; i < 3; ++i) nodes.emplace_back(new NatsServerProcess());
		for (int i = 0; i < 3; ++i)
		{
			std::string routes;
			for (int j = 0; j < 3; ++j)
			{
				if (j == i) continue;
				if (!routes.empty()) routes += ",";
				routes += "nats://127.0.0.1:" + std::to_string(nodes[static_cast<std::size_t>(j)]->clusterPort());
			}
			nodes[static_cast<std::size_t>(i)]->args() = {"--cluster_name", "core-test", "--cluster",
				"nats://127.0.0.1:" + std::to_string(nodes[static_cast<std::size_t>(i)]->clusterPort()), "--routes", routes};
		}
		for (auto& n: nodes) n->start();

		Events events;
		Options o = fastReconnect(nodes[0]->url());
		events.install(o);
		Connection conn(o);
		conn.connect();
		// the client learns the other two from INFO connect_urls
		NATS_WAIT_FOR(conn.servers().size() == 3, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), conn.servers().size());
		std::string first = conn.connectedUrl();
		CPPUNIT_ASSERT(first.find(std::to_string(nodes[0]->port())) != std::string::npos);

		std::atomic<int> got{0};
		conn.subscribe("cluster.x", [&got](const Message&) { ++got; });
		conn.flush(WAIT);

		nodes[0]->stop();
		NATS_WAIT_FOR(events.count("reconnected") == 1, WAIT);
		NATS_WAIT_FOR(conn.isConnected(), WAIT);
		std::string second = conn.connectedUrl();
		CPPUNIT_ASSERT(second != first);
		conn.flush(WAIT);

		// a publisher on the other surviving node reaches us through the route
		std::size_t otherIndex = second.find(std::to_string(nodes[1]->port())) != std::string::npos ? 2 : 1;
		Options po;
		po.servers = {nodes[otherIndex]->url()};
		Connection pub(po);
		pub.connect();
		NATS_WAIT_FOR(([&]() {
			pub.publish("cluster.x", "y");
			pub.flush(WAIT);
			return got.load() > 0;
		})(), WAIT);
		CPPUNIT_ASSERT(got.load() > 0);
	}

	void testCloseWhileReconnecting()
	{
		Watched w;
		Connection conn(w.options);
		conn.connect();
		w.server.stop();
		NATS_WAIT_FOR(conn.isReconnecting(), WAIT);
		conn.close();
		CPPUNIT_ASSERT(conn.isClosed());
		NATS_WAIT_FOR(w.events.count("closed") == 1, WAIT);
		CPPUNIT_ASSERT_EQUAL(0, w.events.count("reconnected"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReconnectTest);
