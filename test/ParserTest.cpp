//
// ParserTest.cpp
//
// The sans-I/O parser fed every fixture whole and split at every byte offset.
//

#include "core/Parser.h"
#include "Nats/Exception.h"
#include <cppunit/extensions/HelperMacros.h>
#include <sstream>
#include <string>
#include <vector>

using namespace Nats;

namespace {

class Recorder: public ParserHandler
{
public:
	std::vector<std::string> events;

	void onInfo(const std::string& json) override { events.push_back("INFO|" + json); }
	void onMsg(std::string& subject, std::int64_t sid, std::string& reply, std::string& headers, std::string& payload) override
	{
		events.push_back("MSG|" + subject + "|" + std::to_string(sid) + "|" + reply + "|" + headers + "|" + payload);
	}
	void onPing() override { events.push_back("PING"); }
	void onPong() override { events.push_back("PONG"); }
	void onOk() override { events.push_back("OK"); }
	void onErr(const std::string& text) override { events.push_back("ERR|" + text); }
};

std::string join(const std::vector<std::string>& v)
{
	std::ostringstream out;
	for (const auto& s: v) out << "[" << s << "]";
	return out.str();
}

struct Fixture
{
	std::string wire;
	std::vector<std::string> expected;
};

std::vector<Fixture> fixtures()
{
	std::string binary;
	for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
	binary += "\r\n\r\nMSG x 1 2\r\n";
	std::string large(70000, 'z');
	large[100] = '\r';
	large[101] = '\n';
	std::string hdr = "NATS/1.0\r\nA: b\r\n\r\n";
	std::string nr = "NATS/1.0 503\r\n\r\n";
	return {
		{"INFO {\"server_id\":\"x\",\"max_payload\":1048576}\r\n", {"INFO|{\"server_id\":\"x\",\"max_payload\":1048576}"}},
		{"PING\r\n", {"PING"}},
		{"PONG\r\n", {"PONG"}},
		{"ping\r\npong\r\n", {"PING", "PONG"}},
		{"+OK\r\n", {"OK"}},
		{"-ERR 'Authorization Violation'\r\n", {"ERR|Authorization Violation"}},
		{"-ERR  'Permissions Violation for Publish to \"x\"' \r\n", {"ERR|Permissions Violation for Publish to \"x\""}},
		{"MSG foo 1 5\r\nhello\r\n", {"MSG|foo|1|||hello"}},
		{"MSG foo.bar 42 _INBOX.abc 3\r\nabc\r\n", {"MSG|foo.bar|42|_INBOX.abc||abc"}},
		{"MSG\tfoo  7\t 0\r\n\r\n", {"MSG|foo|7|||"}},
		{"msg foo 1 2\r\nhi\r\n", {"MSG|foo|1|||hi"}},
		{"MSG bin 9 " + std::to_string(binary.size()) + "\r\n" + binary + "\r\n", {"MSG|bin|9|||" + binary}},
		{"MSG big 3 r " + std::to_string(large.size()) + "\r\n" + large + "\r\n", {"MSG|big|3|r||" + large}},
		{"HMSG h 2 " + std::to_string(hdr.size()) + " " + std::to_string(hdr.size() + 4) + "\r\n" + hdr + "body\r\n",
			{"MSG|h|2||" + hdr + "|body"}},
		{"HMSG _INBOX.x.y 5 _R " + std::to_string(nr.size()) + " " + std::to_string(nr.size()) + "\r\n" + nr + "\r\n",
			{"MSG|_INBOX.x.y|5|_R|" + nr + "|"}},
		{"PING\r\nMSG a 1 1\r\nx\r\nPONG\r\nINFO {}\r\n-ERR 'Stale Connection'\r\n",
			{"PING", "MSG|a|1|||x", "PONG", "INFO|{}", "ERR|Stale Connection"}},
	};
}

} // namespace

class ParserTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ParserTest);
	CPPUNIT_TEST(testWhole);
	CPPUNIT_TEST(testSplitAtEveryOffset);
	CPPUNIT_TEST(testByteByByte);
	CPPUNIT_TEST(testAllFixturesConcatenated);
	CPPUNIT_TEST(testMalformed);
	CPPUNIT_TEST(testControlLineLimit);
	CPPUNIT_TEST(testResetAfterError);
	CPPUNIT_TEST_SUITE_END();

