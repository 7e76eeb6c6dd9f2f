//
// StanConnectionBackend.h
//
// Library: Nats
// Package: Streaming
// Module:  StanConnectionBackend
//
// The interface between the public StanConnection and the backend that implements it.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanConnectionBackend_INCLUDED
#define Nats_StanConnectionBackend_INCLUDED

#include "Nats/StanConnection.h"
#include <Poco/Timespan.h>
#include <cstddef>
#include <string>

namespace Nats {

class Connection;

/// What StanConnection forwards to: StanConnectionImpl (the streaming-server protocol,
/// StanOptions::Backend::STREAMING_SERVER) or JsStanConnection (Backend::JETSTREAM). The facade
/// owns it through a std::shared_ptr (the backend hands shared owners to its callbacks); each
/// public method is one virtual call, and every implementation behaves, blocks and throws as
/// documented in include/Nats/StanConnection.h for the method of the same name.
///
/// Thread safety: implementations are thread-safe.
class StanConnectionBackend
{
public:
	using Status = StanConnection::Status;

	virtual ~StanConnectionBackend() = default;

	/// The public object (for the connection-lost handler); nullptr once it is being destroyed.
	virtual void setFacade(StanConnection* pFacade) = 0;

	virtual void connect() = 0;
	virtual void publish(const std::string& channel, const void* data, std::size_t length) = 0;
	/// `maxWait` negative: wait for a window slot without a bound.
	virtual std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
		Poco::Timespan maxWait) = 0;
	/// `group` empty: no queue group; `sync`: no handler, pulled with nextMessage().
	virtual StanSubscription subscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
		const StanSubscriptionOptions& options, bool sync) = 0;
	virtual void close() = 0;

	/// The facade's destructor: close() with errors swallowed, then waits for the callbacks in
	/// progress and the connection-lost thread (unless called from one of them).
	virtual void destroy() = 0;

	virtual Connection& natsConnection() = 0;
	virtual Status status() const = 0;
	virtual std::string lostError() const = 0;
	virtual int pubAcksInflight() const = 0;
	virtual const std::string& clusterId() const = 0;
	virtual const std::string& clientId() const = 0;
	virtual const StanOptions& options() const = 0;
};

} // namespace Nats

#endif // Nats_StanConnectionBackend_INCLUDED
