//
// StanServerTest.cpp
//
// StanServer / StanServerOptions: defaults, validation, start/stop life cycle, refusal to run
// beside another server with the same cluster ID.
//

#include "Nats/StanServer.h"
#include "Nats/Exception.h"
#include "Nats/Connection.h"
#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "protocol.pb.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Exception.h>

using namespace Nats;
using namespace Nats::Test;

class StanServerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanServerTest);
	CPPUNIT_TEST(testDefaults);
	CPPUNIT_TEST(testValidate);
	CPPUNIT_TEST(testStartStop);
	CPPUNIT_TEST(testStartWithoutNats);
	CPPUNIT_TEST(testDuplicateServerRefused);
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
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanServerTest);
