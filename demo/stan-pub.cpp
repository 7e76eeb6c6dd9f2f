//
// stan-pub.cpp
//
// Publishes one message to a NATS Streaming channel; the flags are those of the Go tool
// (stan.go examples/stan-pub):
//
//     stan-pub [-s urls] [-c cluster] [-id client] [-a] <channel> <message>
//
// Exit status: 0 published (and acked), 1 runtime error (connection, ack), 2 usage error.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include "StanTool.h"
#include "ToolFlags.h"
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

const char* const USAGE =
	"Usage: stan-pub [options] <channel> <message>\n"
	"\n"
	"Options:\n"
	"\t-s,  --server   <url>            NATS server URL(s), comma separated\n"
	"\t                                 (default: $NATS_URL or nats://127.0.0.1:4222)\n"
	"\t-c,  --cluster  <cluster name>   NATS Streaming cluster ID (default: $STAN_CLUSTER_ID or test-cluster)\n"
	"\t-id, --clientid <client ID>      NATS Streaming client ID (default: stan-pub)\n"
	"\t-a,  --async                     Asynchronous publish mode\n"
	"\t-h,  --help                      Show this help\n";

int usageError(const std::string& message)
{
	return Nats::Demo::usageError("stan-pub", USAGE, message);
}

} // namespace

int main(int argc, char** argv)
{
	Nats::Demo::StanToolConnection connection("stan-pub");
	bool async = false;

	// Go's flag package syntax: -name and --name, "-name value" and "-name=value".
	Nats::Demo::GoFlags flags(argc, argv);
	std::string value;
	while (flags.next())
	{
		const std::string& name = flags.name();
		auto takeValue = [&]() { return flags.value(value); };

		if (name == "h" || name == "help")
		{
			std::cout << USAGE;
			return 0;
		}
		else if (name == "a" || name == "async")
		{
			async = true;
		}
		else if (Nats::Demo::StanToolConnection::isFlag(name))
		{
			if (!takeValue()) return usageError("flag needs an argument: -" + name);
			connection.take(name, value);
		}
		else
		{
			return usageError("flag provided but not defined: " + flags.arg());
		}
	}
	const std::vector<std::string>& positional = flags.positional();
	if (positional.size() != 2)
		return usageError("expected <channel> and <message>");
	const std::string& channel = positional[0];
	const std::string& message = positional[1];

	return Nats::Demo::runStanTool("stan-pub", [&]()
	{
		std::unique_ptr<Nats::StanConnection> pConnection = connection.connect();
		Nats::StanConnection& sc = *pConnection;

		if (async)
		{
			std::mutex mutex;
			std::condition_variable acked;
			bool done = false;
			std::string ackGuid, ackError;
			std::string guid = sc.publishAsync(channel, message, [&](const std::string& g, const std::string& error)
			{
				std::lock_guard<std::mutex> lock(mutex);
				ackGuid = g;
				ackError = error;
				done = true;
				acked.notify_all();
			});
			std::cout << "Published [" << channel << "] : '" << message << "' [guid: " << guid << "]" << std::endl;

			// The ack handler runs exactly once (ack, pubAckWait timeout or close), so this wait ends.
			std::unique_lock<std::mutex> lock(mutex);
			acked.wait(lock, [&]() { return done; });
			if (!ackError.empty())
			{
				std::cerr << "stan-pub: error in server ack for guid " << ackGuid << ": " << ackError << std::endl;
				return 1;
			}
			std::cout << "Received ACK for guid " << ackGuid << std::endl;
		}
		else
		{
			sc.publish(channel, message);
			std::cout << "Published [" << channel << "] : '" << message << "'" << std::endl;
		}
		sc.close();
		return 0;
	});
}
