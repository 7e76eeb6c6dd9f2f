//
// nats-pub.cpp
//
// Publishes one message (flags as nats.c examples): nats-pub [-s urls] [-reply subj] <subject> <message>
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <iostream>

int main(int argc, char** argv)
{
	std::string urls = "nats://127.0.0.1:4222";
	std::string reply;
	std::vector<std::string> rest;
	for (int i = 1; i < argc; ++i)
	{
		std::string a = argv[i];
		if (a == "-s" && i + 1 < argc)
			urls = argv[++i];
		else if (a == "-reply" && i + 1 < argc)
			reply = argv[++i];
		else
			rest.push_back(a);
	}
	if (rest.size() != 2)
	{
		std::cerr << "usage: nats-pub [-s url[,url...]] [-reply subject] <subject> <message>\n";
		return 2;
	}
	try
	{
		Nats::Options options;
		options.servers = Nats::Options::splitUrls(urls);
		options.name = "nats-pub";
		Nats::Connection conn(options);
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
