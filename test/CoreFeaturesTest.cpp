//
// CoreFeaturesTest.cpp
//
// Core connection features against scripted servers: the send deadline (a server that stops
// reading), ...
//

#include "FakeNatsServer.h"
#include "TestUtil.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <chrono>
#include <mutex>

using namespace Nats;
using Nats::Test::FakeNatsServer;

namespace {

const Poco::Timespan WAIT(5, 0);

Options fakeOptions(const FakeNatsServer& fake)
{
	Options o;
	o.servers = {fake.url()};
	o.connectTimeout = Poco::Timespan(1, 0);
	o.reconnectWait = Poco::Timespan(0, 20000);
	o.reconnectJitter = Poco::Timespan(0, 1000);
	o.maxReconnect = -1;
	return o;
}

} // namespace

class CoreFeaturesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(CoreFeaturesTest);
	CPPUNIT_TEST(testWriteDeadlineWhenServerStopsReading);
	CPPUNIT_TEST(testWriteDeadlineOption);
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
		Options o = fakeOptions(fake);
		o.writeDeadline = Poco::Timespan(0, 300000);
		o.errorHandler = [&](const Poco::Exception& e) {
			if (dynamic_cast<const WriteDeadlineException*>(&e)) ++deadlineErrors;
		};
		o.disconnectedHandler = [&]() { ++disconnects; };
		o.reconnectedHandler = [&]() { ++reconnects; };
		Connection conn(o);
		conn.connect();
		// (no flush(): this server answers no PING). Payloads of 512 KiB are written by the
		// publishing thread itself (direct writes), so the blocked send is this thread's.
		const std::string chunk(512 * 1024, 'x');
		auto start = std::chrono::steady_clock::now();
		bool thrown = false;
		std::string what;
		for (int i = 0; i < 4096 && !thrown; ++i) // at most 2 GiB: far more than any socket buffer
		{
			try
			{
				conn.publish("sink", chunk);
			}
			catch (WriteDeadlineException& e)
			{
				thrown = true;
				what = e.message();
			}
			catch (NatsException& e)
			{
				CPPUNIT_FAIL("publish " + std::to_string(i) + " failed with another error: " + e.displayText() + " / last error: " + conn.lastError());
			}
		}
		const auto elapsed = std::chrono::steady_clock::now() - start;
		CPPUNIT_ASSERT_MESSAGE("publish never hit the write deadline", thrown);
		CPPUNIT_ASSERT_MESSAGE(what, what.find("write deadline exceeded") != std::string::npos);
		// bounded by the deadline (plus the time to fill the buffers), far below stale detection
		CPPUNIT_ASSERT(elapsed < std::chrono::seconds(10));
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
};

CPPUNIT_TEST_SUITE_REGISTRATION(CoreFeaturesTest);
