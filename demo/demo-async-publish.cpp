//
// demo-async-publish.cpp
//
// Asynchronous publishing (stan.go README "Asynchronous Publishing"): 1024 publishAsync() calls
// with one ack handler; every guid returned is acked exactly once, without error.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "DemoEnvironment.h"
#include "Nats/StanConnection.h"
#include <iostream>
#include <map>
#include <mutex>
#include <set>

using Nats::Demo::DemoEnvironment;

int main()
{
	return DemoEnvironment::run("demo-async-publish", [](DemoEnvironment& env)
	{
		const int total = 1024;
		const std::string channel = env.uniqueName("foo");

		// Runs once per publish, on a library thread, with the guid and an error ("" = stored).
		std::mutex mutex;
		std::map<std::string, int> acks;      // guid -> times acked
		std::map<std::string, std::string> errors;
		auto ackHandler = [&](const std::string& guid, const std::string& error)
		{
			std::lock_guard<std::mutex> lock(mutex);
			++acks[guid];
			if (!error.empty()) errors[guid] = error;
		};

		Nats::StanConnection sc(env.clusterId(), env.uniqueName("async-publisher"), env.stanOptions());
		sc.connect();

		std::set<std::string> guids;
		Poco::Timestamp start;
		for (int i = 0; i < total; ++i)
			guids.insert(sc.publishAsync(channel, "Hello World", ackHandler));
		std::cout << "published " << total << " messages asynchronously in " << start.elapsed() / 1000 << " ms" << std::endl;

		auto ackCount = [&]() { std::lock_guard<std::mutex> lock(mutex); return acks.size(); };
		DemoEnvironment::waitFor([&]() { return ackCount() >= static_cast<std::size_t>(total); }, Poco::Timespan(30, 0));
		std::cout << "all acks after " << start.elapsed() / 1000 << " ms" << std::endl;

		std::lock_guard<std::mutex> lock(mutex);
		bool once = true;
		for (const auto& g: guids)
		{
			auto it = acks.find(g);
			once = once && it != acks.end() && it->second == 1;
		}
		std::cout << "received " << acks.size() << " acks, " << errors.size() << " errors" << std::endl;
		for (const auto& e: errors)
			std::cout << "  ack error for " << e.first << ": " << e.second << std::endl;
		env.check(guids.size() == static_cast<std::size_t>(total), "1024 distinct guids returned");
		env.check(once && acks.size() == guids.size(), "every guid acked exactly once");
		env.check(errors.empty(), "no ack carried an error");
		env.check(sc.pubAcksInflight() == 0, "nothing left in flight");
	});
}
