//
// FaultTest.cpp
//
// Faults against real processes (#11), core NATS only:
//   - a slow consumer with pending limits: drops counted, reported once per episode, the queue
//     never grows past the limit.
// The streaming faults (nats-server killed, stopped, restarted; the streaming state lost or
// kept) run on both backends in StanFaultTest.cpp.
//

#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Event.h>
#include <atomic>
#include <iostream>
#include <mutex>

using namespace Nats;

namespace {

const Poco::Timespan WAIT(20, 0);

} // namespace

class FaultTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FaultTest);
	CPPUNIT_TEST(testSlowConsumerEpisodes);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
	}

	void testSlowConsumerEpisodes()
	{
		std::string url;
		std::unique_ptr<Test::NatsServerProcess> server = Test::startNatsServerUnlessExternal(url);
		std::atomic<int> slowReports{0};
		std::string slowText;
		std::mutex m;
		Options o;
		o.servers = {url};
		o.errorHandler = [&](const Poco::Exception& e) {
			if (!dynamic_cast<const SlowConsumerException*>(&e)) return;
			std::lock_guard<std::mutex> lock(m);
			slowText = e.message();
			++slowReports;
		};
		Connection sub(o);
		sub.connect();
		Connection pub(o);
		pub.connect();
		const std::string subject = Test::uniqueName("slow");

		Poco::Event release(Poco::Event::EVENT_MANUALRESET);
		std::atomic<int> handled{0};
		std::atomic<bool> blockNext{true};
		Subscription s = sub.subscribe(subject, [&](const Message&) {
			if (blockNext.exchange(false)) release.wait();
			++handled;
		});
		const int LIMIT = 50;
		s.setPendingLimits(LIMIT, -1);
		sub.flush(WAIT);

		auto burst = [&](int n) {
			for (int i = 0; i < n; ++i) pub.publish(subject, "x");
			pub.flush(WAIT);
			sub.flush(WAIT); // every message of the burst has reached our reader
		};

		// episode 1: the handler is blocked on the first message
		burst(1000);
		CPPUNIT_ASSERT(s.pendingMessages() <= LIMIT);
		const std::uint64_t dropped1 = s.dropped();
		CPPUNIT_ASSERT(dropped1 >= static_cast<std::uint64_t>(1000 - LIMIT - 1));
		NATS_WAIT_FOR(slowReports.load() == 1, WAIT);
		release.set();
		NATS_WAIT_FOR(handled.load() == static_cast<int>(1000 - dropped1), WAIT);
		CPPUNIT_ASSERT_EQUAL(1, slowReports.load()); // once per episode, not per dropped message
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1000), s.delivered() + s.dropped());

		// episode 2: blocked again, another burst: reported once more
		release.reset();
		blockNext = true;
		burst(1000);
		CPPUNIT_ASSERT(s.pendingMessages() <= LIMIT);
		NATS_WAIT_FOR(slowReports.load() == 2, WAIT);
		release.set();
		NATS_WAIT_FOR(handled.load() == static_cast<int>(2000 - s.dropped()), WAIT);
		CPPUNIT_ASSERT_EQUAL(2, slowReports.load());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2000), s.delivered() + s.dropped());
		{
			std::lock_guard<std::mutex> lock(m);
			CPPUNIT_ASSERT_EQUAL("nats: slow consumer, messages dropped on '" + subject + "'", slowText);
		}
		std::cout << "\n    slow consumer: " << s.dropped() << " of 2000 dropped, " << slowReports.load()
			<< " reports in 2 episodes" << std::endl;
		sub.close();
		pub.close();
	}

};

CPPUNIT_TEST_SUITE_REGISTRATION(FaultTest);
