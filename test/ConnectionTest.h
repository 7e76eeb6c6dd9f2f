//
// ConnectionTest.h
//
// Integration tests of the core client against a real nats-server (or NATS_URL).
//

#ifndef Nats_ConnectionTest_INCLUDED
#define Nats_ConnectionTest_INCLUDED

#include "NatsServerProcess.h"
#include "Nats/Connection.h"
#include <cppunit/extensions/HelperMacros.h>
#include <memory>

class ConnectionTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ConnectionTest);
	CPPUNIT_TEST(testConnectAndClose);
	CPPUNIT_TEST(testPublishSubscribeAsync);
	CPPUNIT_TEST(testSubscribeSync);
	CPPUNIT_TEST(testQueueSubscribe);
	CPPUNIT_TEST(testUnsubscribe);
	CPPUNIT_TEST(testAutoUnsubscribe);
	CPPUNIT_TEST(testRequestReply);
	CPPUNIT_TEST(testRequestTimeout);
	CPPUNIT_TEST(testNoResponders);
	CPPUNIT_TEST(testFlush);
	CPPUNIT_TEST(testOrdering);
	CPPUNIT_TEST(testLargePayload);
	CPPUNIT_TEST(testMaxPayloadViolation);
	CPPUNIT_TEST(testBadSubjects);
	CPPUNIT_TEST(testUseAfterClose);
	CPPUNIT_TEST(testNotConnected);
	CPPUNIT_TEST(testNoServer);
	CPPUNIT_TEST(testSlowConsumer);
	CPPUNIT_TEST(testCallbackException);
	CPPUNIT_TEST(testCloseFromCallback);
	CPPUNIT_TEST(testHeadersAndReplyInMessage);
	CPPUNIT_TEST(testInlineSubscriptionPublishes);
	CPPUNIT_TEST(testOsThreadNames);
	CPPUNIT_TEST(testRequestAsync);
	CPPUNIT_TEST(testDrain);
	CPPUNIT_TEST(testDrainStatus);
	CPPUNIT_TEST(testSyncSlowConsumer);
	CPPUNIT_TEST(testConnectSkipsDeadServer);
	CPPUNIT_TEST(testConcurrentPublishers);
	CPPUNIT_TEST(testWriteNowDuringBursts);
	CPPUNIT_TEST(testStatistics);
	CPPUNIT_TEST(testNoEcho);
	CPPUNIT_TEST(testDispatcherPool);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override;
	void tearDown() override;

	void testConnectAndClose();
	void testPublishSubscribeAsync();
	void testSubscribeSync();
	void testQueueSubscribe();
	void testUnsubscribe();
	void testAutoUnsubscribe();
	void testRequestReply();
	void testRequestTimeout();
	void testNoResponders();
	void testFlush();
	void testOrdering();
	void testLargePayload();
	void testMaxPayloadViolation();
	void testBadSubjects();
	void testUseAfterClose();
	void testNotConnected();
	void testNoServer();
	void testSlowConsumer();
	void testCallbackException();
	void testCloseFromCallback();
	void testHeadersAndReplyInMessage();
	void testInlineSubscriptionPublishes();
	void testOsThreadNames();
	void testRequestAsync();
	void testDrain();
	void testDrainStatus();
	void testSyncSlowConsumer();
	void testConnectSkipsDeadServer();
	void testConcurrentPublishers();
	void testWriteNowDuringBursts();
	void testStatistics();
	void testNoEcho();
	void testDispatcherPool();

private:
	Nats::Options options() const;
	std::unique_ptr<Nats::Test::NatsServerProcess> _pServer;
	std::string _url;
};

#endif
