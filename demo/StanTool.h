//
// StanTool.h
//
// Library: Nats
// Package: Demo
// Module:  StanTool
//
// What the streaming tools stan-pub and stan-sub share besides the flag syntax (ToolFlags.h): the
// connection flags with the Go tools' defaults, the connect line they print, and the mapping of
// errors to exit statuses.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanTool_INCLUDED
#define Nats_StanTool_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/StanOptions.h"
#include "ToolFlags.h"
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

namespace Nats {
namespace Demo {

/// Prints "<program>: <message>", a blank line and the usage to stderr; returns 2 (usage error).
inline int usageError(const char* program, const char* usage, const std::string& message)
{
	std::cerr << program << ": " << message << "\n\n" << usage;
	return 2;
}

/// The connection flags of the Go streaming tools: -s/--server (default $NATS_URL or
/// nats://127.0.0.1:4222), -c/--cluster (default $STAN_CLUSTER_ID or test-cluster),
/// -id/--clientid (default: the tool's name).
///
/// Thread safety: Plain value; not synchronised.
struct StanToolConnection
{
	explicit StanToolConnection(const std::string& defaultClientId):
		urls(Poco::Environment::get("NATS_URL", StanOptions::DEFAULT_NATS_URL)),
		clusterId(Poco::Environment::get("STAN_CLUSTER_ID", "test-cluster")),
		clientId(defaultClientId)
	{
	}

	/// True if `name` is one of the connection flags (then take() stores its value).
	static bool isFlag(const std::string& name)
	{
		return name == "s" || name == "server" || name == "c" || name == "cluster" || name == "id" || name == "clientid";
	}

	/// Stores `value` for the connection flag `name` (isFlag(name) must be true).
	void take(const std::string& name, const std::string& value)
	{
		if (name == "s" || name == "server") urls = value;
		else if (name == "c" || name == "cluster") clusterId = value;
		else clientId = value;
	}

	/// Connects a client with these flags (and default options otherwise) and prints the Go tools'
	/// "Connected to ..." line. Throws what StanConnection::connect() throws; blocks as long.
	std::unique_ptr<StanConnection> connect() const
	{
		StanOptions options;
		options.natsUrl = urls;
		std::unique_ptr<StanConnection> sc(new StanConnection(clusterId, clientId, options));
		sc->connect();
		std::cout << "Connected to " << urls << " clusterID: [" << clusterId << "] clientID: [" << clientId << "]" << std::endl;
		return sc;
	}

	std::string urls;
	std::string clusterId;
	std::string clientId;
};

/// Runs the tool's work `body` and returns its exit status; an exception is printed as
/// "<program>: <text>" and gives 2 for Poco::InvalidArgumentException (bad flag values the library
/// refused, e.g. a malformed URL), 1 for any other Poco::Exception.
inline int runStanTool(const char* program, const std::function<int()>& body)
{
	try
	{
		return body();
	}
	catch (Poco::InvalidArgumentException& exc)
	{
		std::cerr << program << ": " << exc.displayText() << std::endl;
		return 2;
	}
	catch (Poco::Exception& exc)
	{
		std::cerr << program << ": " << exc.displayText() << std::endl;
		return 1;
	}
}

} // namespace Demo
} // namespace Nats

#endif // Nats_StanTool_INCLUDED
