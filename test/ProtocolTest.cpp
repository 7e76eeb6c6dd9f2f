//
// ProtocolTest.cpp
//
// Protocol edge cases against the scripted FakeNatsServer: handshake failures, CONNECT content,
// async INFO, server PINGs, protocol errors, stale connections, HMSG status replies.
//

#include "FakeNatsServer.h"
#include "TestUtil.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <mutex>
#include <thread>

using namespace Nats;
using Nats::Test::FakeNatsServer;

namespace {

const Poco::Timespan WAIT(5, 0);

} // namespace

class ProtocolTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ProtocolTest);
	CPPUNIT_TEST(testConnectFields);
	CPPUNIT_TEST(testWireFormat);
	CPPUNIT_TEST(testMalformedInfo);
	CPPUNIT_TEST(testNotInfoFirst);
	CPPUNIT_TEST(testAuthErrorDuringHandshake);
	CPPUNIT_TEST(testOtherErrorDuringHandshake);
	CPPUNIT_TEST(testSilentServer);
	CPPUNIT_TEST(testServerPingAnswered);
	CPPUNIT_TEST(testAsyncInfo);
	CPPUNIT_TEST(testProtocolErrorReconnects);
	CPPUNIT_TEST(testSplitWritesAndUnknownSid);
	CPPUNIT_TEST(testStaleWithoutPong);
	CPPUNIT_TEST(testVerbose);
	CPPUNIT_TEST(testMaxPayloadFromInfo);
	CPPUNIT_TEST(testNoRespondersStatus);
	CPPUNIT_TEST(testErrAfterConnectGoesToHandler);
	CPPUNIT_TEST(testCloseDuringConnect);
	CPPUNIT_TEST_SUITE_END();

