//
// demo-durable-queue.cpp
//
// Durable queue groups (stan.go README "Durable Queue Groups"): two members of the durable queue
// group "bar" (durable name "dur") share messages 1-10, then both leave with close(). The group
// survives without members: 11-20 are published meanwhile, and a member that rejoins continues
// exactly where the group stopped. The last member's unsubscribe() finally removes the group.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "DemoEnvironment.h"
#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include <iostream>
#include <set>
#include <vector>

using Nats::Demo::DemoEnvironment;

int main()
{
	return DemoEnvironment::run("demo-durable-queue", [](DemoEnvironment& env)
	{
		const std::string channel = env.uniqueName("foo");
		const auto groupOptions = Nats::StanSubscriptionOptions().setDurableName("dur");

		Nats::StanConnection publisher(env.clusterId(), env.uniqueName("publisher"), env.stanOptions());
		publisher.connect();

		// Two members on two connections.
		DemoEnvironment::MessageLog before;
		{
			Nats::StanConnection sc1(env.clusterId(), env.uniqueName("member-1"), env.stanOptions());
			Nats::StanConnection sc2(env.clusterId(), env.uniqueName("member-2"), env.stanOptions());
			sc1.connect();
			sc2.connect();
			Nats::StanSubscription m1 = sc1.queueSubscribe(channel, "bar", [&](const Nats::StanMessage& m) { before.add(m); }, groupOptions);
			Nats::StanSubscription m2 = sc2.queueSubscribe(channel, "bar", [&](const Nats::StanMessage& m) { before.add(m); }, groupOptions);

			for (int i = 1; i <= 10; ++i)
				publisher.publish(channel, "message " + std::to_string(i));
			before.waitForCount(10, Poco::Timespan(10, 0));
			std::cout << "the group received " << before.count() << " messages" << std::endl;

			// All members leave; close() (not unsubscribe()) keeps the durable group.
			m1.close();
			m2.close();
			std::cout << "all members left the group" << std::endl;
		}
		std::vector<std::uint64_t> seqs = before.sequences();
		std::set<std::uint64_t> unique(seqs.begin(), seqs.end());
		env.check(seqs.size() == 10 && unique.size() == 10 && *unique.begin() == 1 && *unique.rbegin() == 10,
			"the two members together received messages 1-10, each once");

		for (int i = 11; i <= 20; ++i)
			publisher.publish(channel, "message " + std::to_string(i));
		std::cout << "published 11-20 while the group had no member" << std::endl;

		// One member rejoins: the group continues where it stopped (the start position is ignored).
		DemoEnvironment::MessageLog after;
		Nats::StanConnection sc(env.clusterId(), env.uniqueName("member-3"), env.stanOptions());
		sc.connect();
		Nats::StanSubscription member = sc.queueSubscribe(channel, "bar", [&](const Nats::StanMessage& m) { after.add(m); },
			Nats::StanSubscriptionOptions(groupOptions).deliverAllAvailable());
		after.waitForCount(10, Poco::Timespan(10, 0));
		sc.natsConnection().flush(Poco::Timespan(5, 0));
		std::cout << "the rejoined member received " << after.describe() << std::endl;
		env.check(after.isRange(11, 20), "the rejoined member continued with 11-20, where the group stopped");

		// The last member unsubscribes: the durable group is gone.
		member.unsubscribe();
		std::cout << "the last member unsubscribed: the group is removed" << std::endl;

		// Proof: joining "bar" again creates a new group, which starts at its start position.
		DemoEnvironment::MessageLog fresh;
		Nats::StanSubscription again = sc.queueSubscribe(channel, "bar", [&](const Nats::StanMessage& m) { fresh.add(m); },
			Nats::StanSubscriptionOptions(groupOptions).deliverAllAvailable());
		fresh.waitForCount(20, Poco::Timespan(10, 0));
		std::cout << "a new member of the new group received " << fresh.describe() << std::endl;
		env.check(fresh.isRange(1, 20), "after the unsubscribe a new group starts over (all available: 1-20)");
		again.unsubscribe();
		sc.close();
		publisher.close();
	});
}
