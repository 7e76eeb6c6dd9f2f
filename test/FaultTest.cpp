//
// FaultTest.cpp
//
// Faults against real processes (#11), each bounded in time:
//   - nats-server killed (-9) and restarted on the same port during a stream of async streaming
//     publishes: every publish is either acked (and then stored exactly as sent, checked by a
//     replay) or failed to its handler; none is lost, none hangs;
//   - nats-server stopped (SIGSTOP) for longer than the ping budgets: the core connection
//     declares it stale, the streaming session is reported lost with the exact text, and after
//     SIGCONT nothing hangs;
//   - our streaming server restarted mid-session (memory store: its state is gone): the session
//     is reported lost, and what a user does (a new StanConnection, the same durable) works;
//     with the streaming server kept while nats-server restarts, a new StanConnection resumes the
//     durable exactly where it was;
//   - a slow consumer with pending limits: drops counted, reported once per episode, the queue
//     never grows past the limit.
//

#include "StanServerFixture.h"
#include "StanTestUtil.h"
#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include "Nats/StanServer.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Event.h>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace Nats;
using Nats::Test::StanCollector;

namespace {

const Poco::Timespan WAIT(20, 0);

/// Outcomes of async publishes, keyed by guid.
class AckBook
{
public:
	void sent(const std::string& guid, const std::string& data)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_data[guid] = data;
	}

	void done(const std::string& guid, const std::string& error)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		++_calls[guid];
		if (error.empty()) _acked.insert(guid);
		else ++_errors[error];
	}

	std::size_t acked() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _acked.size();
	}

	std::size_t completed() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _calls.size();
	}

	std::size_t failed() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::size_t n = 0;
		for (const auto& e : _errors) n += e.second;
		return n;
	}

	std::map<std::string, int> errors() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _errors;
	}

	/// guid -> call count; every guid must have been called back exactly once.
	std::map<std::string, int> calls() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _calls;
	}

	std::map<std::string, std::string> data() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _data;
	}

	std::set<std::string> ackedGuids() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _acked;
	}

private:
	mutable std::mutex _mutex;
	std::map<std::string, std::string> _data;
	std::map<std::string, int> _calls;
	std::set<std::string> _acked;
	std::map<std::string, int> _errors;
};

/// Runs `fn` on a thread of its own and waits at most `timeout` for it: false if it hangs (the
/// thread is then detached; the test fails and the process ends soon after).
bool returnsWithin(std::function<void()> fn, Poco::Timespan timeout)
{
	auto done = std::make_shared<std::promise<void>>();
	std::future<void> f = done->get_future();
	std::thread t([fn, done]() {
		try
		{
			fn();
		}
		catch (...)
		{
		}
		done->set_value();
	});
	if (f.wait_for(std::chrono::microseconds(timeout.totalMicroseconds())) != std::future_status::ready)
	{
		t.detach();
		return false;
	}
	t.join();
	return true;
}

/// Tries sc.connect() until it succeeds or `timeout` passes (a server that was just restarted or
/// resumed may still be reconnecting to nats-server); true if connected.
bool connectWithin(StanConnection& sc, Poco::Timespan timeout)
{
	return Test::waitFor([&]() {
		try
		{
			sc.connect();
			return true;
		}
		catch (const NatsException&)
		{
			return false;
		}
	}, timeout);
}

} // namespace

class FaultTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FaultTest);
	CPPUNIT_TEST(testNatsKilledDuringAsyncPublishes);
	CPPUNIT_TEST(testNatsStoppedLongerThanPingBudget);
	CPPUNIT_TEST(testStanServerRestartedMidSession);
	CPPUNIT_TEST(testDurableResumesWithServerKept);
	CPPUNIT_TEST(testSlowConsumerEpisodes);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		Test::skipIfExternal("kills, stops and restarts the servers");
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
	}

	void tearDown() override
	{
		_pFixture.reset();
	}

	void testNatsKilledDuringAsyncPublishes()
	{
		_pFixture.reset(new Test::StanServerFixture());
		StanOptions o = Test::optionsFor(*_pFixture);
		o.pubAckWait = Poco::Timespan(2, 0);
		o.maxPubAcksInflight = 256;
		o.natsOptions.reconnectWait = Poco::Timespan(0, 100000);
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("pub"), o);
		sc.connect();
		const std::string channel = Test::uniqueName("kill");

		AckBook book;
		std::atomic<bool> stop{false};
		std::atomic<int> refused{0};   // publishAsync() threw: the handler is never called
		std::atomic<int> returned{0};  // publishAsync() returned a guid: the handler must be called
		std::thread publisher([&]() {
			for (int i = 0; !stop.load(); ++i)
			{
				const std::string data = "m" + std::to_string(i) + ":" + std::string(static_cast<std::size_t>(i % 200), 'x');
				try
				{
					std::string guid = sc.publishAsync(channel, data,
						[&book](const std::string& g, const std::string& err) { book.done(g, err); });
					book.sent(guid, data);
					++returned;
				}
				catch (const NatsException&)
				{
					++refused;
					// the NATS connection is reconnecting (no buffering): wait for it, bounded
					Test::waitFor([&]() { return stop.load() || sc.natsConnection().isConnected(); }, Poco::Timespan(10, 0));
				}
			}
		});

		NATS_WAIT_FOR(book.acked() >= 300, WAIT);
		_pFixture->restartNats(); // SIGKILL, then a new nats-server on the same port
		const std::size_t ackedAtRestart = book.acked();
		bool progressed = Test::waitFor([&]() { return book.acked() >= ackedAtRestart + 300; }, Poco::Timespan(30, 0));
		stop = true;
		publisher.join();
		CPPUNIT_ASSERT_MESSAGE("publishes acked after the restart", progressed);

		// every publish that returned is completed exactly once, within pubAckWait
		NATS_WAIT_FOR(book.completed() == static_cast<std::size_t>(returned.load()), WAIT);
		for (const auto& c : book.calls()) CPPUNIT_ASSERT_EQUAL_MESSAGE("handler calls of " + c.first, 1, c.second);
		for (const auto& e : book.errors())
			CPPUNIT_ASSERT_MESSAGE("unexpected publish error: " + e.first, e.first == "stan: publish ack timeout" || e.first == "stan: connection closed");
		CPPUNIT_ASSERT_EQUAL(static_cast<std::size_t>(returned.load()), book.acked() + book.failed());

		// replay: every acked message is stored once, exactly as sent; nothing stored was never sent
		const std::map<std::string, std::string> sent = book.data();
		std::set<std::string> ackedData;
		for (const auto& g : book.ackedGuids()) ackedData.insert(sent.at(g));
		std::set<std::string> sentData;
		for (const auto& s : sent) sentData.insert(s.second);
		StanConnection reader(_pFixture->clusterId(), Test::uniqueName("replay"), o);
		reader.connect();
		StanCollector got;
		// the server stored exactly the messages whose PubMsg reached it; the acked ones among them
		std::uint64_t lastSeq = 0;
		{
			StanChannelInfo info;
			CPPUNIT_ASSERT(_pFixture->stanServer()->channelInfo(channel, info));
			lastSeq = info.lastSequence;
		}
		StanSubscription sub = reader.subscribe(channel, got.handler(), StanSubscriptionOptions().deliverAllAvailable());
		NATS_WAIT_FOR(got.size() == lastSeq, WAIT);
		std::map<std::string, int> stored;
		for (const auto& m : got.messages())
		{
			++stored[m.data()];
			CPPUNIT_ASSERT_MESSAGE("stored but never sent: " + m.data().substr(0, 20), sentData.count(m.data()) == 1);
		}
		for (const auto& d : ackedData)
		{
			auto it = stored.find(d);
			CPPUNIT_ASSERT_MESSAGE("acked but not stored: " + d.substr(0, 20), it != stored.end());
			CPPUNIT_ASSERT_EQUAL_MESSAGE("acked message stored twice: " + d.substr(0, 20), 1, it->second);
		}
		std::cout << "\n    kill -9 during async publishes: " << returned.load() << " returned, " << book.acked() << " acked, "
			<< book.failed() << " failed to the handler, " << refused.load() << " refused at the call, "
			<< lastSeq << " stored" << std::endl;
		reader.close();
		sc.close();
	}

	void testNatsStoppedLongerThanPingBudget()
	{
		_pFixture.reset(new Test::StanServerFixture());
		StanOptions o = Test::optionsFor(*_pFixture);
		o.pingInterval = Poco::Timespan(1, 0); // the smallest a released server takes
		o.pingMaxOut = 2;
		o.connectWait = Poco::Timespan(1, 0);
		o.natsOptions.pingInterval = Poco::Timespan(0, 300000);
		o.natsOptions.maxPingsOut = 2;
		o.natsOptions.reconnectWait = Poco::Timespan(0, 100000);
		o.natsOptions.connectTimeout = Poco::Timespan(0, 500000);
		std::mutex m;
		std::vector<std::string> lost;
		std::atomic<int> disconnects{0};
		std::vector<std::string> coreErrors;
		o.natsOptions.disconnectedHandler = [&disconnects]() { ++disconnects; };
		o.natsOptions.errorHandler = [&](const Poco::Exception& e) {
			std::lock_guard<std::mutex> lock(m);
			coreErrors.push_back(e.message());
		};
		o.connectionLostHandler = [&](StanConnection&, const std::string& err) {
			std::lock_guard<std::mutex> lock(m);
			lost.push_back(err);
		};
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("stop"), o);
		sc.connect();
		sc.publish(Test::uniqueName("ch"), "before");

		_pFixture->natsServer()->pause(); // SIGSTOP
		NATS_WAIT_FOR(disconnects.load() >= 1, WAIT); // the core connection saw it: stale
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(m); return !lost.empty(); }()), WAIT);
		_pFixture->natsServer()->resume(); // SIGCONT

		{
			std::lock_guard<std::mutex> lock(m);
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), lost.size());
			CPPUNIT_ASSERT_EQUAL(std::string("stan: connection lost due to PING failure"), lost[0]);
			CPPUNIT_ASSERT(std::find(coreErrors.begin(), coreErrors.end(), "nats: stale connection") != coreErrors.end());
		}
		CPPUNIT_ASSERT(sc.status() == StanConnection::Status::LOST);
		CPPUNIT_ASSERT_EQUAL(std::string("stan: connection lost due to PING failure"), sc.lostError());
		try
		{
			sc.publish("ch", "after");
			CPPUNIT_FAIL("publish on a lost session");
		}
		catch (const ConnectionClosedException& e)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("stan: connection closed"), e.message());
		}
		// nothing hangs: close returns, and the servers serve a new session
		CPPUNIT_ASSERT(returnsWithin([&sc]() { sc.close(); }, Poco::Timespan(10, 0)));
		StanOptions fresh = Test::optionsFor(*_pFixture);
		StanConnection again(_pFixture->clusterId(), Test::uniqueName("again"), fresh);
		// the streaming server's own NATS connection may still be reconnecting after SIGCONT
		bool connected = connectWithin(again, WAIT);
		CPPUNIT_ASSERT_MESSAGE("a new session after SIGCONT", connected);
		again.publish("ch", "after SIGCONT");
		CPPUNIT_ASSERT(returnsWithin([&again]() { again.close(); }, Poco::Timespan(10, 0)));
	}

	void testStanServerRestartedMidSession()
	{
		// Memory store: stopping our streaming server loses its state (clients, channels,
		// durables). The session learns it from its next ping: the new server does not know the
		// connection ("client has been replaced or is no longer registered"). What a user does
		// then: a new StanConnection with the same client ID and the same durable, which gets
		// everything published from then on (the old messages are gone with the old server).
		_pFixture.reset(new Test::StanServerFixture());
		StanOptions o = Test::optionsFor(*_pFixture);
		o.pingInterval = Poco::Timespan(1, 0);
		o.pingMaxOut = 30; // only the new server's answer can end the session, not missed pings
		std::mutex m;
		std::condition_variable cond;
		std::vector<std::string> lost;
		o.connectionLostHandler = [&](StanConnection&, const std::string& err) {
			std::lock_guard<std::mutex> lock(m);
			lost.push_back(err);
			cond.notify_all();
		};
		const std::string id = Test::uniqueName("durable-user");
		const std::string channel = Test::uniqueName("ch");
		StanSubscriptionOptions durable = StanSubscriptionOptions().setDurableName("dur").deliverAllAvailable();

		auto session = std::make_unique<StanConnection>(_pFixture->clusterId(), id, o);
		session->connect();
		StanCollector before;
		StanSubscription sub = session->subscribe(channel, before.handler(), durable);
		for (int i = 1; i <= 5; ++i) session->publish(channel, "old" + std::to_string(i));
		NATS_WAIT_FOR(before.size() == 5, WAIT);

		_pFixture->stopStan();
		_pFixture->startStan(); // same options, empty memory store
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(m); return !lost.empty(); }()), WAIT);
		{
			std::lock_guard<std::mutex> lock(m);
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), lost.size());
			CPPUNIT_ASSERT_EQUAL(std::string("client has been replaced or is no longer registered"), lost[0]);
		}
		CPPUNIT_ASSERT(session->status() == StanConnection::Status::LOST);
		CPPUNIT_ASSERT(returnsWithin([&sub]() { sub = StanSubscription(); }, Poco::Timespan(10, 0)));
		CPPUNIT_ASSERT(returnsWithin([&session]() { session.reset(); }, Poco::Timespan(10, 0)));

		// the user's recovery: same client ID, same durable
		StanConnection resumed(_pFixture->clusterId(), id, o);
		resumed.connect();
		StanCollector after;
		StanSubscription sub2 = resumed.subscribe(channel, after.handler(), durable);
		for (int i = 1; i <= 5; ++i) resumed.publish(channel, "new" + std::to_string(i));
		NATS_WAIT_FOR(after.size() == 5, WAIT);
		auto msgs = after.messages();
		for (int i = 0; i < 5; ++i)
		{
			CPPUNIT_ASSERT_EQUAL("new" + std::to_string(i + 1), msgs[i].data());
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(i + 1), msgs[i].sequence()); // a new channel: sequences restart
		}
		resumed.close();
	}

	void testDurableResumesWithServerKept()
	{
		// The streaming server keeps its state while nats-server is killed and restarted; the
		// user's process "restarts" too (its StanConnection is closed, a new one is created): the
		// durable resumes exactly after the last acked message.
		_pFixture.reset(new Test::StanServerFixture());
		StanOptions o = Test::optionsFor(*_pFixture);
		o.natsOptions.reconnectWait = Poco::Timespan(0, 100000);
		const std::string id = Test::uniqueName("durable-user");
		const std::string channel = Test::uniqueName("ch");
		StanSubscriptionOptions durable = StanSubscriptionOptions().setDurableName("dur").deliverAllAvailable();
		{
			StanConnection first(_pFixture->clusterId(), id, o);
			first.connect();
			StanCollector got;
			StanSubscription sub = first.subscribe(channel, got.handler(), durable);
			for (int i = 1; i <= 10; ++i) first.publish(channel, "m" + std::to_string(i));
			NATS_WAIT_FOR(got.size() == 10, WAIT);
			first.close(); // the durable stays on the server; the acks were flushed before the close
		}
		{
			StanConnection other(_pFixture->clusterId(), Test::uniqueName("pub"), o);
			other.connect();
			for (int i = 11; i <= 15; ++i) other.publish(channel, "m" + std::to_string(i));
			other.close();
		}
		_pFixture->restartNats(); // SIGKILL + restart; the streaming server reconnects, keeps its state
		StanConnection second(_pFixture->clusterId(), id, o);
		bool connected = connectWithin(second, WAIT);
		CPPUNIT_ASSERT_MESSAGE("connect after the nats-server restart", connected);
		StanCollector got;
		StanSubscription sub = second.subscribe(channel, got.handler(), durable);
		NATS_WAIT_FOR(got.size() == 5, WAIT);
		CPPUNIT_ASSERT(got.sequences() == Test::seqRange(11, 15));
		CPPUNIT_ASSERT_EQUAL(std::string("m11"), got.messages()[0].data());
		second.close();
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

private:
	std::unique_ptr<Test::StanServerFixture> _pFixture;
};

CPPUNIT_TEST_SUITE_REGISTRATION(FaultTest);
