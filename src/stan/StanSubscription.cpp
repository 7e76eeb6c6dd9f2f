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
#include "stan/StanSubscriptionImpl.h"
#include "jetstream/JsBackend.h"
#include "jetstream/JsStanSubscription.h"

namespace Nats {

namespace {

const std::string EMPTY;

} // namespace

StanSubscription::StanSubscription()
{
}

StanSubscription::StanSubscription(std::shared_ptr<StanSubscriptionImpl> pImpl) : _pImpl(std::move(pImpl))
{
}

StanSubscription::~StanSubscription()
{
	// The shared_ptr's deleter closes the subscription when this was the last handle.
}

// Backend seam: a JetStream handle has a null pointer and a control block owning the
// JsStanSubscription (src/jetstream/JsBackend.h); an empty handle has neither.
#define NATS_JS_SUB(call) \
	if (!_pImpl && _pImpl.use_count() != 0) return JsBackend::subscription(_pImpl)->call

#define NATS_STAN_SUB_CHECK() \
	if (!_pImpl) throw StanSubscriptionException("stan: invalid subscription")

void StanSubscription::unsubscribe()
{
	NATS_JS_SUB(close(true));
	NATS_STAN_SUB_CHECK();
	_pImpl->close(true);
}

void StanSubscription::close()
{
	NATS_JS_SUB(close(false));
	NATS_STAN_SUB_CHECK();
	_pImpl->close(false);
}

void StanSubscription::ack(const StanMessage& message)
{
	NATS_JS_SUB(ack(message));
	NATS_STAN_SUB_CHECK();
	_pImpl->ack(message);
}

StanMessage StanSubscription::nextMessage(Poco::Timespan timeout)
{
	NATS_JS_SUB(nextMessage(timeout));
	NATS_STAN_SUB_CHECK();
	return _pImpl->nextMessage(timeout);
}

bool StanSubscription::isValid() const
{
	NATS_JS_SUB(isValid());
	return _pImpl && _pImpl->isValid();
}

const std::string& StanSubscription::channel() const
{
	NATS_JS_SUB(channel());
	return _pImpl ? _pImpl->channel() : EMPTY;
}

const std::string& StanSubscription::queueGroup() const
{
	NATS_JS_SUB(queueGroup());
	return _pImpl ? _pImpl->queueGroup() : EMPTY;
}

const std::string& StanSubscription::durableName() const
{
	NATS_JS_SUB(durableName());
	return _pImpl ? _pImpl->durableName() : EMPTY;
}

bool StanSubscription::isManualAck() const
{
	NATS_JS_SUB(isManualAck());
	return _pImpl && _pImpl->isManualAck();
}

int StanSubscription::pendingMessages() const
{
	NATS_JS_SUB(pendingMessages());
	return _pImpl ? _pImpl->pendingMessages() : 0;
}

long long StanSubscription::pendingBytes() const
{
	NATS_JS_SUB(pendingBytes());
	return _pImpl ? _pImpl->pendingBytes() : 0;
}

std::uint64_t StanSubscription::delivered() const
{
	NATS_JS_SUB(delivered());
	return _pImpl ? _pImpl->delivered() : 0;
}

std::uint64_t StanSubscription::dropped() const
{
	NATS_JS_SUB(dropped());
	return _pImpl ? _pImpl->dropped() : 0;
}

void StanSubscription::setPendingLimits(int maxMessages, long long maxBytes)
{
	NATS_JS_SUB(setPendingLimits(maxMessages, maxBytes));
	NATS_STAN_SUB_CHECK();
	_pImpl->setPendingLimits(maxMessages, maxBytes);
}

int StanSubscription::maxPendingMessages() const
{
	NATS_JS_SUB(maxPendingMessages());
	return _pImpl ? _pImpl->maxPendingMessages() : 0;
}

long long StanSubscription::maxPendingBytes() const
{
	NATS_JS_SUB(maxPendingBytes());
	return _pImpl ? _pImpl->maxPendingBytes() : 0;
}

} // namespace Nats
