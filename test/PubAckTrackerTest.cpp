//
// PubAckTrackerTest.cpp
//

#include "PubAckTrackerTest.h"
#include "stan/PubAckTracker.h"
#include "TestUtil.h"
#include "Nats/Exception.h"
#include <atomic>
#include <deque>
#include <map>
#include <set>
#include <mutex>
#include <thread>
#include <vector>

using Nats::PubAckTracker;

CPPUNIT_TEST_SUITE_REGISTRATION(PubAckTrackerTest);

namespace {

const Poco::Timespan LONG_WAIT(60, 0);
const Poco::Timespan NO_WAIT(0);

} // namespace

namespace {

std::string add(PubAckTracker& t, PubAckTracker::Callback cb = nullptr, Poco::Timespan wait = Poco::Timespan(-1), bool direct = false)
{
	std::string g;
	if (!t.add(g, std::move(cb), wait, direct)) return std::string();
	return g;
}

} // namespace

void PubAckTrackerTest::testCompleteOnce()
{
	PubAckTracker t(10, 0.5, LONG_WAIT);
	int calls = 0;
	std::string g1 = add(t, [&](const std::string&, const std::string&) { ++calls; });
	std::string g2 = add(t, nullptr, Poco::Timespan(-1), true);
	CPPUNIT_ASSERT(!g1.empty() && !g2.empty() && g1 != g2);
	CPPUNIT_ASSERT(g1.size() <= 15); // fits std::string's small buffer
	CPPUNIT_ASSERT_EQUAL(t.guidPrefix(), g1.substr(0, t.guidPrefix().size()));
	CPPUNIT_ASSERT_EQUAL(2, t.inflight());
	PubAckTracker::Completion c;
	CPPUNIT_ASSERT(t.complete(g1, c));
	CPPUNIT_ASSERT_EQUAL(g1, c.guid);
	CPPUNIT_ASSERT(!c.direct);
	c.callback(c.guid, "");
	CPPUNIT_ASSERT_EQUAL(1, calls);
	CPPUNIT_ASSERT(!t.complete(g1, c)); // a second ack for the same guid is ignored
	CPPUNIT_ASSERT(!t.complete("unknown", c));
	CPPUNIT_ASSERT(!t.complete("", c));
	std::string foreign = g2;
	foreign[0] = foreign[0] == 'x' ? 'y' : 'x';
	CPPUNIT_ASSERT(!t.complete(foreign, c)); // another tracker's guid
	CPPUNIT_ASSERT(!t.complete(g2 + "0", c)); // never issued
	CPPUNIT_ASSERT(t.complete(g2, c));
	CPPUNIT_ASSERT(c.direct);
	CPPUNIT_ASSERT_EQUAL(0, t.inflight());
	PubAckTracker other(10, 0.5, LONG_WAIT);
	std::set<std::string> guids;
	for (int i = 0; i < 10000; ++i)
	{
		std::string g = add(other);
		CPPUNIT_ASSERT(guids.insert(g).second);
		CPPUNIT_ASSERT(other.complete(g, c));
	}
}

void PubAckTrackerTest::testExpireInOrder()
{
	PubAckTracker t(100, 0.5, LONG_WAIT);
	CPPUNIT_ASSERT(t.nextDeadline() == PubAckTracker::Clock::time_point::max());
	auto before = PubAckTracker::Clock::now();
	std::vector<std::string> g;
	for (int i = 0; i < 4; ++i) g.push_back(add(t, [](const std::string&, const std::string&) {}));
	PubAckTracker::Completion c;
	CPPUNIT_ASSERT(t.complete(g[1], c)); // removed from the middle
	std::vector<PubAckTracker::Completion> out;
	auto next = t.expire(PubAckTracker::Clock::now(), out);
	CPPUNIT_ASSERT(out.empty());
	CPPUNIT_ASSERT(next >= before + std::chrono::seconds(60) - std::chrono::milliseconds(50)); // coarse clock
	CPPUNIT_ASSERT(next == t.nextDeadline());
	next = t.expire(PubAckTracker::Clock::now() + std::chrono::seconds(61), out);
	CPPUNIT_ASSERT(next == PubAckTracker::Clock::time_point::max());
	CPPUNIT_ASSERT_EQUAL(std::size_t(3), out.size());
	CPPUNIT_ASSERT_EQUAL(g[0], out[0].guid);
	CPPUNIT_ASSERT_EQUAL(g[2], out[1].guid);
	CPPUNIT_ASSERT_EQUAL(g[3], out[2].guid);
	CPPUNIT_ASSERT(out[0].callback);
	CPPUNIT_ASSERT_EQUAL(0, t.inflight());
	CPPUNIT_ASSERT(!t.complete(g[0], c)); // a late ack after the timeout is ignored
}

