//
// PubAckWindowTest.cpp
//
// The pub-ack window both streaming backends share (src/stan/PubAckWindow), on a real Timer and
// Dispatcher but without a network: "sending" records the guid, the test acks it.
//

#include "PubAckWindowTest.h"
#include "stan/PubAckWindow.h"
#include "core/Dispatcher.h"
#include "core/Timer.h"
#include "TestUtil.h"
#include "Nats/Exception.h"
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using Nats::PubAckWindow;

CPPUNIT_TEST_SUITE_REGISTRATION(PubAckWindowTest);

namespace {

const Poco::Timespan LONG_WAIT(10, 0);

/// A backend without wire format: send() records the guids (or throws when told to).
class TestWindow: public PubAckWindow
{
public:
	TestWindow(const Nats::StanOptions& o, ErrorReporter reporter, Nats::Timer& timer, Nats::Dispatcher* pDispatcher)
		: PubAckWindow(o, Poco::Timespan(1, 0), std::make_shared<Nats::StanCallbackGate>(), std::move(reporter), timer, pDispatcher)
	{
	}

	void start() { startWindow(); }

	std::string publishAsync(Nats::StanAckHandler handler, Poco::Timespan maxWait = Poco::Timespan(-1))
	{
		return publishWithAck(std::move(handler), maxWait, [this](const std::string& guid) { record(guid); });
	}

	void publish()
	{
		publishAndWait([this](const std::string& guid) { record(guid); });
	}

	void ack(const std::string& guid, const std::string& error = std::string()) { completeAck(guid, error); }

	std::vector<std::string> sent()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return guids;
	}

	std::string lastSent()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return guids.empty() ? std::string() : guids.back();
	}

	std::atomic<bool> failSend{false};

private:
	void record(const std::string& guid)
	{
		if (failSend) throw Nats::ConnectionClosedException("send failed");
		std::lock_guard<std::mutex> lock(mutex);
		guids.push_back(guid);
	}

	std::mutex mutex;
	std::vector<std::string> guids;
};

/// Timer + one dispatcher worker + a window; errors reported are kept.
struct Rig
{
	explicit Rig(int maxInflight, Poco::Timespan pubAckWait = Poco::Timespan(60, 0)): timer("test-timer"), worker("test-acks")
	{
		Nats::StanOptions o;
		o.maxPubAcksInflight = maxInflight;
		o.maxPubAcksInflightPercentage = 1.0;
		o.pubAckWait = pubAckWait;
		timer.start();
		worker.start();
		window = std::make_shared<TestWindow>(o, [this](const Poco::Exception& e) {
			std::lock_guard<std::mutex> lock(mutex);
			errors.push_back(e.displayText());
		}, timer, &worker);
		window->start();
	}

	~Rig()
	{
		window->close();
		window->drainHandlers();
		worker.stop();
		worker.join();
		timer.stop();
	}

	std::vector<std::string> reported()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return errors;
	}

	Nats::Timer timer;
	Nats::Dispatcher worker;
	std::shared_ptr<TestWindow> window;
	std::mutex mutex;
	std::vector<std::string> errors;
};

} // namespace

void PubAckWindowTest::testAckRunsHandlerOnWorkerSlotFreedAfterIt()
{
	Rig rig(1);
	Nats::Test::Gate release;
	std::atomic<bool> running{false};
	std::atomic<bool> onWorker{false};
	std::atomic<int> calls{0};
	std::string error = "unset";
	const std::string guid = rig.window->publishAsync([&](const std::string& g, const std::string& e) {
		onWorker = rig.worker.isCurrent();
		error = e;
		CPPUNIT_ASSERT(!g.empty());
		running = true;
		release.wait();
		++calls;
	});
	CPPUNIT_ASSERT_EQUAL(guid, rig.window->lastSent());
	CPPUNIT_ASSERT_EQUAL(1, rig.window->inflight());
	rig.window->ack(guid);
	rig.window->ack(guid); // a duplicate ack is ignored
	NATS_WAIT_FOR(running.load(), LONG_WAIT);
	CPPUNIT_ASSERT(onWorker.load());
	CPPUNIT_ASSERT_EQUAL(std::string(), error);
	CPPUNIT_ASSERT_EQUAL(0, rig.window->inflight());
	// The acked entry's handler still runs: its slot is held, a bounded publish times out.
	try
	{
		rig.window->publishAsync(nullptr, Poco::Timespan(50 * Poco::Timespan::MILLISECONDS));
		CPPUNIT_FAIL("the window must be full while the handler runs");
	}
	catch (Nats::NatsTimeoutException& e)
	{
		CPPUNIT_ASSERT_EQUAL(std::string("stan: publish window full"), e.message());
	}
	release.open();
	NATS_WAIT_FOR(calls.load() == 1, LONG_WAIT);
	const std::string second = rig.window->publishAsync(nullptr, LONG_WAIT); // the slot is free again
	CPPUNIT_ASSERT(second != guid);
	CPPUNIT_ASSERT_EQUAL(1, calls.load());
}

