//
// StanServerTest.cpp
//
// StanServer / StanServerOptions: defaults, validation, start/stop life cycle, refusal to run
// beside another server with the same cluster ID, no libprotobuf log line for a request with a
// string field that is not UTF-8.
//

#include "Nats/StanServer.h"
#include "Nats/Exception.h"
#include "Nats/Connection.h"
#include "NatsServerProcess.h"
#include "StanServerFixture.h"
#include "TestUtil.h"
#include "protocol.pb.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Exception.h>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

using namespace Nats;
using namespace Nats::Test;

namespace {

/// Sends what the process writes to file descriptor 2 into a temporary file until finish().
class StderrCapture
{
public:
	StderrCapture()
	{
		char name[] = "/tmp/natscpp-stderr-XXXXXX";
		_fd = mkstemp(name);
		CPPUNIT_ASSERT(_fd >= 0);
		unlink(name);
		std::fflush(stderr);
		_saved = dup(2);
		dup2(_fd, 2);
	}

	~StderrCapture() { finish(); }

	/// Restores fd 2 and returns what was written meanwhile.
	std::string finish()
	{
		if (_saved < 0) return _text;
		std::fflush(stderr);
		dup2(_saved, 2);
		close(_saved);
		_saved = -1;
		lseek(_fd, 0, SEEK_SET);
		char buf[4096];
		ssize_t n;
		while ((n = read(_fd, buf, sizeof(buf))) > 0) _text.append(buf, static_cast<std::size_t>(n));
		close(_fd);
		return _text;
	}

private:
	int _fd = -1;
	int _saved = -1;
	std::string _text;
};

} // namespace

class StanServerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanServerTest);
	CPPUNIT_TEST(testDefaults);
	CPPUNIT_TEST(testValidate);
	CPPUNIT_TEST(testStartStop);
	CPPUNIT_TEST(testStartWithoutNats);
	CPPUNIT_TEST(testDuplicateServerRefused);
	CPPUNIT_TEST(testNonUtf8RequestAnsweredWithoutLog);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDefaults()
	{
		StanServerOptions o;
		CPPUNIT_ASSERT_EQUAL(std::string("test-cluster"), o.clusterId);
		CPPUNIT_ASSERT_EQUAL(std::string("nats://127.0.0.1:4222"), o.natsUrl);
		CPPUNIT_ASSERT_EQUAL(std::string("_STAN.discover"), o.discoverPrefix);
		CPPUNIT_ASSERT_EQUAL(100, o.maxChannels);
		CPPUNIT_ASSERT_EQUAL(1000, o.maxSubscriptions);
		CPPUNIT_ASSERT_EQUAL(1000000, o.maxMsgs);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1024000000), o.maxBytes);
		CPPUNIT_ASSERT(o.maxAge == 0);
		CPPUNIT_ASSERT(o.hbInterval == Poco::Timespan(30, 0));
		CPPUNIT_ASSERT(o.hbTimeout == Poco::Timespan(10, 0));
		CPPUNIT_ASSERT_EQUAL(10, o.hbFailCount);
		CPPUNIT_ASSERT(!o.debug);
		CPPUNIT_ASSERT(!o.trace);
		o.validate();
	}

	void testValidate()
	{
		auto invalid = [](const std::function<void(StanServerOptions&)>& change) {
			StanServerOptions o;
			change(o);
			CPPUNIT_ASSERT_THROW(o.validate(), Poco::InvalidArgumentException);
		};
		invalid([](StanServerOptions& o) { o.clusterId = ""; });
		invalid([](StanServerOptions& o) { o.clusterId = "a.b"; });
		invalid([](StanServerOptions& o) { o.clusterId = "a b"; });
		invalid([](StanServerOptions& o) { o.discoverPrefix = ""; });
		invalid([](StanServerOptions& o) { o.maxChannels = -1; });
		invalid([](StanServerOptions& o) { o.maxSubscriptions = -1; });
		invalid([](StanServerOptions& o) { o.maxMsgs = -1; });
		invalid([](StanServerOptions& o) { o.maxBytes = -1; });
		invalid([](StanServerOptions& o) { o.maxAge = -1; });
		invalid([](StanServerOptions& o) { o.hbInterval = 0; });
		invalid([](StanServerOptions& o) { o.hbTimeout = 0; });
		invalid([](StanServerOptions& o) { o.hbFailCount = -1; });
		StanServer server([] { StanServerOptions o; o.clusterId = "bad.id"; return o; }());
		CPPUNIT_ASSERT_THROW(server.start(), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT(!server.isRunning());
	}

	void testStartStop()
	{
		skipIfExternal("starts its own streaming servers");
		NatsServerProcess nats;
		nats.start();
		StanServerOptions o;
		o.natsUrl = nats.url();
		StanServer server(o);
		CPPUNIT_ASSERT(!server.isRunning());
		server.start();
		CPPUNIT_ASSERT(server.isRunning());
		CPPUNIT_ASSERT_THROW(server.start(), Poco::IllegalStateException);
		server.stop();
		CPPUNIT_ASSERT(!server.isRunning());
		server.stop(); // idempotent
		server.start(); // restartable, with empty state
		CPPUNIT_ASSERT(server.isRunning());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), server.numChannels());
	}

	void testStartWithoutNats()
	{
		StanServerOptions o;
		o.natsUrl = "nats://127.0.0.1:" + std::to_string(freePort());
		StanServer server(o);
		CPPUNIT_ASSERT_THROW(server.start(), NoServerException);
		CPPUNIT_ASSERT(!server.isRunning());
	}

	void testDuplicateServerRefused()
	{
		skipIfExternal("starts its own streaming servers");
		NatsServerProcess nats;
		nats.start();
		StanServerOptions o;
		o.natsUrl = nats.url();
		o.clusterId = uniqueName("dupsrv");
		StanServer first(o);
		first.start();
		StanServer second(o);
		try
		{
			second.start();
			CPPUNIT_FAIL("a second server with the same cluster ID started");
		}
		catch (Poco::IllegalStateException& e)
		{
			CPPUNIT_ASSERT(e.message().find("another streaming server") != std::string::npos);
		}
		CPPUNIT_ASSERT(!second.isRunning());
		CPPUNIT_ASSERT(first.isRunning());
		// The probe's session on the first server was closed again.
		CPPUNIT_ASSERT(waitFor([&] { return first.numClients() == 0; }, Poco::Timespan(5, 0)));
		// Another cluster ID on the same NATS is fine.
		o.clusterId = uniqueName("othersrv");
		StanServer third(o);
		third.start();
		CPPUNIT_ASSERT(third.isRunning());
	}

	void testNonUtf8RequestAnsweredWithoutLog()
	{
		// libprotobuf refuses a proto3 string field that is not UTF-8 and logs an ERROR line for
		// it; the Go server only answers the error. A client sending many such requests must not
		// fill the server's log: the answer stays, the line goes.
		skipIfExternal("starts its own streaming server");
		StanServerFixture fixture;
		Options ro;
		ro.servers = {fixture.natsUrl()};
		Connection raw(ro);
		raw.connect();
		// PubMsg{guid: "g-1", subject: "\xff\xfe"} by hand: the C++ encoder would log as well.
		const std::string bad = std::string("\x12\x03g-1\x1a\x02\xff\xfe", 9);
		natsstan::PubAck ack;
		std::string logged;
		{
			StderrCapture capture;
			Message reply = raw.request("_STAN.pub." + fixture.clusterId() + ".x", bad, Poco::Timespan(10, 0));
			logged = capture.finish();
			CPPUNIT_ASSERT(ack.ParseFromString(reply.data()));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid publish request"), ack.error());
		CPPUNIT_ASSERT_MESSAGE(logged, logged.find("UTF-8") == std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanServerTest);
