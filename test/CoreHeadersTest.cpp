//
// CoreHeadersTest.cpp
//
// Headers end to end: HPUB/HMSG through a real nats-server (async, sync and reader-inline
// subscriptions, request/reply with headers), the HPUB wire form and the refusal of headers when
// the server's INFO says headers:false (scripted FakeNatsServer), status messages.
//

#include "core/ImplAccess.h"
#include "FakeNatsServer.h"
#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <mutex>

using namespace Nats;
using Nats::Test::FakeNatsServer;

namespace {

const Poco::Timespan WAIT(5, 0);

Headers sampleHeaders()
{
	Headers h;
	h.add("Trace-Id", "t-1");
	h.add("tag", "a");
	h.add("tag", "b");
	return h;
}

void checkSample(const Message& m)
{
	CPPUNIT_ASSERT(m.hasHeaders());
	CPPUNIT_ASSERT_EQUAL(std::string("t-1"), m.headers().get("Trace-Id"));
	CPPUNIT_ASSERT(m.headers().values("tag") == std::vector<std::string>({"a", "b"}));
	CPPUNIT_ASSERT_EQUAL(0, m.status());
}

} // namespace

class CoreHeadersTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(CoreHeadersTest);
	CPPUNIT_TEST(testPublishHeadersAsyncAndSync);
	CPPUNIT_TEST(testInlineSubscriptionGetsHeaders);
	CPPUNIT_TEST(testRequestWithHeaders);
	CPPUNIT_TEST(testNoRespondersStatusFromServer);
	CPPUNIT_TEST(testHeadersCountAgainstMaxPayload);
	CPPUNIT_TEST(testHpubWireForm);
	CPPUNIT_TEST(testRefusedWhenServerHasNoHeaders);
	CPPUNIT_TEST(testStatusMessageDelivered);
	CPPUNIT_TEST(testMalformedHeaderBlockDropsMessageOnly);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override { _pServer = Test::startNatsServerUnlessExternal(_url); }
	void tearDown() override { _pServer.reset(); }

	Options options() const
	{
		Options o;
		o.servers = {_url};
		return o;
	}

	void testPublishHeadersAsyncAndSync()
	{
		Connection conn(options());
		conn.connect();
		const std::string subject = Test::uniqueName("core.hdr");
		Test::MessageCollector got;
		conn.subscribe(subject, got.handler());
		Subscription sync = conn.subscribeSync(subject);
		conn.flush(WAIT);
		conn.publish(subject, sampleHeaders(), "body");
		conn.publishRequest(subject, "my.reply", sampleHeaders(), std::string("b\0n", 3));
		conn.publish(subject, Headers(), "plain"); // empty headers: a plain PUB
		Message m1 = sync.nextMessage(WAIT);
		checkSample(m1);
		CPPUNIT_ASSERT_EQUAL(std::string("body"), m1.data());
		Message m2 = sync.nextMessage(WAIT);
		checkSample(m2);
		CPPUNIT_ASSERT_EQUAL(std::string("my.reply"), m2.reply());
		CPPUNIT_ASSERT_EQUAL(std::string("b\0n", 3), m2.data());
		Message m3 = sync.nextMessage(WAIT);
		CPPUNIT_ASSERT(!m3.hasHeaders());
		CPPUNIT_ASSERT_EQUAL(std::string("plain"), m3.data());
		NATS_WAIT_FOR(got.size() == 3, WAIT);
		checkSample(got.at(0));
		checkSample(got.at(1));
		CPPUNIT_ASSERT(!got.at(2).hasHeaders());
	}

	void testInlineSubscriptionGetsHeaders()
	{
		Connection conn(options());
		conn.connect();
		const std::string subject = Test::uniqueName("core.hdr.inline");
		Test::MessageCollector got;
		Subscription sub = ImplAccess::impl(conn)->subscribeInline(subject, "", got.handler());
		conn.flush(WAIT);
		conn.publish(subject, sampleHeaders(), "x");
		NATS_WAIT_FOR(got.size() == 1, WAIT);
		checkSample(got.at(0));
	}

	void testRequestWithHeaders()
	{
		Connection conn(options());
		conn.connect();
		const std::string subject = Test::uniqueName("core.hdr.svc");
		Connection* pConn = &conn;
		conn.subscribe(subject, [pConn](const Message& m) {
			Headers reply;
			reply.add("Echo", m.headers().get("Trace-Id"));
			reply.add("Count", std::to_string(m.headers().values("tag").size()));
			pConn->publish(m.reply(), reply, "re:" + m.data());
		});
		conn.flush(WAIT);
		Message r = conn.request(subject, sampleHeaders(), "q", WAIT);
		CPPUNIT_ASSERT_EQUAL(std::string("re:q"), r.data());
		CPPUNIT_ASSERT_EQUAL(std::string("t-1"), r.headers().get("Echo"));
		CPPUNIT_ASSERT_EQUAL(std::string("2"), r.headers().get("Count"));
		// async request with headers
		std::atomic<bool> done{false};
		std::string echoed;
		std::mutex mutex;
		ImplAccess::impl(conn)->requestAsync(subject, "z", 1, WAIT, [&](const Message* pMessage, const Poco::Exception*) {
			std::lock_guard<std::mutex> lock(mutex);
			if (pMessage) echoed = pMessage->headers().get("Echo");
			done = true;
		}, &r.headers());
		NATS_WAIT_FOR(done.load(), WAIT);
		std::lock_guard<std::mutex> lock(mutex);
		CPPUNIT_ASSERT_EQUAL(std::string(""), echoed); // r's headers have no Trace-Id: Echo is empty
	}

	void testNoRespondersStatusFromServer()
	{
		Connection conn(options());
		conn.connect();
		CPPUNIT_ASSERT_THROW(conn.request(Test::uniqueName("core.hdr.nobody"), sampleHeaders(), "q", WAIT), NoRespondersException);
		// the status message itself, seen on a subscription of the reply subject
		const std::string inbox = conn.newInbox();
		Subscription sub = conn.subscribeSync(inbox);
		conn.flush(WAIT);
		conn.publishRequest(Test::uniqueName("core.hdr.nobody"), inbox, "q");
		Message m = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(503, m.status());
		CPPUNIT_ASSERT(m.isNoResponders());
	}

	void testHeadersCountAgainstMaxPayload()
	{
		Connection conn(options());
		conn.connect();
		const std::int64_t max = conn.maxPayload();
		Headers h;
		h.add("K", "v");
		const std::size_t block = h.encode().size();
		std::string data(static_cast<std::size_t>(max) - block + 1, 'x');
		CPPUNIT_ASSERT_THROW(conn.publish("core.hdr.max", h, data), MaxPayloadException);
		data.pop_back();
		conn.publish("core.hdr.max", h, data);
		conn.flush(WAIT);
	}

	void testHpubWireForm()
	{
		std::mutex mutex;
		std::vector<std::string> lines;
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			s.expectLine("SUB _INBOX."); // the request mux
			for (int i = 0; i < 8; ++i)
			{
				std::string l = s.readLine();
				std::lock_guard<std::mutex> lock(mutex);
				lines.push_back(l);
			}
			s.readUntilClosed();
		});
		Connection conn(fake.clientOptions());
		conn.connect();
		Headers h;
		h.add("A", "1");
		conn.publish("s", h, "data");
		conn.publishRequest("s", "r", h, "");
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return lines.size() == 8; })(), WAIT);
		std::lock_guard<std::mutex> lock(mutex);
		// "NATS/1.0\r\nA: 1\r\n\r\n" is 18 bytes
		const std::vector<std::string> expected = {"HPUB s 18 22", "NATS/1.0", "A: 1", "", "data", "HPUB s r 18 18", "NATS/1.0", "A: 1"};
		CPPUNIT_ASSERT(lines == expected);
	}

	void testRefusedWhenServerHasNoHeaders()
	{
		std::mutex mutex;
		std::string connectJson;
		std::vector<std::string> lines;
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			std::string json = s.handshake("{\"server_id\":\"old\",\"max_payload\":1048576,\"proto\":1,\"headers\":false}");
			{
				std::lock_guard<std::mutex> lock(mutex);
				connectJson = json;
			}
			std::string l = s.expectLine("PUB ");
			std::lock_guard<std::mutex> lock(mutex);
			lines.push_back(l);
			s.readUntilClosed();
		});
		Connection conn(fake.clientOptions());
		conn.connect();
		CPPUNIT_ASSERT_THROW(conn.publish("s", sampleHeaders(), "x"), HeadersNotSupportedException);
		CPPUNIT_ASSERT_THROW(conn.publishRequest("s", "r", sampleHeaders(), "x"), HeadersNotSupportedException);
		CPPUNIT_ASSERT_THROW(conn.request("s", sampleHeaders(), "x", WAIT), HeadersNotSupportedException);
		conn.publish("s", Headers(), "plain"); // no headers: allowed
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return !lines.empty(); })(), WAIT);
		std::lock_guard<std::mutex> lock(mutex);
		CPPUNIT_ASSERT_EQUAL(std::string("PUB s 5"), lines[0]);
		Poco::JSON::Parser parser;
		Poco::JSON::Object::Ptr obj = parser.parse(connectJson).extract<Poco::JSON::Object::Ptr>();
		CPPUNIT_ASSERT_EQUAL(false, obj->getValue<bool>("headers"));
		CPPUNIT_ASSERT_EQUAL(false, obj->getValue<bool>("no_responders"));
	}

	void testStatusMessageDelivered()
	{
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			s.expectLine("SUB hb 2");
			s.expectLine("PING");
			s.send("PONG\r\n");
			std::string hdr = "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 3\r\n\r\n";
			s.send("HMSG hb 2 " + std::to_string(hdr.size()) + " " + std::to_string(hdr.size()) + "\r\n" + hdr + "\r\n");
			s.readUntilClosed();
		});
		Connection conn(fake.clientOptions());
		conn.connect();
		Subscription sub = conn.subscribeSync("hb");
		conn.flush(WAIT);
		Message m = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(100, m.status());
		CPPUNIT_ASSERT_EQUAL(std::string("Idle Heartbeat"), m.statusDescription());
		CPPUNIT_ASSERT_EQUAL(std::string("3"), m.headers().get("Nats-Last-Consumer"));
		CPPUNIT_ASSERT(m.data().empty());
	}

	void testMalformedHeaderBlockDropsMessageOnly()
	{
		FakeNatsServer fake([&](FakeNatsServer::Session& s) {
			s.handshake();
			s.expectLine("SUB x 2");
			s.expectLine("PING");
			s.send("PONG\r\n");
			std::string bad = "BOGUS/1.0\r\n\r\n";
			s.send("HMSG x 2 " + std::to_string(bad.size()) + " " + std::to_string(bad.size() + 1) + "\r\n" + bad + "a\r\n");
			s.send("MSG x 2 1\r\nb\r\n");
			s.readUntilClosed();
		});
		std::atomic<int> protocolErrors{0};
		Options o = fake.clientOptions();
		o.errorHandler = [&](const Poco::Exception& e) {
			if (dynamic_cast<const NatsProtocolException*>(&e)) ++protocolErrors;
		};
		Connection conn(o);
		conn.connect();
		Subscription sub = conn.subscribeSync("x");
		conn.flush(WAIT);
		Message m = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(std::string("b"), m.data());
		NATS_WAIT_FOR(protocolErrors.load() == 1, WAIT);
		CPPUNIT_ASSERT(conn.isConnected());
		CPPUNIT_ASSERT_EQUAL(1, fake.accepted());
	}

private:
	std::unique_ptr<Test::NatsServerProcess> _pServer;
	std::string _url;
};

CPPUNIT_TEST_SUITE_REGISTRATION(CoreHeadersTest);