void PubAckWindowTest::testTimeoutCompletesWithPubAckTimeout()
{
	Rig rig(10, Poco::Timespan(50 * Poco::Timespan::MILLISECONDS));
	std::mutex mutex;
	std::vector<std::string> errors;
	for (int i = 0; i < 3; ++i)
	{
		rig.window->publishAsync([&](const std::string&, const std::string& e) {
			std::lock_guard<std::mutex> lock(mutex);
			errors.push_back(e);
		});
	}
	NATS_WAIT_FOR([&]() { std::lock_guard<std::mutex> lock(mutex); return errors.size() == 3; }(), LONG_WAIT);
	for (const auto& e : errors) CPPUNIT_ASSERT_EQUAL(PubAckWindow::PUB_ACK_TIMEOUT, e);
	CPPUNIT_ASSERT_EQUAL(0, rig.window->inflight());
	// A late ack of a timed-out entry is ignored; a new publish arms the timer again.
	rig.window->ack(rig.window->sent().front());
	rig.window->publishAsync([&](const std::string&, const std::string& e) {
		std::lock_guard<std::mutex> lock(mutex);
		errors.push_back(e);
	});
	NATS_WAIT_FOR([&]() { std::lock_guard<std::mutex> lock(mutex); return errors.size() == 4; }(), LONG_WAIT);
	CPPUNIT_ASSERT_EQUAL(PubAckWindow::PUB_ACK_TIMEOUT, errors.back());
}

void PubAckWindowTest::testCloseFailsEachOnceAndRefusesNew()
{
	Rig rig(10);
	std::atomic<int> calls{0};
	std::atomic<int> closedErrors{0};
	for (int i = 0; i < 4; ++i)
	{
		rig.window->publishAsync([&](const std::string&, const std::string& e) {
			++calls;
			if (e == PubAckWindow::CONNECTION_CLOSED) ++closedErrors;
		});
	}
	rig.window->ack(rig.window->sent()[1]);
	rig.window->close();
	rig.window->close(); // idempotent
	rig.window->drainHandlers();
	// drainHandlers() returned: every handler ran (here or on the worker), exactly once.
	CPPUNIT_ASSERT_EQUAL(4, calls.load());
	CPPUNIT_ASSERT_EQUAL(3, closedErrors.load());
	CPPUNIT_ASSERT_EQUAL(0, rig.window->inflight());
	rig.window->ack(rig.window->sent()[0]); // after close: ignored
	CPPUNIT_ASSERT_THROW(rig.window->publishAsync(nullptr), Nats::ConnectionClosedException);
	CPPUNIT_ASSERT_THROW(rig.window->publish(), Nats::ConnectionClosedException);
	CPPUNIT_ASSERT_EQUAL(4, calls.load());
}

