//
// nats-pub.cpp
//
// Publishes one message (flags as nats.c examples): nats-pub [-s urls] [-reply subj] <subject> <message>
//
// SPDX-License-Identifier: Apache-2.0
//

#include "CoreTool.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <iostream>

int main(int argc, char** argv)
{
	const Nats::Demo::CoreToolArgs args(argc, argv, {"-reply"});
	const std::vector<std::string>& rest = args.positional();
	const std::string reply = args.value("-reply");
	if (rest.size() != 2)
	{
		std::cerr << "usage: nats-pub [-s url[,url...]] [-reply subject] <subject> <message>\n";
		return 2;
	}
	try
	{
		Nats::Connection conn(args.options("nats-pub"));
		conn.connect();
		if (reply.empty())
			conn.publish(rest[0], rest[1]);
		else
			conn.publishRequest(rest[0], reply, rest[1]);
		conn.flush(Poco::Timespan(5, 0));
		std::cout << "Published [" << rest[0] << "] : '" << rest[1] << "'" << std::endl;
	}
	catch (Poco::Exception& e)
	{
		std::cerr << "nats-pub: " << e.displayText() << std::endl;
		return 1;
	}
	return 0;
}
