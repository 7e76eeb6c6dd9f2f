//
// FuzzServerPool.cpp
//
// libFuzzer target: server URL parsing and the server pool (src/core/ServerPool). The input is a
// comma-separated URL list; a second part after a NUL byte is an INFO connect_urls list applied to
// the pool. Properties: parse() either throws Poco::InvalidArgumentException or returns an address
// whose url() parses back to the same scheme, host and port; the pool never holds two servers with
// the same host:port.
//

#include "core/ServerPool.h"
#include <Poco/Exception.h>
#include <Poco/StringTokenizer.h>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace {

std::vector<std::string> split(const std::string& s)
{
	std::vector<std::string> out;
	std::string cur;
	for (char c : s)
	{
		if (c == ',')
		{
			out.push_back(cur);
			cur.clear();
		}
		else
		{
			cur += c;
		}
	}
	out.push_back(cur);
	return out;
}

void checkUnique(const Nats::ServerPool& pool)
{
	std::set<std::string> seen;
	for (std::size_t i = 0; i < pool.size(); ++i)
		if (!seen.insert(pool.at(i).hostPort()).second) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
	std::string input(reinterpret_cast<const char*>(bytes), size);
	std::string discovered;
	std::size_t nul = input.find('\0');
	if (nul != std::string::npos)
	{
		discovered = input.substr(nul + 1);
		input.resize(nul);
	}
	std::vector<std::string> urls = split(input);
	for (const auto& u : urls)
	{
		try
		{
			Nats::ServerAddress a = Nats::ServerAddress::parse(u);
			if (a.host.empty() || a.port < 1 || a.port > 65535) std::abort();
			Nats::ServerAddress b = Nats::ServerAddress::parse(a.url());
			if (b.scheme != a.scheme || b.host != a.host || b.port != a.port) std::abort();
		}
		catch (const Poco::InvalidArgumentException&)
		{
		}
	}
	try
	{
		Nats::ServerPool pool(urls, true);
		checkUnique(pool);
		if (pool.empty()) std::abort();
		const std::string current = pool.at(0).hostPort();
		pool.updateDiscovered(split(discovered), current, "nats");
		checkUnique(pool);
		if (pool.find(current) < 0) std::abort(); // the current server is never removed
		pool.moveToEnd(current);
		if (pool.at(pool.size() - 1).hostPort() != current) std::abort();
		(void) pool.urls();
	}
	catch (const Poco::InvalidArgumentException&)
	{
	}
	return 0;
}
