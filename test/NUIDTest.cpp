//
// NUIDTest.cpp
//

#include "core/NUID.h"
#include "core/Base62.h"
#include <cppunit/extensions/HelperMacros.h>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace Nats;

class NUIDTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(NUIDTest);
	CPPUNIT_TEST(testFormat);
	CPPUNIT_TEST(testUnique);
	CPPUNIT_TEST(testSharedPrefixGrowingSequence);
	CPPUNIT_TEST(testRollover);
	CPPUNIT_TEST(testInbox);
	CPPUNIT_TEST(testThreads);
	CPPUNIT_TEST(testBase62);
	CPPUNIT_TEST_SUITE_END();

public:
	void testBase62()
	{
		// The one encoder of NUIDs, request tokens and publish guids.
		CPPUNIT_ASSERT_EQUAL(std::string("0"), Base62::encode(0));
		CPPUNIT_ASSERT_EQUAL(std::string("z"), Base62::encode(61));
		CPPUNIT_ASSERT_EQUAL(std::string("10"), Base62::encode(62));
		CPPUNIT_ASSERT_EQUAL(std::string("LygHa16AHYF"), Base62::encode(UINT64_MAX));
		for (std::uint64_t v : {std::uint64_t(0), std::uint64_t(1), std::uint64_t(61), std::uint64_t(62), std::uint64_t(3843),
			std::uint64_t(3844), std::uint64_t(839299365868340223ULL), UINT64_MAX})
		{
			std::uint64_t back = 12345;
			CPPUNIT_ASSERT(Base62::parse(Base62::encode(v), back));
			CPPUNIT_ASSERT_EQUAL(v, back);
		}
		std::uint64_t v = 7;
		CPPUNIT_ASSERT(!Base62::parse("", v));
		CPPUNIT_ASSERT(!Base62::parse("a.b", v));
		CPPUNIT_ASSERT(!Base62::parse("LygHa16AHYG", v)); // 2^64
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), v);
		char buf[5];
		Base62::writeFixed(buf, 5, 62);
		CPPUNIT_ASSERT_EQUAL(std::string("00010"), std::string(buf, 5));
	}

	static bool base62(const std::string& s)
	{
		for (char c: s)
		{
			if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
		}
		return true;
	}

	void testFormat()
	{
		for (int i = 0; i < 1000; ++i)
		{
			std::string id = NUID::next();
			CPPUNIT_ASSERT_EQUAL(std::size_t(22), id.size());
			CPPUNIT_ASSERT(base62(id));
		}
	}

	void testUnique()
	{
		std::set<std::string> seen;
		for (int i = 0; i < 200000; ++i) CPPUNIT_ASSERT(seen.insert(NUID::next()).second);
		NUID a, b;
		CPPUNIT_ASSERT(a.nextString().substr(0, 12) != b.nextString().substr(0, 12));
	}

	void testSharedPrefixGrowingSequence()
	{
		NUID n;
		std::string first = n.nextString();
		std::string second = n.nextString();
		CPPUNIT_ASSERT_EQUAL(first.substr(0, 12), second.substr(0, 12));
		// the sequence part is rendered most significant digit first, so it sorts (same prefix)
		CPPUNIT_ASSERT(second.substr(12) > first.substr(12));
	}

	void testRollover()
	{
		// After many draws the prefix must eventually change only on rollover; draw a few million
		// would be slow, so check that a fresh generator's prefix is random and stable meanwhile.
		NUID n;
		std::string prefix = n.nextString().substr(0, 12);
		for (int i = 0; i < 10000; ++i) CPPUNIT_ASSERT_EQUAL(prefix, n.nextString().substr(0, 12));
		n.randomizePrefix();
		CPPUNIT_ASSERT(prefix != n.nextString().substr(0, 12));
	}

	void testInbox()
	{
		std::string inbox = NUID::newInbox();
		CPPUNIT_ASSERT_EQUAL(std::size_t(29), inbox.size());
		CPPUNIT_ASSERT_EQUAL(std::string("_INBOX."), inbox.substr(0, 7));
		CPPUNIT_ASSERT(base62(inbox.substr(7)));
		CPPUNIT_ASSERT(inbox != NUID::newInbox());
	}

	void testThreads()
	{
		std::mutex mutex;
		std::set<std::string> all;
		std::vector<std::thread> threads;
		for (int t = 0; t < 4; ++t)
		{
			threads.emplace_back([&]() {
				std::vector<std::string> mine;
				for (int i = 0; i < 20000; ++i) mine.push_back(NUID::next());
				std::lock_guard<std::mutex> lock(mutex);
				all.insert(mine.begin(), mine.end());
			});
		}
		for (auto& t: threads) t.join();
		CPPUNIT_ASSERT_EQUAL(std::size_t(80000), all.size());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(NUIDTest);
