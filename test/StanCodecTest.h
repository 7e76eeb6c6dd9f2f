//
// StanCodecTest.h
//
// Round trips between the hand-written hot-path codec and the generated protobuf code.
//

#ifndef Nats_StanCodecTest_INCLUDED
#define Nats_StanCodecTest_INCLUDED

#include <cppunit/extensions/HelperMacros.h>

class StanCodecTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanCodecTest);
	CPPUNIT_TEST(testPubMsgMatchesGenerated);
	CPPUNIT_TEST(testPubMsgEmptyFieldsOmitted);
	CPPUNIT_TEST(testPubMsgBinaryAndLargePayload);
	CPPUNIT_TEST(testAckMatchesGenerated);
	CPPUNIT_TEST(testMsgProtoDecode);
	CPPUNIT_TEST(testMsgProtoSkipsUnknownFields);
	CPPUNIT_TEST(testMsgProtoMalformed);
	CPPUNIT_TEST(testPubAckDecode);
	CPPUNIT_TEST(testControlMessages);
	CPPUNIT_TEST(testEmptyResponses);
	CPPUNIT_TEST(testServerPubAckMatchesGenerated);
	CPPUNIT_TEST(testServerSubscriptionResponseMatchesGenerated);
	CPPUNIT_TEST(testAppendRedelivered);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPubMsgMatchesGenerated();
	void testPubMsgEmptyFieldsOmitted();
	void testPubMsgBinaryAndLargePayload();
	void testAckMatchesGenerated();
	void testMsgProtoDecode();
	void testMsgProtoSkipsUnknownFields();
	void testMsgProtoMalformed();
	void testPubAckDecode();
	void testControlMessages();
	void testEmptyResponses();
	void testServerPubAckMatchesGenerated();
	void testServerSubscriptionResponseMatchesGenerated();
	void testAppendRedelivered();
};

#endif