void PubAckTrackerTest::testWindowBlocksAndReleasesAtThreshold()
{
	PubAckTracker t(4, 0.5, LONG_WAIT); // resumes below 2
	std::vector<std::string> g;
	for (int i = 0; i < 4; ++i) g.push_back(add(t, nullptr, NO_WAIT));
	for (const auto& s : g) CPPUNIT_ASSERT(!s.empty());
	CPPUNIT_ASSERT(add(t, nullptr, NO_WAIT).empty()); // full
	PubAckTracker::Completion c;
	CPPUNIT_ASSERT(t.complete(g[0], c));
	CPPUNIT_ASSERT_EQUAL(3, t.inflight());
	CPPUNIT_ASSERT(add(t, nullptr, NO_WAIT).empty()); // stalled until below the threshold
	CPPUNIT_ASSERT(t.complete(g[1], c));
	CPPUNIT_ASSERT(add(t, nullptr, NO_WAIT).empty()); // 2 is not below 2
	CPPUNIT_ASSERT_EQUAL(2, t.inflight());

	std::atomic<bool> added{false};
	std::thread blocked([&]() {
		add(t);
		added = true;
	});
	CPPUNIT_ASSERT(t.complete(g[2], c)); // 1 in flight: released
	NATS_WAIT_FOR(added.load(), Poco::Timespan(10, 0));
	blocked.join();
	CPPUNIT_ASSERT(!add(t, nullptr, NO_WAIT).empty()); // 3 in flight, window not full
	CPPUNIT_ASSERT(!add(t, nullptr, NO_WAIT).empty()); // 4
	CPPUNIT_ASSERT(add(t, nullptr, NO_WAIT).empty());
	CPPUNIT_ASSERT_EQUAL(4, t.inflight());

	PubAckTracker one(4, 1.0, LONG_WAIT); // percentage 1: resumes as soon as a slot is free
	std::vector<std::string> h;
	for (int i = 0; i < 4; ++i) h.push_back(add(one, nullptr, NO_WAIT));
	CPPUNIT_ASSERT(add(one, nullptr, NO_WAIT).empty());
	CPPUNIT_ASSERT(one.complete(h[3], c));
	CPPUNIT_ASSERT(!add(one, nullptr, NO_WAIT).empty());
}

void PubAckTrackerTest::testBoundedWaitTimesOut()
{
	PubAckTracker t(1, 0.5, LONG_WAIT);
	CPPUNIT_ASSERT(!add(t).empty());
	std::string g;
	CPPUNIT_ASSERT(!t.add(g, nullptr, Poco::Timespan(20 * Poco::Timespan::MILLISECONDS)));
	CPPUNIT_ASSERT(g.empty());
	CPPUNIT_ASSERT_EQUAL(1, t.inflight());
}

