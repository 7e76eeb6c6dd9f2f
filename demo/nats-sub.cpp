//
// nats-sub.cpp
//
// Prints messages of a subject: nats-sub [-s urls] [-q queue] [-count n] <subject>
// Exits after `count` messages (default: run until interrupted).
//
// SPDX-License-Identifier: Apache-2.0
//

#include "CoreTool.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <cstdlib>
#include <iostream>

int main(int argc, char** argv)
{
	const Nats::Demo::CoreToolArgs args(argc, argv, {"-q", "-count"});
	const std::vector<std::string>& rest = args.positional();
	const std::string queue = args.value("-q");
	const long long count = std::atoll(args.value("-count", "-1").c_str());
	if (rest.size() != 1)
	{
		std::cerr << "usage: nats-sub [-s url[,url...]] [-q queue] [-count n] <subject>\n";
		return 2;
	}
	try
	{
		Nats::Options options = args.options("nats-sub");
		options.errorHandler = [](const Poco::Exception& e) { std::cerr << "error: " << e.displayText() << std::endl; };
		Nats::Connection conn(options);
		conn.connect();
		Nats::Subscription sub = conn.subscribeSync(rest[0], queue);
		std::cout << "Listening on [" << rest[0] << "]" << std::endl;
		for (long long n = 0; count < 0 || n < count;)
		{
			try
			{
				Nats::Message m = sub.nextMessage(Poco::Timespan(1, 0));
				++n;
				std::cout << "[#" << n << "] Received on [" << m.subject() << "]";
				if (!m.reply().empty()) std::cout << " reply [" << m.reply() << "]";
				std::cout << ": '" << m.data() << "'" << std::endl;
			}
			catch (Nats::NatsTimeoutException&)
			{
			}
			catch (Nats::SlowConsumerException& e)
			{
				std::cerr << "error: " << e.displayText() << std::endl;
			}
		}
	}
	catch (Poco::Exception& e)
	{
		std::cerr << "nats-sub: " << e.displayText() << std::endl;
		return 1;
	}
	return 0;
}
