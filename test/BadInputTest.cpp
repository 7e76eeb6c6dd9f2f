//
// BadInputTest.cpp
//
// The README's "Bad input" table, one test per row (#11): each feeds one bad input to the core
// client, the streaming client or the streaming server and asserts the exact exception class
// (not a base class) and the exact message text. Against real processes: a nats-server on a free
// port and our streaming server in-process (StanServerFixture), started only by the rows that
// need them.
//

#include "StanServerFixture.h"
#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include "Nats/StanServer.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/TemporaryFile.h>
#include <functional>
#include <memory>
#include <typeinfo>

using namespace Nats;

namespace {

/// Runs `fn` and asserts that it throws exactly `E` (typeid, not a subclass) with message `text`.
template <class E>
void expectError(const std::function<void()>& fn, const std::string& text, const CppUnit::SourceLine& line)
{
	const std::string want = Test::typeName(typeid(E));
	try
	{
		fn();
	}
	catch (const Poco::Exception& e)
	{
		const std::string got = Test::typeName(typeid(e));
		CppUnit::assertEquals(want, got, line, "exception class (message: " + e.message() + ")");
		CppUnit::assertEquals(text, e.message(), line, "exception message");
		return;
	}
	catch (const std::exception& e)
	{
		CppUnit::Asserter::fail("expected " + want + ", got std::exception " + Test::typeName(typeid(e)) + ": " + e.what(), line);
	}
	CppUnit::Asserter::fail("expected " + want + " \"" + text + "\", nothing was thrown", line);
}

/// As expectError(), for messages with a variable part (sizes, temp paths, OpenSSL texts): asserts
/// that the message starts with `prefix` and ends with `suffix`.
template <class E>
void expectErrorAround(const std::function<void()>& fn, const std::string& prefix, const std::string& suffix, const CppUnit::SourceLine& line)
{
	const std::string want = Test::typeName(typeid(E));
	try
	{
		fn();
	}
	catch (const Poco::Exception& e)
	{
		const std::string got = Test::typeName(typeid(e));
		CppUnit::assertEquals(want, got, line, "exception class (message: " + e.message() + ")");
		const std::string& m = e.message();
		const bool ok = m.size() >= prefix.size() + suffix.size() && m.compare(0, prefix.size(), prefix) == 0
			&& m.compare(m.size() - suffix.size(), suffix.size(), suffix) == 0;
		CppUnit::Asserter::failIf(!ok, "message \"" + m + "\" is not \"" + prefix + "..." + suffix + "\"", line);
		return;
	}
	CppUnit::Asserter::fail("expected " + want + " \"" + prefix + "..." + suffix + "\", got something else or nothing", line);
}

#define EXPECT_ERROR(E, text, ...) expectError<E>([&]() { __VA_ARGS__; }, (text), CPPUNIT_SOURCELINE())
#define EXPECT_ERROR_AROUND(E, prefix, suffix, ...) expectErrorAround<E>([&]() { __VA_ARGS__; }, (prefix), (suffix), CPPUNIT_SOURCELINE())

/// StanServer::start() with default options changed by `change` must throw
/// Poco::InvalidArgumentException with message `text` (`line`: the caller's, for the failure).
void expectStartRejected(const std::function<void(StanServerOptions&)>& change, const std::string& text, const CppUnit::SourceLine& line)
{
	StanServerOptions o;
	change(o);
	StanServer s(o);
	expectError<Poco::InvalidArgumentException>([&]() { s.start(); }, text, line);
}

#define EXPECT_START_REJECTED(change, text) expectStartRejected([](StanServerOptions& o) { change; }, (text), CPPUNIT_SOURCELINE())

/// A port nothing listens on (asked free, then not bound).
int closedPort()
{
	return Test::freePort();
}

std::string writeTemp(const std::string& content)
{
	std::string path = Poco::TemporaryFile::tempName();
	Poco::FileOutputStream out(path);
	out << content;
	out.close();
	Poco::TemporaryFile::registerForDeletion(path);
	return path;
}

} // namespace

class BadInputTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BadInputTest);
	// core client
	CPPUNIT_TEST(testCorePublishEmptySubject);
	CPPUNIT_TEST(testCorePublishWildcard);
	CPPUNIT_TEST(testCorePublishFullWildcard);
	CPPUNIT_TEST(testCorePublishEmptyToken);
	CPPUNIT_TEST(testCorePublishWhitespace);
	CPPUNIT_TEST(testCorePublishBadReply);
	CPPUNIT_TEST(testCoreSubscribeEmptySubject);
	CPPUNIT_TEST(testCoreSubscribeFullWildcardNotLast);
	CPPUNIT_TEST(testCoreQueueWhitespace);
	CPPUNIT_TEST(testCorePayloadOverMax);
	CPPUNIT_TEST(testCorePublishAfterClose);
	CPPUNIT_TEST(testCoreConnectAfterClose);
	CPPUNIT_TEST(testCoreConnectTwice);
	CPPUNIT_TEST(testCorePublishBeforeConnect);
	CPPUNIT_TEST(testCoreUnreachableServer);
	CPPUNIT_TEST(testCoreBadUrlPort);
	CPPUNIT_TEST(testCoreBadUrlEmpty);
	CPPUNIT_TEST(testCoreEmptyServerList);
	CPPUNIT_TEST(testCoreTlsCaFileMissing);
	CPPUNIT_TEST(testCoreTlsCaFileGarbage);
	CPPUNIT_TEST(testCoreConnectTimeoutZero);
	CPPUNIT_TEST(testCoreDispatcherThreadsZero);
	CPPUNIT_TEST(testCorePendingLimitsZero);
	CPPUNIT_TEST(testCoreNextMessageOnAsync);
	CPPUNIT_TEST(testCoreAutoUnsubscribeZero);
	// streaming client
	CPPUNIT_TEST(testStanEmptyClusterId);
	CPPUNIT_TEST(testStanEmptyClientId);
	CPPUNIT_TEST(testStanInvalidClientId);
	CPPUNIT_TEST(testStanWrongClusterId);
	CPPUNIT_TEST(testStanDuplicateClientId);
	CPPUNIT_TEST(testStanPublishEmptyChannel);
	CPPUNIT_TEST(testStanPublishWildcardChannel);
	CPPUNIT_TEST(testStanPublishOverMax);
	CPPUNIT_TEST(testStanPublishAfterClose);
	CPPUNIT_TEST(testStanSubscribeEmptyChannel);
	CPPUNIT_TEST(testStanSubscribeWildcardChannel);
	CPPUNIT_TEST(testStanSubscribeEmptyHandler);
	CPPUNIT_TEST(testStanDurableQueueNameColon);
	CPPUNIT_TEST(testStanDuplicateDurable);
	CPPUNIT_TEST(testStanAckWaitZero);
	CPPUNIT_TEST(testStanMaxInflightZero);
	CPPUNIT_TEST(testStanStartSequenceZero);
	CPPUNIT_TEST(testStanPingMaxOutOne);
	CPPUNIT_TEST(testStanPingIntervalSubSecond);
	CPPUNIT_TEST(testStanBadNatsUrl);
	CPPUNIT_TEST(testStanUnreachableServer);
	CPPUNIT_TEST(testStanConnectTwice);
	// streaming server
	CPPUNIT_TEST(testServerEmptyClusterId);
	CPPUNIT_TEST(testServerClusterIdWithDot);
	CPPUNIT_TEST(testServerNegativeMaxChannels);
	CPPUNIT_TEST(testServerHbIntervalZero);
	CPPUNIT_TEST(testServerUnreachableNats);
	CPPUNIT_TEST(testServerStartTwice);
	CPPUNIT_TEST(testServerDuplicateClusterId);
	CPPUNIT_TEST(testServerTooManyChannels);
	CPPUNIT_TEST(testServerTooManySubscriptions);
	CPPUNIT_TEST_SUITE_END();

