//
// StanOptionsTest.h
//

#ifndef Nats_StanOptionsTest_INCLUDED
#define Nats_StanOptionsTest_INCLUDED

#include <cppunit/extensions/HelperMacros.h>

class StanOptionsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanOptionsTest);
	CPPUNIT_TEST(testDefaults);
	CPPUNIT_TEST(testValidation);
	CPPUNIT_TEST(testEffectiveServers);
	CPPUNIT_TEST(testSubscriptionDefaults);
	CPPUNIT_TEST(testSubscriptionHelpers);
	CPPUNIT_TEST(testSubscriptionValidation);
	CPPUNIT_TEST(testMessageValue);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDefaults();
	void testValidation();
	void testEffectiveServers();
	void testSubscriptionDefaults();
	void testSubscriptionHelpers();
	void testSubscriptionValidation();
	void testMessageValue();
};

#endif
