//
// ToolFlags.h
//
// Library: Nats
// Package: Demo
// Module:  ToolFlags
//
// The command-line syntax of Go's flag package, shared by stan-pub and stan-sub.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ToolFlags_INCLUDED
#define Nats_ToolFlags_INCLUDED

#include <string>
#include <vector>

namespace Nats {
namespace Demo {

/// Walks argv the way Go's flag package reads it: "-name" and "--name", "-name value" and
/// "-name=value"; arguments that do not start with '-' (and all after "--") are positional.
///
///     GoFlags flags(argc, argv);
///     while (flags.next())
///     {
///         if (flags.name() == "s" && !flags.value(url)) return usageError(...);
///     }
///     flags.positional();
///
/// Thread safety: Plain value; not synchronised.
class GoFlags
{
public:
	GoFlags(int argc, char** argv): _argc(argc), _argv(argv) {}

	/// Advances to the next flag, collecting positional arguments on the way. False at the end.
	bool next()
	{
		while (++_index < _argc)
		{
			std::string arg = _argv[_index];
			if (arg == "--")
			{
				while (++_index < _argc) _positional.push_back(_argv[_index]);
				return false;
			}
			if (arg.size() < 2 || arg[0] != '-')
			{
				_positional.push_back(arg);
				continue;
			}
			_arg = arg;
			_name = arg.substr(arg[1] == '-' ? 2 : 1);
			_hasValue = false;
			std::string::size_type eq = _name.find('=');
			if (eq != std::string::npos)
			{
				_value = _name.substr(eq + 1);
				_name.resize(eq);
				_hasValue = true;
			}
			return true;
		}
		return false;
	}

	/// The current flag's name without dashes and value ("server" for "--server=x").
	const std::string& name() const { return _name; }

	/// The current argument as given ("--server=x").
	const std::string& arg() const { return _arg; }

	/// Stores the current flag's value ("-name=value" or the next argument) in `out`.
	/// False when the flag is the last argument and has no "=value".
	bool value(std::string& out)
	{
		if (!_hasValue)
		{
			if (_index + 1 >= _argc) return false;
			_value = _argv[++_index];
			_hasValue = true;
		}
		out = _value;
		return true;
	}

	/// The positional arguments seen so far (all of them once next() returned false).
	const std::vector<std::string>& positional() const { return _positional; }

private:
	int _argc;
	char** _argv;
	int _index = 0;
	std::string _arg;
	std::string _name;
	std::string _value;
	bool _hasValue = false;
	std::vector<std::string> _positional;
};

} // namespace Demo
} // namespace Nats

#endif // Nats_ToolFlags_INCLUDED
