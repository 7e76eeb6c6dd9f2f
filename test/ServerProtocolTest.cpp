//
// ServerProtocolTest.cpp
//
// Channel / client ID validation, ack-wait units and the error texts.
//

#include "protocol/ServerProtocol.h"
#include "core/SubjectRules.h"
#include <cppunit/extensions/HelperMacros.h>

using Nats::ServerProtocol;
using Nats::SubjectRules;

class ServerProtocolTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ServerProtocolTest);
	CPPUNIT_TEST(testChannelNames);
	CPPUNIT_TEST(testClientIDs);
	CPPUNIT_TEST(testAckWait);
	CPPUNIT_TEST(testCaseClashText);
	CPPUNIT_TEST_SUITE_END();

public:
	void testChannelNames()
	{
		CPPUNIT_ASSERT(SubjectRules::isValidChannel("foo"));
		CPPUNIT_ASSERT(SubjectRules::isValidChannel("foo.bar.baz"));
		CPPUNIT_ASSERT(SubjectRules::isValidChannel("foo bar")); // whitespace is not checked
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel(""));
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel(".foo"));
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel("foo."));
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel("foo..bar"));
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel("foo.*"));
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel("foo.>"));
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel("fo*o"));
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel("foo/bar"));
	}

	void testClientIDs()
	{
		CPPUNIT_ASSERT(ServerProtocol::isValidClientID("me"));
		CPPUNIT_ASSERT(ServerProtocol::isValidClientID("a-B_9"));
		CPPUNIT_ASSERT(!ServerProtocol::isValidClientID(""));
		CPPUNIT_ASSERT(!ServerProtocol::isValidClientID("a.b"));
		CPPUNIT_ASSERT(!ServerProtocol::isValidClientID("a b"));
		CPPUNIT_ASSERT(!ServerProtocol::isValidClientID("a*"));
	}

	void testAckWait()
	{
		CPPUNIT_ASSERT_EQUAL(std::int64_t(30000000000LL), ServerProtocol::ackWaitNanos(30));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1000000000LL), ServerProtocol::ackWaitNanos(1));
	}

	void testCaseClashText()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("rejecting channel \"Foo\" because channel \"foo\" alreay exists (different cases not allowed)"),
			ServerProtocol::caseClashError("Foo", "foo"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServerProtocolTest);
