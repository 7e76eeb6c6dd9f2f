//
// PubAckTrackerTest.cpp
//

#include "PubAckTrackerTest.h"
#include "PubAckTracker.h"
#include "TestUtil.h"
#include "Nats/Exception.h"
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

using Nats::PubAckTracker;

CPPUNIT_TEST_SUITE_REGISTRATION(PubAckTrackerTest);

namespace {

const Poco::Timespan LONG_WAIT(60, 0);
const Poco::Timespan NO_WAIT(0);

} // namespace

void PubAckTrackerTest::testCompleteOnce()
{
	PubAckTracker t(10, 0.5, LONG_WAIT);
	int calls = 0;
	CPPUNIT_ASSERT(t.add("g1", [&](const std::string&, const std::string&) { ++calls; }));
	CPPUNIT_ASSERT(t.add("g2", nullptr, Poco::Timespan(-1), true));
	CPPUNIT_ASSERT_EQUAL(2, t.inflight());
	PubAckTracker::Completion c;
	CPPUNIT_ASSERT(t.complete("g1", c));
	CPPUNIT_ASSERT_EQUAL(std::string("g1"), c.guid);
	CPPUNIT_ASSERT(!c.direct);
	c.callback(c.guid, "");
	CPPUNIT_ASSERT_EQUAL(1, calls);
	CPPUNIT_ASSERT(!t.complete("g1", c)); // a second ack for the same guid is ignored
	CPPUNIT_ASSERT(!t.complete("unknown", c));
	CPPUNIT_ASSERT(t.complete("g2", c));
	CPPUNIT_ASSERT(c.direct);
	CPPUNIT_ASSERT_EQUAL(0, t.inflight());
	CPPUNIT_ASSERT(t.add("g3", nullptr));
	CPPUNIT_ASSERT_THROW(t.add("g3", nullptr), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_EQUAL(1, t.inflight());
}

void PubAckTrackerTest::testExpireInOrder()
{
	PubAckTracker t(100, 0.5, LONG_WAIT);
	CPPUNIT_ASSERT(t.nextDeadline() == PubAckTracker::Clock::time_point::max());
	auto before = PubAckTracker::Clock::now();
	for (const char* g : {"a", "b", "c", "d"}) CPPUNIT_ASSERT(t.add(g, [](const std::string&, const std::string&) {}));
	PubAckTracker::Completion c;
	CPPUNIT_ASSERT(t.complete("b", c)); // removed from the middle of the deadline list
	std::vector<PubAckTracker::Completion> out;
	auto next = t.expire(PubAckTracker::Clock::now(), out);
	CPPUNIT_ASSERT(out.empty());
	CPPUNIT_ASSERT(next >= before + std::chrono::seconds(60));
	CPPUNIT_ASSERT(next == t.nextDeadline());
	next = t.expire(PubAckTracker::Clock::now() + std::chrono::seconds(61), out);
	CPPUNIT_ASSERT(next == PubAckTracker::Clock::time_point::max());
	CPPUNIT_ASSERT_EQUAL(std::size_t(3), out.size());
	CPPUNIT_ASSERT_EQUAL(std::string("a"), out[0].guid);
	CPPUNIT_ASSERT_EQUAL(std::string("c"), out[1].guid);
	CPPUNIT_ASSERT_EQUAL(std::string("d"), out[2].guid);
	CPPUNIT_ASSERT(out[0].callback);
	CPPUNIT_ASSERT_EQUAL(0, t.inflight());
	CPPUNIT_ASSERT(!t.complete("a", c)); // a late ack after the timeout is ignored
}

void PubAckTrackerTest::testWindowBlocksAndReleasesAtThreshold()
{
	PubAckTracker t(4, 0.5, LONG_WAIT); // resumes below 2
	for (const char* g : {"1", "2", "3", "4"}) CPPUNIT_ASSERT(t.add(g, nullptr, NO_WAIT));
	CPPUNIT_ASSERT(!t.add("x", nullptr, NO_WAIT)); // full
	PubAckTracker::Completion c;
	CPPUNIT_ASSERT(t.complete("1", c));
	CPPUNIT_ASSERT_EQUAL(3, t.inflight());
	CPPUNIT_ASSERT(!t.add("x", nullptr, NO_WAIT)); // stalled until below the threshold
	CPPUNIT_ASSERT(t.complete("2", c));
	CPPUNIT_ASSERT(!t.add("x", nullptr, NO_WAIT)); // 2 is not below 2
	CPPUNIT_ASSERT_EQUAL(2, t.inflight());

	std::atomic<bool> added{false};
	std::thread blocked([&]() {
		t.add("y", nullptr);
		added = true;
	});
	CPPUNIT_ASSERT(t.complete("3", c)); // 1 in flight: released
	NATS_WAIT_FOR(added.load(), Poco::Timespan(10, 0));
	blocked.join();
	CPPUNIT_ASSERT(t.add("z", nullptr, NO_WAIT)); // 3 in flight, window not full
	CPPUNIT_ASSERT(t.add("w", nullptr, NO_WAIT)); // 4
	CPPUNIT_ASSERT(!t.add("v", nullptr, NO_WAIT));
	CPPUNIT_ASSERT_EQUAL(4, t.inflight());

	PubAckTracker one(4, 1.0, LONG_WAIT); // percentage 1: resumes as soon as a slot is free
	for (const char* g : {"1", "2", "3", "4"}) CPPUNIT_ASSERT(one.add(g, nullptr, NO_WAIT));
	CPPUNIT_ASSERT(!one.add("x", nullptr, NO_WAIT));
	CPPUNIT_ASSERT(one.complete("4", c));
	CPPUNIT_ASSERT(one.add("x", nullptr, NO_WAIT));
}

void PubAckTrackerTest::testBoundedWaitTimesOut()
{
	PubAckTracker t(1, 0.5, LONG_WAIT);
	CPPUNIT_ASSERT(t.add("a", nullptr));
	CPPUNIT_ASSERT(!t.add("b", nullptr, Poco::Timespan(20 * Poco::Timespan::MILLISECONDS)));
	CPPUNIT_ASSERT_EQUAL(1, t.inflight());
	PubAckTracker::Completion c;
	CPPUNIT_ASSERT(!t.complete("b", c));
}

void PubAckTrackerTest::testCloseFailsAllAndWakesWaiters()
{
	PubAckTracker t(2, 0.5, LONG_WAIT);
	CPPUNIT_ASSERT(t.add("a", [](const std::string&, const std::string&) {}));
	CPPUNIT_ASSERT(t.add("b", [](const std::string&, const std::string&) {}));
	std::atomic<int> outcome{0};
	std::thread blocked([&]() {
		try
		{
			t.add("c", nullptr);
			outcome = 1;
		}
		catch (Nats::ConnectionClosedException& exc)
		{
			outcome = exc.message() == "stan: connection closed" ? 2 : 3;
		}
	});
	std::vector<PubAckTracker::Completion> out;
	t.close(out);
	blocked.join();
	CPPUNIT_ASSERT_EQUAL(2, outcome.load());
	CPPUNIT_ASSERT_EQUAL(std::size_t(2), out.size());
	CPPUNIT_ASSERT_EQUAL(std::string("a"), out[0].guid);
	CPPUNIT_ASSERT_EQUAL(std::string("b"), out[1].guid);
	CPPUNIT_ASSERT(t.isClosed());
	CPPUNIT_ASSERT_EQUAL(0, t.inflight());
	CPPUNIT_ASSERT_THROW(t.add("d", nullptr), Nats::ConnectionClosedException);
	PubAckTracker::Completion c;
	CPPUNIT_ASSERT(!t.complete("a", c)); // exactly once: no ack after the close failure
	out.clear();
	t.close(out);
	CPPUNIT_ASSERT(out.empty());
}

void PubAckTrackerTest::testRemove()
{
	PubAckTracker t(1, 1.0, LONG_WAIT);
	CPPUNIT_ASSERT(t.add("a", nullptr));
	CPPUNIT_ASSERT(t.remove("a"));
	CPPUNIT_ASSERT(!t.remove("a"));
	CPPUNIT_ASSERT(t.add("b", nullptr, NO_WAIT)); // the slot was released
}

void PubAckTrackerTest::testArmCallback()
{
	PubAckTracker t(10, 0.5, LONG_WAIT);
	int arms = 0;
	t.setArmCallback([&]() { ++arms; });
	CPPUNIT_ASSERT(t.add("a", nullptr));
	CPPUNIT_ASSERT_EQUAL(1, arms);
	CPPUNIT_ASSERT(t.add("b", nullptr));
	CPPUNIT_ASSERT_EQUAL(1, arms); // list was not empty
	PubAckTracker::Completion c;
	t.complete("a", c);
	t.complete("b", c);
	CPPUNIT_ASSERT(t.add("c", nullptr));
	CPPUNIT_ASSERT_EQUAL(2, arms);
}

void PubAckTrackerTest::testConcurrentExactlyOnce()
{
	// 4 producers against a window of 64; an acker completes the first 15000 entries, then closes
	// the tracker while producers are blocked: every registered entry must finish exactly once.
	const int producers = 4;
	const int perProducer = 5000;
	const int toAck = 15000;
	const int window = 64;
	PubAckTracker t(window, 0.5, LONG_WAIT);
	std::mutex m;
	std::deque<std::string> issued;
	std::vector<std::string> registered;
	std::map<std::string, int> calls;
	std::atomic<int> maxSeen{0};
	std::atomic<int> closedThrows{0};

	auto callback = [&](const std::string& g, const std::string&) {
		std::lock_guard<std::mutex> lock(m);
		++calls[g];
	};
	std::vector<std::thread> threads;
	for (int p = 0; p < producers; ++p)
	{
		threads.emplace_back([&, p]() {
			try
			{
				for (int i = 0; i < perProducer; ++i)
				{
					std::string g = std::to_string(p) + "-" + std::to_string(i);
					t.add(g, callback);
					int now = t.inflight();
					int prev = maxSeen.load();
					while (now > prev && !maxSeen.compare_exchange_weak(prev, now)) {}
					std::lock_guard<std::mutex> lock(m);
					issued.push_back(g);
					registered.push_back(g);
				}
			}
			catch (Nats::ConnectionClosedException&)
			{
				++closedThrows;
			}
		});
	}
	std::vector<PubAckTracker::Completion> rest;
	std::thread acker([&]() {
		int acked = 0;
		while (acked < toAck)
		{
			std::string g;
			{
				std::lock_guard<std::mutex> lock(m);
				if (!issued.empty())
				{
					g = issued.front();
					issued.pop_front();
				}
			}
			if (g.empty())
			{
				std::this_thread::yield();
				continue;
			}
			PubAckTracker::Completion c;
			if (t.complete(g, c))
			{
				c.callback(c.guid, "");
				++acked;
			}
		}
		t.close(rest);
	});
	acker.join();
	for (auto& th : threads) th.join();
	for (auto& c : rest) c.callback(c.guid, "stan: connection closed");
	CPPUNIT_ASSERT_EQUAL(registered.size(), calls.size());
	for (const auto& kv : calls) CPPUNIT_ASSERT_EQUAL_MESSAGE(kv.first, 1, kv.second);
	CPPUNIT_ASSERT(registered.size() >= std::size_t(toAck));
	CPPUNIT_ASSERT(registered.size() < std::size_t(producers * perProducer));
	CPPUNIT_ASSERT(closedThrows.load() >= 1); // at most toAck + window entries fit before the close
	CPPUNIT_ASSERT(maxSeen.load() <= window);
}
