//
// demo-queue.cpp
//
// Queue groups (stan.go README "Queue Groups"): three clients each join queue group "bar" on the
// same channel and also have a plain subscription there. Of 40 messages, every one goes to
// exactly one member of the group, spread over the three, while every plain subscriber gets all 40.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "DemoEnvironment.h"
#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include <algorithm>
#include <iostream>
#include <memory>
#include <set>
#include <vector>

using Nats::Demo::DemoEnvironment;

int main()
{
	return DemoEnvironment::run("demo-queue", [](DemoEnvironment& env)
	{
		const std::string channel = env.uniqueName("foo");
		const int clients = 3;
		const std::size_t total = 40;

		std::vector<std::unique_ptr<Nats::StanConnection>> connections;
		std::vector<DemoEnvironment::MessageLog> groupLogs(clients), plainLogs(clients);
		std::vector<Nats::StanSubscription> subscriptions;
		for (int i = 0; i < clients; ++i)
		{
			connections.emplace_back(new Nats::StanConnection(env.clusterId(), env.uniqueName("client-" + std::to_string(i + 1)), env.stanOptions()));
			Nats::StanConnection& sc = *connections.back();
			sc.connect();
			DemoEnvironment::MessageLog& group = groupLogs[i];
			DemoEnvironment::MessageLog& plain = plainLogs[i];
			// A member of queue group "bar": the group shares the messages.
			subscriptions.push_back(sc.queueSubscribe(channel, "bar", [&group](const Nats::StanMessage& m) { group.add(m); }));
			// A plain subscriber beside it: gets everything.
			subscriptions.push_back(sc.subscribe(channel, [&plain](const Nats::StanMessage& m) { plain.add(m); }));
		}

		Nats::StanConnection publisher(env.clusterId(), env.uniqueName("publisher"), env.stanOptions());
		publisher.connect();
		for (std::size_t i = 1; i <= total; ++i)
			publisher.publishAsync(channel, "message " + std::to_string(i), nullptr);
		std::cout << "published " << total << " messages on " << channel << std::endl;

		auto groupCount = [&]() { std::size_t n = 0; for (auto& l: groupLogs) n += l.count(); return n; };
		DemoEnvironment::waitFor([&]() { return groupCount() >= total; }, Poco::Timespan(10, 0));
		for (auto& l: plainLogs) l.waitForCount(total, Poco::Timespan(10, 0));
		for (auto& sc: connections) sc->natsConnection().flush(Poco::Timespan(5, 0));

		std::set<std::uint64_t> groupSeen;
		std::size_t groupMessages = 0;
		bool spread = true;
		for (int i = 0; i < clients; ++i)
		{
			std::vector<std::uint64_t> seqs = groupLogs[i].sequences();
			std::cout << "queue member " << i + 1 << " of \"bar\" received " << seqs.size() << " messages: " << groupLogs[i].describe() << std::endl;
			groupSeen.insert(seqs.begin(), seqs.end());
			groupMessages += seqs.size();
			spread = spread && !seqs.empty();
		}
		for (int i = 0; i < clients; ++i)
			std::cout << "plain subscriber " << i + 1 << " received " << plainLogs[i].count() << " messages: " << plainLogs[i].describe() << std::endl;

		env.check(groupMessages == total && groupSeen.size() == total && *groupSeen.begin() == 1 && *groupSeen.rbegin() == total,
			"group \"bar\" received each of the 40 messages exactly once");
		if (env.embedded())
			env.check(spread, "the messages were spread over all three members");
		for (int i = 0; i < clients; ++i)
			env.check(plainLogs[i].isRange(1, total), "plain subscriber " + std::to_string(i + 1) + " received all 40");

		subscriptions.clear();
		for (auto& sc: connections) sc->close();
		publisher.close();
	});
}
