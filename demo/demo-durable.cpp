//
// demo-durable.cpp
//
// Durable subscriptions (stan.go README "Durable Subscriptions"): client-123 receives messages
// 1-40 on a durable subscription and disconnects; another client publishes 41-80; client-123
// reconnects with the same client ID and durable name and resumes with 41-80, nothing else.
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
	return DemoEnvironment::run("demo-durable", [](DemoEnvironment& env)
	{
		const std::string channel = env.uniqueName("foo");
		const std::string clientId = env.uniqueName("client-123");
		const std::string durable = "my-durable";

		Nats::StanConnection publisher(env.clusterId(), env.uniqueName("publisher"), env.stanOptions());
		publisher.connect();

		// Subscribe with a durable name, receive 1-40.
		DemoEnvironment::MessageLog first;
		{
			Nats::StanConnection sc(env.clusterId(), clientId, env.stanOptions());
			sc.connect();
			Nats::StanSubscription sub = sc.subscribe(channel, [&](const Nats::StanMessage& m) { first.add(m); },
				Nats::StanSubscriptionOptions().setDurableName(durable));

			for (int i = 1; i <= 40; ++i)
				publisher.publish(channel, "message " + std::to_string(i));
			first.waitForCount(40, Poco::Timespan(10, 0));
			std::cout << clientId << " received " << first.describe() << std::endl;

			// The client disconnects (closing the connection keeps the durable; acks already
			// given are flushed first).
			sc.close();
			std::cout << clientId << " disconnected" << std::endl;
		}
		env.check(first.isRange(1, 40), "first session received sequences 1-40");

		// Meanwhile another client publishes 41-80.
		for (int i = 41; i <= 80; ++i)
			publisher.publish(channel, "message " + std::to_string(i));
		std::cout << "publisher sent 41-80 while " << clientId << " was away" << std::endl;

		// The client reconnects with the same client ID and re-subscribes with the same durable name.
		DemoEnvironment::MessageLog resumed;
		Nats::StanConnection sc(env.clusterId(), clientId, env.stanOptions());
		sc.connect();
		Nats::StanSubscription sub = sc.subscribe(channel, [&](const Nats::StanMessage& m) { resumed.add(m); },
			Nats::StanSubscriptionOptions().setDurableName(durable).deliverAllAvailable());
		resumed.waitForCount(40, Poco::Timespan(10, 0));
		sc.natsConnection().flush(Poco::Timespan(5, 0));   // anything beyond 80 would show up now
		std::cout << clientId << " resumed and received " << resumed.describe() << std::endl;
		env.check(resumed.isRange(41, 80), "resumed durable received sequences 41-80 only (the start position is ignored on resume)");

		sub.unsubscribe();   // removes the durable for good
		sc.close();
		publisher.close();
	});
}
