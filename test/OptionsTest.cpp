//
// OptionsTest.cpp
//

#include "Nats/Options.h"
#include <Poco/Exception.h>
#include <cppunit/extensions/HelperMacros.h>
#include <functional>

using namespace Nats;

class OptionsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(OptionsTest);
	CPPUNIT_TEST(testDefaults);
	CPPUNIT_TEST(testValidate);
	CPPUNIT_TEST(testSplitUrls);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSplitUrls()
	{
		CPPUNIT_ASSERT((Options::splitUrls(" nats://a:4222 ,, tls://b:4443,") == std::vector<std::string>{"nats://a:4222", "tls://b:4443"}));
		CPPUNIT_ASSERT((Options::splitUrls("h:1") == std::vector<std::string>{"h:1"}));
		CPPUNIT_ASSERT(Options::splitUrls(" , ").empty());
		CPPUNIT_ASSERT(Options::splitUrls("").empty());
	}

	void testDefaults()
	{
		Options o;
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), o.servers.size());
		CPPUNIT_ASSERT_EQUAL(std::string("nats://127.0.0.1:4222"), o.servers[0]);
		CPPUNIT_ASSERT(o.connectTimeout == Poco::Timespan(2, 0));
		CPPUNIT_ASSERT(o.reconnectWait == Poco::Timespan(2, 0));
		CPPUNIT_ASSERT(o.reconnectJitter == Poco::Timespan(0, 100000));
		CPPUNIT_ASSERT(o.reconnectJitterTLS == Poco::Timespan(1, 0));
		CPPUNIT_ASSERT(o.pingInterval == Poco::Timespan(120, 0));
		CPPUNIT_ASSERT_EQUAL(60, o.maxReconnect);
		CPPUNIT_ASSERT_EQUAL(2, o.maxPingsOut);
		CPPUNIT_ASSERT_EQUAL(8 * 1024 * 1024, o.reconnectBufferSize);
		CPPUNIT_ASSERT_EQUAL(65536, o.maxPendingMessages);
		CPPUNIT_ASSERT_EQUAL(64LL * 1024 * 1024, o.maxPendingBytes);
		CPPUNIT_ASSERT_EQUAL(1, o.dispatcherThreads);
		CPPUNIT_ASSERT(o.allowReconnect);
		CPPUNIT_ASSERT(o.tlsVerify);
		o.validate();
	}

	/// `row` names the case in a failure.
	static void expectInvalid(const Options& o, const std::string& field, const std::string& row)
	{
		try
		{
			o.validate();
			CPPUNIT_FAIL(row + ": validate() accepted a bad " + field);
		}
		catch (Poco::InvalidArgumentException& e)
		{
			CPPUNIT_ASSERT_MESSAGE(row + ": " + e.message(), e.message().find(field) != std::string::npos);
		}
	}

	void testValidate()
	{
		// each row breaks one field; validate() must reject it and name the field
		const struct
		{
			const char* field;
			std::function<void(Options&)> breakIt;
		} rows[] = {
			{"servers", [](Options& o) { o.servers.clear(); }},
			{"servers", [](Options& o) { o.servers = {"nats://ok:4222", "nats://bad:port"}; }},
			{"connectTimeout", [](Options& o) { o.connectTimeout = 0; }},
			{"maxReconnect", [](Options& o) { o.maxReconnect = -2; }},
			{"maxPingsOut", [](Options& o) { o.maxPingsOut = 0; }},
			{"dispatcherThreads", [](Options& o) { o.dispatcherThreads = 0; }},
			{"maxPendingMessages", [](Options& o) { o.maxPendingMessages = 0; }},
			{"maxPendingBytes", [](Options& o) { o.maxPendingBytes = 0; }},
			{"pingInterval", [](Options& o) { o.pingInterval = -1; }},
			{"tlsCertFile", [](Options& o) { o.tlsCertFile = "cert.pem"; }},
			{"name", [](Options& o) { o.name = "a\r\nb"; }},
		};
		int index = 0;
		for (const auto& row: rows)
		{
			Options o;
			row.breakIt(o);
			expectInvalid(o, row.field, "row " + std::to_string(index++) + " (" + row.field + ")");
		}
		{
			Options o;
			o.maxReconnect = -1;
			o.maxPendingMessages = -1;
			o.maxPendingBytes = -1;
			o.reconnectBufferSize = -1;
			o.pingInterval = 0;
			o.servers = {"tls://a:1", "b:2", "nats://tok@c"};
			o.validate();
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(OptionsTest);