void PubAckTrackerTest::testCloseFailsAllAndWakesWaiters()
{
	PubAckTracker t(2, 0.5, LONG_WAIT);
	std::string a = add(t, [](const std::string&, const std::string&) {});
	std::string b = add(t, [](const std::string&, const std::string&) {});
	std::atomic<int> outcome{0};
	std::thread blocked([&]() {
		try
		{
			add(t);
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
	CPPUNIT_ASSERT_EQUAL(a, out[0].guid);
	CPPUNIT_ASSERT_EQUAL(b, out[1].guid);
	CPPUNIT_ASSERT(t.isClosed());
	CPPUNIT_ASSERT_EQUAL(0, t.inflight());
	CPPUNIT_ASSERT_THROW(add(t), Nats::ConnectionClosedException);
	PubAckTracker::Completion c;
	CPPUNIT_ASSERT(!t.complete(a, c)); // exactly once: no ack after the close failure
	out.clear();
	t.close(out);
	CPPUNIT_ASSERT(out.empty());
}

void PubAckTrackerTest::testRemove()
{
	PubAckTracker t(1, 1.0, LONG_WAIT);
	std::string a = add(t);
	CPPUNIT_ASSERT(t.remove(a));
	CPPUNIT_ASSERT(!t.remove(a));
	CPPUNIT_ASSERT(!add(t, nullptr, NO_WAIT).empty()); // the slot was released
}

void PubAckTrackerTest::testArmCallback()
{
	PubAckTracker t(10, 0.5, LONG_WAIT);
	int arms = 0;
	t.setArmCallback([&]() { ++arms; });
	std::string a = add(t);
	CPPUNIT_ASSERT_EQUAL(1, arms);
	std::string b = add(t);
	CPPUNIT_ASSERT_EQUAL(1, arms); // was not empty
	PubAckTracker::Completion c;
	t.complete(a, c);
	t.complete(b, c);
	add(t);
	CPPUNIT_ASSERT_EQUAL(2, arms);
}

void PubAckTrackerTest::testOldEntryOverflow()
{
	// One entry stays pending while thousands of later ones complete: the ring must not grow
	// without bound, and the old entry must still be found, expired and closed correctly.
	PubAckTracker t(2, 1.0, LONG_WAIT);
	std::string stuck = add(t, [](const std::string&, const std::string&) {});
	PubAckTracker::Completion c;
	for (int i = 0; i < 5000; ++i)
	{
		std::string g = add(t, nullptr, NO_WAIT);
		CPPUNIT_ASSERT(!g.empty());
		CPPUNIT_ASSERT(t.complete(g, c));
	}
	CPPUNIT_ASSERT_EQUAL(1, t.inflight());
	std::string later = add(t, [](const std::string&, const std::string&) {});
	std::vector<PubAckTracker::Completion> out;
	t.expire(PubAckTracker::Clock::now() + std::chrono::seconds(61), out);
	CPPUNIT_ASSERT_EQUAL(std::size_t(2), out.size());
	CPPUNIT_ASSERT_EQUAL(stuck, out[0].guid); // oldest first
	CPPUNIT_ASSERT_EQUAL(later, out[1].guid);
	CPPUNIT_ASSERT_EQUAL(0, t.inflight());

	std::string stuck2 = add(t);
	for (int i = 0; i < 5000; ++i)
	{
		std::string g = add(t, nullptr, NO_WAIT);
		CPPUNIT_ASSERT(t.complete(g, c));
	}
	CPPUNIT_ASSERT(t.complete(stuck2, c)); // found in the overflow
	CPPUNIT_ASSERT_EQUAL(stuck2, c.guid);
	CPPUNIT_ASSERT_EQUAL(0, t.inflight());
	std::string stuck3 = add(t);
	for (int i = 0; i < 3000; ++i) t.complete(add(t, nullptr, NO_WAIT), c);
	std::string last = add(t);
	out.clear();
	t.close(out);
	CPPUNIT_ASSERT_EQUAL(std::size_t(2), out.size());
	CPPUNIT_ASSERT_EQUAL(stuck3, out[0].guid);
	CPPUNIT_ASSERT_EQUAL(last, out[1].guid);
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
		threads.emplace_back([&]() {
			try
			{
				for (int i = 0; i < perProducer; ++i)
				{
					std::string g;
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

void PubAckTrackerTest::testHeldSlotsUntilReleased()
{
	// holdSlots: a completed entry with a non-direct callback keeps its slot until release().
	PubAckTracker t(2, 1.0, LONG_WAIT, true);
	auto noop = [](const std::string&, const std::string&) {};
	std::string g1 = add(t, noop);
	std::string g2 = add(t, noop);
	std::string g3;
	PubAckTracker::Completion c1, c2;
	CPPUNIT_ASSERT(t.complete(g1, c1));
	CPPUNIT_ASSERT(c1.held);
	CPPUNIT_ASSERT_EQUAL(1, t.inflight());
	CPPUNIT_ASSERT_EQUAL(1, t.held());
	CPPUNIT_ASSERT(!t.add(g3, noop, Poco::Timespan(0, 20000))); // window: 1 pending + 1 held
	// a caller running the held handlers counts only the pending entries
	CPPUNIT_ASSERT(t.add(g3, noop, Poco::Timespan(0, 20000), false, true));
	CPPUNIT_ASSERT(t.remove(g3));
	CPPUNIT_ASSERT(t.complete(g2, c2));
	CPPUNIT_ASSERT_EQUAL(0, t.inflight());
	CPPUNIT_ASSERT_EQUAL(2, t.held());
	CPPUNIT_ASSERT(!t.add(g3, noop, Poco::Timespan(0, 20000)));
	t.release(1);
	CPPUNIT_ASSERT_EQUAL(1, t.held());
	std::string g4 = add(t, noop, Poco::Timespan(0, 20000));
	CPPUNIT_ASSERT(!g4.empty());
	PubAckTracker::Completion c4;
	CPPUNIT_ASSERT(t.complete(g4, c4));
	t.release(2);
	CPPUNIT_ASSERT_EQUAL(0, t.held());
	// direct entries and entries without a callback never hold a slot
	std::string g5 = add(t, nullptr);
	std::string g6 = add(t, noop, Poco::Timespan(-1), true);
	PubAckTracker::Completion c5, c6;
	CPPUNIT_ASSERT(t.complete(g5, c5) && !c5.held);
	CPPUNIT_ASSERT(t.complete(g6, c6) && !c6.held);
	CPPUNIT_ASSERT_EQUAL(0, t.held());
}
