//
// demo-manual-ack.cpp
//
// Manual acks and redelivery (stan.go README "Message Acknowledgements and Redelivery"): a
// subscription in manual-ack mode with an ack wait of 1 s acks the even sequences at once and
// leaves the odd ones unacked. After the ack wait the server sends the odd ones again, flagged as
// redelivered; acking them ends it. The even ones are never redelivered.
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
	return DemoEnvironment::run("demo-manual-ack", [](DemoEnvironment& env)
	{
		const std::string channel = env.uniqueName("foo");
		DemoEnvironment::MessageLog deliveries;

		Nats::StanConnection sc(env.clusterId(), env.uniqueName("manual-acker"), env.stanOptions());
		sc.connect();
		for (int i = 1; i <= 6; ++i)
			sc.publish(channel, "message " + std::to_string(i));

		Nats::StanSubscription sub = sc.subscribe(channel, [&](const Nats::StanMessage& m)
		{
			deliveries.add(m);
			bool ack = m.isRedelivered() || m.sequence() % 2 == 0;
			std::cout << "[#" << m.sequence() << "] " << m.data() << (m.isRedelivered() ? " (redelivered, count " + std::to_string(m.redeliveryCount()) + ")" : "")
				<< (ack ? " -> ack" : " -> no ack") << std::endl;
			if (ack) m.ack();   // or sub.ack(m)
		}, Nats::StanSubscriptionOptions().deliverAllAvailable().setManualAckMode().setAckWait(Poco::Timespan(1, 0)));

		// 6 first deliveries + 3 redeliveries of 1, 3 and 5 (after about one second).
		deliveries.waitForCount(9, Poco::Timespan(15, 0));
		sc.natsConnection().flush(Poco::Timespan(5, 0));

		int first = 0, redelivered = 0, wrong = 0;
		for (const auto& m: deliveries.messages())
		{
			if (!m.isRedelivered()) ++first;
			else if (m.sequence() % 2 == 1) ++redelivered;
			else ++wrong;
		}
		std::cout << "deliveries: " << first << " first, " << redelivered << " redelivered unacked ones, "
			<< wrong << " redelivered acked ones" << std::endl;
		env.check(first == 6, "each of the 6 messages was delivered once without the redelivered flag");
		env.check(redelivered == 3, "the 3 unacked messages (1, 3, 5) came back with the redelivered flag");
		env.check(wrong == 0, "the acked messages (2, 4, 6) were not redelivered");

		sub.unsubscribe();
		sc.close();
	});
}
