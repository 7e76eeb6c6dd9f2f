//
// JetStreamLossTest.cpp
//
// Loss detection of the JetStream backend: a deleted consumer is reported as a lost session, for
// a plain durable (idle heartbeats: checked once silent for 3 intervals) and for consumers
// without heartbeats (queue groups: JetStream sends none to a deliver group), which the periodic
// consumer check (CONSUMER.INFO every 3 heartbeat intervals, a non-blocking request on the NATS
// timer) finds.
//

#include "NatsServerProcess.h"
#include "StanTestUtil.h"
#include "TestUtil.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JsStanConnection.h"
#include "jetstream/JsStanSubscription.h"
#include "core/ImplAccess.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

using namespace Nats;

class JetStreamLossTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JetStreamLossTest);
	CPPUNIT_TEST(testDeletedDurableConsumerReported);
	CPPUNIT_TEST(testDeletedQueueConsumerReported);
	CPPUNIT_TEST(testDeletedDurableQueueConsumerReported);
	CPPUNIT_TEST(testLiveQueueConsumerNotReported);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_pServer = Test::startJetStreamServerUnlessExternal(_url);
	}

	void tearDown() override
	{
		_pServer.reset();
	}

	/// A plain durable's consumer (it has heartbeats: found once silent for 3 intervals).
	void testDeletedDurableConsumerReported()
	{
		const std::string clientId = Test::uniqueName("c");
		runDeleted(clientId, "", "gone", "d__" + JsStanConnection::escapeName(clientId) + "__gone");
	}

	void testDeletedQueueConsumerReported()
	{
		runDeleted(Test::uniqueName("c"), "workers", "", "g__workers");
	}

	void testDeletedDurableQueueConsumerReported()
	{
		runDeleted(Test::uniqueName("c"), "workers", "dur", "q__dur__workers");
	}

	/// A queue member whose consumer lives is never reported, however long it is idle.
	void testLiveQueueConsumerNotReported()
	{
		Lost lost;
		StanConnection sc(Test::stanClusterId(), Test::uniqueName("c"), options(lost));
		sc.connect();
		const std::string channel = Test::uniqueName("live");
		Test::StanCollector got;
		StanSubscription sub = sc.queueSubscribe(channel, "workers", got.handler());
		sc.publish(channel, "1");
		NATS_WAIT_FOR(got.size() == 1, WAIT);
		// Three checks (one per 3 x 200 ms) find the consumer in place: nothing is reported.
		auto pSub = std::dynamic_pointer_cast<JsStanSubscription>(ImplAccess::impl(sub));
		CPPUNIT_ASSERT(pSub);
		NATS_WAIT_FOR(pSub->consumerChecksFound() >= 3, WAIT);
		CPPUNIT_ASSERT(!lost.called.load());
		CPPUNIT_ASSERT(sc.status() == StanConnection::Status::CONNECTED);
		sc.publish(channel, "2");
		NATS_WAIT_FOR(got.size() == 2, WAIT);
	}

private:
	struct Lost
	{
		std::mutex mutex;
		std::string error;
		std::atomic<bool> called{false};
	};

	StanOptions options(Lost& lost)
	{
		StanOptions o;
		o.natsUrl = _url;
		o.backend = StanOptions::Backend::JETSTREAM;
		o.jetStream.memoryStorage = true;
		o.jetStream.idleHeartbeat = Poco::Timespan(0, 200000); // check every 600 ms
		o.connectionLostHandler = [&lost](StanConnection&, const std::string& error) {
			std::lock_guard<std::mutex> lock(lost.mutex);
			lost.error = error;
			lost.called = true;
		};
		return o;
	}

	/// A subscription (of queue `group` if not empty) whose consumer `consumer` someone else
	/// deletes: reported as a lost session (#13: "a lost consumer reported like a lost session").
	void runDeleted(const std::string& clientId, const std::string& group, const std::string& durable, const std::string& consumer)
	{
		Lost lost;
		StanConnection sc(Test::stanClusterId(), clientId, options(lost));
		sc.connect();
		const std::string channel = Test::uniqueName("lostq");
		Test::StanCollector got;
		const StanSubscriptionOptions so = StanSubscriptionOptions().setDurableName(durable);
		StanSubscription sub = group.empty() ? sc.subscribe(channel, got.handler(), so) : sc.queueSubscribe(channel, group, got.handler(), so);
		sc.publish(channel, "1");
		NATS_WAIT_FOR(got.size() == 1, WAIT);
		// Someone deletes the consumer from another connection.
		Options no;
		no.servers = {_url};
		Connection admin(no);
		admin.connect();
		JetStreamContext js(admin, WAIT);
		js.deleteConsumer(JsStanConnection::streamName("", channel), consumer);
		// Reported within a few check periods (600 ms each); WAIT bounds it on a loaded machine.
		NATS_WAIT_FOR(lost.called.load(), WAIT);
		CPPUNIT_ASSERT(sc.status() == StanConnection::Status::LOST);
		std::lock_guard<std::mutex> lock(lost.mutex);
		CPPUNIT_ASSERT_MESSAGE(lost.error, lost.error.find("stan: consumer " + consumer + " of channel '" + channel + "' is gone") == 0);
		CPPUNIT_ASSERT_MESSAGE(lost.error, lost.error.find("consumer not found") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(lost.error, sc.lostError());
		CPPUNIT_ASSERT_THROW(sc.publish(channel, "x"), ConnectionClosedException);
	}

	const Poco::Timespan WAIT{10, 0};
	std::unique_ptr<Test::NatsServerProcess> _pServer;
	std::string _url;
};

CPPUNIT_TEST_SUITE_REGISTRATION(JetStreamLossTest);
