//
// JsBackend.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JsBackend
//
// SPDX-License-Identifier: Apache-2.0
//

#include "jetstream/JsBackend.h"
#include "jetstream/JsStanConnection.h"
#include "jetstream/JsStanSubscription.h"

namespace Nats {
namespace JsBackend {

void ConnectionHandle::operator()(StanConnectionImpl*) const
{
}

void SubscriptionHandle::operator()(StanSubscriptionImpl*) const
{
	std::shared_ptr<JsStanSubscription> p;
	p.swap(pSubscription);
	if (p) p->closeFromHandle();
}

JsStanConnection* connection(const std::shared_ptr<StanConnectionImpl>& p)
{
	const ConnectionHandle* h = std::get_deleter<ConnectionHandle>(p);
	return h ? h->pConnection.get() : nullptr;
}

JsStanSubscription* subscription(const std::shared_ptr<StanSubscriptionImpl>& p)
{
	const SubscriptionHandle* h = std::get_deleter<SubscriptionHandle>(p);
	return h ? h->pSubscription.get() : nullptr;
}

std::shared_ptr<StanConnectionImpl> makeConnectionHandle(std::shared_ptr<JsStanConnection> p)
{
	return std::shared_ptr<StanConnectionImpl>(static_cast<StanConnectionImpl*>(nullptr), ConnectionHandle{std::move(p)});
}

std::shared_ptr<StanSubscriptionImpl> makeSubscriptionHandle(std::shared_ptr<JsStanSubscription> p)
{
	return std::shared_ptr<StanSubscriptionImpl>(static_cast<StanSubscriptionImpl*>(nullptr), SubscriptionHandle{std::move(p)});
}

} // namespace JsBackend
} // namespace Nats
