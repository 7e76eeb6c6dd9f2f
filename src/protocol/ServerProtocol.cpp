//
// ServerProtocol.cpp
//
// Library: Nats
// Package: Server
// Module:  ServerProtocol
//
// SPDX-License-Identifier: Apache-2.0
//

#include "protocol/ServerProtocol.h"
#include <chrono>

namespace Nats {

const char* const ServerProtocol::ERR_INVALID_CONN_REQ = "stan: invalid connection request";
const char* const ServerProtocol::ERR_INVALID_CLIENT_ID = "stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed";
const char* const ServerProtocol::ERR_CLIENT_REGISTERED = "stan: clientID already registered";
const char* const ServerProtocol::ERR_INVALID_PUB_REQ = "stan: invalid publish request";
const char* const ServerProtocol::ERR_INVALID_SUB_REQ = "stan: invalid subscription request";
const char* const ServerProtocol::ERR_MISSING_CLIENT = "stan: clientID missing";
const char* const ServerProtocol::ERR_INVALID_ACK_WAIT = "stan: invalid ack wait time, should be >= 1s";
const char* const ServerProtocol::ERR_INVALID_MAX_INFLIGHT = "stan: invalid MaxInflight, should be >= 1";
const char* const ServerProtocol::ERR_INVALID_START = "stan: invalid start position";
const char* const ServerProtocol::ERR_INVALID_SUBJECT = "stan: invalid subject";
const char* const ServerProtocol::ERR_UNKNOWN_CLIENT = "stan: unknown clientID";
const char* const ServerProtocol::ERR_INVALID_DUR_NAME = "stan: durable name of a durable queue subscriber can't contain the character ':'";
const char* const ServerProtocol::ERR_DUP_DURABLE = "stan: duplicate durable registration";
const char* const ServerProtocol::ERR_INVALID_UNSUB_REQ = "stan: invalid unsubscribe request";
const char* const ServerProtocol::ERR_INVALID_SUB = "stan: invalid subscription";
const char* const ServerProtocol::ERR_UNKNOWN_CHANNEL = "stan: unknown channel";
const char* const ServerProtocol::ERR_INVALID_CLOSE_REQ = "stan: invalid close request";
const char* const ServerProtocol::ERR_TOO_MANY_CHANNELS = "too many channels";
const char* const ServerProtocol::ERR_TOO_MANY_SUBS = "too many subscriptions per channel";
const char* const ServerProtocol::ERR_CLIENT_REPLACED = "client has been replaced or is no longer registered";

std::string ServerProtocol::caseClashError(const std::string& name, const std::string& existing)
{
	return "rejecting channel \"" + name + "\" because channel \"" + existing + "\" alreay exists (different cases not allowed)";
}

bool ServerProtocol::isValidClientID(const std::string& id)
{
	if (id.empty()) return false;
	for (char c : id)
	{
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
		if (!ok) return false;
	}
	return true;
}

std::int64_t ServerProtocol::ackWaitNanos(std::int32_t ackWaitInSecs)
{
	return static_cast<std::int64_t>(ackWaitInSecs) * 1000000000LL;
}

std::string ServerProtocol::lower(const std::string& s)
{
	std::string r(s);
	for (char& c : r)
	{
		if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
	}
	return r;
}

std::int64_t ServerProtocol::nowNanos()
{
	return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace Nats
