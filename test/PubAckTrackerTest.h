//
// PubAckTrackerTest.h
//

#ifndef Nats_PubAckTrackerTest_INCLUDED
#define Nats_PubAckTrackerTest_INCLUDED

#include <cppunit/extensions/HelperMacros.h>

class PubAckTrackerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PubAckTrackerTest);
	CPPUNIT_TEST(testCompleteOnce);
	CPPUNIT_TEST(testExpireInOrder);
	CPPUNIT_TEST(testWindowBlocksAndReleasesAtThreshold);
	CPPUNIT_TEST(testBoundedWaitTimesOut);
	CPPUNIT_TEST(testCloseFailsAllAndWakesWaiters);
	CPPUNIT_TEST(testRemove);
	CPPUNIT_TEST(testArmCallback);
	CPPUNIT_TEST(testOldEntryOverflow);
	CPPUNIT_TEST(testConcurrentExactlyOnce);
	CPPUNIT_TEST(testHeldSlotsUntilReleased);
	CPPUNIT_TEST_SUITE_END();

public:
	void testCompleteOnce();
	void testExpireInOrder();
	void testWindowBlocksAndReleasesAtThreshold();
	void testBoundedWaitTimesOut();
	void testCloseFailsAllAndWakesWaiters();
	void testRemove();
	void testArmCallback();
	void testOldEntryOverflow();
	void testConcurrentExactlyOnce();
	void testHeldSlotsUntilReleased();
};

#endif
