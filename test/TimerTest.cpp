//
// TimerTest.cpp
//
// The one timer of client and server: deadline order, cancellation, tasks scheduling tasks,
// stop with pending tasks, restart, stop from a task, the OS thread name.
//

#include "core/Timer.h"
#include "core/ThreadName.h"
#include "TestUtil.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Nats::Timer;

class TimerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TimerTest);
	CPPUNIT_TEST(testOrder);
	CPPUNIT_TEST(testCancel);
	CPPUNIT_TEST(testTaskSchedulesTask);
	CPPUNIT_TEST(testStopDropsPending);
	CPPUNIT_TEST(testTimespanOrderAndCancel);
	CPPUNIT_TEST(testStopFromTask);
	CPPUNIT_TEST(testThreadName);
	CPPUNIT_TEST_SUITE_END();

public:
	void testOrder()
	{
		Timer timer("test-timer");
		timer.start();
		std::mutex m;
		std::vector<int> order;
		auto add = [&](int v) { std::lock_guard<std::mutex> l(m); order.push_back(v); };
		auto now = Timer::Clock::now();
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
		Timer timer("test-timer");
		timer.start();
		std::atomic<int> ran{0};
		Timer::Id a = timer.scheduleAfter(std::chrono::milliseconds(20), [&] { ran += 1; });
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
		Timer timer("test-timer");
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
		Timer timer("test-timer");
		timer.start();
		std::atomic<bool> ran{false};
		timer.scheduleAfter(std::chrono::hours(1), [&] { ran = true; });
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), timer.pending());
		timer.stop();
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), timer.pending());
		CPPUNIT_ASSERT(!ran.load());
		timer.stop(); // idempotent
		CPPUNIT_ASSERT_EQUAL(Timer::Id(0), timer.scheduleAfter(std::chrono::milliseconds(1), [&] { ran = true; }));
		timer.start(); // restartable, nothing stale runs
		std::atomic<bool> fresh{false};
		CPPUNIT_ASSERT(timer.scheduleAfter(std::chrono::milliseconds(1), [&] { fresh = true; }) != 0);
		NATS_WAIT_FOR(fresh.load(), Poco::Timespan(5, 0));
		CPPUNIT_ASSERT(!ran.load());
	}
	void testTimespanOrderAndCancel()
	{
		Timer t("test-timer");
		t.start();
		std::mutex mutex;
		std::vector<int> order;
		auto add = [&](int v) {
			std::lock_guard<std::mutex> lock(mutex);
			order.push_back(v);
		};
		t.schedule(Poco::Timespan(0, 60000), [&]() { add(3); });
		Timer::Id cancelled = t.schedule(Poco::Timespan(0, 20000), [&]() { add(99); });
		t.schedule(Poco::Timespan(0, 10000), [&]() { add(1); });
		t.schedule(Poco::Timespan(0, 40000), [&]() { add(2); });
		CPPUNIT_ASSERT(t.cancel(cancelled));
		CPPUNIT_ASSERT(!t.cancel(cancelled));
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return order.size() == 3; })(), Poco::Timespan(5, 0));
		std::lock_guard<std::mutex> lock(mutex);
		CPPUNIT_ASSERT_EQUAL(1, order[0]);
		CPPUNIT_ASSERT_EQUAL(2, order[1]);
		CPPUNIT_ASSERT_EQUAL(3, order[2]);
		t.stop();
		CPPUNIT_ASSERT_EQUAL(Timer::Id(0), t.schedule(Poco::Timespan(0, 1), []() {}));
	}

	void testStopFromTask()
	{
		// The core client may close (and stop its timer) from a timer task: no self-join, no
		// further task, and a later stop() / start() from another thread joins the old thread.
		Timer timer("test-timer");
		timer.start();
		std::atomic<bool> stopped{false};
		std::atomic<bool> later{false};
		std::atomic<bool> current{false};
		timer.scheduleAfter(std::chrono::milliseconds(1), [&] {
			current = timer.isCurrent();
			timer.stop();
			stopped = true;
		});
		timer.scheduleAfter(std::chrono::milliseconds(30), [&] { later = true; });
		NATS_WAIT_FOR(stopped.load(), Poco::Timespan(5, 0));
		CPPUNIT_ASSERT(current.load());
		CPPUNIT_ASSERT(!timer.isCurrent());
		timer.start();
		std::atomic<bool> fresh{false};
		timer.scheduleAfter(std::chrono::milliseconds(1), [&] { fresh = true; });
		NATS_WAIT_FOR(fresh.load(), Poco::Timespan(5, 0));
		CPPUNIT_ASSERT(!later.load());
		timer.stop();
	}

	void testThreadName()
	{
		// Tasks run on a thread the OS knows by the timer's name (top -H, gdb, perf).
		Timer timer("nats-timer");
		timer.start();
		std::mutex m;
		std::string name;
		bool done = false;
		timer.scheduleAfter(std::chrono::milliseconds(0), [&] {
			std::lock_guard<std::mutex> l(m);
			name = Nats::currentThreadName();
			done = true;
		});
		NATS_WAIT_FOR([&] { std::lock_guard<std::mutex> l(m); return done; }(), Poco::Timespan(5, 0));
		std::lock_guard<std::mutex> l(m);
		CPPUNIT_ASSERT_EQUAL(std::string("nats-timer"), name);
		// Names longer than the OS limit are truncated, not refused.
		std::string before = Nats::currentThreadName();
		std::string truncated;
		std::thread t2([&] {
			Nats::setCurrentThreadName("a-very-long-thread-name");
			truncated = Nats::currentThreadName();
		});
		t2.join();
		CPPUNIT_ASSERT_EQUAL(std::string("a-very-long-thr"), truncated);
		CPPUNIT_ASSERT_EQUAL(before, Nats::currentThreadName());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(TimerTest);
