//
// StanConnection.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanConnection
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/StanConnection.h"
#include "stan/StanConnectionBackend.h"
#include "stan/StanConnectionImpl.h"
#include "jetstream/JsStanConnection.h"

namespace Nats {

namespace {

std::shared_ptr<StanConnectionBackend> makeBackend(const std::string& clusterId, const std::string& clientId, const StanOptions& options)
{
	if (options.backend == StanOptions::Backend::JETSTREAM) return std::make_shared<JsStanConnection>(clusterId, clientId, options);
	return std::make_shared<StanConnectionImpl>(clusterId, clientId, options);
}

} // namespace

StanConnection::StanConnection(const std::string& clusterId, const std::string& clientId, const StanOptions& options)
	: _pImpl(makeBackend(clusterId, clientId, options))
{
	_pImpl->setFacade(this);
}

StanConnection::~StanConnection()
{
	try
	{
		_pImpl->destroy();
	}
	catch (...)
	{
	}
}

void StanConnection::connect()
{
	_pImpl->connect();
}

void StanConnection::publish(const std::string& channel, const std::string& data)
{
	_pImpl->publish(channel, data.data(), data.size());
}

void StanConnection::publish(const std::string& channel, const void* data, std::size_t length)
{
	_pImpl->publish(channel, data, length);
}

std::string StanConnection::publishAsync(const std::string& channel, const std::string& data, StanAckHandler handler)
{
	return _pImpl->publishAsync(channel, data.data(), data.size(), std::move(handler), Poco::Timespan(-1));
}

std::string StanConnection::publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler)
{
	return _pImpl->publishAsync(channel, data, length, std::move(handler), Poco::Timespan(-1));
}

std::string StanConnection::publishAsync(const std::string& channel, const std::string& data, StanAckHandler handler, Poco::Timespan maxWait)
{
	if (maxWait.totalMicroseconds() < 0) throw Poco::InvalidArgumentException("stan: maxWait must be >= 0");
	return _pImpl->publishAsync(channel, data.data(), data.size(), std::move(handler), maxWait);
}

std::string StanConnection::publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler, Poco::Timespan maxWait)
{
	if (maxWait.totalMicroseconds() < 0) throw Poco::InvalidArgumentException("stan: maxWait must be >= 0");
	return _pImpl->publishAsync(channel, data, length, std::move(handler), maxWait);
}

StanSubscription StanConnection::subscribe(const std::string& channel, StanMessageHandler handler, const StanSubscriptionOptions& options)
{
	return _pImpl->subscribe(channel, std::string(), std::move(handler), options, false);
}

StanSubscription StanConnection::queueSubscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
	const StanSubscriptionOptions& options)
{
	if (group.empty()) throw Poco::InvalidArgumentException("stan: queue group must not be empty");
	return _pImpl->subscribe(channel, group, std::move(handler), options, false);
}

StanSubscription StanConnection::subscribeSync(const std::string& channel, const StanSubscriptionOptions& options)
{
	return _pImpl->subscribe(channel, std::string(), StanMessageHandler(), options, true);
}

StanSubscription StanConnection::queueSubscribeSync(const std::string& channel, const std::string& group, const StanSubscriptionOptions& options)
{
	if (group.empty()) throw Poco::InvalidArgumentException("stan: queue group must not be empty");
	return _pImpl->subscribe(channel, group, StanMessageHandler(), options, true);
}

void StanConnection::close()
{
	_pImpl->close();
}

Connection& StanConnection::natsConnection()
{
	return _pImpl->natsConnection();
}

StanConnection::Status StanConnection::status() const
{
	return _pImpl->status();
}

std::string StanConnection::lostError() const
{
	return _pImpl->lostError();
}

int StanConnection::pubAcksInflight() const
{
	return _pImpl->pubAcksInflight();
}

const std::string& StanConnection::clusterId() const
{
	return _pImpl->clusterId();
}

const std::string& StanConnection::clientId() const
{
	return _pImpl->clientId();
}

const StanOptions& StanConnection::options() const
{
	return _pImpl->options();
}

} // namespace Nats
