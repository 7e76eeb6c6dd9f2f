//
// ServerPoolTest.cpp
//

#include "core/ServerPool.h"
#include <Poco/Exception.h>
#include <cppunit/extensions/HelperMacros.h>
#include <set>

using namespace Nats;

class ServerPoolTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ServerPoolTest);
	CPPUNIT_TEST(testParse);
	CPPUNIT_TEST(testParseMalformed);
	CPPUNIT_TEST(testPoolOrder);
	CPPUNIT_TEST(testRandomize);
	CPPUNIT_TEST(testDiscovered);
	CPPUNIT_TEST(testMoveToEndAndRemove);
	CPPUNIT_TEST_SUITE_END();

public:
	void testParse()
	{
		ServerAddress a = ServerAddress::parse("nats://user:pa:ss@example.com:4333");
		CPPUNIT_ASSERT_EQUAL(std::string("nats"), a.scheme);
		CPPUNIT_ASSERT_EQUAL(std::string("example.com"), a.host);
		CPPUNIT_ASSERT_EQUAL(4333, a.port);
		CPPUNIT_ASSERT_EQUAL(std::string("user"), a.user);
		CPPUNIT_ASSERT_EQUAL(std::string("pa:ss"), a.password);
		CPPUNIT_ASSERT(!a.tls());

		ServerAddress t = ServerAddress::parse("nats://s3cr3t@localhost");
		CPPUNIT_ASSERT_EQUAL(std::string("s3cr3t"), t.token);
		CPPUNIT_ASSERT_EQUAL(4222, t.port);
		CPPUNIT_ASSERT(t.user.empty());

		ServerAddress s = ServerAddress::parse("tls://10.0.0.1:4443");
		CPPUNIT_ASSERT(s.tls());
		CPPUNIT_ASSERT_EQUAL(std::string("tls://10.0.0.1:4443"), s.url());

		ServerAddress b = ServerAddress::parse("127.0.0.1:5222");
		CPPUNIT_ASSERT_EQUAL(std::string("nats"), b.scheme);
		CPPUNIT_ASSERT_EQUAL(5222, b.port);

		ServerAddress h = ServerAddress::parse("  NATS://host  ");
		CPPUNIT_ASSERT_EQUAL(std::string("host:4222"), h.hostPort());

		ServerAddress v6 = ServerAddress::parse("nats://[::1]:4223");
		CPPUNIT_ASSERT_EQUAL(std::string("::1"), v6.host);
		CPPUNIT_ASSERT_EQUAL(std::string("[::1]:4223"), v6.hostPort());
	}

	void testParseMalformed()
	{
		for (const char* bad: {"", "nats://", "http://host:4222", "nats://host:", "nats://host:abc", "nats://host:70000", "nats://host:0",
				 "nats://:4222", "nats://@host", "nats://host/path", "ho st:4222", "nats://::1:4222", "nats://[::1", "nats://:pw@host"})
		{
			CPPUNIT_ASSERT_THROW_MESSAGE(bad, ServerAddress::parse(bad), Poco::InvalidArgumentException);
		}
		CPPUNIT_ASSERT_THROW(ServerPool(std::vector<std::string>{}, true), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT_THROW(ServerPool(std::vector<std::string>{"nats://a:1", "bad:url:x"}, true), Poco::InvalidArgumentException);
	}

	void testPoolOrder()
	{
		ServerPool pool({"nats://a:1", "nats://b:2", "nats://c:3", "nats://a:1"}, true);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), pool.size());
		CPPUNIT_ASSERT_EQUAL(std::string("nats://a:1"), pool.urls()[0]);
		CPPUNIT_ASSERT_EQUAL(std::string("nats://c:3"), pool.urls()[2]);
		CPPUNIT_ASSERT_EQUAL(1, pool.find("b:2"));
		CPPUNIT_ASSERT_EQUAL(-1, pool.find("d:4"));
	}

	void testRandomize()
	{
		std::vector<std::string> urls;
		for (int i = 1; i <= 10; ++i) urls.push_back("nats://h" + std::to_string(i) + ":4222");
		std::set<std::string> firsts;
		for (int i = 0; i < 50; ++i) firsts.insert(ServerPool(urls, false).urls()[0]);
		// shuffled: with 10 servers, 50 pools do not all start with the same one
		CPPUNIT_ASSERT(firsts.size() > 1);
		for (int i = 0; i < 10; ++i) CPPUNIT_ASSERT(urls == ServerPool(urls, true).urls());
	}

	void testDiscovered()
	{
		ServerPool pool({"nats://a:1"}, true);
		CPPUNIT_ASSERT(!pool.updateDiscovered({}, "a:1", "nats"));
		CPPUNIT_ASSERT(pool.updateDiscovered({"a:1", "b:2", "c:3"}, "a:1", "nats"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), pool.size());
		CPPUNIT_ASSERT(pool.at(static_cast<std::size_t>(pool.find("b:2"))).implicit);
		CPPUNIT_ASSERT(!pool.at(0).implicit);
		// nothing new
		CPPUNIT_ASSERT(!pool.updateDiscovered({"b:2", "c:3"}, "a:1", "nats"));
		// c left the cluster; b is current and stays even if not listed; explicit a stays
		CPPUNIT_ASSERT(!pool.updateDiscovered({"c:3"}, "b:2", "nats"));
		CPPUNIT_ASSERT(pool.find("a:1") >= 0);
		CPPUNIT_ASSERT(pool.find("b:2") >= 0);
		CPPUNIT_ASSERT(pool.find("c:3") >= 0);
		pool.updateDiscovered({"a:1"}, "a:1", "nats");
		CPPUNIT_ASSERT_EQUAL(-1, pool.find("b:2"));
		CPPUNIT_ASSERT_EQUAL(-1, pool.find("c:3"));
		CPPUNIT_ASSERT(pool.updateDiscovered({"e:5"}, "a:1", "tls"));
		CPPUNIT_ASSERT(pool.at(static_cast<std::size_t>(pool.find("e:5"))).tls());
	}

	void testMoveToEndAndRemove()
	{
		ServerPool pool({"nats://a:1", "nats://b:2", "nats://c:3"}, true);
		pool.moveToEnd("a:1");
		CPPUNIT_ASSERT_EQUAL(std::string("nats://a:1"), pool.urls()[2]);
		pool.remove(0);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), pool.size());
		CPPUNIT_ASSERT_EQUAL(std::string("nats://c:3"), pool.urls()[0]);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServerPoolTest);