public:
	void testConnectFields()
	{
		std::mutex mutex;
		std::string connectJson;
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			std::string json = s.handshake();
			{
				std::lock_guard<std::mutex> lock(mutex);
				connectJson = json;
			}
			s.readUntilClosed();
		});
		Options o = fake.clientOptions();
		o.name = "fields";
		o.user = "u";
		o.password = "p\"w";
		o.noEcho = true;
		Connection conn(o);
		conn.connect();
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return !connectJson.empty(); })(), WAIT);
		std::string json;
		{
			std::lock_guard<std::mutex> lock(mutex);
			json = connectJson;
		}
		Poco::JSON::Parser parser;
		Poco::JSON::Object::Ptr obj = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
		CPPUNIT_ASSERT_EQUAL(std::string("cpp"), obj->getValue<std::string>("lang"));
		CPPUNIT_ASSERT_EQUAL(1, obj->getValue<int>("protocol"));
		CPPUNIT_ASSERT_EQUAL(false, obj->getValue<bool>("echo"));
		CPPUNIT_ASSERT_EQUAL(true, obj->getValue<bool>("headers"));
		CPPUNIT_ASSERT_EQUAL(true, obj->getValue<bool>("no_responders"));
		CPPUNIT_ASSERT_EQUAL(false, obj->getValue<bool>("verbose"));
		CPPUNIT_ASSERT_EQUAL(false, obj->getValue<bool>("pedantic"));
		CPPUNIT_ASSERT_EQUAL(false, obj->getValue<bool>("tls_required"));
		CPPUNIT_ASSERT_EQUAL(std::string("fields"), obj->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL(std::string("u"), obj->getValue<std::string>("user"));
		CPPUNIT_ASSERT_EQUAL(std::string("p\"w"), obj->getValue<std::string>("pass"));
		CPPUNIT_ASSERT(!obj->has("auth_token"));
		CPPUNIT_ASSERT(!obj->getValue<std::string>("version").empty());
	}

	void testWireFormat()
	{
		std::mutex mutex;
		std::vector<std::string> lines;
		std::atomic<bool> done{false};
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			for (int i = 0; i < 7; ++i)
			{
				std::string l = s.readLine();
				std::lock_guard<std::mutex> lock(mutex);
				lines.push_back(l);
			}
			done = true;
			s.readUntilClosed();
		});
		Connection conn(fake.clientOptions());
		conn.connect();
		Subscription sub = conn.subscribe("foo.>", [](const Message&) {});
		conn.queueSubscribe("bar", "grp", [](const Message&) {});
		conn.publish("foo.x", "hello");
		conn.publishRequest("foo.y", "rep", std::string("a\r\nb", 4));
		sub.autoUnsubscribe(10);
		NATS_WAIT_FOR(done.load(), WAIT);
		std::lock_guard<std::mutex> lock(mutex);
		// line 0 is the shared request inbox (sid 1)
		CPPUNIT_ASSERT(lines[0].compare(0, 11, "SUB _INBOX.") == 0);
		CPPUNIT_ASSERT(lines[0].size() > 6 && lines[0].substr(lines[0].size() - 4) == ".* 1");
		CPPUNIT_ASSERT_EQUAL(std::string("SUB foo.> 2"), lines[1]);
		CPPUNIT_ASSERT_EQUAL(std::string("SUB bar grp 3"), lines[2]);
		CPPUNIT_ASSERT_EQUAL(std::string("PUB foo.x 5"), lines[3]);
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), lines[4]);
		CPPUNIT_ASSERT_EQUAL(std::string("PUB foo.y rep 4"), lines[5]);
		CPPUNIT_ASSERT_EQUAL(std::string("a"), lines[6]); // payload "a\r\nb" split by the line reader
	}

	void testMalformedInfo()
	{
		FakeNatsServer fake([](FakeNatsServer::Session& s) {
			s.send("INFO {this is not json\r\n");
			s.readUntilClosed(Poco::Timespan(5, 0));
		});
		std::string r = Test::connectOutcome(fake.clientOptions());
		CPPUNIT_ASSERT_MESSAGE(r, r.find("NoServerException") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(r, r.find("malformed INFO") != std::string::npos);
	}

	void testNotInfoFirst()
	{
		FakeNatsServer fake([](FakeNatsServer::Session& s) {
			s.send("PONG\r\nINFO {}\r\n");
			s.readUntilClosed(Poco::Timespan(5, 0));
		});
		std::string r = Test::connectOutcome(fake.clientOptions());
		CPPUNIT_ASSERT_MESSAGE(r, r.find("expected INFO") != std::string::npos);
	}

	/// What connect() reports when the server answers CONNECT with "-ERR '<error>'" after
	/// sending INFO `info` (Test::connectOutcome()).
	static std::string handshakeError(const std::string& info, const std::string& error)
	{
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.send("INFO " + info + "\r\n");
			s.expectLine("CONNECT");
			s.send("-ERR '" + error + "'\r\n");
			s.close();
		});
		return Test::connectOutcome(fake.clientOptions());
	}

	void testAuthErrorDuringHandshake()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("Nats::AuthorizationException|Authorization error: Authorization Violation"),
			handshakeError("{\"server_id\":\"x\",\"auth_required\":true}", "Authorization Violation"));
	}

	void testOtherErrorDuringHandshake()
	{
		// a server error, not an authorization error
		CPPUNIT_ASSERT_EQUAL(std::string("Nats::ServerErrorException|Server error: maximum connections exceeded"),
			handshakeError("{\"server_id\":\"x\"}", "maximum connections exceeded"));
	}

	void testSilentServer()
	{
		FakeNatsServer fake([](FakeNatsServer::Session& s) { s.readUntilClosed(Poco::Timespan(5, 0)); });
		Options o = fake.clientOptions();
		o.connectTimeout = Poco::Timespan(0, 300000);
		CPPUNIT_ASSERT_THROW(Connection(o).connect(), NoServerException);
	}

	void testServerPingAnswered()
	{
		std::atomic<bool> ponged{false};
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			s.send("PING\r\n");
			s.expectLine("PONG");
			ponged = true;
			s.readUntilClosed();
		});
		Connection conn(fake.clientOptions());
		conn.connect();
		NATS_WAIT_FOR(ponged.load(), WAIT);
	}

	void testAsyncInfo()
	{
		std::atomic<bool> lameDuck{false};
		std::mutex mutex;
		std::vector<std::string> discovered;
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			s.send("INFO {\"server_id\":\"fake\",\"connect_urls\":[\"127.0.0.1:1111\",\"127.0.0.1:2222\"]}\r\n");
			s.send("INFO {\"server_id\":\"fake\",\"connect_urls\":[\"127.0.0.1:1111\",\"127.0.0.1:2222\"],\"ldm\":true}\r\n");
			s.readUntilClosed();
		});
		Options o = fake.clientOptions();
		o.lameDuckHandler = [&lameDuck]() { lameDuck = true; };
		o.discoveredServersHandler = [&](const std::vector<std::string>& urls) {
			std::lock_guard<std::mutex> lock(mutex);
			discovered = urls;
		};
		Connection conn(o);
		conn.connect();
		NATS_WAIT_FOR(lameDuck.load(), WAIT);
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return discovered.size() == 3; })(), WAIT);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), conn.servers().size());
	}

	void testProtocolErrorReconnects()
	{
		std::atomic<bool> delivered{false};
		std::mutex mutex;
		std::string resub;
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			if (s.index() == 0)
			{
				s.expectLine("SUB data");
				s.send("BOGUS OPERATION\r\n");
				s.readUntilClosed();
				return;
			}
			std::string line = s.expectLine("SUB data");
			{
				std::lock_guard<std::mutex> lock(mutex);
				resub = line;
			}
			s.send("MSG data 2 4\r\nback\r\n");
			s.readUntilClosed();
		});
		std::atomic<int> disconnects{0};
		Options o = fake.clientOptions();
		o.disconnectedHandler = [&disconnects]() { ++disconnects; };
		Connection conn(o);
		conn.connect();
		conn.subscribe("data", [&delivered](const Message& m) {
			if (m.data() == "back") delivered = true;
		});
		NATS_WAIT_FOR(delivered.load(), WAIT);
		// the handler runs on the event thread, possibly after the message was delivered
		NATS_WAIT_FOR(disconnects.load() == 1, WAIT);
		std::lock_guard<std::mutex> lock(mutex);
		CPPUNIT_ASSERT_EQUAL(std::string("SUB data 2"), resub);
		CPPUNIT_ASSERT(conn.lastError().find("BOGUS") != std::string::npos || conn.isConnected());
	}

	void testSplitWritesAndUnknownSid()
	{
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			s.expectLine("SUB x");
			s.send("MSG x 99 3\r\nabc\r\n"); // unknown sid: ignored
			s.send("MS");
			s.send("G x 2 r");
			s.send("ep 6\r\nab\r");
			s.send("\ncd\r\n");
			s.readUntilClosed();
		});
		Connection conn(fake.clientOptions());
		conn.connect();
		Subscription sub = conn.subscribeSync("x");
		Message m = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(std::string("ab\r\ncd"), m.data());
		CPPUNIT_ASSERT_EQUAL(std::string("rep"), m.reply());
		CPPUNIT_ASSERT(conn.isConnected());
	}

	void testStaleWithoutPong()
	{
		std::atomic<int> stale{0};
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			if (s.index() == 0)
			{
				s.readUntilClosed(); // never answers PING
				return;
			}
			for (;;)
			{
				s.expectLine("PING", Poco::Timespan(30, 0));
				s.send("PONG\r\n");
			}
		});
		Options o = fake.clientOptions();
		o.pingInterval = Poco::Timespan(0, 50000);
		o.maxPingsOut = 2;
		o.errorHandler = [&stale](const Poco::Exception& e) {
			if (dynamic_cast<const StaleConnectionException*>(&e)) ++stale;
		};
		std::atomic<int> reconnected{0};
		o.reconnectedHandler = [&reconnected]() { ++reconnected; };
		Connection conn(o);
		conn.connect();
		NATS_WAIT_FOR(stale.load() >= 1 && reconnected.load() >= 1, WAIT);
		conn.flush(WAIT);
	}

	void testVerbose()
	{
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.send("INFO {\"server_id\":\"v\"}\r\n");
			s.expectLine("CONNECT");
			s.send("+OK\r\n");
			s.expectLine("PING");
			s.send("PONG\r\n");
			for (;;)
			{
				std::string l = s.readLine(Poco::Timespan(30, 0));
				s.send("+OK\r\n");
				if (l == "PING") s.send("PONG\r\n");
			}
		});
		Options o = fake.clientOptions();
		o.verbose = true;
		Connection conn(o);
		conn.connect();
		conn.publish("a", "b");
		conn.flush(WAIT);
		CPPUNIT_ASSERT(conn.isConnected());
	}

	void testMaxPayloadFromInfo()
	{
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake("{\"server_id\":\"small\",\"max_payload\":100}");
			s.readUntilClosed();
		});
		Connection conn(fake.clientOptions());
		conn.connect();
		CPPUNIT_ASSERT_EQUAL(std::int64_t(100), conn.maxPayload());
		conn.publish("a", std::string(100, 'x'));
		CPPUNIT_ASSERT_THROW(conn.publish("a", std::string(101, 'x')), MaxPayloadException);
	}

	void testNoRespondersStatus()
	{
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			s.expectLine("SUB _INBOX.");
			std::string pub = s.expectLine("PUB service ");
			// "PUB service <reply> 1"
			std::string reply = pub.substr(12, pub.rfind(' ') - 12);
			std::string hdr = "NATS/1.0 503\r\n\r\n";
			s.send("HMSG " + reply + " 1 " + std::to_string(hdr.size()) + " " + std::to_string(hdr.size()) + "\r\n" + hdr + "\r\n");
			s.readUntilClosed();
		});
		Connection conn(fake.clientOptions());
		conn.connect();
		CPPUNIT_ASSERT_THROW(conn.request("service", "x", WAIT), NoRespondersException);
	}

	void testCloseDuringConnect()
	{
		std::atomic<bool> gotPing{false};
		std::atomic<bool> sendPong{false};
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.send("INFO {\"server_id\":\"slow\"}\r\n");
			s.expectLine("CONNECT");
			s.expectLine("PING");
			gotPing = true;
			while (!sendPong.load()) s.readUntilClosed(Poco::Timespan(0, 20000));
			s.send("PONG\r\n");
			s.readUntilClosed(Poco::Timespan(5, 0));
		});
		Options o = fake.clientOptions();
		o.connectTimeout = Poco::Timespan(5, 0);
		Connection conn(o);
		std::atomic<int> outcome{0}; // 1 = closed exception, 2 = connected, 3 = other
		std::thread connector([&]() {
			try
			{
				conn.connect();
				outcome = 2;
			}
			catch (ConnectionClosedException&)
			{
				outcome = 1;
			}
			catch (...)
			{
				outcome = 3;
			}
		});
		NATS_WAIT_FOR(gotPing.load(), WAIT);
		conn.close(); // the handshake is still waiting for PONG
		sendPong = true;
		connector.join();
		CPPUNIT_ASSERT_EQUAL(1, outcome.load());
		CPPUNIT_ASSERT(conn.isClosed());
		CPPUNIT_ASSERT_THROW(conn.publish("a", "b"), ConnectionClosedException);
	}

	void testErrAfterConnectGoesToHandler()
	{
		std::mutex mutex;
		std::string text;
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			s.send("-ERR 'Invalid Subject'\r\n");
			s.readUntilClosed();
		});
		Options o = fake.clientOptions();
		o.errorHandler = [&](const Poco::Exception& e) {
			std::lock_guard<std::mutex> lock(mutex);
			text = std::string(e.className()) + "|" + e.message();
		};
		Connection conn(o);
		conn.connect();
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return !text.empty(); })(), WAIT);
		std::lock_guard<std::mutex> lock(mutex);
		CPPUNIT_ASSERT_MESSAGE(text, text.find("ServerErrorException") != std::string::npos && text.find("AuthorizationException") == std::string::npos && text.find("|Invalid Subject") != std::string::npos);
		CPPUNIT_ASSERT(conn.isConnected());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ProtocolTest);
