//
// FuzzToolFlags.cpp
//
// libFuzzer target: option parsing of the tools: the Go flag syntax of stan-pub / stan-sub
// (demo/ToolFlags.h, GoFlags) and the flags of stan-bench (demo/StanBenchReport.h, parse()). The
// input is argv, arguments separated by NUL bytes. Properties: GoFlags accounts for every
// argument exactly once (flag, flag value, "--" or positional); stan-bench's parse() fails only
// with std::invalid_argument / std::out_of_range (reported by parseArgs as a usage error).
//

#include "ToolFlags.h"
#include "StanBenchReport.h"
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
	std::vector<std::string> args{"tool"};
	std::string cur;
	for (std::size_t i = 0; i < size; ++i)
	{
		if (bytes[i] == 0)
		{
			args.push_back(cur);
			cur.clear();
		}
		else
		{
			cur += static_cast<char>(bytes[i]);
		}
	}
	if (!cur.empty() || size == 0) args.push_back(cur);
	if (args.size() > 64) return 0;
	std::vector<char*> argv;
	for (auto& a : args) argv.push_back(&a[0]);
	argv.push_back(nullptr);
	const int argc = static_cast<int>(args.size());

	{
		Nats::Demo::GoFlags flags(argc, argv.data());
		int consumed = 0;
		std::string value;
		bool hasDashDash = false;
		for (int i = 1; i < argc; ++i) hasDashDash = hasDashDash || args[static_cast<std::size_t>(i)] == "--";
		while (flags.next())
		{
			++consumed;
			if (flags.arg().size() < 2 || flags.arg()[0] != '-') std::abort();
			// take a value for every other flag, as the tools do for flags that need one
			if ((consumed % 2) == 0)
			{
				const bool inline_ = flags.arg().find('=') != std::string::npos;
				if (flags.value(value) && !inline_) ++consumed;
			}
		}
		// every argument once; a "--" that ended the flags is the only one not reported
		const int total = consumed + static_cast<int>(flags.positional().size());
		if (!(total == argc - 1 || (hasDashDash && total == argc - 2))) std::abort();
	}
	{
		Nats::Bench::Args a;
		try
		{
			if (Nats::Bench::parse(argc, argv.data(), a))
			{
				if (a.numPubs < 0 || a.numSubs < 0 || a.numMsgs <= 0 || a.msgSize < 0 || a.maxPubAcks < 1) std::abort();
			}
		}
		catch (const std::invalid_argument&)
		{
		}
		catch (const std::out_of_range&)
		{
		}
	}
	return 0;
}
