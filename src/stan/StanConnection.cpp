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
#include "stan/StanConnectionImpl.h"
#include "jetstream/JsBackend.h"
#include "jetstream/JsStanConnection.h"

namespace Nats {

// Backend seam: on StanOptions::Backend::JETSTREAM _pImpl is null and its control block owns a
// JsStanConnection (src/jetstream/JsBackend.h); every method below forwards to it first.
#define NATS_JS_FORWARD(call) \
	if (!_pImpl) return JsBackend::connection(_pImpl)->call

StanConnection::StanConnection(const std::string& clusterId, const std::string& clientId, const StanOptions& options)
	: _pImpl(options.backend == StanOptions::Backend::JETSTREAM
			? JsBackend::makeConnectionHandle(std::make_shared<JsStanConnection>(clusterId, clientId, options))
			: std::make_shared<StanConnectionImpl>(clusterId, clientId, options))
{
	if (!_pImpl) JsBackend::connection(_pImpl)->setFacade(this);
	else _pImpl->setFacade(this);
}

StanConnection::~StanConnection()
{
	try
	{
		if (!_pImpl) JsBackend::connection(_pImpl)->destroy();
		else _pImpl->destroy();
	}
	catch (...)
	{
	}
}

void StanConnection::connect()
{
	NATS_JS_FORWARD(connect());
	_pImpl->connect();
}

void StanConnection::publish(const std::string& channel, const std::string& data)
{
	NATS_JS_FORWARD(publish(channel, data.data(), data.size()));
	_pImpl->publish(channel, data.data(), data.size());
}

void StanConnection::publish(const std::string& channel, const void* data, std::size_t length)
{
	NATS_JS_FORWARD(publish(channel, data, length));
	_pImpl->publish(channel, data, length);
}

std::string StanConnection::publishAsync(const std::string& channel, const std::string& data, StanAckHandler handler)
{
	NATS_JS_FORWARD(publishAsync(channel, data.data(), data.size(), std::move(handler), Poco::Timespan(-1)));
	return _pImpl->publishAsync(channel, data.data(), data.size(), std::move(handler), Poco::Timespan(-1));
}

std::string StanConnection::publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler)
{
	NATS_JS_FORWARD(publishAsync(channel, data, length, std::move(handler), Poco::Timespan(-1)));
	return _pImpl->publishAsync(channel, data, length, std::move(handler), Poco::Timespan(-1));
}

std::string StanConnection::publishAsync(const std::string& channel, const std::string& data, StanAckHandler handler, Poco::Timespan maxWait)
{
	if (maxWait.totalMicroseconds() < 0) throw Poco::InvalidArgumentException("stan: maxWait must be >= 0");
	NATS_JS_FORWARD(publishAsync(channel, data.data(), data.size(), std::move(handler), maxWait));
	return _pImpl->publishAsync(channel, data.data(), data.size(), std::move(handler), maxWait);
}

std::string StanConnection::publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler, Poco::Timespan maxWait)
{
	if (maxWait.totalMicroseconds() < 0) throw Poco::InvalidArgumentException("stan: maxWait must be >= 0");
	NATS_JS_FORWARD(publishAsync(channel, data, length, std::move(handler), maxWait));
	return _pImpl->publishAsync(channel, data, length, std::move(handler), maxWait);
}

StanSubscription StanConnection::subscribe(const std::string& channel, StanMessageHandler handler, const StanSubscriptionOptions& options)
{
	NATS_JS_FORWARD(subscribe(channel, std::string(), std::move(handler), options, false));
	return _pImpl->subscribe(channel, std::string(), std::move(handler), options, false);
}

StanSubscription StanConnection::queueSubscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
	const StanSubscriptionOptions& options)
{
	if (group.empty()) throw Poco::InvalidArgumentException("stan: queue group must not be empty");
	NATS_JS_FORWARD(subscribe(channel, group, std::move(handler), options, false));
	return _pImpl->subscribe(channel, group, std::move(handler), options, false);
}

StanSubscription StanConnection::subscribeSync(const std::string& channel, const StanSubscriptionOptions& options)
{
	NATS_JS_FORWARD(subscribe(channel, std::string(), StanMessageHandler(), options, true));
	return _pImpl->subscribe(channel, std::string(), StanMessageHandler(), options, true);
}

StanSubscription StanConnection::queueSubscribeSync(const std::string& channel, const std::string& group, const StanSubscriptionOptions& options)
{
	if (group.empty()) throw Poco::InvalidArgumentException("stan: queue group must not be empty");
	NATS_JS_FORWARD(subscribe(channel, group, StanMessageHandler(), options, true));
	return _pImpl->subscribe(channel, group, StanMessageHandler(), options, true);
}

void StanConnection::close()
{
	NATS_JS_FORWARD(close());
	_pImpl->close();
}

Connection& StanConnection::natsConnection()
{
	NATS_JS_FORWARD(natsConnection());
	return _pImpl->natsConnection();
}

StanConnection::Status StanConnection::status() const
{
	NATS_JS_FORWARD(status());
	return _pImpl->status();
}

std::string StanConnection::lostError() const
{
	NATS_JS_FORWARD(lostError());
	return _pImpl->lostError();
}

int StanConnection::pubAcksInflight() const
{
	NATS_JS_FORWARD(pubAcksInflight());
	return _pImpl->pubAcksInflight();
}

const std::string& StanConnection::clusterId() const
{
	NATS_JS_FORWARD(clusterId());
	return _pImpl->clusterId();
}

const std::string& StanConnection::clientId() const
{
	NATS_JS_FORWARD(clientId());
	return _pImpl->clientId();
}

const StanOptions& StanConnection::options() const
{
	NATS_JS_FORWARD(options());
	return _pImpl->options();
}

} // namespace Nats
