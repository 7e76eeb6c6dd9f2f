//
// demo-sub-rate-limit.cpp
//
// Subscriber rate limiting (stan.go README "Subscriber Rate Limiting"): a subscription with
// maxInflight 128 and a slow handler that acks each message after working on it. The server never
// has more than 128 unacked messages out to it: the rest wait on the server, not in the client.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "DemoEnvironment.h"
#include "Nats/StanConnection.h"
#include <Poco/Thread.h>
#include <algorithm>
#include <atomic>
#include <future>
#include <iostream>

using Nats::Demo::DemoEnvironment;

int main()
{
	return DemoEnvironment::run("demo-sub-rate-limit", [](DemoEnvironment& env)
	{
		const int total = 512;
		const int maxInflight = 128;
		const std::string channel = env.uniqueName("foo");
		DemoEnvironment::MessageLog received;
		std::atomic<int> acked{0}, mostUnacked{0};

		Nats::StanConnection sc(env.clusterId(), env.uniqueName("slow-subscriber"), env.stanOptions());
		sc.connect();
		for (int i = 1; i <= total; ++i)
			sc.publishAsync(channel, "message " + std::to_string(i), nullptr);
		std::cout << "published " << total << " messages on " << channel << std::endl;

		std::promise<void> subscribed;
		std::shared_future<void> haveSub = subscribed.get_future().share();
		Nats::StanSubscription sub;
		sub = sc.subscribe(channel, [&](const Nats::StanMessage& m)
		{
			haveSub.wait();   // `sub` is assigned once subscribe() returned
			// Unacked right now = this one + those received and still queued behind it.
			int unacked = 1 + sub.pendingMessages();
			int most = mostUnacked;
			while (unacked > most && !mostUnacked.compare_exchange_weak(most, unacked)) {}
			if (m.sequence() % 64 == 1)
				std::cout << "[#" << m.sequence() << "] unacked now: " << unacked << std::endl;

			Poco::Thread::sleep(2);   // the slow part: 2 ms of "work" per message
			received.add(m);
			m.ack();
			++acked;
		}, Nats::StanSubscriptionOptions().deliverAllAvailable().setManualAckMode().setMaxInflight(maxInflight));
		subscribed.set_value();

		received.waitForCount(total, Poco::Timespan(60, 0));
		std::cout << "received " << received.count() << " messages, most unacked at once: " << mostUnacked << std::endl;
		env.check(received.isRange(1, total), "received 1-512 in order");
		env.check(mostUnacked <= maxInflight, "never more than 128 unacked messages out (maxInflight held)");

		sub.unsubscribe();
		sc.close();
	});
}
