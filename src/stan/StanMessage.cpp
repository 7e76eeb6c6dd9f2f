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
#include "Nats/Exception.h"
#include "stan/StanSubscriptionImpl.h"

namespace Nats {

void StanMessage::ack() const
{
	std::shared_ptr<StanSubscriptionImpl> pSub = _pSubscription.lock();
	if (!pSub) throw StanSubscriptionException("stan: invalid subscription");
	pSub->ack(*this);
}

} // namespace Nats
