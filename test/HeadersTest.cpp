//
// HeadersTest.cpp
//
// Nats::Headers (encode, decode, multi-value, case) and HMSG frames with header blocks fed to the
// sans-I/O parser whole and split at every byte offset, decoded into Message::headers().
//

#include "core/Parser.h"
#include "Nats/Exception.h"
#include "Nats/Headers.h"
#include "Nats/Message.h"
#include <cppunit/extensions/HelperMacros.h>
#include <string>
#include <vector>

using namespace Nats;

namespace {

class MessageRecorder: public ParserHandler
{
public:
	std::vector<Message> messages;

	void onInfo(const std::string&) override {}
	void onMsg(std::string& subject, std::int64_t, std::string& reply, std::string& headers, std::string& payload) override
	{
		messages.emplace_back(subject, reply, payload, headers);
	}
	void onPing() override {}
	void onPong() override {}
	void onOk() override {}
	void onErr(const std::string&) override {}
};

std::string hmsg(const std::string& subject, const std::string& reply, const std::string& block, const std::string& payload)
{
	return "HMSG " + subject + " 1 " + (reply.empty() ? "" : reply + " ") + std::to_string(block.size()) + " "
		+ std::to_string(block.size() + payload.size()) + "\r\n" + block + payload + "\r\n";
}

} // namespace

class HeadersTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HeadersTest);
	CPPUNIT_TEST(testAddSetGetRemove);
	CPPUNIT_TEST(testCasePreserving);
	CPPUNIT_TEST(testEncode);
	CPPUNIT_TEST(testParseRoundTrip);
	CPPUNIT_TEST(testParseStatus);
	CPPUNIT_TEST(testParseMalformed);
	CPPUNIT_TEST(testInvalidNamesAndValues);
	CPPUNIT_TEST(testHmsgSplitAtEveryOffset);
	CPPUNIT_TEST(testMessageFromHeaders);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAddSetGetRemove()
	{
		Headers h;
		CPPUNIT_ASSERT(h.empty());
		h.add("A", "1");
		h.add("B", "x");
		h.add("A", "2");
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), h.size());
		CPPUNIT_ASSERT_EQUAL(std::string("1"), h.get("A"));
		CPPUNIT_ASSERT(h.values("A") == std::vector<std::string>({"1", "2"}));
		CPPUNIT_ASSERT(h.has("B"));
		CPPUNIT_ASSERT(!h.has("C"));
		CPPUNIT_ASSERT_EQUAL(std::string(), h.get("C"));
		h.set("A", "3");
		CPPUNIT_ASSERT(h.values("A") == std::vector<std::string>({"3"}));
		// set() keeps the place of the first value
		CPPUNIT_ASSERT_EQUAL(std::string("A"), h.fields().at(0).first);
		h.remove("A");
		CPPUNIT_ASSERT(!h.has("A"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), h.size());
		h.add("Empty", "");
		CPPUNIT_ASSERT(h.has("Empty"));
	}

	void testCasePreserving()
	{
		Headers h;
		h.add("Trace-Id", "a");
		h.add("trace-id", "b");
		CPPUNIT_ASSERT_EQUAL(std::string("a"), h.get("Trace-Id"));
		CPPUNIT_ASSERT_EQUAL(std::string("b"), h.get("trace-id"));
		CPPUNIT_ASSERT_EQUAL(std::string(), h.get("TRACE-ID"));
		CPPUNIT_ASSERT_EQUAL(std::string("NATS/1.0\r\nTrace-Id: a\r\ntrace-id: b\r\n\r\n"), h.encode());
	}

	void testEncode()
	{
		Headers h;
		CPPUNIT_ASSERT_EQUAL(std::string("NATS/1.0\r\n\r\n"), h.encode());
		h.add("X", "1");
		h.add("Y", "two words");
		h.add("X", "3");
		CPPUNIT_ASSERT_EQUAL(std::string("NATS/1.0\r\nX: 1\r\nY: two words\r\nX: 3\r\n\r\n"), h.encode());
		Headers s;
		s.setStatus(503);
		CPPUNIT_ASSERT_EQUAL(std::string("NATS/1.0 503\r\n\r\n"), s.encode());
		s.setStatus(100, "Idle Heartbeat");
		CPPUNIT_ASSERT_EQUAL(std::string("NATS/1.0 100 Idle Heartbeat\r\n\r\n"), s.encode());
	}

	void testParseRoundTrip()
	{
		Headers h;
		h.add("Nats-Msg-Id", "abc");
		h.add("Multi", "1");
		h.add("Multi", "2");
		h.add("Spaces", "a  b");
		h.setStatus(409, "Conflict");
		Headers d = Headers::parse(h.encode());
		CPPUNIT_ASSERT(d == h);
		// blanks around values are not part of them; a value may contain ':'
		Headers p = Headers::parse(std::string("NATS/1.0\r\nA:   x:y  \r\nB:\r\n\r\n"));
		CPPUNIT_ASSERT_EQUAL(std::string("x:y"), p.get("A"));
		CPPUNIT_ASSERT(p.has("B"));
		CPPUNIT_ASSERT_EQUAL(std::string(), p.get("B"));
	}

	void testParseStatus()
	{
		Headers nr = Headers::parse(std::string("NATS/1.0 503\r\n\r\n"));
		CPPUNIT_ASSERT_EQUAL(503, nr.status());
		CPPUNIT_ASSERT_EQUAL(std::string(), nr.description());
		Headers hb = Headers::parse(std::string("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 5\r\n\r\n"));
		CPPUNIT_ASSERT_EQUAL(100, hb.status());
		CPPUNIT_ASSERT_EQUAL(std::string("Idle Heartbeat"), hb.description());
		CPPUNIT_ASSERT_EQUAL(std::string("5"), hb.get("Nats-Last-Consumer"));
		Headers fc = Headers::parse(std::string("NATS/1.0 100 FlowControl Request\r\n\r\n"));
		CPPUNIT_ASSERT_EQUAL(std::string("FlowControl Request"), fc.description());
		Headers to = Headers::parse(std::string("NATS/1.0 408 Request Timeout\r\n\r\n"));
		CPPUNIT_ASSERT_EQUAL(408, to.status());
		Headers none = Headers::parse(std::string("NATS/1.0\r\nA: b\r\n\r\n"));
		CPPUNIT_ASSERT_EQUAL(0, none.status());
	}

	void testParseMalformed()
	{
		for (const std::string& bad: {std::string(""), std::string("NATS/2.0\r\n\r\n"), std::string("HTTP/1.1 200\r\n\r\n"),
				 std::string("NATS/1.0"), std::string("NATS/1.0\r\n"), std::string("NATS/1.0\r\nA: b\r\n"),
				 std::string("NATS/1.0 50\r\n\r\n"), std::string("NATS/1.0 5x3\r\n\r\n"), std::string("NATS/1.0 5034\r\n\r\n"),
				 std::string("NATS/1.0\r\nno colon\r\n\r\n"), std::string("NATS/1.0\r\n: empty name\r\n\r\n"),
				 std::string("NATS/1.0\r\n\r\ntrailing")})
		{
			CPPUNIT_ASSERT_THROW_MESSAGE(bad, Headers::parse(bad), NatsProtocolException);
		}
	}

	void testInvalidNamesAndValues()
	{
		Headers h;
		for (const char* name: {"", "a:b", "a b", "a\tb", "a\r", "\n"})
			CPPUNIT_ASSERT_THROW_MESSAGE(name, h.add(name, "v"), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT_THROW(h.add("A", "x\r\nInjected: 1"), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT_THROW(h.set("A", "x\n"), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT_THROW(h.setStatus(99), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT_THROW(h.setStatus(1000), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT_THROW(h.setStatus(0, "desc"), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT(h.empty());
	}

	void testHmsgSplitAtEveryOffset()
	{
		const std::string multi = "NATS/1.0\r\nTrace-Id: 7\r\ntag: a\r\ntag: b\r\nBin: \x01\x7f\r\n\r\n";
		const std::string hb = "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 1\r\nNats-Last-Stream: 2\r\n\r\n";
		const std::string nr = "NATS/1.0 503\r\n\r\n";
		const std::string wire = hmsg("a.b", "", multi, std::string("pay\r\nload\0", 10)) + "MSG plain 1 2\r\nhi\r\n"
			+ hmsg("_INBOX.x.1", "", nr, "") + hmsg("hb", "$JS.FC.x", hb, "") + hmsg("e", "r", "NATS/1.0\r\n\r\n", "x");
		for (std::size_t cut = 0; cut <= wire.size(); ++cut)
		{
			MessageRecorder r;
			Parser p(r);
			p.parse(wire.data(), cut);
			p.parse(wire.data() + cut, wire.size() - cut);
			const std::string where = "cut at " + std::to_string(cut);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::size_t(5), r.messages.size());
			const Message& m0 = r.messages[0];
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("pay\r\nload\0", 10), m0.data());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, multi, m0.rawHeaders());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("7"), m0.headers().get("Trace-Id"));
			CPPUNIT_ASSERT_MESSAGE(where, m0.headers().values("tag") == std::vector<std::string>({"a", "b"}));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("\x01\x7f"), m0.headers().get("Bin"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, 0, m0.status());
			CPPUNIT_ASSERT_MESSAGE(where, !r.messages[1].hasHeaders());
			CPPUNIT_ASSERT_MESSAGE(where, r.messages[1].headers().empty());
			CPPUNIT_ASSERT_MESSAGE(where, r.messages[2].isNoResponders());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, 100, r.messages[3].status());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("Idle Heartbeat"), r.messages[3].statusDescription());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("$JS.FC.x"), r.messages[3].reply());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("2"), r.messages[3].headers().get("Nats-Last-Stream"));
			CPPUNIT_ASSERT_MESSAGE(where, r.messages[4].hasHeaders());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::size_t(0), r.messages[4].headers().size());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("x"), r.messages[4].data());
		}
	}

	void testMessageFromHeaders()
	{
		Headers h;
		h.add("K", "v");
		Message m("s", "", "d", h);
		CPPUNIT_ASSERT(m.hasHeaders());
		CPPUNIT_ASSERT_EQUAL(std::string("NATS/1.0\r\nK: v\r\n\r\n"), m.rawHeaders());
		CPPUNIT_ASSERT_EQUAL(std::string("v"), m.headers().get("K"));
		CPPUNIT_ASSERT(!Message("s", "", "d", Headers()).hasHeaders());
		CPPUNIT_ASSERT_THROW(Message("s", "", "d", std::string("garbage")), NatsProtocolException);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HeadersTest);
