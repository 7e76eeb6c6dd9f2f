//
// JetStreamTest.h
//
// The JetStream API client (src/jetstream/JetStreamContext, JetStreamTypes) against a real
// nats-server -js (and the parsing parts without a network).
//

#ifndef Nats_JetStreamTest_INCLUDED
#define Nats_JetStreamTest_INCLUDED

#include <cppunit/extensions/HelperMacros.h>

class JetStreamTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JetStreamTest);
	CPPUNIT_TEST(testAckMetadataForms);
	CPPUNIT_TEST(testAckMetadataMalformed);
	CPPUNIT_TEST(testTimeRoundTrip);
	CPPUNIT_TEST(testConfigJson);
	CPPUNIT_TEST(testApiErrorParsed);
	CPPUNIT_TEST(testInvalidNames);
	CPPUNIT_TEST(testNotEnabled);
	CPPUNIT_TEST(testAccountInfo);
	CPPUNIT_TEST(testStreamLifecycle);
	CPPUNIT_TEST(testPublishPubAck);
	CPPUNIT_TEST(testPublishDeduplicated);
	CPPUNIT_TEST(testDurablePushConsumerAck);
	CPPUNIT_TEST(testEphemeralConsumerDeliverGroup);
	CPPUNIT_TEST(testDeliverPolicies);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAckMetadataForms();
	void testAckMetadataMalformed();
	void testTimeRoundTrip();
	void testConfigJson();
	void testApiErrorParsed();
	void testInvalidNames();
	void testNotEnabled();
	void testAccountInfo();
	void testStreamLifecycle();
	void testPublishPubAck();
	void testPublishDeduplicated();
	void testDurablePushConsumerAck();
	void testEphemeralConsumerDeliverGroup();
	void testDeliverPolicies();
};

#endif
