//
// MemoryMsgStoreTest.cpp
//
// Sequences, timestamps, limits and every start position of protocol.md 3.4.
//

#include "server/MemoryMsgStore.h"
#include "protocol.pb.h"
#include <cppunit/extensions/HelperMacros.h>

using Nats::MemoryMsgStore;
using Nats::StoredMsg;

namespace {
const std::int64_t SEC = 1000000000LL;
const int NEW_ONLY = 0, LAST_RECEIVED = 1, TIME_DELTA = 2, SEQUENCE = 3, FIRST = 4;
}

class MemoryMsgStoreTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MemoryMsgStoreTest);
	CPPUNIT_TEST(testSequencesAndEncoding);
	CPPUNIT_TEST(testTimestampsNonDecreasing);
	CPPUNIT_TEST(testMaxMsgs);
	CPPUNIT_TEST(testMaxBytesKeepsNewest);
	CPPUNIT_TEST(testMaxAge);
	CPPUNIT_TEST(testStartEmpty);
	CPPUNIT_TEST(testStartPositions);
	CPPUNIT_TEST(testStartTimeDelta);
	CPPUNIT_TEST(testStartAfterAllExpired);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSequencesAndEncoding()
	{
		MemoryMsgStore s(0, 0, 0);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.lastSequence());
		CPPUNIT_ASSERT(s.lookup(1) == nullptr);
		const StoredMsg& m1 = s.store("foo", "r", "one", 10 * SEC);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), m1.sequence);
		s.store("foo", "", "two", 11 * SEC);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), s.lastSequence());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.firstSequence());
		const StoredMsg* p = s.lookup(1);
		CPPUNIT_ASSERT(p != nullptr);
		natsstan::MsgProto proto;
		CPPUNIT_ASSERT(proto.ParseFromString(p->encoded));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), proto.sequence());
		CPPUNIT_ASSERT_EQUAL(std::string("foo"), proto.subject());
		CPPUNIT_ASSERT_EQUAL(std::string("r"), proto.reply());
		CPPUNIT_ASSERT_EQUAL(std::string("one"), proto.data());
		CPPUNIT_ASSERT_EQUAL(10 * SEC, proto.timestamp());
		CPPUNIT_ASSERT(!proto.redelivered());
		CPPUNIT_ASSERT(s.lookup(3) == nullptr);
		CPPUNIT_ASSERT(s.lookup(0) == nullptr);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(s.lookup(1)->encoded.size() + s.lookup(2)->encoded.size()), s.bytes());
	}

	void testTimestampsNonDecreasing()
	{
		MemoryMsgStore s(0, 0, 0);
		s.store("foo", "", "a", 100);
		s.store("foo", "", "b", 50); // clock went back
		CPPUNIT_ASSERT_EQUAL(std::int64_t(100), s.lookup(2)->timestamp);
		s.store("foo", "", "c", 200);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(200), s.lookup(3)->timestamp);
	}

	void testMaxMsgs()
	{
		MemoryMsgStore s(3, 0, 0);
		for (int i = 0; i < 10; ++i) s.store("foo", "", "x", i);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), s.count());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(8), s.firstSequence());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), s.lastSequence());
		CPPUNIT_ASSERT(s.lookup(7) == nullptr);
		CPPUNIT_ASSERT(s.lookup(8) != nullptr);
	}

	void testMaxBytesKeepsNewest()
	{
		MemoryMsgStore s(0, 100, 0);
		s.store("foo", "", std::string(40, 'a'), 1);
		s.store("foo", "", std::string(40, 'b'), 2);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.count()); // 2 x ~55 bytes > 100
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), s.firstSequence());
		s.store("foo", "", std::string(500, 'c'), 3); // alone above the limit: still kept
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.count());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), s.firstSequence());
		CPPUNIT_ASSERT(s.bytes() > 100);
	}

	void testMaxAge()
	{
		MemoryMsgStore s(0, 0, 10 * SEC);
		s.store("foo", "", "a", 1 * SEC);
		s.store("foo", "", "b", 5 * SEC);
		s.store("foo", "", "c", 9 * SEC);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), s.expire(10 * SEC));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), s.expire(15 * SEC));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), s.firstSequence());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), s.expire(100 * SEC));
		CPPUNIT_ASSERT(s.empty());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), s.lastSequence()); // sequences are never reused
		s.store("foo", "", "d", 101 * SEC);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), s.lastSequence());
		MemoryMsgStore unlimited(0, 0, 0);
		unlimited.store("foo", "", "a", 1);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), unlimited.expire(1000 * SEC));
	}

	void testStartEmpty()
	{
		MemoryMsgStore s(0, 0, 0);
		for (int pos = 0; pos <= 4; ++pos)
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.startLastSent(pos, 5, SEC, 100 * SEC));
	}

	void testStartPositions()
	{
		MemoryMsgStore s(3, 0, 0);
		for (int i = 1; i <= 5; ++i) s.store("foo", "", "x", i * SEC); // keeps 3, 4, 5
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), s.startLastSent(NEW_ONLY, 0, 0, 10 * SEC));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), s.startLastSent(LAST_RECEIVED, 0, 0, 10 * SEC));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), s.startLastSent(FIRST, 0, 0, 10 * SEC));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), s.startLastSent(SEQUENCE, 4, 0, 10 * SEC));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), s.startLastSent(SEQUENCE, 1, 0, 10 * SEC));  // before first: first
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), s.startLastSent(SEQUENCE, 0, 0, 10 * SEC));  // 0: first
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), s.startLastSent(SEQUENCE, 99, 0, 10 * SEC)); // after last: new only
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), s.startLastSent(SEQUENCE, 5, 0, 10 * SEC));
	}

	void testStartTimeDelta()
	{
		MemoryMsgStore s(0, 0, 0);
		for (int i = 1; i <= 5; ++i) s.store("foo", "", "x", i * SEC);
		const std::int64_t now = 10 * SEC;
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), s.startLastSent(TIME_DELTA, 0, 7 * SEC, now));    // ts >= 3 s: seq 3
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.startLastSent(TIME_DELTA, 0, 100 * SEC, now));  // older than first
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), s.startLastSent(TIME_DELTA, 0, 1 * SEC, now));    // newer than last
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), s.startLastSent(TIME_DELTA, 0, -5 * SEC, now));   // future
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), s.startLastSent(TIME_DELTA, 0, 5 * SEC, now));    // exactly 5 s: seq 5
	}

	void testStartAfterAllExpired()
	{
		MemoryMsgStore s(0, 0, SEC);
		for (int i = 1; i <= 3; ++i) s.store("foo", "", "x", i);
		s.expire(100 * SEC);
		CPPUNIT_ASSERT(s.empty());
		for (int pos = 0; pos <= 4; ++pos)
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), s.startLastSent(pos, 1, SEC, 100 * SEC));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(MemoryMsgStoreTest);
