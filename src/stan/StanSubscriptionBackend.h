//
// StanSubscriptionBackend.h
//
// Library: Nats
// Package: Streaming
// Module:  StanSubscriptionBackend
//
// The interface between the public StanSubscription / StanMessage and the backend's subscription.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanSubscriptionBackend_INCLUDED
#define Nats_StanSubscriptionBackend_INCLUDED

#include "Nats/StanMessage.h"
#include "core/PendingLimits.h"
#include <Poco/Timespan.h>
#include <cstdint>
#include <string>

namespace Nats {

/// What StanSubscription and StanMessage::ack() forward to: StanSubscriptionImpl (streaming
/// server) or JsStanSubscription (JetStream). Every implementation behaves, blocks and throws as
/// documented in include/Nats/StanSubscription.h for the method of the same name.
///
/// Ownership (the same for both backends): the backend keeps the object in a std::shared_ptr and
/// hands the public handles an owning pointer to it with a deleter that closes the subscription
/// (the RAII rule: the last handle closes it); messages and StanMessage::subscription() use the
/// object's own control block (weak or strong), which never closes it.
///
/// Thread safety: implementations are thread-safe; nextMessage() by one thread at a time.
class StanSubscriptionBackend
{
public:
	virtual ~StanSubscriptionBackend() = default;

	/// StanSubscription::close() (`unsubscribe` false) or unsubscribe() (true).
	virtual void close(bool unsubscribe) = 0;

	/// The last owning public handle went: close(false), errors reported, never thrown.
	virtual void closeFromHandle() = 0;

	virtual void ack(const StanMessage& message) = 0;
	virtual StanMessage nextMessage(Poco::Timespan timeout) = 0;
	virtual bool isValid() const = 0;
	virtual const std::string& channel() const = 0;
	virtual const std::string& queueGroup() const = 0;
	virtual const std::string& durableName() const = 0;
	virtual bool isManualAck() const = 0;
	virtual int pendingMessages() const = 0;
	virtual long long pendingBytes() const = 0;
	virtual std::uint64_t delivered() const = 0;
	virtual std::uint64_t dropped() const = 0;
	/// `limits` are checked by the caller (PendingLimits::checked()).
	virtual void setPendingLimits(PendingLimits limits) = 0;
	virtual PendingLimits pendingLimits() const = 0;
};

} // namespace Nats

#endif // Nats_StanSubscriptionBackend_INCLUDED
