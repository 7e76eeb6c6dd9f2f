//
// StanOptions.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanOptions
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/StanOptions.h"
#include <Poco/String.h>

namespace Nats {

const Poco::Timespan StanOptions::DEFAULT_CONNECT_WAIT(2, 0);
const Poco::Timespan StanOptions::DEFAULT_CLOSE_TIMEOUT(5, 0);
const Poco::Timespan StanOptions::DEFAULT_PUB_ACK_WAIT(30, 0);
const Poco::Timespan StanOptions::DEFAULT_PING_INTERVAL(5, 0);

std::vector<std::string> StanOptions::effectiveServers() const
{
	if (Poco::trim(natsUrl).empty()) return natsOptions.servers;
	return Options::splitUrls(natsUrl);
}

void StanOptions::validate() const
{
	auto fail = [](const std::string& what) { throw Poco::InvalidArgumentException("StanOptions." + what); };
	if (connectWait.totalMicroseconds() <= 0) fail("connectWait must be > 0");
	if (pubAckWait.totalMicroseconds() <= 0) fail("pubAckWait must be > 0");
	if (closeTimeout.totalMicroseconds() < 0) fail("closeTimeout must be >= 0");
	if (maxPubAcksInflight < 1) fail("maxPubAcksInflight must be >= 1");
	if (!(maxPubAcksInflightPercentage > 0.0 && maxPubAcksInflightPercentage <= 1.0))
		fail("maxPubAcksInflightPercentage must be in (0, 1]");
	if (discoverPrefix.empty()) fail("discoverPrefix must not be empty");
	if (pingInterval.totalMicroseconds() < Poco::Timespan::SECONDS) fail("pingInterval must be >= 1 s");
	if (pingInterval.totalMicroseconds() / Poco::Timespan::SECONDS > 0x7fffffff) fail("pingInterval is too large");
	if (pingMaxOut < 2) fail("pingMaxOut must be >= 2");
	if (!natsConnection)
	{
		if (effectiveServers().empty()) fail("natsUrl must name at least one server");
		Options copy = natsOptions;
		copy.servers = effectiveServers();
		copy.validate();
	}
}

} // namespace Nats