public:
	void tearDown() override
	{
		// CppUnit keeps every fixture object until the suite ends: release the processes now,
		// connections before servers
		_pStan.reset();
		_pConn.reset();
		_pFixture.reset();
		_pNats.reset();
	}

	// ---------------------------------------------------------------- core client

	void testCorePublishEmptySubject()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: invalid subject: empty", c.publish("", "x"));
	}

	void testCorePublishWildcard()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: invalid subject 'a.*': wildcards are not allowed when publishing",
			c.publish("a.*", "x"));
	}

	void testCorePublishFullWildcard()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: invalid subject '>': wildcards are not allowed when publishing",
			c.publish(">", "x"));
	}

	void testCorePublishEmptyToken()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: invalid subject 'a..b': empty token", c.publish("a..b", "x"));
	}

	void testCorePublishWhitespace()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: invalid subject 'a b': contains whitespace", c.publish("a b", "x"));
	}

	void testCorePublishBadReply()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: invalid reply subject 'r.': empty token",
			c.publishRequest("a", "r.", "x"));
	}

	void testCoreSubscribeEmptySubject()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: invalid subject: empty", c.subscribeSync(""));
	}

	void testCoreSubscribeFullWildcardNotLast()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: invalid subject 'a.>.b': '>' must be the last token",
			c.subscribeSync("a.>.b"));
	}

	void testCoreQueueWhitespace()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: invalid queue name 'q 1': contains whitespace",
			c.subscribeSync("a", "q 1"));
	}

	void testCorePayloadOverMax()
	{
		startNats("max_payload: 1024\n");
		Connection c(optionsFor(_pNats->url()));
		c.connect();
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1024), c.maxPayload());
		EXPECT_ERROR(MaxPayloadException, "nats: maximum payload exceeded (1025 > 1024 bytes)",
			c.publish("a", std::string(1025, 'x')));
		c.publish("a", std::string(1024, 'x')); // the limit itself is fine
		c.flush(Poco::Timespan(5, 0));
	}

	void testCorePublishAfterClose()
	{
		Connection& c = connected();
		c.close();
		EXPECT_ERROR(ConnectionClosedException, "nats: connection closed", c.publish("a", "x"));
	}

	void testCoreConnectAfterClose()
	{
		Connection& c = connected();
		c.close();
		EXPECT_ERROR(Poco::IllegalStateException, "nats: connection closed; create a new one", c.connect());
	}

	void testCoreConnectTwice()
	{
		Connection& c = connected();
		EXPECT_ERROR(Poco::IllegalStateException, "nats: already connected", c.connect());
	}

	void testCorePublishBeforeConnect()
	{
		Connection c(optionsFor("nats://127.0.0.1:4222"));
		EXPECT_ERROR(Poco::IllegalStateException, "nats: not connected (call connect() first)", c.publish("a", "x"));
	}

	void testCoreUnreachableServer()
	{
		const int port = closedPort();
		const std::string url = "nats://127.0.0.1:" + std::to_string(port);
		Options o = optionsFor(url);
		Connection c(o);
		EXPECT_ERROR(NoServerException, "nats: no server available for connection (tried " + url + "; last error: Connection refused)",
			c.connect());
	}

	void testCoreBadUrlPort()
	{
		Connection c(optionsFor("nats://127.0.0.1:notaport"));
		EXPECT_ERROR(Poco::InvalidArgumentException, "Options.servers: malformed server URL 'nats://127.0.0.1:notaport': bad port 'notaport'",
			c.connect());
	}

	void testCoreBadUrlEmpty()
	{
		Connection c(optionsFor(""));
		EXPECT_ERROR(Poco::InvalidArgumentException, "Options.servers: malformed server URL '': empty", c.connect());
	}

	void testCoreEmptyServerList()
	{
		Options o;
		o.servers.clear();
		Connection c(o);
		EXPECT_ERROR(Poco::InvalidArgumentException, "Options.servers: at least one URL is required", c.connect());
	}

	void testCoreTlsCaFileMissing()
	{
		startNats();
		Options o = optionsFor(_pNats->url());
		o.secure = true;
		o.tlsCaFile = "/nonexistent/ca.pem";
		Connection c(o);
		EXPECT_ERROR(TLSException, "nats: TLS configuration invalid (tlsCaFile / tlsCertFile / tlsKeyFile): File not found: /nonexistent/ca.pem", c.connect());
	}

	void testCoreTlsCaFileGarbage()
	{
		startNats();
		Options o = optionsFor(_pNats->url());
		o.secure = true;
		o.tlsCaFile = writeTemp("this is not a PEM file\n");
		Connection c(o);
		// the tail is OpenSSL's own text
		EXPECT_ERROR_AROUND(TLSException, "nats: TLS configuration invalid (tlsCaFile / tlsCertFile / tlsKeyFile): SSL context exception: Cannot load CA file/directory at "
			+ o.tlsCaFile + ": ", "", c.connect());
	}

	void testCoreConnectTimeoutZero()
	{
		Options o = optionsFor("nats://127.0.0.1:4222");
		o.connectTimeout = 0;
		Connection c(o);
		EXPECT_ERROR(Poco::InvalidArgumentException, "Options.connectTimeout: must be > 0", c.connect());
	}

	void testCoreDispatcherThreadsZero()
	{
		Options o = optionsFor("nats://127.0.0.1:4222");
		o.dispatcherThreads = 0;
		Connection c(o);
		EXPECT_ERROR(Poco::InvalidArgumentException, "Options.dispatcherThreads: must be >= 1", c.connect());
	}

	void testCorePendingLimitsZero()
	{
		Connection& c = connected();
		Subscription s = c.subscribeSync("a");
		EXPECT_ERROR(Poco::InvalidArgumentException, "pending limits must not be 0 (negative = unlimited)", s.setPendingLimits(0, 100));
	}

	void testCoreNextMessageOnAsync()
	{
		Connection& c = connected();
		Subscription s = c.subscribe("a", [](const Message&) {});
		EXPECT_ERROR(Poco::IllegalStateException, "nextMessage() needs a synchronous subscription (subscribeSync)",
			s.nextMessage(Poco::Timespan(0, 1000)));
	}

	void testCoreAutoUnsubscribeZero()
	{
		Connection& c = connected();
		Subscription s = c.subscribeSync("a");
		EXPECT_ERROR(Poco::InvalidArgumentException, "nats: autoUnsubscribe needs max > 0", s.autoUnsubscribe(0));
	}

	// ---------------------------------------------------------------- streaming client

	void testStanEmptyClusterId()
	{
		StanConnection sc("", "me", stanOptions("nats://127.0.0.1:4222"));
		EXPECT_ERROR(Poco::InvalidArgumentException, "stan: cluster ID must not be empty", sc.connect());
	}

	void testStanEmptyClientId()
	{
		StanConnection sc("test-cluster", "", stanOptions("nats://127.0.0.1:4222"));
		EXPECT_ERROR(Poco::InvalidArgumentException, "stan: client ID must not be empty", sc.connect());
	}

	void testStanInvalidClientId()
	{
		Test::StanServerFixture& f = stan();
		StanConnection sc(f.clusterId(), "bad id", stanOptions(f.natsUrl()));
		EXPECT_ERROR(StanConnectException, "stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed", sc.connect());
	}

	void testStanWrongClusterId()
	{
		Test::StanServerFixture& f = stan();
		StanOptions o = stanOptions(f.natsUrl());
		o.connectWait = Poco::Timespan(0, 300000);
		StanConnection sc(Test::uniqueName("no-such-cluster"), Test::uniqueName("c"), o);
		EXPECT_ERROR(StanConnectTimeoutException, "stan: connect request timeout (possibly wrong cluster ID?)", sc.connect());
		CPPUNIT_ASSERT(sc.status() == StanConnection::Status::DISCONNECTED);
	}

	void testStanDuplicateClientId()
	{
		Test::StanServerFixture& f = stan();
		const std::string id = Test::uniqueName("dup");
		StanConnection first(f.clusterId(), id, stanOptions(f.natsUrl()));
		first.connect();
		StanConnection second(f.clusterId(), id, stanOptions(f.natsUrl()));
		EXPECT_ERROR(StanClientIDRegisteredException, "stan: clientID already registered", second.connect());
		first.publish(Test::uniqueName("ch"), "still works");
	}

	void testStanPublishEmptyChannel()
	{
		StanConnection& sc = stanConnected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "stan: channel must not be empty", sc.publish("", "x"));
	}

	void testStanPublishWildcardChannel()
	{
		StanConnection& sc = stanConnected();
		// Checked by the client before anything is sent (a released server would answer
		// "stan: invalid publish request" after a round trip), on both publish calls.
		const std::string rule = "': no '*', '>' or '/', no empty token, no leading or trailing '.'";
		EXPECT_ERROR(Poco::InvalidArgumentException, "stan: invalid channel 'foo.*" + rule, sc.publish("foo.*", "x"));
		EXPECT_ERROR(Poco::InvalidArgumentException, "stan: invalid channel 'a..b" + rule,
			sc.publishAsync("a..b", "x", [](const std::string&, const std::string&) {}));
		EXPECT_ERROR(Poco::InvalidArgumentException, "stan: invalid channel 'a/b" + rule, sc.publish("a/b", "x"));
	}

	void testStanPublishOverMax()
	{
		Test::StanServerFixture& f = stan();
		StanConnection sc(f.clusterId(), Test::uniqueName("c"), stanOptions(f.natsUrl()));
		sc.connect();
		const std::int64_t max = sc.natsConnection().maxPayload();
		// the PubMsg envelope (client ID, guid, channel) counts toward max_payload
		EXPECT_ERROR_AROUND(MaxPayloadException, "nats: maximum payload exceeded (", " > " + std::to_string(max) + " bytes)",
			sc.publish("ch", std::string(static_cast<std::size_t>(max), 'x')));
		sc.publish("ch", std::string(static_cast<std::size_t>(max) - 200, 'x')); // room for the envelope
	}

	void testStanPublishAfterClose()
	{
		StanConnection& sc = stanConnected();
		sc.close();
		EXPECT_ERROR(ConnectionClosedException, "stan: connection closed", sc.publish("ch", "x"));
	}

	void testStanSubscribeEmptyChannel()
	{
		StanConnection& sc = stanConnected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "stan: channel must not be empty", (void) sc.subscribe("", [](const StanMessage&) {}));
	}

	void testStanSubscribeWildcardChannel()
	{
		StanConnection& sc = stanConnected();
		EXPECT_ERROR(StanSubscriptionException, "stan: invalid subject", (void) sc.subscribe("foo.>", [](const StanMessage&) {}));
	}

	void testStanSubscribeEmptyHandler()
	{
		StanConnection& sc = stanConnected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "stan: message handler must not be empty", (void) sc.subscribe("ch", StanMessageHandler()));
	}

	void testStanDurableQueueNameColon()
	{
		StanConnection& sc = stanConnected();
		EXPECT_ERROR(StanSubscriptionException, "stan: durable name of a durable queue subscriber can't contain the character ':'",
			(void) sc.queueSubscribe("ch", "g", [](const StanMessage&) {}, StanSubscriptionOptions().setDurableName("a:b")));
	}

	void testStanDuplicateDurable()
	{
		StanConnection& sc = stanConnected();
		StanSubscription first = sc.subscribe("ch", [](const StanMessage&) {}, StanSubscriptionOptions().setDurableName("d"));
		EXPECT_ERROR(StanSubscriptionException, "stan: duplicate durable registration",
			(void) sc.subscribe("ch", [](const StanMessage&) {}, StanSubscriptionOptions().setDurableName("d")));
	}

	void testStanAckWaitZero()
	{
		StanConnection& sc = stanConnected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "StanSubscriptionOptions.ackWait must be >= 1 s",
			(void) sc.subscribe("ch", [](const StanMessage&) {}, StanSubscriptionOptions().setAckWait(0)));
	}

	void testStanMaxInflightZero()
	{
		StanConnection& sc = stanConnected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "StanSubscriptionOptions.maxInflight must be >= 1",
			(void) sc.subscribe("ch", [](const StanMessage&) {}, StanSubscriptionOptions().setMaxInflight(0)));
	}

	void testStanStartSequenceZero()
	{
		StanConnection& sc = stanConnected();
		EXPECT_ERROR(Poco::InvalidArgumentException, "StanSubscriptionOptions.startSequence must be >= 1",
			(void) sc.subscribe("ch", [](const StanMessage&) {}, StanSubscriptionOptions().startAtSequence(0)));
	}

	void testStanPingMaxOutOne()
	{
		StanOptions o = stanOptions("nats://127.0.0.1:4222");
		o.pingMaxOut = 1;
		StanConnection sc("test-cluster", "me", o);
		EXPECT_ERROR(Poco::InvalidArgumentException, "StanOptions.pingMaxOut must be >= 2", sc.connect());
	}

	void testStanPingIntervalSubSecond()
	{
		StanOptions o = stanOptions("nats://127.0.0.1:4222");
		o.pingInterval = Poco::Timespan(0, 500000);
		StanConnection sc("test-cluster", "me", o);
		EXPECT_ERROR(Poco::InvalidArgumentException, "StanOptions.pingInterval must be >= 1 s", sc.connect());
	}

	void testStanBadNatsUrl()
	{
		StanConnection sc("test-cluster", "me", stanOptions("nats://127.0.0.1:99999"));
		EXPECT_ERROR(Poco::InvalidArgumentException, "Options.servers: malformed server URL 'nats://127.0.0.1:99999': bad port '99999'", sc.connect());
	}

	void testStanUnreachableServer()
	{
		const std::string url = "nats://127.0.0.1:" + std::to_string(closedPort());
		StanConnection sc("test-cluster", "me", stanOptions(url));
		EXPECT_ERROR(NoServerException, "nats: no server available for connection (tried " + url + "; last error: Connection refused)",
			sc.connect());
		CPPUNIT_ASSERT(sc.status() == StanConnection::Status::DISCONNECTED);
	}

	void testStanConnectTwice()
	{
		StanConnection& sc = stanConnected();
		EXPECT_ERROR(Poco::IllegalStateException, "stan: already connected", sc.connect());
	}

	// ---------------------------------------------------------------- streaming server

	void testServerEmptyClusterId()
	{
		EXPECT_START_REJECTED(o.clusterId = "", "StanServerOptions.clusterId must be a non-empty subject token (no '.', '*', '>' or whitespace)");
	}

	void testServerClusterIdWithDot()
	{
		EXPECT_START_REJECTED(o.clusterId = "a.b", "StanServerOptions.clusterId must be a non-empty subject token (no '.', '*', '>' or whitespace): a.b");
	}

	void testServerNegativeMaxChannels()
	{
		EXPECT_START_REJECTED(o.maxChannels = -1, "StanServerOptions.maxChannels must be >= 0 (0 = unlimited)");
	}

	void testServerHbIntervalZero()
	{
		EXPECT_START_REJECTED(o.hbInterval = 0, "StanServerOptions.hbInterval must be > 0");
	}

	void testServerUnreachableNats()
	{
		StanServerOptions o;
		o.natsUrl = "nats://127.0.0.1:" + std::to_string(closedPort());
		StanServer s(o);
		EXPECT_ERROR(NoServerException, "nats: no server available for connection (tried " + o.natsUrl + "; last error: Connection refused)",
			s.start());
		CPPUNIT_ASSERT(!s.isRunning());
	}

	void testServerStartTwice()
	{
		Test::StanServerFixture& f = stan();
		if (!f.stanServer()) Test::skip("external mode: no in-process server");
		EXPECT_ERROR(Poco::IllegalStateException, "StanServer is already started", f.stanServer()->start());
	}

	void testServerDuplicateClusterId()
	{
		Test::StanServerFixture& f = stan();
		if (!f.stanServer()) Test::skip("external mode: no in-process server");
		StanServer second(f.options());
		EXPECT_ERROR(Poco::IllegalStateException, "discovered another streaming server with cluster ID \"" + f.clusterId() + "\"",
			second.start());
		CPPUNIT_ASSERT(!second.isRunning());
		// the first one still serves
		StanConnection& sc = stanConnected();
		sc.publish("ch", "x");
	}

	void testServerTooManyChannels()
	{
		StanServerOptions so;
		so.maxChannels = 1;
		Test::StanServerFixture& f = stan(so);
		Test::skipIfExternal("needs a server with maxChannels = 1");
		StanConnection& sc = stanConnected();
		sc.publish("one", "x");
		EXPECT_ERROR(StanPublishException, "too many channels", sc.publish("two", "x"));
		EXPECT_ERROR(StanSubscriptionException, "too many channels", (void) sc.subscribe("three", [](const StanMessage&) {}));
		(void) f;
	}

	void testServerTooManySubscriptions()
	{
		StanServerOptions so;
		so.maxSubscriptions = 1;
		stan(so);
		Test::skipIfExternal("needs a server with maxSubscriptions = 1");
		StanConnection& sc = stanConnected();
		StanSubscription first = sc.subscribe("ch", [](const StanMessage&) {});
		EXPECT_ERROR(StanSubscriptionException, "too many subscriptions per channel",
			(void) sc.subscribe("ch", [](const StanMessage&) {}));
	}

