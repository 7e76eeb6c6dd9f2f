//
// demo-pub-rate-limit.cpp
//
// Publisher rate limiting (stan.go README "Publisher Rate Limiting"): with maxPubAcksInflight 512,
// publishAsync() blocks while 512 publishes await their acks, so a fast publisher is held back to
// the pace of the server. 2048 publishes; the demo shows where the window was full (the call then
// blocked) and that no more than 512 were ever in flight.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "DemoEnvironment.h"
#include "Nats/StanConnection.h"
#include <algorithm>
#include <atomic>
#include <iostream>
#include <vector>

using Nats::Demo::DemoEnvironment;

int main()
{
	return DemoEnvironment::run("demo-pub-rate-limit", [](DemoEnvironment& env)
	{
		const int total = 2048;
		const int window = 512;
		const std::string channel = env.uniqueName("foo");
		std::atomic<int> acked{0}, failed{0};

		Nats::StanOptions options = env.stanOptions();
		options.maxPubAcksInflight = window;
		options.maxPubAcksInflightPercentage = 1.0;   // resume as soon as one slot is free
		Nats::StanConnection sc(env.clusterId(), env.uniqueName("limited-publisher"), options);
		sc.connect();

		auto ackHandler = [&](const std::string&, const std::string& error)
		{
			if (error.empty()) ++acked;
			else ++failed;
		};

		int maxInflight = 0;
		std::vector<int> blockedAt;   // publish numbers that found the window full
		for (int i = 1; i <= total; ++i)
		{
			if (sc.pubAcksInflight() >= window)
				blockedAt.push_back(i);   // this call waits until an ack frees a slot
			sc.publishAsync(channel, std::string(256, 'x'), ackHandler);
			maxInflight = std::max(maxInflight, sc.pubAcksInflight());
		}
		DemoEnvironment::waitFor([&]() { return acked + failed >= total; }, Poco::Timespan(30, 0));

		std::cout << "published " << total << " messages with maxPubAcksInflight " << window << std::endl;
		if (blockedAt.empty())
		{
			std::cout << "the server kept up: the window was never full" << std::endl;
		}
		else
		{
			std::cout << "the window was full " << blockedAt.size() << " times, first at publish #" << blockedAt.front();
			std::cout << " (publishes #1-#" << blockedAt.front() - 1 << " went out without waiting)" << std::endl;
		}
		std::cout << "most acks in flight: " << maxInflight << std::endl;
		std::cout << "acks: " << acked << " ok, " << failed << " failed" << std::endl;
		env.check(maxInflight <= window, "never more than 512 publishes in flight");
		env.check(acked == total && failed == 0, "all 2048 publishes acked");
	});
}
