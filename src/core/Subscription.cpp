//
// Subscription.cpp
//
// Library: Nats
// Package: Core
// Module:  Subscription
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Subscription.h"
#include "Nats/Exception.h"
#include "core/SubscriptionImpl.h"
#include "core/ConnectionImpl.h"

namespace Nats {

namespace {

const std::string EMPTY;

SubscriptionImpl& require(const std::shared_ptr<SubscriptionImpl>& p)
{
	if (!p) throw Poco::IllegalStateException("nats: invalid subscription handle");
	return *p;
}

} // namespace

Subscription::Subscription()
{
}

Subscription::Subscription(std::shared_ptr<SubscriptionImpl> pImpl): _pImpl(std::move(pImpl))
{
}

Subscription::~Subscription()
{
}

void Subscription::unsubscribe()
{
	require(_pImpl);
	auto conn = _pImpl->connection();
	if (!conn) throw ConnectionClosedException("nats: connection closed");
	conn->unsubscribe(_pImpl);
}

void Subscription::drain(Poco::Timespan timeout)
{
	require(_pImpl);
	auto conn = _pImpl->connection();
	if (!conn) throw ConnectionClosedException("nats: connection closed");
	conn->drainSubscription(_pImpl, timeout);
}

void Subscription::autoUnsubscribe(int max)
{
	require(_pImpl);
	if (max <= 0) throw Poco::InvalidArgumentException("nats: autoUnsubscribe needs max > 0");
	auto conn = _pImpl->connection();
	if (!conn) throw ConnectionClosedException("nats: connection closed");
	conn->autoUnsubscribe(_pImpl, max);
}

Message Subscription::nextMessage(Poco::Timespan timeout)
{
	return require(_pImpl).nextMessage(timeout);
}

bool Subscription::isValid() const
{
	return _pImpl && !_pImpl->isClosed();
}

const std::string& Subscription::subject() const
{
	return _pImpl ? _pImpl->subject() : EMPTY;
}

const std::string& Subscription::queue() const
{
	return _pImpl ? _pImpl->queue() : EMPTY;
}

std::int64_t Subscription::sid() const
{
	return _pImpl ? _pImpl->sid() : 0;
}

int Subscription::pendingMessages() const
{
	return _pImpl ? _pImpl->pendingMessages() : 0;
}

long long Subscription::pendingBytes() const
{
	return _pImpl ? _pImpl->pendingBytes() : 0;
}

std::uint64_t Subscription::dropped() const
{
	return _pImpl ? _pImpl->dropped() : 0;
}

std::uint64_t Subscription::delivered() const
{
	return _pImpl ? _pImpl->delivered() : 0;
}

void Subscription::setPendingLimits(int maxMessages, long long maxBytes)
{
	require(_pImpl).setPendingLimits(PendingLimits::checked(maxMessages, maxBytes, ""));
}

int Subscription::maxPendingMessages() const
{
	return _pImpl ? _pImpl->pendingLimits().messages : 0;
}

long long Subscription::maxPendingBytes() const
{
	return _pImpl ? _pImpl->pendingLimits().bytes : 0;
}

} // namespace Nats
