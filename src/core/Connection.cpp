//
// Connection.cpp
//
// Library: Nats
// Package: Core
// Module:  Connection
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Connection.h"
#include "core/ConnectionImpl.h"

namespace Nats {

Connection::Connection(): _pImpl(std::make_shared<ConnectionImpl>(Options()))
{
}

Connection::Connection(const Options& options): _pImpl(std::make_shared<ConnectionImpl>(options))
{
}

Connection::~Connection()
{
	try
	{
		_pImpl->close();
	}
	catch (...)
	{
	}
}

void Connection::connect()
{
	_pImpl->connect();
}

void Connection::publish(const std::string& subject, const std::string& data)
{
	_pImpl->publish(subject, std::string(), data.data(), data.size());
}

void Connection::publish(const std::string& subject, const void* data, std::size_t length)
{
	_pImpl->publish(subject, std::string(), data, length);
}

void Connection::publishRequest(const std::string& subject, const std::string& reply, const std::string& data)
{
	if (reply.empty()) throw Poco::InvalidArgumentException("nats: invalid reply subject: empty");
	_pImpl->publish(subject, reply, data.data(), data.size());
}

void Connection::publishRequest(const std::string& subject, const std::string& reply, const void* data, std::size_t length)
{
	if (reply.empty()) throw Poco::InvalidArgumentException("nats: invalid reply subject: empty");
	_pImpl->publish(subject, reply, data, length);
}

void Connection::publish(const std::string& subject, const Headers& headers, const std::string& data)
{
	_pImpl->publish(subject, std::string(), &headers, data.data(), data.size());
}

void Connection::publishRequest(const std::string& subject, const std::string& reply, const Headers& headers, const std::string& data)
{
	if (reply.empty()) throw Poco::InvalidArgumentException("nats: invalid reply subject: empty");
	_pImpl->publish(subject, reply, &headers, data.data(), data.size());
}

Subscription Connection::subscribe(const std::string& subject, MessageHandler handler)
{
	return _pImpl->subscribe(subject, std::string(), std::move(handler), false);
}

Subscription Connection::queueSubscribe(const std::string& subject, const std::string& queue, MessageHandler handler)
{
	if (queue.empty()) throw Poco::InvalidArgumentException("nats: invalid queue name: empty");
	return _pImpl->subscribe(subject, queue, std::move(handler), false);
}

Subscription Connection::subscribeSync(const std::string& subject, const std::string& queue)
{
	return _pImpl->subscribe(subject, queue, MessageHandler(), true);
}

Message Connection::request(const std::string& subject, const std::string& data, Poco::Timespan timeout)
{
	return _pImpl->request(subject, nullptr, data, timeout);
}

Message Connection::request(const std::string& subject, const Headers& headers, const std::string& data, Poco::Timespan timeout)
{
	return _pImpl->request(subject, &headers, data, timeout);
}

void Connection::flush(Poco::Timespan timeout)
{
	_pImpl->flush(timeout);
}

void Connection::close()
{
	_pImpl->close();
}

void Connection::drain(Poco::Timespan timeout)
{
	_pImpl->drain(timeout);
}

std::string Connection::newInbox() const
{
	return _pImpl->newInbox();
}

std::int64_t Connection::maxPayload() const
{
	return _pImpl->maxPayload();
}

std::string Connection::connectedUrl() const
{
	return _pImpl->connectedUrl();
}

std::string Connection::connectedServerId() const
{
	return _pImpl->connectedServerId();
}

std::vector<std::string> Connection::servers() const
{
	return _pImpl->servers();
}

Statistics Connection::statistics() const
{
	return _pImpl->statistics();
}

Connection::Status Connection::status() const
{
	return _pImpl->status();
}

std::string Connection::lastError() const
{
	return _pImpl->lastError();
}

const Options& Connection::options() const
{
	return _pImpl->options();
}

} // namespace Nats
