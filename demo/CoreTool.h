//
// CoreTool.h
//
// Library: Nats
// Package: Demo
// Module:  CoreTool
//
// What the core tools nats-pub and nats-sub share: the argument walk of the nats.c examples
// ("-s urls" plus the tool's own "-flag value" pairs, the rest positional) and the client options
// built from it.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_CoreTool_INCLUDED
#define Nats_CoreTool_INCLUDED

#include "Nats/Options.h"
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace Nats {
namespace Demo {

/// Thread safety: Plain value; not synchronised.
class CoreToolArgs
{
public:
	/// Walks argv: "-s <urls>" and each of `valueFlags` followed by a value are taken; any other
	/// argument (also a flag without its value, at the end) is positional.
	CoreToolArgs(int argc, char** argv, std::initializer_list<const char*> valueFlags)
	{
		for (int i = 1; i < argc; ++i)
		{
			std::string a = argv[i];
			bool known = a == "-s";
			for (const char* f: valueFlags) known = known || a == f;
			if (known && i + 1 < argc)
				_values[a] = argv[++i];
			else
				_positional.push_back(a);
		}
	}

	/// The value of `flag`, `fallback` when it was not given.
	std::string value(const std::string& flag, const std::string& fallback = std::string()) const
	{
		auto it = _values.find(flag);
		return it == _values.end() ? fallback : it->second;
	}

	const std::vector<std::string>& positional() const { return _positional; }

	/// Client options: the servers of -s (default nats://127.0.0.1:4222) and `name` as the
	/// connection name. Throws Poco::InvalidArgumentException for a malformed URL list.
	Options options(const std::string& name) const
	{
		Options o;
		o.servers = Options::splitUrls(value("-s", "nats://127.0.0.1:4222"));
		o.name = name;
		return o;
	}

private:
	std::map<std::string, std::string> _values;
	std::vector<std::string> _positional;
};

} // namespace Demo
} // namespace Nats

#endif // Nats_CoreTool_INCLUDED
