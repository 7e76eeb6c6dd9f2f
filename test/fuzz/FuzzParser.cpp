//
// FuzzParser.cpp
//
// libFuzzer target: the NATS protocol parser (src/core/Parser). The input is fed twice, once in
// one chunk and once split at an offset taken from its first byte; both runs must produce the same
// frames and fail (NatsProtocolException) at the same point. Any other exception, a crash or a
// sanitizer report is a finding.
//

#include "core/Parser.h"
#include "Nats/Exception.h"
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

class Recorder: public Nats::ParserHandler
{
public:
	void onInfo(const std::string& json) override { events.push_back("INFO " + json); }
	void onMsg(std::string& subject, std::int64_t sid, std::string& reply, std::string& headers, std::string& payload) override
	{
		events.push_back("MSG " + subject + " " + std::to_string(sid) + " " + reply + " " + std::to_string(headers.size()) + " "
			+ headers + payload);
	}
	void onPing() override { events.push_back("PING"); }
	void onPong() override { events.push_back("PONG"); }
	void onOk() override { events.push_back("+OK"); }
	void onErr(const std::string& text) override { events.push_back("-ERR " + text); }

	std::vector<std::string> events;
};

/// Feeds the chunks; returns true if the parser reported a protocol error.
bool feed(Recorder& r, const char* data, std::size_t size, std::size_t split)
{
	Nats::Parser parser(r);
	try
	{
		if (split > 0) parser.parse(data, split);
		parser.parse(data + split, size - split);
	}
	catch (const Nats::NatsProtocolException&)
	{
		return true;
	}
	return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
	if (size == 0) return 0;
	const std::size_t split = bytes[0] % (size + 1);
	const char* data = reinterpret_cast<const char*>(bytes);
	Recorder whole;
	const bool wholeFailed = feed(whole, data, size, 0);
	Recorder parts;
	const bool partsFailed = feed(parts, data, size, split);
	if (!wholeFailed && !partsFailed && whole.events != parts.events) std::abort();
	if (wholeFailed == partsFailed && !wholeFailed) return 0;
	// A protocol error may be detected at a different frame only if it lies in the first chunk
	// (the split run sees it earlier); the frames completed before it must agree.
	const std::size_t n = std::min(whole.events.size(), parts.events.size());
	for (std::size_t i = 0; i < n; ++i)
		if (whole.events[i] != parts.events[i]) std::abort();
	return 0;
}
