//
// StanSubscription.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanSubscription
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/StanSubscription.h"
#include "Nats/Exception.h"
#include "stan/StanSubscriptionBackend.h"

namespace Nats {

namespace {

const std::string EMPTY;

} // namespace

StanSubscription::StanSubscription()
{
}

StanSubscription::StanSubscription(std::shared_ptr<StanSubscriptionBackend> pImpl) : _pImpl(std::move(pImpl))
{
}

StanSubscription::~StanSubscription()
{
	// The shared_ptr's deleter closes the subscription when this was the last handle.
}

#define NATS_STAN_SUB_CHECK() \
	if (!_pImpl) throw StanSubscriptionException("stan: invalid subscription")

void StanSubscription::unsubscribe()
{
	NATS_STAN_SUB_CHECK();
	_pImpl->close(true);
}

void StanSubscription::close()
{
	NATS_STAN_SUB_CHECK();
	_pImpl->close(false);
}

void StanSubscription::ack(const StanMessage& message)
{
	NATS_STAN_SUB_CHECK();
	_pImpl->ack(message);
}

StanMessage StanSubscription::nextMessage(Poco::Timespan timeout)
{
	NATS_STAN_SUB_CHECK();
	return _pImpl->nextMessage(timeout);
}

bool StanSubscription::isValid() const
{
	return _pImpl && _pImpl->isValid();
}

const std::string& StanSubscription::channel() const
{
	return _pImpl ? _pImpl->channel() : EMPTY;
}

const std::string& StanSubscription::queueGroup() const
{
	return _pImpl ? _pImpl->queueGroup() : EMPTY;
}

const std::string& StanSubscription::durableName() const
{
	return _pImpl ? _pImpl->durableName() : EMPTY;
}

bool StanSubscription::isManualAck() const
{
	return _pImpl && _pImpl->isManualAck();
}

int StanSubscription::pendingMessages() const
{
	return _pImpl ? _pImpl->pendingMessages() : 0;
}

long long StanSubscription::pendingBytes() const
{
	return _pImpl ? _pImpl->pendingBytes() : 0;
}

std::uint64_t StanSubscription::delivered() const
{
	return _pImpl ? _pImpl->delivered() : 0;
}

std::uint64_t StanSubscription::dropped() const
{
	return _pImpl ? _pImpl->dropped() : 0;
}

void StanSubscription::setPendingLimits(int maxMessages, long long maxBytes)
{
	NATS_STAN_SUB_CHECK();
	_pImpl->setPendingLimits(PendingLimits::checked(maxMessages, maxBytes, "stan: "));
}

int StanSubscription::maxPendingMessages() const
{
	return _pImpl ? _pImpl->pendingLimits().messages : 0;
}

long long StanSubscription::maxPendingBytes() const
{
	return _pImpl ? _pImpl->pendingLimits().bytes : 0;
}

} // namespace Nats
