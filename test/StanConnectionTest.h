//
// StanConnectionTest.h
//
// StanConnection, one body for both backends (issue #13, StanBackendFixture.h):
// StanConnectionStreamingTest (test-client) against nats-server + our streaming server,
// StanConnectionJetStreamTest (test-jetstream) against nats-server -js.
// StanConnectionStreamingOnlyTest: what has no JetStream meaning (README, "JetStream backend",
// what does not map): a wrong cluster ID (on JetStream it only names the client-ID probe subject,
// nothing answers for a cluster), the session lost by client PINGs and by the server's heartbeat
// check of a replaced client (JetStream has neither; its loss is a consumer gone:
// JetStreamLossTest).
//

#ifndef Nats_StanConnectionTest_INCLUDED
#define Nats_StanConnectionTest_INCLUDED

#include "StanTestUtil.h"
#include "StanBackendFixture.h"
#include <cppunit/extensions/HelperMacros.h>

class StanConnectionTest: public Nats::Test::StanBackendFixtureTest
{
	CPPUNIT_TEST_SUITE(StanConnectionTest);
	CPPUNIT_TEST(testConnectPublishClose);
	CPPUNIT_TEST(testClientIdRegistered);
	CPPUNIT_TEST(testInvalidClientId);
	CPPUNIT_TEST(testAsyncPublish1024);
	CPPUNIT_TEST(testPublishRateLimit);
	CPPUNIT_TEST(testPublishInvalidChannel);
	CPPUNIT_TEST(testBorrowedConnection);
	CPPUNIT_TEST(testCloseFromCallback);
	CPPUNIT_TEST(testCloseFromAckHandler);
	CPPUNIT_TEST(testPublishFromAckHandler);
	CPPUNIT_TEST(testNatsRestart);
	CPPUNIT_TEST_SUITE_END_ABSTRACT();

public:
	void testConnectPublishClose();
	void testClientIdRegistered();
	void testInvalidClientId();
	void testAsyncPublish1024();
	void testPublishRateLimit();
	void testPublishInvalidChannel();
	void testBorrowedConnection();
	void testCloseFromCallback();
	void testCloseFromAckHandler();
	void testPublishFromAckHandler();
	void testNatsRestart();
};

class StanConnectionStreamingOnlyTest: public Nats::Test::StanFixtureTest
{
	CPPUNIT_TEST_SUITE(StanConnectionStreamingOnlyTest);
	CPPUNIT_TEST(testWrongClusterId);
	CPPUNIT_TEST(testLostWhenServerStops);
	CPPUNIT_TEST(testLostWhenReplaced);
	CPPUNIT_TEST_SUITE_END();

public:
	void testWrongClusterId();
	void testLostWhenServerStops();
	void testLostWhenReplaced();
};

#endif
