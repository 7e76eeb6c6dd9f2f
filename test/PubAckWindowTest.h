//
// PubAckWindowTest.h
//

#ifndef Nats_PubAckWindowTest_INCLUDED
#define Nats_PubAckWindowTest_INCLUDED

#include <cppunit/extensions/HelperMacros.h>

class PubAckWindowTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PubAckWindowTest);
	CPPUNIT_TEST(testAckRunsHandlerOnWorkerSlotFreedAfterIt);
	CPPUNIT_TEST(testTimeoutCompletesWithPubAckTimeout);
	CPPUNIT_TEST(testCloseFailsEachOnceAndRefusesNew);
	CPPUNIT_TEST(testBlockingPublishOutcomes);
	CPPUNIT_TEST(testSendThrowsRemovesEntry);
	CPPUNIT_TEST(testPublishFromAckHandlerWithFullWindow);
	CPPUNIT_TEST(testThrowingHandlerIsReported);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAckRunsHandlerOnWorkerSlotFreedAfterIt();
	void testTimeoutCompletesWithPubAckTimeout();
	void testCloseFailsEachOnceAndRefusesNew();
	void testBlockingPublishOutcomes();
	void testSendThrowsRemovesEntry();
	void testPublishFromAckHandlerWithFullWindow();
	void testThrowingHandlerIsReported();
};

#endif
