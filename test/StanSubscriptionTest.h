//
// StanSubscriptionTest.h
//
// Streaming subscriptions against nats-server + our streaming server (StanServerFixture).
//

#ifndef Nats_StanSubscriptionTest_INCLUDED
#define Nats_StanSubscriptionTest_INCLUDED

#include "StanTestUtil.h"
#include <cppunit/extensions/HelperMacros.h>

class StanSubscriptionTest: public Nats::Test::StanFixtureTest
{
	CPPUNIT_TEST_SUITE(StanSubscriptionTest);
	CPPUNIT_TEST(testBasicFromFirstMessage);
	CPPUNIT_TEST(testStartPositions);
	CPPUNIT_TEST(testStartAtTime);
	CPPUNIT_TEST(testDurableResume);
	CPPUNIT_TEST(testDurableUnsubscribeForgets);
	CPPUNIT_TEST(testDuplicateDurable);
	CPPUNIT_TEST(testQueueGroupWithPlainSubscriber);
	CPPUNIT_TEST(testDurableQueueGroupSurvives);
	CPPUNIT_TEST(testDurableQueueNameWithColon);
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
	CPPUNIT_TEST_SUITE_END();

public:
	void testBasicFromFirstMessage();
	void testStartPositions();
	void testStartAtTime();
	void testDurableResume();
	void testDurableUnsubscribeForgets();
	void testDuplicateDurable();
	void testQueueGroupWithPlainSubscriber();
	void testDurableQueueGroupSurvives();
	void testDurableQueueNameWithColon();
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
