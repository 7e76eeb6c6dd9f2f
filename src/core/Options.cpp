//
// Options.cpp
//
// Library: Nats
// Package: Core
// Module:  Options
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Options.h"
#include "core/ServerPool.h"
#include <Poco/Exception.h>
#include <Poco/StringTokenizer.h>

namespace Nats {

const Poco::Timespan Options::DEFAULT_CONNECT_TIMEOUT(2, 0);
const Poco::Timespan Options::DEFAULT_RECONNECT_WAIT(2, 0);
const Poco::Timespan Options::DEFAULT_RECONNECT_JITTER(0, 100000);
const Poco::Timespan Options::DEFAULT_RECONNECT_JITTER_TLS(1, 0);
const Poco::Timespan Options::DEFAULT_PING_INTERVAL(120, 0);
const Poco::Timespan Options::DEFAULT_WRITE_DEADLINE(10, 0);

constexpr const char* Options::DEFAULT_URL;
constexpr int Options::DEFAULT_MAX_RECONNECT;
constexpr int Options::DEFAULT_RECONNECT_BUFFER_SIZE;
constexpr int Options::DEFAULT_MAX_PINGS_OUT;
constexpr int Options::DEFAULT_MAX_PENDING_MESSAGES;
constexpr long long Options::DEFAULT_MAX_PENDING_BYTES;
constexpr int Options::DEFAULT_DISPATCHER_THREADS;

namespace {

void check(bool ok, const std::string& field, const std::string& why)
{
	if (!ok) throw Poco::InvalidArgumentException("Options." + field + ": " + why);
}

bool hasWhitespace(const std::string& s)
{
	return s.find_first_of(" \t\r\n\f") != std::string::npos;
}

} // namespace

std::vector<std::string> Options::splitUrls(const std::string& commaSeparated)
{
	std::vector<std::string> urls;
	Poco::StringTokenizer tok(commaSeparated, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
	for (const auto& u : tok) urls.push_back(u);
	return urls;
}

void Options::validate() const
{
	check(!servers.empty(), "servers", "at least one URL is required");
	for (const auto& u: servers)
	{
		try
		{
			ServerAddress::parse(u);
		}
		catch (Poco::InvalidArgumentException& e)
		{
			throw Poco::InvalidArgumentException("Options.servers: " + e.message());
		}
	}
	check(name.find_first_of("\r\n") == std::string::npos, "name", "must not contain CR or LF");
	{
		bool ok = !inboxPrefix.empty() && inboxPrefix.front() != '.' && inboxPrefix.back() != '.' && inboxPrefix.find("..") == std::string::npos
			&& inboxPrefix.find_first_of(" \t\r\n\f") == std::string::npos && inboxPrefix.find('\0') == std::string::npos;
		for (std::size_t start = 0; ok && start <= inboxPrefix.size();)
		{
			std::size_t dot = inboxPrefix.find('.', start);
			std::string token = inboxPrefix.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
			ok = token != "*" && token != ">";
			if (dot == std::string::npos) break;
			start = dot + 1;
		}
		check(ok, "inboxPrefix", "must be a subject without wildcards, whitespace or empty tokens");
	}
	check(connectTimeout > 0, "connectTimeout", "must be > 0");
	check(maxReconnect >= -1, "maxReconnect", "must be >= -1");
	check(reconnectWait >= 0, "reconnectWait", "must be >= 0");
	check(reconnectJitter >= 0, "reconnectJitter", "must be >= 0");
	check(reconnectJitterTLS >= 0, "reconnectJitterTLS", "must be >= 0");
	check(pingInterval >= 0, "pingInterval", "must be >= 0");
	check(writeDeadline >= 0, "writeDeadline", "must be >= 0");
	check(maxPingsOut >= 1, "maxPingsOut", "must be >= 1");
	check(maxPendingMessages != 0, "maxPendingMessages", "must not be 0 (negative = unlimited)");
	check(maxPendingBytes != 0, "maxPendingBytes", "must not be 0 (negative = unlimited)");
	check(dispatcherThreads >= 1, "dispatcherThreads", "must be >= 1");
	check(!hasWhitespace(user), "user", "must not contain whitespace");
	const int auth = (credentialsFile.empty() ? 0 : 1) + (nkeySeedFile.empty() ? 0 : 1) + (nkey.empty() ? 0 : 1);
	check(auth <= 1, "credentialsFile", "credentialsFile, nkeySeedFile and nkey are alternatives: give at most one");
	check(credentialsSeedFile.empty() || !credentialsFile.empty(), "credentialsSeedFile", "needs credentialsFile");
	check(nkey.empty() || static_cast<bool>(nkeySignatureHandler), "nkeySignatureHandler", "must be set with nkey");
	check(nkey.empty() || (nkey.size() == 56 && nkey[0] == 'U'), "nkey", "must be a public user nkey (\"U\" + 55 characters)");
	check(tlsCertFile.empty() == tlsKeyFile.empty(), "tlsCertFile", "tlsCertFile and tlsKeyFile must be given together");
}

} // namespace Nats
