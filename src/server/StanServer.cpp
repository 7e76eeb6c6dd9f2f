//
// StanServer.cpp
//
// Library: Nats
// Package: Server
// Module:  StanServer
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/StanServer.h"
#include "server/StanServerImpl.h"
#include "protocol/ServerProtocol.h"
#include "core/SubjectRules.h"
#include <Poco/Exception.h>

namespace Nats {

const Poco::Timespan StanServerOptions::DEFAULT_HB_INTERVAL(30, 0);
const Poco::Timespan StanServerOptions::DEFAULT_HB_TIMEOUT(10, 0);

void StanServerOptions::validate() const
{
	if (!SubjectRules::isValidToken(clusterId))
		throw Poco::InvalidArgumentException("StanServerOptions.clusterId must be a non-empty subject token (no '.', '*', '>' or whitespace)", clusterId);
	if (discoverPrefix.empty() || discoverPrefix.front() == '.' || discoverPrefix.back() == '.')
		throw Poco::InvalidArgumentException("StanServerOptions.discoverPrefix must be a valid subject", discoverPrefix);
	if (natsUrl.empty() && natsOptions.servers.empty())
		throw Poco::InvalidArgumentException("StanServerOptions.natsUrl must not be empty");
	if (maxChannels < 0) throw Poco::InvalidArgumentException("StanServerOptions.maxChannels must be >= 0 (0 = unlimited)");
	if (maxSubscriptions < 0) throw Poco::InvalidArgumentException("StanServerOptions.maxSubscriptions must be >= 0 (0 = unlimited)");
	if (maxMsgs < 0) throw Poco::InvalidArgumentException("StanServerOptions.maxMsgs must be >= 0 (0 = unlimited)");
	if (maxBytes < 0) throw Poco::InvalidArgumentException("StanServerOptions.maxBytes must be >= 0 (0 = unlimited)");
	if (maxAge < 0) throw Poco::InvalidArgumentException("StanServerOptions.maxAge must be >= 0 (0 = unlimited)");
	if (hbInterval <= 0) throw Poco::InvalidArgumentException("StanServerOptions.hbInterval must be > 0");
	if (hbTimeout <= 0) throw Poco::InvalidArgumentException("StanServerOptions.hbTimeout must be > 0");
	if (hbFailCount < 0) throw Poco::InvalidArgumentException("StanServerOptions.hbFailCount must be >= 0");
	if (httpPort < RANDOM_HTTP_PORT || httpPort > 65535)
		throw Poco::InvalidArgumentException("StanServerOptions.httpPort must be -1 (any free port), 0 (off) or 1..65535");
	if (httpsPort < RANDOM_HTTP_PORT || httpsPort > 65535)
		throw Poco::InvalidArgumentException("StanServerOptions.httpsPort must be -1 (any free port), 0 (off) or 1..65535");
	// The texts of nats-server's StartMonitoring, which the Go streaming server calls.
	if (httpPort != 0 && httpsPort != 0)
		throw Poco::InvalidArgumentException("can't specify both HTTP (" + std::to_string(httpPort) + ") and HTTPs (" + std::to_string(httpsPort) + ") ports");
	if (httpsPort != 0 && (tlsCert.empty() || tlsKey.empty()))
		throw Poco::InvalidArgumentException("TLS cert and key required for HTTPS");
	if ((httpPort != 0 || httpsPort != 0) && httpHost.empty()) throw Poco::InvalidArgumentException("StanServerOptions.httpHost must not be empty");
}

StanServer::StanServer(const StanServerOptions& options)
	: _options(options), _pImpl(std::make_shared<StanServerImpl>(options))
{
}

StanServer::~StanServer()
{
	try
	{
		_pImpl->stop();
	}
	catch (...)
	{
	}
}

void StanServer::start()
{
	_pImpl->start();
}

void StanServer::stop()
{
	_pImpl->stop();
}

bool StanServer::isRunning() const
{
	return _pImpl->isRunning();
}

const StanServerOptions& StanServer::options() const
{
	return _options;
}

std::size_t StanServer::numClients() const
{
	return _pImpl->numClients();
}

std::size_t StanServer::numChannels() const
{
	return _pImpl->numChannels();
}

std::size_t StanServer::numSubscriptions() const
{
	return _pImpl->numSubscriptions();
}

bool StanServer::hasClient(const std::string& clientId) const
{
	return _pImpl->hasClient(clientId);
}

int StanServer::monitorPort() const
{
	return _pImpl->monitorPort();
}

bool StanServer::channelInfo(const std::string& channel, StanChannelInfo& info) const
{
	return _pImpl->channelInfo(channel, info);
}

} // namespace Nats
