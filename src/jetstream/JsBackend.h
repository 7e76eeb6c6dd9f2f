//
// JsBackend.h
//
// Library: Nats
// Package: JetStream
// Module:  JsBackend
//
// The seam between the public streaming wrappers (src/stan/Stan{Connection,Subscription,
// Message}.cpp) and the JetStream backend.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_JsBackend_INCLUDED
#define Nats_JsBackend_INCLUDED

#include <memory>

namespace Nats {

class StanConnectionImpl;
class StanSubscriptionImpl;
class JsStanConnection;
class JsStanSubscription;

/// The public classes keep a std::shared_ptr<StanConnectionImpl> / <StanSubscriptionImpl> (their
/// headers are unchanged). On the JetStream backend that pointer is null and its control block
/// owns the JetStream object through a deleter (std::get_deleter finds it again); so a null impl
/// pointer means "JetStream", and the streaming-server path costs one null test.
///
/// The subscription handle's deleter closes the subscription when the last public handle goes
/// (RAII, as the streaming-server backend does); messages keep a weak_ptr to the same control
/// block, so StanMessage::ack() finds the subscription while it lives.
namespace JsBackend {

struct ConnectionHandle
{
	std::shared_ptr<JsStanConnection> pConnection;
	void operator()(StanConnectionImpl*) const;
};

struct SubscriptionHandle
{
	/// Released when the last strong handle goes (the control block itself lives on while
	/// messages hold weak references, and the subscription holds one too: no cycle).
	mutable std::shared_ptr<JsStanSubscription> pSubscription;
	void operator()(StanSubscriptionImpl*) const;
};

/// The JetStream connection behind `p`, or nullptr (streaming-server backend or empty).
JsStanConnection* connection(const std::shared_ptr<StanConnectionImpl>& p);

/// The JetStream subscription behind `p`, or nullptr.
JsStanSubscription* subscription(const std::shared_ptr<StanSubscriptionImpl>& p);

std::shared_ptr<StanConnectionImpl> makeConnectionHandle(std::shared_ptr<JsStanConnection> p);
std::shared_ptr<StanSubscriptionImpl> makeSubscriptionHandle(std::shared_ptr<JsStanSubscription> p);

} // namespace JsBackend

} // namespace Nats

#endif // Nats_JsBackend_INCLUDED
