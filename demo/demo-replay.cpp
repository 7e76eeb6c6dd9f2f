//
// demo-replay.cpp
//
// Subscription start positions (stan.go README "Subscription Start (i.e. Replay) Options"): with five
// messages stored, subscribe starting with the last received, with all available, at sequence 3
// and at a time two minutes ago, and show what each one gets.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "DemoEnvironment.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include <iostream>

using Nats::Demo::DemoEnvironment;

namespace {

/// Subscribes (pull style) with `options`, reads `expected` messages, then checks that no
/// further message comes within half a second. Returns what was read.
DemoEnvironment::MessageLog replay(Nats::StanConnection& sc, const std::string& channel,
	const Nats::StanSubscriptionOptions& options, std::size_t expected)
{
	DemoEnvironment::MessageLog received;
	Nats::StanSubscription sub = sc.subscribeSync(channel, options);
	try
	{
		for (std::size_t i = 0; i < expected; ++i)
			received.add(sub.nextMessage(Poco::Timespan(5, 0)));
		received.add(sub.nextMessage(Poco::Timespan(0, 500000)));   // one too many?
	}
	catch (Nats::NatsTimeoutException&)
	{
	}
	sub.unsubscribe();
	return received;
}

} // namespace

int main()
{
	return DemoEnvironment::run("demo-replay", [](DemoEnvironment& env)
	{
		Nats::StanConnection sc(env.clusterId(), env.uniqueName("replayer"), env.stanOptions());
		sc.connect();

		const std::string channel = env.uniqueName("foo");
		for (int i = 1; i <= 5; ++i)
			sc.publish(channel, "message " + std::to_string(i));
		std::cout << "published 5 messages on " << channel << std::endl;

		// Subscribe starting with the most recently published value.
		auto last = replay(sc, channel, Nats::StanSubscriptionOptions().startWithLastReceived(), 1);
		std::cout << "last received:       " << last.describe() << std::endl;
		env.check(last.isRange(5, 5), "startWithLastReceived() gets sequence 5 only");

		// Receive all stored values in order.
		auto all = replay(sc, channel, Nats::StanSubscriptionOptions().deliverAllAvailable(), 5);
		std::cout << "all available:       " << all.describe() << std::endl;
		env.check(all.isRange(1, 5), "deliverAllAvailable() gets sequences 1-5 in order");

		// Receive messages starting at a specific sequence number.
		auto fromThree = replay(sc, channel, Nats::StanSubscriptionOptions().startAtSequence(3), 3);
		std::cout << "from sequence 3:     " << fromThree.describe() << std::endl;
		env.check(fromThree.isRange(3, 5), "startAtSequence(3) gets sequences 3-5");

		// Subscribe starting a specific amount of time in the past (here 2 minutes ago).
		auto since = replay(sc, channel, Nats::StanSubscriptionOptions().startAtTimeDelta(Poco::Timespan(120, 0)), 5);
		std::cout << "from 2 minutes ago:  " << since.describe() << std::endl;
		env.check(since.isRange(1, 5), "startAtTimeDelta(2 min) gets sequences 1-5 (all were stored just now)");

		// startAtTime(Poco::Timestamp) works the same way: the request carries "now - time",
		// so the server's clock decides (messages stored microseconds apart are not told apart).

		sc.close();
	});
}