private:
	static Options optionsFor(const std::string& url)
	{
		Options o;
		o.servers = {url};
		o.allowReconnect = false;
		o.connectTimeout = Poco::Timespan(2, 0);
		return o;
	}

	static StanOptions stanOptions(const std::string& url)
	{
		StanOptions o;
		o.natsUrl = url;
		return o;
	}

	void startNats(const std::string& config = std::string())
	{
		Test::skipIfExternal("needs its own nats-server");
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
		_pNats.reset(new Test::NatsServerProcess());
		if (!config.empty()) _pNats->setConfig(config);
		_pNats->start();
	}

	/// A connected core connection to a fresh nats-server (or NATS_URL).
	Connection& connected()
	{
		std::string url;
		_pNats = Test::startNatsServerUnlessExternal(url);
		_pConn.reset(new Connection(optionsFor(url)));
		_pConn->connect();
		return *_pConn;
	}

	Test::StanServerFixture& stan(const StanServerOptions& options = StanServerOptions())
	{
		if (!_pFixture) _pFixture.reset(new Test::StanServerFixture(options));
		return *_pFixture;
	}

	/// A connected streaming connection with a unique client ID.
	StanConnection& stanConnected()
	{
		Test::StanServerFixture& f = stan();
		if (!_pStan)
		{
			_pStan.reset(new StanConnection(f.clusterId(), Test::uniqueName("c"), stanOptions(f.natsUrl())));
			_pStan->connect();
		}
		return *_pStan;
	}

	// destruction order: connections before servers
	std::unique_ptr<Test::NatsServerProcess> _pNats;
	std::unique_ptr<Test::StanServerFixture> _pFixture;
	std::unique_ptr<Connection> _pConn;
	std::unique_ptr<StanConnection> _pStan;
};

CPPUNIT_TEST_SUITE_REGISTRATION(BadInputTest);
