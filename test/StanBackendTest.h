//
// StanBackendTest.h
//
// Streaming scenarios that have a JetStream meaning, one test body for both backends:
// StanBackendStreamingTest runs them against nats-server + our streaming server,
// StanBackendJetStreamTest against nats-server -js (StanOptions::Backend::JETSTREAM), which also
// runs the JetStream-only cases (stream naming, required streams, flow control; a lost consumer:
// JetStreamLossTest).
//

#ifndef Nats_StanBackendTest_INCLUDED
#define Nats_StanBackendTest_INCLUDED

#include "StanBackendFixture.h"
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>

class StanBackendTest: public Nats::Test::StanBackendFixtureTest
{
	CPPUNIT_TEST_SUITE(StanBackendTest);
	CPPUNIT_TEST(testPublishSubscribeAll);
	CPPUNIT_TEST(testStartPositions);
	CPPUNIT_TEST(testStartAtTime);
	CPPUNIT_TEST(testDurableResume);
	CPPUNIT_TEST(testDurableResumeAfterReconnect);
	CPPUNIT_TEST(testDurableUnsubscribeForgets);
	CPPUNIT_TEST(testDuplicateDurable);
	CPPUNIT_TEST(testQueueGroup);
	CPPUNIT_TEST(testDurableQueueGroupSurvivesClose);
	CPPUNIT_TEST(testManualAckRedelivery);
	CPPUNIT_TEST(testAutoAckNoRedelivery);
	CPPUNIT_TEST(testPublishAsyncHandlers);
	CPPUNIT_TEST(testPullSubscription);
	CPPUNIT_TEST(testClientIdUnique);
	CPPUNIT_TEST(testHandleLifetime);
	CPPUNIT_TEST(testCloseFailsNothingAcked);
	CPPUNIT_TEST(testBadArguments);
	CPPUNIT_TEST(testPubAckTimeout);
	CPPUNIT_TEST(testPullAutoAckAfterTheApplicationHadIt);
	CPPUNIT_TEST(testAckHandlersHoldTheirWindowSlot);
	CPPUNIT_TEST(testMessageSubscriptionDoesNotOwn);
	CPPUNIT_TEST(testSecondCloseWaitsForTheFirst);
	CPPUNIT_TEST(testSlowConsumerReportedOncePerEpisode);
	CPPUNIT_TEST_SUITE_END_ABSTRACT();

public:
	void testPublishSubscribeAll();
	void testStartPositions();
	void testStartAtTime();
	void testDurableResume();
	void testDurableResumeAfterReconnect();
	void testDurableUnsubscribeForgets();
	void testDuplicateDurable();
	void testQueueGroup();
	void testDurableQueueGroupSurvivesClose();
	void testManualAckRedelivery();
	void testAutoAckNoRedelivery();
	void testPublishAsyncHandlers();
	void testPullSubscription();
	void testClientIdUnique();
	void testHandleLifetime();
	void testCloseFailsNothingAcked();
	void testBadArguments();
	void testPubAckTimeout();
	void testPullAutoAckAfterTheApplicationHadIt();
	void testAckHandlersHoldTheirWindowSlot();
	void testMessageSubscriptionDoesNotOwn();
	void testSecondCloseWaitsForTheFirst();
	void testSlowConsumerReportedOncePerEpisode();
};

/// StanBackendStreamingTest: NATS_STAN_BACKEND_SUITE in StanBackendTest.cpp.

class StanBackendJetStreamTest: public StanBackendTest
{
	CPPUNIT_TEST_SUB_SUITE(StanBackendJetStreamTest, StanBackendTest);
	CPPUNIT_TEST(testStreamNameRule);
	CPPUNIT_TEST(testStreamsRequiredToExist);
	CPPUNIT_TEST(testStreamLimitsFromOptions);
	CPPUNIT_TEST(testConsumerNames);
	CPPUNIT_TEST(testFlowControlLargeReplay);
	CPPUNIT_TEST(testNotJetStreamServer);
	CPPUNIT_TEST(testMsgIdIsGuid);
	CPPUNIT_TEST_SUITE_END();

public:
	void testStreamNameRule();
	void testStreamsRequiredToExist();
	void testStreamLimitsFromOptions();
	void testConsumerNames();
	void testFlowControlLargeReplay();
	void testNotJetStreamServer();
	void testMsgIdIsGuid();

protected:
	std::unique_ptr<Nats::Test::StanBackendFixture> startBackend() override { return Nats::Test::startJetStreamBackend(); }
};

#endif
