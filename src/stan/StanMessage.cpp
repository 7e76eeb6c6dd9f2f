//
// StanMessage.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanMessage
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/StanMessage.h"
#include "Nats/StanSubscription.h"
#include "Nats/Exception.h"
#include "stan/StanSubscriptionBackend.h"

namespace Nats {

void StanMessage::ack() const
{
	std::shared_ptr<StanSubscriptionBackend> pSub = _pSubscription.lock();
	if (!pSub) throw StanSubscriptionException("stan: invalid subscription");
	pSub->ack(*this);
}

StanSubscription StanMessage::subscription() const
{
	// The inner object, not the counted public handle: no close when the last copy goes.
	return StanSubscription(_pSubscription.lock());
}

const std::string& StanMessage::emptyString()
{
	static const std::string empty;
	return empty;
}

} // namespace Nats
