//
// StanLifecycleTest.cpp
//
// Threads and lifecycle of the streaming client (issue #10): close and unsubscribe from handlers,
// connection teardown from callbacks, retried connect, auto-ack on close, the pub-ack window and
// its handlers, error reports off the reader thread, pull acks, handler captures, failed starts.
// Against nats-server + our streaming server (StanServerFixture).
//

#include "StanTestUtil.h"
#include "StanServerFixture.h"
#include "stan/StanConnectionImpl.h"
#include "Nats/Options.h"
#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include "core/ImplAccess.h"
#include "Nats/Exception.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

using namespace Nats;
using Nats::Test::StanCollector;
using Nats::Test::optionsFor;

namespace {

const Poco::Timespan WAIT(10, 0);
using Nats::Test::Gate;


} // namespace

class StanLifecycleTest: public Test::StanFixtureTest
{
	CPPUNIT_TEST_SUITE(StanLifecycleTest);
	CPPUNIT_TEST(testCloseFromHandlerWhileClosing);
	CPPUNIT_TEST(testHandlersCloseEachOther);
	CPPUNIT_TEST(testCloseFromAckHandlerThenDestroy);
	CPPUNIT_TEST(testConnectRetryAfterFailure);
	CPPUNIT_TEST(testAutoAckOfHandlerFinishingDuringClose);
	CPPUNIT_TEST(testAckHandlerHoldsWindowSlot);
	CPPUNIT_TEST(testErrorHandlerMayClose);
	CPPUNIT_TEST(testSlowConsumerReportedOncePerEpisode);
	CPPUNIT_TEST(testPullAcksOnlyAfterNextPull);
	CPPUNIT_TEST(testCapturedHandleReleasedAfterUnsubscribe);
	CPPUNIT_TEST(testCapturedHandleReleasedByConnectionClose);
#ifndef OLD_CODE
	CPPUNIT_TEST(testSubscriptionThroughMessage);
#endif
	CPPUNIT_TEST(testFailedDeliveryStartUnregisters);
	CPPUNIT_TEST(testManySubscriptionsShareThePool);
	CPPUNIT_TEST(testSharedPoolAcrossConnections);
	CPPUNIT_TEST_SUITE_END();

public:
	// 1. A handler closes its subscription while another thread is inside close() of it.
	void testCloseFromHandlerWhileClosing()
	{
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), optionsFor(*_pFixture));
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		auto holder = std::make_shared<StanSubscription>();
		std::weak_ptr<StanSubscription> weakHolder = holder;
		std::atomic<bool> entered{false}, handlerDone{false}, closeDone{false};
		std::atomic<bool> sawClosing{false};
		*holder = sc.subscribe(channel, [&, weakHolder](const StanMessage&) {
			if (entered.exchange(true)) return;
			// wait until the test thread is inside close()
			sawClosing = Test::waitFor([&]() { auto h = weakHolder.lock(); return !h || !h->isValid(); }, WAIT);
			if (auto h = weakHolder.lock())
			{
				try
				{
					h->close();
				}
				catch (Poco::Exception&)
				{
				}
			}
			handlerDone = true;
		});
		sc.publish(channel, "x");
		NATS_WAIT_FOR(entered.load(), WAIT);
		std::thread closer([&]() {
			holder->close();
			closeDone = true;
		});
		NATS_WAIT_FOR(handlerDone.load() && closeDone.load(), WAIT);
		closer.join();
		CPPUNIT_ASSERT(sawClosing.load());
		CPPUNIT_ASSERT(!holder->isValid());
	}

	// 1. Two handlers close each other's subscriptions at the same time.
	void testHandlersCloseEachOther()
	{
		StanOptions o = optionsFor(*_pFixture);
		o.natsOptions.dispatcherThreads = 2;
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), o);
		sc.connect();
		const std::string chA = Test::uniqueName("a");
		const std::string chB = Test::uniqueName("b");
		auto subA = std::make_shared<StanSubscription>();
		auto subB = std::make_shared<StanSubscription>();
		std::weak_ptr<StanSubscription> weakA = subA, weakB = subB;
		std::atomic<int> inside{0}, done{0};
		auto makeHandler = [&](std::weak_ptr<StanSubscription> other) {
			return [&, other](const StanMessage&) {
				++inside;
				// both handlers inside at once if the pool gives them different workers
				Test::waitFor([&]() { return inside.load() >= 2; }, Poco::Timespan(3, 0));
				if (auto h = other.lock())
				{
					try
					{
						h->close();
					}
					catch (Poco::Exception&)
					{
					}
				}
				++done;
			};
		};
		*subA = sc.subscribe(chA, makeHandler(weakB));
		*subB = sc.subscribe(chB, makeHandler(weakA));
		sc.publish(chA, "x");
		sc.publish(chB, "y");
		NATS_WAIT_FOR(done.load() == 2, WAIT);
		CPPUNIT_ASSERT(!subA->isValid());
		CPPUNIT_ASSERT(!subB->isValid());
	}

	// 2. close() from an ack handler; the owner closes again and destroys the connection as soon
	// as it sees CLOSED. The second close waits for the first teardown; the destructor waits for
	// the handler to return.
	void testCloseFromAckHandlerThenDestroy()
	{
		Test::skipIfExternal("stops the streaming server");
		StanOptions o = optionsFor(*_pFixture);
		o.connectWait = Poco::Timespan(1, 0);
		std::unique_ptr<StanConnection> pSc(new StanConnection(_pFixture->clusterId(), Test::uniqueName("c"), o));
		pSc->connect();
		StanConnection* raw = pSc.get();
		Gate gate, never;
		std::atomic<bool> inHandler{false}, handlerReturned{false};
		pSc->publishAsync(Test::uniqueName("ch"), "x", [&, raw](const std::string&, const std::string&) {
			inHandler = true;
			gate.wait();
			try
			{
				raw->close(); // nobody answers the close request: it times out (1 s)
			}
			catch (Poco::Exception&)
			{
			}
			// some work after close(), on memory the owner must not have freed yet
			std::unique_lock<std::mutex> lock(_mutex);
			_cv.wait_for(lock, std::chrono::milliseconds(1500));
			handlerReturned = true;
		});
		NATS_WAIT_FOR(inHandler.load(), WAIT);
		// The streaming server goes away; a silent subscriber keeps the close request from
		// failing at once with "no responders".
		_pFixture->stopStan();
		Options so;
		so.servers = {_pFixture->natsUrl()};
		Connection listener(so);
		listener.connect();
		Subscription s = listener.subscribe("_STAN.>", [](const Message&) {});
		listener.flush(WAIT);
		gate.open();
		NATS_WAIT_FOR(raw->status() == StanConnection::Status::CLOSED, WAIT);
		try
		{
			raw->close(); // waits for the teardown in progress
		}
		catch (Poco::Exception&)
		{
		}
		CPPUNIT_ASSERT(raw->natsConnection().isClosed());
		pSc.reset(); // waits for the ack handler in progress
		CPPUNIT_ASSERT(handlerReturned.load());
	}

	// 3. connect() retried after a failed attempt gives a complete session.
	void testConnectRetryAfterFailure()
	{
		Test::skipIfExternal("stops the streaming server");
		_pFixture->stopStan();
		StanOptions o = optionsFor(*_pFixture);
		o.connectWait = Poco::Timespan(0, 500000);
		o.pubAckWait = Poco::Timespan(1, 0);
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), o);
		CPPUNIT_ASSERT_THROW(sc.connect(), StanConnectTimeoutException);
		_pFixture->startStan();
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		std::mutex m;
		std::vector<std::string> errors;
		auto handler = [&](const std::string&, const std::string& error) {
			std::lock_guard<std::mutex> lock(m);
			errors.push_back(error);
		};
		auto count = [&]() {
			std::lock_guard<std::mutex> lock(m);
			return errors.size();
		};
		sc.publishAsync(channel, "x", handler);
		NATS_WAIT_FOR(count() == 1, WAIT);
		_pFixture->stopStan();
		sc.publishAsync(channel, "y", handler);
		NATS_WAIT_FOR(count() == 2, WAIT); // pub-ack timeout (1 s)
		std::lock_guard<std::mutex> lock(m);
		CPPUNIT_ASSERT_EQUAL(std::string(), errors[0]);
		CPPUNIT_ASSERT_EQUAL(std::string("stan: publish ack timeout"), errors[1]);
	}

	// 4. A handler that returns normally while close() waits for it is acked.
	void testAutoAckOfHandlerFinishingDuringClose()
	{
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), optionsFor(*_pFixture));
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		const StanSubscriptionOptions opts = StanSubscriptionOptions().setDurableName("dur").deliverAllAvailable();
		Gate gate;
		std::atomic<bool> entered{false};
		StanSubscription sub = sc.subscribe(channel, [&](const StanMessage&) {
			entered = true;
			gate.wait();
		}, opts);
		sc.publish(channel, "m1");
		NATS_WAIT_FOR(entered.load(), WAIT);
		std::thread closer([&]() { sub.close(); });
		NATS_WAIT_FOR(!sub.isValid(), WAIT);
		gate.open();
		closer.join();
		StanCollector got;
		StanSubscription again = sc.subscribe(channel, got.handler(), opts);
		sc.publish(channel, "m2");
		NATS_WAIT_FOR(got.size() >= 1, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), got.messages()[0].sequence());
	}

	// 5. A window slot is freed only once its ack handler has run.
	void testAckHandlerHoldsWindowSlot()
	{
		StanOptions o = optionsFor(*_pFixture);
		o.maxPubAcksInflight = 10;
		o.maxPubAcksInflightPercentage = 1.0;
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), o);
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		Gate gate;
		std::atomic<int> handled{0};
		auto handler = [&](const std::string&, const std::string&) {
			if (handled.fetch_add(1) == 0) gate.wait();
		};
		int accepted = 0;
		bool windowFull = false;
		for (int i = 0; i < 100 && !windowFull; ++i)
		{
			try
			{
				sc.publishAsync(channel, "x", handler, Poco::Timespan(2, 0));
				++accepted;
			}
			catch (NatsTimeoutException&)
			{
				windowFull = true;
			}
		}
		gate.open();
		CPPUNIT_ASSERT(windowFull);
		CPPUNIT_ASSERT_EQUAL(10, accepted);
		NATS_WAIT_FOR(handled.load() == accepted, WAIT);
	}

	// 6. The error handler runs off the reader thread: close() from it works.
	void testErrorHandlerMayClose()
	{
		StanOptions o = optionsFor(*_pFixture);
		std::atomic<StanConnection*> pConn{nullptr};
		std::atomic<int> closes{0}, closeFailures{0};
		o.errorHandler = [&](const Poco::Exception&) {
			StanConnection* c = pConn.load();
			if (!c || closes.fetch_add(1) != 0) return;
			try
			{
				c->close();
			}
			catch (Poco::Exception&)
			{
				++closeFailures;
			}
		};
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), o);
		sc.connect();
		pConn = &sc;
		const std::string channel = Test::uniqueName("ch");
		Gate gate;
		StanSubscription sub = sc.subscribe(channel, [&](const StanMessage&) { gate.wait(); });
		sub.setPendingLimits(1, -1);
		try
		{
			for (int i = 0; i < 5; ++i) sc.publish(channel, "x");
		}
		catch (ConnectionClosedException&)
		{
			// the error handler closed the connection already
		}
		NATS_WAIT_FOR(sub.dropped() >= 1, WAIT);
		gate.open();
		NATS_WAIT_FOR(sc.isClosed(), WAIT);
		NATS_WAIT_FOR(sc.natsConnection().isClosed(), WAIT);
		CPPUNIT_ASSERT_EQUAL(0, closeFailures.load());
	}

	// 6. A slow consumer is reported once per episode.
	void testSlowConsumerReportedOncePerEpisode()
	{
		StanOptions o = optionsFor(*_pFixture);
		std::atomic<int> reports{0};
		o.errorHandler = [&](const Poco::Exception& e) {
			if (dynamic_cast<const SlowConsumerException*>(&e)) ++reports;
		};
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), o);
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		Gate gate;
		StanSubscription sub = sc.subscribe(channel, [&](const StanMessage&) { gate.wait(); });
		sub.setPendingLimits(1, -1);
		// episode 1: one message in the handler, one queued, the others dropped
		for (int i = 0; i < 5; ++i) sc.publish(channel, "x");
		NATS_WAIT_FOR(sub.dropped() >= 3, WAIT);
		const std::uint64_t dropped1 = sub.dropped();
		gate.open();
		NATS_WAIT_FOR(sub.delivered() == 5 - dropped1 && sub.pendingMessages() == 0, WAIT);
		// episode 2
		gate.close();
		for (int i = 0; i < 5; ++i) sc.publish(channel, "x");
		NATS_WAIT_FOR(sub.dropped() >= dropped1 + 3, WAIT);
		NATS_WAIT_FOR(reports.load() >= 2, WAIT);
		gate.open();
		CPPUNIT_ASSERT_EQUAL(2, reports.load());
	}

	// 7. A pulled message is acked when the next one is pulled, not before it is returned.
	void testPullAcksOnlyAfterNextPull()
	{
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), optionsFor(*_pFixture));
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		StanSubscription sub = sc.subscribeSync(channel, StanSubscriptionOptions().setAckWait(Poco::Timespan(1, 0)));
		sc.publish(channel, "m1");
		StanMessage m = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), m.sequence());
		// not acked yet: the server redelivers it after ackWait
		NATS_WAIT_FOR(sub.pendingMessages() >= 1, WAIT);
		StanMessage again = sub.nextMessage(WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), again.sequence());
		CPPUNIT_ASSERT(again.isRedelivered());
	}

	// 8. A handle captured in its own handler ("unsubscribe after N") does not keep the
	// subscription alive once it is unsubscribed.
	void testCapturedHandleReleasedAfterUnsubscribe()
	{
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), optionsFor(*_pFixture));
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		auto probe = std::make_shared<int>(0);
		std::weak_ptr<int> weakProbe = probe;
		auto holder = std::make_shared<StanSubscription>();
		std::atomic<int> n{0};
		*holder = sc.subscribe(channel, [holder, probe, &n](const StanMessage&) {
			if (++n == 3) holder->unsubscribe();
		});
		StanSubscription observer = *holder;
		holder.reset();
		probe.reset();
		for (int i = 0; i < 5; ++i) sc.publish(channel, "x");
		NATS_WAIT_FOR(!observer.isValid(), WAIT);
		NATS_WAIT_FOR(weakProbe.expired(), WAIT);
		CPPUNIT_ASSERT_EQUAL(3, n.load());
	}

	// 8. ... nor the connection once it is closed.
	void testCapturedHandleReleasedByConnectionClose()
	{
		std::weak_ptr<int> weakProbe;
		{
			StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), optionsFor(*_pFixture));
			sc.connect();
			const std::string channel = Test::uniqueName("ch");
			auto probe = std::make_shared<int>(0);
			weakProbe = probe;
			auto holder = std::make_shared<StanSubscription>();
			std::atomic<int> n{0};
			*holder = sc.subscribe(channel, [holder, probe](const StanMessage&) {});
			holder.reset();
			probe.reset();
			sc.publish(channel, "x");
		}
		NATS_WAIT_FOR(weakProbe.expired(), WAIT);
	}