public:
	void testWhole()
	{
		for (const auto& f: fixtures())
		{
			Recorder r;
			Parser p(r);
			p.parse(f.wire.data(), f.wire.size());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(f.wire.substr(0, 40), join(f.expected), join(r.events));
		}
	}

	void testSplitAtEveryOffset()
	{
		for (const auto& f: fixtures())
		{
			// the large fixture is split at a sample of offsets (every offset would be 70000 parses)
			std::size_t step = f.wire.size() > 5000 ? 97 : 1;
			for (std::size_t cut = 0; cut <= f.wire.size(); cut += step)
			{
				Recorder r;
				Parser p(r);
				p.parse(f.wire.data(), cut);
				p.parse(f.wire.data() + cut, f.wire.size() - cut);
				CPPUNIT_ASSERT_EQUAL_MESSAGE(f.wire.substr(0, 40) + " cut at " + std::to_string(cut), join(f.expected), join(r.events));
			}
			// and around the interesting offsets of the large one
			if (step > 1)
			{
				for (std::size_t cut = f.wire.size() - 10; cut <= f.wire.size(); ++cut)
				{
					Recorder r;
					Parser p(r);
					p.parse(f.wire.data(), cut);
					p.parse(f.wire.data() + cut, f.wire.size() - cut);
					CPPUNIT_ASSERT_EQUAL(join(f.expected), join(r.events));
				}
			}
		}
	}

	void testByteByByte()
	{
		for (const auto& f: fixtures())
		{
			if (f.wire.size() > 5000) continue;
			Recorder r;
			Parser p(r);
			for (char c: f.wire) p.parse(&c, 1);
			CPPUNIT_ASSERT_EQUAL(join(f.expected), join(r.events));
		}
	}

	void testAllFixturesConcatenated()
	{
		std::string wire;
		std::vector<std::string> expected;
		for (const auto& f: fixtures())
		{
			wire += f.wire;
			expected.insert(expected.end(), f.expected.begin(), f.expected.end());
		}
		for (std::size_t chunk: {1u, 2u, 3u, 7u, 64u, 4096u, 65536u})
		{
			Recorder r;
			Parser p(r);
			for (std::size_t i = 0; i < wire.size(); i += chunk) p.parse(wire.data() + i, std::min(chunk, wire.size() - i));
			CPPUNIT_ASSERT_EQUAL(join(expected), join(r.events));
		}
	}

	void testMalformed()
	{
		const std::vector<std::string> bad = {
			"FOO bar\r\n",
			"MSG foo 1\r\n",
			"MSG foo x 3\r\nabc\r\n",
			"MSG foo 1 -3\r\n",
			"MSG foo 1 a b 3\r\n",
			"MSG foo 1 3\r\nabcXY",
			"HMSG foo 1 10 5\r\n",
			"HMSG foo 1 5\r\n",
			"PING\n",
			"INFO\r\n",
			"\r\n",
		};
		for (const auto& wire: bad)
		{
			Recorder r;
			Parser p(r);
			CPPUNIT_ASSERT_THROW_MESSAGE(wire, p.parse(wire.data(), wire.size()), NatsProtocolException);
			// split at every offset: the error still surfaces
			for (std::size_t cut = 1; cut < wire.size(); ++cut)
			{
				Recorder r2;
				Parser p2(r2);
				bool thrown = false;
				try
				{
					p2.parse(wire.data(), cut);
					p2.parse(wire.data() + cut, wire.size() - cut);
				}
				catch (NatsProtocolException&)
				{
					thrown = true;
				}
				CPPUNIT_ASSERT_MESSAGE(wire + " cut at " + std::to_string(cut), thrown);
			}
		}
	}

	void testControlLineLimit()
	{
		std::string ok = "INFO " + std::string(Parser::MAX_CONTROL_LINE - 5, 'a') + "\r\n";
		Recorder r;
		Parser p(r);
		p.parse(ok.data(), ok.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.events.size());
		std::string tooLong = "INFO " + std::string(Parser::MAX_CONTROL_LINE, 'a') + "\r\n";
		Parser p2(r);
		CPPUNIT_ASSERT_THROW(p2.parse(tooLong.data(), tooLong.size()), NatsProtocolException);
		// without a newline in sight the parser gives up instead of buffering forever
		std::string endless(Parser::MAX_CONTROL_LINE + 10, 'a');
		Parser p3(r);
		CPPUNIT_ASSERT_THROW(
			{
				for (char c: endless) p3.parse(&c, 1);
			},
			NatsProtocolException);
	}

	void testResetAfterError()
	{
		Recorder r;
		Parser p(r);
		std::string partial = "MSG foo 1 10\r\nabc";
		p.parse(partial.data(), partial.size());
		p.reset();
		std::string next = "PING\r\n";
		p.parse(next.data(), next.size());
		CPPUNIT_ASSERT_EQUAL(std::string("[PING]"), join(r.events));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ParserTest);
