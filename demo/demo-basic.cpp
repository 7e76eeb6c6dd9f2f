//
// demo-basic.cpp
//
// Basic usage (stan.go README "Basic Usage"): a streaming connection on a NATS connection the
// application already has (borrowed), two blocking publishes, a subscription that starts with the
// first message, and the two messages received.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "DemoEnvironment.h"
#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include <iostream>

using Nats::Demo::DemoEnvironment;

int main()
{
	return DemoEnvironment::run("demo-basic", [](DemoEnvironment& env)
	{
		// The application's own NATS connection, lent to the streaming connection.
		Nats::Connection nc(env.natsOptions());
		nc.connect();

		Nats::StanOptions options = env.stanOptions();
		options.natsConnection = &nc;   // borrowed: sc.close() leaves it open
		Nats::StanConnection sc(env.clusterId(), env.uniqueName("client-123"), options);
		sc.connect();
		std::cout << "connected to cluster " << env.clusterId() << " as " << sc.clientId() << std::endl;

		const std::string channel = env.uniqueName("foo");

		// Blocking publishes: each returns once the server has stored the message.
		sc.publish(channel, "Hello World 1");
		sc.publish(channel, "Hello World 2");
		std::cout << "published 2 messages on " << channel << std::endl;

		// Subscribe from the first stored message; the handler runs on the subscription's thread.
		DemoEnvironment::MessageLog received;
		Nats::StanSubscription sub = sc.subscribe(channel, [&](const Nats::StanMessage& m)
		{
			std::cout << "Received a message: [#" << m.sequence() << "] " << m.data() << std::endl;
			received.add(m);
		}, Nats::StanSubscriptionOptions().deliverAllAvailable());

		received.waitForCount(2, Poco::Timespan(10, 0));
		// A round trip on the connection that carries the deliveries: whatever nats-server had
		// already routed to us arrives before the reply, so a third message would be counted.
		nc.flush(Poco::Timespan(5, 0));

		std::cout << "received " << received.count() << " messages" << std::endl;
		env.check(received.isRange(1, 2), "received exactly the 2 messages, sequences 1 and 2");

		sub.unsubscribe();
		sc.close();
		env.check(nc.isConnected(), "the borrowed NATS connection is still open after sc.close()");
		nc.close();
	});
}