#ifndef OLD_CODE
	// 8. The non-owning way: the message gives its subscription.
	void testSubscriptionThroughMessage()
	{
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), optionsFor(*_pFixture));
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		std::atomic<int> n{0};
		std::atomic<bool> sameChannel{false};
		StanSubscription sub = sc.subscribe(channel, [&](const StanMessage& m) {
			StanSubscription s = m.subscription(); // destroying it does not close
			sameChannel = s.channel() == m.channel();
			if (++n == 3) s.unsubscribe();
		});
		for (int i = 0; i < 5; ++i) sc.publish(channel, "x");
		NATS_WAIT_FOR(!sub.isValid(), WAIT);
		CPPUNIT_ASSERT_EQUAL(3, n.load());
		CPPUNIT_ASSERT(sameChannel.load());
		CPPUNIT_ASSERT(!StanMessage().subscription().isValid());
	}

#endif

	// 9. A subscription the server accepted but that failed to start locally is closed on the
	// server again (a durable can be subscribed again at once).
	void testFailedDeliveryStartUnregisters()
	{
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), optionsFor(*_pFixture));
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		const StanSubscriptionOptions opts = StanSubscriptionOptions().setDurableName("dur");
		Test::stanImpl(sc)->failNextDeliveryStart();
		CPPUNIT_ASSERT_THROW(sc.subscribe(channel, [](const StanMessage&) {}, opts), Poco::RuntimeException);
		StanCollector got;
		StanSubscription sub = sc.subscribe(channel, got.handler(), opts);
		sc.publish(channel, "x");
		NATS_WAIT_FOR(got.size() == 1, WAIT);
	}

	// The pool: many asynchronous subscriptions on one worker, each in order.
	void testManySubscriptionsShareThePool()
	{
		StanOptions o = optionsFor(*_pFixture);
		o.natsOptions.dispatcherThreads = 2;
		StanConnection sc(_pFixture->clusterId(), Test::uniqueName("c"), o);
		sc.connect();
		const std::string channel = Test::uniqueName("ch");
		const int SUBS = 50, MSGS = 20;
		std::vector<std::unique_ptr<StanCollector>> got;
		std::vector<StanSubscription> subs;
		for (int i = 0; i < SUBS; ++i)
		{
			got.emplace_back(new StanCollector);
			subs.push_back(sc.subscribe(channel, got.back()->handler()));
		}
		for (int i = 0; i < MSGS; ++i) sc.publishAsync(channel, "x", nullptr);
		NATS_WAIT_FOR(std::all_of(got.begin(), got.end(), [&](const std::unique_ptr<StanCollector>& c) { return c->size() == MSGS; }), WAIT);
		for (auto& c : got) CPPUNIT_ASSERT(c->sequences() == Test::seqRange(1, MSGS));
		for (auto& s : subs) s.close();
	}

	// The process-wide shared pool delivers for several connections; closing one leaves the
	// other delivering.
	void testSharedPoolAcrossConnections()
	{
		StanOptions o = optionsFor(*_pFixture);
		o.natsOptions.sharedDispatcher = true;
		CPPUNIT_ASSERT(Options::sharedDispatcherThreads() >= 1);
		CPPUNIT_ASSERT_THROW(Options::setSharedDispatcherThreads(0), Poco::InvalidArgumentException);
		const std::string channel = Test::uniqueName("ch");
		StanCollector got1, got2;
		StanConnection sc2(_pFixture->clusterId(), Test::uniqueName("c"), o);
		sc2.connect();
		StanSubscription sub2 = sc2.subscribe(channel, got2.handler());
		{
			StanConnection sc1(_pFixture->clusterId(), Test::uniqueName("c"), o);
			sc1.connect();
			StanSubscription sub1 = sc1.subscribe(channel, got1.handler());
			for (int i = 0; i < 10; ++i) sc1.publishAsync(channel, "x", nullptr);
			NATS_WAIT_FOR(got1.size() == 10 && got2.size() == 10, WAIT);
			// the pool exists now: another size is refused
			CPPUNIT_ASSERT_THROW(Options::setSharedDispatcherThreads(Options::sharedDispatcherThreads() + 1), Poco::IllegalStateException);
		}
		for (int i = 0; i < 10; ++i) sc2.publish(channel, "y");
		NATS_WAIT_FOR(got2.size() == 20, WAIT);
		CPPUNIT_ASSERT(got2.sequences() == Test::seqRange(1, 20));
		CPPUNIT_ASSERT(got1.sequences() == Test::seqRange(1, 10));
	}

private:
	std::mutex _mutex;
	std::condition_variable _cv; // never notified: a bounded pause inside a handler (test data)
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanLifecycleTest);
