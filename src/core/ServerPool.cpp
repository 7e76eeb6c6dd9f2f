//
// ServerPool.cpp
//
// Library: Nats
// Package: Core
// Module:  ServerPool
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ServerPool.h"
#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <algorithm>
#include <random>

namespace Nats {

namespace {

bool hasWhitespace(const std::string& s)
{
	for (char c: s)
	{
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') return true;
	}
	return false;
}

std::mt19937& rng()
{
	thread_local std::mt19937 generator(std::random_device{}());
	return generator;
}

} // namespace

std::string ServerAddress::hostPort() const
{
	if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
	return host + ":" + std::to_string(port);
}

std::string ServerAddress::url() const
{
	return scheme + "://" + hostPort();
}

ServerAddress ServerAddress::parse(const std::string& input)
{
	const std::string url = Poco::trim(input);
	auto fail = [&input](const std::string& why) -> void
	{
		throw Poco::InvalidArgumentException("malformed server URL '" + input + "': " + why);
	};
	if (url.empty()) fail("empty");
	if (hasWhitespace(url)) fail("contains whitespace");
	ServerAddress a;
	std::string rest = url;
	std::size_t sep = rest.find("://");
	if (sep != std::string::npos)
	{
		a.scheme = Poco::toLower(rest.substr(0, sep));
		if (a.scheme != "nats" && a.scheme != "tls") fail("unsupported scheme '" + a.scheme + "' (nats or tls)");
		rest = rest.substr(sep + 3);
	}
	if (!rest.empty() && rest.back() == '/') rest.pop_back();
	if (rest.find('/') != std::string::npos) fail("unexpected path");
	std::size_t at = rest.rfind('@');
	if (at != std::string::npos)
	{
		std::string userInfo = rest.substr(0, at);
		rest = rest.substr(at + 1);
		std::size_t colon = userInfo.find(':');
		if (colon != std::string::npos)
		{
			a.user = userInfo.substr(0, colon);
			a.password = userInfo.substr(colon + 1);
			if (a.user.empty()) fail("empty user name");
		}
		else
		{
			if (userInfo.empty()) fail("empty token");
			a.token = userInfo;
		}
	}
	std::string portText;
	if (!rest.empty() && rest[0] == '[')
	{
		std::size_t close = rest.find(']');
		if (close == std::string::npos) fail("unterminated IPv6 address");
		a.host = rest.substr(1, close - 1);
		std::string after = rest.substr(close + 1);
		if (!after.empty())
		{
			if (after[0] != ':') fail("garbage after IPv6 address");
			portText = after.substr(1);
			if (portText.empty()) fail("empty port");
		}
	}
	else
	{
		std::size_t colon = rest.find(':');
		if (colon != std::string::npos)
		{
			if (rest.find(':', colon + 1) != std::string::npos) fail("IPv6 addresses need brackets");
			a.host = rest.substr(0, colon);
			portText = rest.substr(colon + 1);
			if (portText.empty()) fail("empty port");
		}
		else
		{
			a.host = rest;
		}
	}
	if (a.host.empty()) fail("empty host");
	if (!portText.empty())
	{
		unsigned port = 0;
		if (!Poco::NumberParser::tryParseUnsigned(portText, port) || port == 0 || port > 65535) fail("bad port '" + portText + "'");
		a.port = static_cast<int>(port);
	}
	return a;
}

ServerPool::ServerPool(const std::vector<std::string>& urls, bool noRandomize): _noRandomize(noRandomize)
{
	if (urls.empty()) throw Poco::InvalidArgumentException("servers: the list is empty");
	for (const auto& u: urls)
	{
		ServerAddress a = ServerAddress::parse(u);
		if (find(a.hostPort()) < 0) _servers.push_back(a);
	}
	if (!noRandomize) std::shuffle(_servers.begin(), _servers.end(), rng());
}

int ServerPool::find(const std::string& hostPort) const
{
	for (std::size_t i = 0; i < _servers.size(); ++i)
	{
		if (_servers[i].hostPort() == hostPort) return static_cast<int>(i);
	}
	return -1;
}

bool ServerPool::updateDiscovered(const std::vector<std::string>& connectUrls, const std::string& currentHostPort, const std::string& scheme)
{
	if (connectUrls.empty()) return false;
	std::vector<std::string> listed;
	bool added = false;
	for (const auto& u: connectUrls)
	{
		ServerAddress a;
		try
		{
			a = ServerAddress::parse(u);
		}
		catch (Poco::Exception&)
		{
			continue;
		}
		a.scheme = scheme;
		a.implicit = true;
		listed.push_back(a.hostPort());
		if (find(a.hostPort()) < 0)
		{
			_servers.push_back(a);
			added = true;
		}
	}
	for (std::size_t i = 0; i < _servers.size();)
	{
		const ServerAddress& s = _servers[i];
		if (s.implicit && s.hostPort() != currentHostPort && std::find(listed.begin(), listed.end(), s.hostPort()) == listed.end())
			_servers.erase(_servers.begin() + static_cast<std::ptrdiff_t>(i));
		else
			++i;
	}
	if (added && !_noRandomize && _servers.size() > 2) std::shuffle(_servers.begin() + 1, _servers.end(), rng());
	return added;
}

void ServerPool::remove(std::size_t i)
{
	if (i < _servers.size()) _servers.erase(_servers.begin() + static_cast<std::ptrdiff_t>(i));
}

void ServerPool::moveToEnd(const std::string& hostPort)
{
	int i = find(hostPort);
	if (i < 0) return;
	ServerAddress a = _servers[static_cast<std::size_t>(i)];
	_servers.erase(_servers.begin() + i);
	_servers.push_back(a);
}

std::vector<std::string> ServerPool::urls() const
{
	std::vector<std::string> out;
	for (const auto& s: _servers) out.push_back(s.url());
	return out;
}

} // namespace Nats
