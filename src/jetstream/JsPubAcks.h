//
// JsPubAcks.h
//
// Library: Nats
// Package: JetStream
// Module:  JsPubAcks
//
// Publishing on JetStream with acks: the Nats-Msg-Id / reply-subject wire format and PubAck
// matching.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_JsPubAcks_INCLUDED
#define Nats_JsPubAcks_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Message.h"
#include "stan/PubAckWindow.h"
#include <functional>
#include <memory>
#include <string>

namespace Nats {

class ConnectionImpl;

/// The publishing half of a JetStream StanConnection: the window, timeouts and ack handlers are
/// PubAckWindow's (the same mechanism as the streaming backend's); this part publishes the
/// message with `Nats-Msg-Id: <guid>` and the reply subject "<pubPrefix><guid>", and matches
/// each PubAck (or API error / 503 status) by that reply subject.
///
/// Thread safety: Thread-safe (see PubAckWindow).
class JsPubAcks: public PubAckWindow
{
public:
	/// `core` is the NATS connection (its timer and dispatcher pool are used; it must outlive
	/// this object's use). Call start() before the pub-ack subscription exists.
	JsPubAcks(const StanOptions& options, std::shared_ptr<StanCallbackGate> pGate, ErrorReporter reportError, ConnectionImpl& core);
	~JsPubAcks() override;

	/// Binds the reply prefix ("<inbox>.") and the timer. `onNoStream` runs on the NATS reader
	/// thread whenever a publish is answered "no responders" (no stream listens on the channel:
	/// deleted, or a memory stream lost with a nats-server restart), before that publish's
	/// handler or waiter learns it; it must not block. REQUIRES: once, before any publish.
	void start(const std::string& pubPrefix, std::function<void()> onNoStream = {});

	/// See StanConnection::publishAsync(); the caller validated channel and stream.
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
		Poco::Timespan maxWait);

	/// See StanConnection::publish(). Blocks at most pubAckWait (+ a margin against a stuck timer).
	void publish(const std::string& channel, const void* data, std::size_t length);

	/// A PubAck (or API error / 503 status) arrived on "<pubPrefix><guid>" (NATS reader thread).
	void onPubAck(const Message& m);

private:
	/// Publishes the message of `guid`; `writeNow`: on this thread (a blocking publish).
	void send(const std::string& channel, const std::string& guid, const void* data, std::size_t length, bool writeNow);

	ConnectionImpl& _core;
	std::string _pubPrefix;
	std::function<void()> _onNoStream;
};

} // namespace Nats

#endif // Nats_JsPubAcks_INCLUDED
