//
// StanFakeServerTest.h
//
// StanConnection against a scripted streaming server (built on the core client) for behaviour a
// real server does not produce on demand: a MsgProto before its SubscriptionResponse, withheld
// or failing pub acks, ping errors, close ordering.
//

#ifndef Nats_StanFakeServerTest_INCLUDED
#define Nats_StanFakeServerTest_INCLUDED

#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>

namespace Nats {
namespace Test {
class NatsServerProcess;
}
}

class StanFakeServerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanFakeServerTest);
	CPPUNIT_TEST(testConnectRequestFields);
	CPPUNIT_TEST(testAckWaitSentInWholeSeconds);
	CPPUNIT_TEST(testMsgBeforeSubscriptionResponse);
	CPPUNIT_TEST(testPubAckTimeout);
	CPPUNIT_TEST(testPublishServerError);
	CPPUNIT_TEST(testPublishWindowBlocks);
	CPPUNIT_TEST(testCloseFailsPendingPublishes);
	CPPUNIT_TEST(testAcksFlushedBeforeClose);
	CPPUNIT_TEST(testPingErrorLosesConnection);
	CPPUNIT_TEST(testPingsUnansweredLoseConnection);
	CPPUNIT_TEST(testBorrowedConnectionClosed);
	CPPUNIT_TEST(testConnectErrors);
	CPPUNIT_TEST(testSubscribeTimeout);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override;
	void tearDown() override;

	void testConnectRequestFields();
	void testAckWaitSentInWholeSeconds();
	void testMsgBeforeSubscriptionResponse();
	void testPubAckTimeout();
	void testPublishServerError();
	void testPublishWindowBlocks();
	void testCloseFailsPendingPublishes();
	void testAcksFlushedBeforeClose();
	void testPingErrorLosesConnection();
	void testPingsUnansweredLoseConnection();
	void testBorrowedConnectionClosed();
	void testConnectErrors();
	void testSubscribeTimeout();

private:
	std::unique_ptr<Nats::Test::NatsServerProcess> _pServer;
	std::string _url;
};

#endif