void PubAckWindowTest::testBlockingPublishOutcomes()
{
	Rig rig(10);
	// Acked: returns. Rejected: the server's text. Closed meanwhile: ConnectionClosedException.
	for (const std::string& outcome : {std::string(), std::string("stan: invalid publish request"), PubAckWindow::CONNECTION_CLOSED})
	{
		const std::size_t before = rig.window->sent().size();
		std::atomic<int> result{0}; // 1 returned, 2 StanPublishException with the text, 3 ConnectionClosedException
		std::string text;
		std::thread publisher([&]() {
			try
			{
				rig.window->publish();
				result = 1;
			}
			catch (Nats::StanPublishException& e)
			{
				text = e.message();
				result = 2;
			}
			catch (Nats::ConnectionClosedException& e)
			{
				text = e.message();
				result = 3;
			}
			catch (...)
			{
				result = 4;
			}
		});
		NATS_WAIT_FOR(rig.window->sent().size() == before + 1, LONG_WAIT);
		CPPUNIT_ASSERT_EQUAL(0, result.load()); // waits for its ack
		if (outcome == PubAckWindow::CONNECTION_CLOSED)
			rig.window->close();
		else
			rig.window->ack(rig.window->lastSent(), outcome);
		publisher.join();
		if (outcome.empty())
			CPPUNIT_ASSERT_EQUAL(1, result.load());
		else
		{
			CPPUNIT_ASSERT_EQUAL(outcome == PubAckWindow::CONNECTION_CLOSED ? 3 : 2, result.load());
			CPPUNIT_ASSERT_EQUAL(outcome, text);
		}
	}
	CPPUNIT_ASSERT_EQUAL(0, rig.window->inflight());
}

void PubAckWindowTest::testSendThrowsRemovesEntry()
{
	Rig rig(1);
	std::atomic<int> calls{0};
	rig.window->failSend = true;
	CPPUNIT_ASSERT_THROW(rig.window->publishAsync([&](const std::string&, const std::string&) { ++calls; }),
		Nats::ConnectionClosedException);
	CPPUNIT_ASSERT_THROW(rig.window->publish(), Nats::ConnectionClosedException);
	CPPUNIT_ASSERT_EQUAL(0, rig.window->inflight());
	rig.window->failSend = false;
	// The failed publishes gave their slot back (the window has one).
	const std::string guid = rig.window->publishAsync([&](const std::string&, const std::string&) { ++calls; }, LONG_WAIT);
	rig.window->ack(guid);
	NATS_WAIT_FOR(calls.load() == 1, LONG_WAIT);
}

void PubAckWindowTest::testPublishFromAckHandlerWithFullWindow()
{
	// Window of 1: the handler holds the only slot while it runs; a publish from inside it (async
	// and blocking) must not wait for that slot.
	Rig rig(1);
	std::atomic<bool> asyncDone{false};
	std::atomic<bool> syncDone{false};
	std::atomic<bool> innerRan{false};
	const std::string first = rig.window->publishAsync([&](const std::string&, const std::string&) {
		const std::string inner = rig.window->publishAsync([&](const std::string&, const std::string&) { innerRan = true; });
		asyncDone = true;
		rig.window->ack(inner);
		std::thread acker([&]() {
			// The blocking publish below is the next one sent.
			if (Nats::Test::waitFor([&]() { return rig.window->sent().size() == 3; }, LONG_WAIT)) rig.window->ack(rig.window->lastSent());
		});
		try
		{
			rig.window->publish();
			syncDone = true;
		}
		catch (...)
		{
		}
		acker.join();
	});
	rig.window->ack(first);
	NATS_WAIT_FOR(syncDone.load() && innerRan.load(), LONG_WAIT);
	CPPUNIT_ASSERT(asyncDone.load());
}

void PubAckWindowTest::testThrowingHandlerIsReported()
{
	Rig rig(10);
	std::atomic<int> after{0};
	const std::string g1 = rig.window->publishAsync([](const std::string&, const std::string&) { throw std::runtime_error("oops"); });
	const std::string g2 = rig.window->publishAsync([&](const std::string&, const std::string&) { ++after; });
	rig.window->ack(g1);
	rig.window->ack(g2);
	NATS_WAIT_FOR(after.load() == 1, LONG_WAIT); // the next handler still runs
	const std::vector<std::string> errors = rig.reported();
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), errors.size());
	CPPUNIT_ASSERT(errors[0].find("stan: ack handler threw") != std::string::npos);
	CPPUNIT_ASSERT(errors[0].find("oops") != std::string::npos);
	CPPUNIT_ASSERT_EQUAL(0, rig.window->inflight());
}
