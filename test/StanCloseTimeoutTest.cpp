//
// StanCloseTimeoutTest.cpp
//
// Destroying a StanConnection while one of its handlers is blocked: the destructor returns after
// StanOptions::closeTimeout, and the implementation lives on until the handler returns (ASan
// finds any use of freed memory on the way). One body for both backends (issue #13):
// StanCloseTimeoutStreamingTest (test-client) against nats-server + our streaming server,
// StanCloseTimeoutJetStreamTest (test-jetstream) against nats-server -js.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "StanTestUtil.h"
#include "StanBackendFixture.h"
#include "stan/StanConnectionBackend.h"
#include "Nats/StanConnection.h"
#include "core/ImplAccess.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

using namespace Nats;

using Nats::Test::Gate;

class StanCloseTimeoutTest: public Test::StanBackendFixtureTest
{
	CPPUNIT_TEST_SUITE(StanCloseTimeoutTest);
	CPPUNIT_TEST(testDestroyWithBlockedMessageHandler);
	CPPUNIT_TEST(testDestroyWithBlockedAckHandler);
#ifndef OLD_CODE
	CPPUNIT_TEST(testCloseTimeoutValidated);
#endif
	CPPUNIT_TEST_SUITE_END_ABSTRACT();

public:
	// A message handler blocked on a latch: the destructor returns within closeTimeout; the
	// handler, released later, finishes (and is auto-acked) on memory that is still alive; the
	// implementation goes once it returned.
	void testDestroyWithBlockedMessageHandler()
	{
		Gate latch;
		std::atomic<bool> entered{false}, finished{false};
		std::unique_ptr<StanConnection> pSc(new StanConnection(clusterId(), Test::uniqueName("c"), closeOptions()));
		pSc->connect();
		const std::string channel = Test::uniqueName("ch");
		StanSubscription sub = pSc->subscribe(channel, [&](const StanMessage& m) {
			entered = true;
			latch.wait();
			finished = m.data() == "x";
		});
		pSc->publish(channel, "x");
		NATS_WAIT_FOR(entered.load(), WAIT);
		std::weak_ptr<StanConnectionBackend> weakImpl = ImplAccess::impl(*pSc);
		destroyWithin(pSc, latch);
		// the blocked handler owns the implementation now
		CPPUNIT_ASSERT(!weakImpl.expired());
		latch.open();
		NATS_WAIT_FOR(finished.load(), WAIT);
		sub = StanSubscription(); // closed with the connection: returns at once
		// nothing holds the implementation any more once the handler returned
		NATS_WAIT_FOR(weakImpl.expired(), WAIT);
	}

	// The same with an ack handler of publishAsync().
	void testDestroyWithBlockedAckHandler()
	{
		Gate latch;
		std::atomic<bool> entered{false}, finished{false};
		std::unique_ptr<StanConnection> pSc(new StanConnection(clusterId(), Test::uniqueName("c"), closeOptions()));
		pSc->connect();
		pSc->publishAsync(Test::uniqueName("ch"), "x", [&](const std::string&, const std::string& error) {
			entered = true;
			latch.wait();
			finished = error.empty();
		});
		NATS_WAIT_FOR(entered.load(), WAIT);
		destroyWithin(pSc, latch);
		latch.open();
		NATS_WAIT_FOR(finished.load(), WAIT);
	}

#ifndef OLD_CODE
	void testCloseTimeoutValidated()
	{
		StanOptions o = closeOptions();
		o.closeTimeout = Poco::Timespan(-1);
		CPPUNIT_ASSERT_THROW(o.validate(), Poco::InvalidArgumentException);
		o.closeTimeout = Poco::Timespan(0);
		o.validate();
		CPPUNIT_ASSERT(StanOptions().closeTimeout == StanOptions::DEFAULT_CLOSE_TIMEOUT);
	}
#endif

private:
	StanOptions closeOptions() const
	{
		StanOptions o = options();
#ifndef OLD_CODE // (built once against the code before closeTimeout, to see the tests fail there)
		o.closeTimeout = Poco::Timespan(0, 300000);
#endif
		return o;
	}

	/// Destroys the connection on another thread and requires that to end within WAIT (the
	/// close request plus closeTimeout take well under a second). On failure (the old unbounded
	/// wait) the latch is released so that the destructor can end and the test fails instead of
	/// hanging.
	void destroyWithin(std::unique_ptr<StanConnection>& pSc, Gate& latch)
	{
		std::atomic<bool> destroyed{false};
		std::thread destroyer([&]() {
			pSc.reset();
			destroyed = true;
		});
		const bool inTime = Test::waitFor([&]() { return destroyed.load(); }, WAIT);
		if (!inTime) latch.open();
		destroyer.join();
		CPPUNIT_ASSERT_MESSAGE("the StanConnection destructor waited for the blocked handler", inTime);
	}
};

NATS_STAN_BACKEND_SUITES(StanCloseTimeoutTest, StanCloseTimeoutStreamingTest, StanCloseTimeoutJetStreamTest);
