//
// StanConnectionTest.h
//
// StanConnection against nats-server + our streaming server (StanServerFixture).
//

#ifndef Nats_StanConnectionTest_INCLUDED
#define Nats_StanConnectionTest_INCLUDED

#include "StanTestUtil.h"
#include <cppunit/extensions/HelperMacros.h>

class StanConnectionTest: public Nats::Test::StanFixtureTest
{
	CPPUNIT_TEST_SUITE(StanConnectionTest);
	CPPUNIT_TEST(testConnectPublishClose);
	CPPUNIT_TEST(testWrongClusterId);
	CPPUNIT_TEST(testClientIdRegistered);
	CPPUNIT_TEST(testInvalidClientId);
	CPPUNIT_TEST(testAsyncPublish1024);
	CPPUNIT_TEST(testPublishRateLimit);
	CPPUNIT_TEST(testPublishInvalidChannel);
	CPPUNIT_TEST(testBorrowedConnection);
	CPPUNIT_TEST(testCloseFromCallback);
	CPPUNIT_TEST(testCloseFromAckHandler);
	CPPUNIT_TEST(testPublishFromAckHandler);
	CPPUNIT_TEST(testLostWhenServerStops);
	CPPUNIT_TEST(testLostWhenReplaced);
	CPPUNIT_TEST(testNatsRestart);
	CPPUNIT_TEST_SUITE_END();

public:
	void testConnectPublishClose();
	void testWrongClusterId();
	void testClientIdRegistered();
	void testInvalidClientId();
	void testAsyncPublish1024();
	void testPublishRateLimit();
	void testPublishInvalidChannel();
	void testBorrowedConnection();
	void testCloseFromCallback();
	void testCloseFromAckHandler();
	void testPublishFromAckHandler();
	void testLostWhenServerStops();
	void testLostWhenReplaced();
	void testNatsRestart();
};

#endif
