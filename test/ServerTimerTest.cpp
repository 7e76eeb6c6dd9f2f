//
// ServerTimerTest.cpp
//
// Deadline order, cancellation, tasks scheduling tasks, stop with pending tasks.
//

#include "server/ServerTimer.h"
#include "TestUtil.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <mutex>
#include <vector>

using Nats::ServerTimer;

class ServerTimerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ServerTimerTest);
	CPPUNIT_TEST(testOrder);
	CPPUNIT_TEST(testCancel);
	CPPUNIT_TEST(testTaskSchedulesTask);
	CPPUNIT_TEST(testStopDropsPending);
	CPPUNIT_TEST_SUITE_END();

public:
	void testOrder()
	{
		ServerTimer timer;
		timer.start();
		std::mutex m;
		std::vector<int> order;
		auto add = [&](int v) { std::lock_guard<std::mutex> l(m); order.push_back(v); };
		auto now = ServerTimer::Clock::now();
		timer.schedule(now + std::chrono::milliseconds(30), [&] { add(3); });
		timer.schedule(now + std::chrono::milliseconds(10), [&] { add(1); });
		timer.schedule(now + std::chrono::milliseconds(20), [&] { add(2); });
		timer.schedule(now + std::chrono::milliseconds(20), [&] { add(22); });
		NATS_WAIT_FOR([&] { std::lock_guard<std::mutex> l(m); return order.size() == 4; }(), Poco::Timespan(5, 0));
		std::lock_guard<std::mutex> l(m);
		CPPUNIT_ASSERT((order == std::vector<int>{1, 2, 22, 3}));
	}

	void testCancel()
	{
		ServerTimer timer;
		timer.start();
		std::atomic<int> ran{0};
		ServerTimer::Id a = timer.scheduleAfter(std::chrono::milliseconds(20), [&] { ran += 1; });
		timer.scheduleAfter(std::chrono::milliseconds(40), [&] { ran += 10; });
		CPPUNIT_ASSERT(timer.cancel(a));
		CPPUNIT_ASSERT(!timer.cancel(a));
		CPPUNIT_ASSERT(!timer.cancel(0));
		NATS_WAIT_FOR(ran.load() == 10, Poco::Timespan(5, 0));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), timer.pending());
		CPPUNIT_ASSERT_EQUAL(10, ran.load());
	}

	void testTaskSchedulesTask()
	{
		ServerTimer timer;
		timer.start();
		std::atomic<int> count{0};
		std::function<void()> task = [&] {
			if (++count < 5) timer.scheduleAfter(std::chrono::milliseconds(1), task);
		};
		timer.scheduleAfter(std::chrono::milliseconds(1), task);
		NATS_WAIT_FOR(count.load() == 5, Poco::Timespan(5, 0));
	}

	void testStopDropsPending()
	{
		ServerTimer timer;
		timer.start();
		std::atomic<bool> ran{false};
		timer.scheduleAfter(std::chrono::hours(1), [&] { ran = true; });
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), timer.pending());
		timer.stop();
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), timer.pending());
		CPPUNIT_ASSERT(!ran.load());
		timer.stop(); // idempotent
		CPPUNIT_ASSERT_EQUAL(ServerTimer::Id(0), timer.scheduleAfter(std::chrono::milliseconds(1), [&] { ran = true; }));
		timer.start(); // restartable, nothing stale runs
		std::atomic<bool> fresh{false};
		CPPUNIT_ASSERT(timer.scheduleAfter(std::chrono::milliseconds(1), [&] { fresh = true; }) != 0);
		NATS_WAIT_FOR(fresh.load(), Poco::Timespan(5, 0));
		CPPUNIT_ASSERT(!ran.load());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServerTimerTest);
