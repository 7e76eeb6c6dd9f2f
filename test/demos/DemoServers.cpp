//
// DemoServers.cpp
//
// The demos' embedded environment (nats-server child + in-process StanServer) as a process of its
// own, for scripts that test the command-line tools. Prints
//
//     NATS_URL=nats://127.0.0.1:<port>
//     STAN_CLUSTER_ID=test-cluster
//     ready
//
// and runs until SIGINT or SIGTERM. With NATS_URL set it starts nothing and prints that URL.
// Exit status: 0 after a signal, 1 if the servers did not start.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "DemoEnvironment.h"
#include <Poco/Exception.h>
#include <csignal>
#include <iostream>
#include <pthread.h>

int main()
{
	// Block the signals before any thread starts, then wait for them synchronously.
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &signals, nullptr);
	try
	{
		Nats::Demo::DemoEnvironment env;
		std::cout << "NATS_URL=" << env.natsUrl() << "\nSTAN_CLUSTER_ID=" << env.clusterId() << "\nready" << std::endl;
		int sig = 0;
		sigwait(&signals, &sig);
		std::cout << "stopping" << std::endl;
	}
	catch (Poco::Exception& exc)
	{
		std::cerr << "demo-servers: " << exc.displayText() << std::endl;
		return 1;
	}
	return 0;
}
