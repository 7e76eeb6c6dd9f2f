//
// ServerSelection.cpp
//
// Library: Nats
// Package: Core
// Module:  ServerSelection
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ServerSelection.h"
#include <Poco/Net/IPAddress.h>

namespace Nats {

std::vector<ServerAddress> ServerSelection::candidates() const
{
	std::vector<ServerAddress> out;
	out.reserve(_pool.size());
	for (std::size_t i = 0; i < _pool.size(); ++i) out.push_back(_pool.at(i));
	return out;
}

bool ServerSelection::claimAttempt(const ServerAddress& candidate, int maxReconnect, ServerAddress& server)
{
	int i = _pool.find(candidate.hostPort());
	if (i < 0) return false;
	ServerAddress& ps = _pool.at(static_cast<std::size_t>(i));
	if (maxReconnect >= 0 && ps.reconnects >= maxReconnect)
	{
		_pool.remove(static_cast<std::size_t>(i));
		return false;
	}
	++ps.reconnects;
	server = ps;
	return true;
}

void ServerSelection::connectedTo(const ServerAddress& server)
{
	int i = _pool.find(server.hostPort());
	if (i >= 0)
	{
		// (on connect() the count is 0 already: the pool is new)
		ServerAddress& ps = _pool.at(static_cast<std::size_t>(i));
		ps.reconnects = 0;
		ps.everConnected = true;
		_current = ps;
	}
	else
	{
		_current = server;
	}
	Poco::Net::IPAddress ip;
	if (!server.implicit && !Poco::Net::IPAddress::tryParse(server.host, ip)) _tlsName = server.host;
}

std::string ServerSelection::tlsNameFor(const ServerAddress& server) const
{
	Poco::Net::IPAddress ip;
	if (!server.implicit || !Poco::Net::IPAddress::tryParse(server.host, ip)) return std::string();
	return _tlsName;
}

bool ServerSelection::applyInfo(const ServerInfo& info, bool linkTls)
{
	_info = info;
	return _pool.updateDiscovered(info.connectUrls, _current.hostPort(), _current.tls() || linkTls ? "tls" : "nats");
}

} // namespace Nats
