//
// StanSubscriptionOptions.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanSubscriptionOptions
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/StanSubscriptionOptions.h"
#include <Poco/Exception.h>

namespace Nats {

const Poco::Timespan StanSubscriptionOptions::DEFAULT_ACK_WAIT(30, 0);

StanSubscriptionOptions& StanSubscriptionOptions::startAtSequence(std::uint64_t sequence)
{
	startPosition = StartPosition::SEQUENCE_START;
	startSequence = sequence;
	return *this;
}

StanSubscriptionOptions& StanSubscriptionOptions::startAtTime(const Poco::Timestamp& time)
{
	startPosition = StartPosition::TIME_DELTA_START;
	startTime = time;
	return *this;
}

StanSubscriptionOptions& StanSubscriptionOptions::startAtTimeDelta(const Poco::Timespan& delta)
{
	if (delta.totalMicroseconds() < 0)
		throw Poco::InvalidArgumentException("StanSubscriptionOptions.startAtTimeDelta: delta must be >= 0");
	startPosition = StartPosition::TIME_DELTA_START;
	Poco::Timestamp now;
	startTime = now - delta.totalMicroseconds();
	return *this;
}

StanSubscriptionOptions& StanSubscriptionOptions::startWithLastReceived()
{
	startPosition = StartPosition::LAST_RECEIVED;
	return *this;
}

StanSubscriptionOptions& StanSubscriptionOptions::deliverAllAvailable()
{
	startPosition = StartPosition::FIRST;
	return *this;
}

StanSubscriptionOptions& StanSubscriptionOptions::setDurableName(const std::string& name)
{
	durableName = name;
	return *this;
}

StanSubscriptionOptions& StanSubscriptionOptions::setMaxInflight(int max)
{
	maxInflight = max;
	return *this;
}

StanSubscriptionOptions& StanSubscriptionOptions::setAckWait(const Poco::Timespan& wait)
{
	ackWait = wait;
	return *this;
}

StanSubscriptionOptions& StanSubscriptionOptions::setManualAckMode(bool manual)
{
	manualAcks = manual;
	return *this;
}

void StanSubscriptionOptions::validate() const
{
	auto fail = [](const std::string& what) { throw Poco::InvalidArgumentException("StanSubscriptionOptions." + what); };
	if (maxInflight < 1) fail("maxInflight must be >= 1");
	if (ackWait.totalMicroseconds() < Poco::Timespan::SECONDS) fail("ackWait must be >= 1 s");
	if (ackWait.totalMicroseconds() / Poco::Timespan::SECONDS > 0x7fffffff) fail("ackWait is too large");
	int pos = static_cast<int>(startPosition);
	if (pos < 0 || pos > 4) fail("startPosition is invalid");
	if (startPosition == StartPosition::SEQUENCE_START && startSequence < 1) fail("startSequence must be >= 1");
}

} // namespace Nats
