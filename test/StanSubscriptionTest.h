//
// StanSubscriptionTest.h
//
// Streaming subscriptions, one body for both backends (issue #13, StanBackendFixture.h):
// StanSubscriptionStreamingTest (test-client) against nats-server + our streaming server,
// StanSubscriptionJetStreamTest (test-jetstream) against nats-server -js. Every scenario here has
// a JetStream meaning. The duplicate durable, a durable's unsubscribe and the ':' in a durable
// queue name are checked on both backends by StanBackendTest.
//

#ifndef Nats_StanSubscriptionTest_INCLUDED
#define Nats_StanSubscriptionTest_INCLUDED

#include "StanTestUtil.h"
#include "StanBackendFixture.h"
#include <cppunit/extensions/HelperMacros.h>

class StanSubscriptionTest: public Nats::Test::StanBackendFixtureTest
{
	CPPUNIT_TEST_SUITE(StanSubscriptionTest);
	CPPUNIT_TEST(testBasicFromFirstMessage);
	CPPUNIT_TEST(testStartPositions);
	CPPUNIT_TEST(testStartAtTime);
	CPPUNIT_TEST(testDurableResume);
	CPPUNIT_TEST(testQueueGroupWithPlainSubscriber);
	CPPUNIT_TEST(testDurableQueueGroupSurvives);
	CPPUNIT_TEST(testManualAckRedelivery);
	CPPUNIT_TEST(testAckModes);
	CPPUNIT_TEST(testSubscriberRateLimit);
	CPPUNIT_TEST(testSlowCallbackRateLimit);
	CPPUNIT_TEST(testPullSubscription);
	CPPUNIT_TEST(testPendingLimits);
	CPPUNIT_TEST(testCloseWaitsForCallback);
	CPPUNIT_TEST(testHandleLifetime);
	CPPUNIT_TEST(testCloseFromOwnCallback);
	CPPUNIT_TEST(testHandlerExceptionNotAcked);
	CPPUNIT_TEST_SUITE_END_ABSTRACT();

public:
	void testBasicFromFirstMessage();
	void testStartPositions();
	void testStartAtTime();
	void testDurableResume();
	void testQueueGroupWithPlainSubscriber();
	void testDurableQueueGroupSurvives();
	void testManualAckRedelivery();
	void testAckModes();
	void testSubscriberRateLimit();
	void testSlowCallbackRateLimit();
	void testPullSubscription();
	void testPendingLimits();
	void testCloseWaitsForCallback();
	void testHandleLifetime();
	void testCloseFromOwnCallback();
	void testHandlerExceptionNotAcked();
};

#endif
