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
#include "jetstream/JsBackend.h"
#include "jetstream/JsStanSubscription.h"

namespace Nats {

void StanMessage::ack() const
{
	std::shared_ptr<StanSubscriptionImpl> pSub = _pSubscription.lock();
	if (!pSub && pSub.use_count() != 0) return JsBackend::subscription(pSub)->ack(*this); // JetStream backend
	if (!pSub) throw StanSubscriptionException("stan: invalid subscription");
	pSub->ack(*this);
}

} // namespace Nats
