//
// consumer.cpp
//
// Uses the installed headers and libraries only: prints the library version, starts nats-server
// (a child process on a free port) and an embedded streaming server, then publishes one message
// and receives it. With NATS_URL set it uses that server (and STAN_CLUSTER_ID) instead.
// Exit status 0 = the message went through.
//
// SPDX-License-Identifier: Apache-2.0
//

#include <Nats/Exception.h>
#include <Nats/StanConnection.h>
#include <Nats/StanServer.h>
#include <Nats/Version.h>
#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Process.h>
#include <Poco/Random.h>
#include <Poco/Thread.h>
#include <iostream>
#include <memory>

int main()
{
	std::cout << "consumer: natscpp " << Nats::version() << " (header " << NATS_CPP_VERSION_STRING << ")" << std::endl;
	std::unique_ptr<Poco::ProcessHandle> natsServer;
	std::unique_ptr<Nats::StanServer> stanServer;
	int status = 1;
	try
	{
		std::string url = Poco::Environment::get("NATS_URL", "");
		std::string cluster = Poco::Environment::get("STAN_CLUSTER_ID", "test-cluster");
		if (url.empty())
		{
			Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
			int port = probe.address().port();
			probe.close();
			natsServer.reset(new Poco::ProcessHandle(Poco::Process::launch("/usr/sbin/nats-server",
				{"-a", "127.0.0.1", "-p", std::to_string(port), "-l", "/dev/null"})));
			bool up = false;
			for (int i = 0; i < 200 && !up; ++i)   // at most ~10 s
			{
				try
				{
					Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
					up = true;
				}
				catch (Poco::Exception&)
				{
					Poco::Thread::sleep(50);
				}
			}
			if (!up) throw Poco::RuntimeException("nats-server did not start");
			url = "nats://127.0.0.1:" + std::to_string(port);
			cluster = "test-cluster";

			Nats::StanServerOptions serverOptions;
			serverOptions.clusterId = cluster;
			serverOptions.natsUrl = url;
			stanServer.reset(new Nats::StanServer(serverOptions));
			stanServer->start();
		}

		Poco::Random random;
		random.seed();
		const std::string suffix = std::to_string(random.next());
		Nats::StanOptions options;
		options.natsUrl = url;
		Nats::StanConnection sc(cluster, "consumer-" + suffix, options);
		sc.connect();
		const std::string channel = "consumer-" + suffix;
		sc.publish(channel, "hello from the installed package");
		Nats::StanSubscription sub = sc.subscribeSync(channel, Nats::StanSubscriptionOptions().deliverAllAvailable());
		Nats::StanMessage m = sub.nextMessage(Poco::Timespan(10, 0));
		std::cout << "consumer: received [#" << m.sequence() << "] '" << m.data() << "'" << std::endl;
		sub.unsubscribe();
		sc.close();
		status = (m.sequence() == 1 && m.data() == "hello from the installed package") ? 0 : 1;
	}
	catch (Poco::Exception& exc)
	{
		std::cerr << "consumer: " << exc.displayText() << std::endl;
	}
	if (stanServer) stanServer->stop();
	if (natsServer)
	{
		Poco::Process::kill(*natsServer);
		natsServer->wait();
	}
	std::cout << (status == 0 ? "consumer: OK" : "consumer: FAILED") << std::endl;
	return status;
}
