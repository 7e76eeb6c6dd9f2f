//
// ServerContext.h
//
// Library: Nats
// Package: Server
// Module:  ServerContext
//
// What the parts of the streaming server share: options, logger, timer, the one mutex, the NATS
// connection, the protocol subjects and the output helpers.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ServerContext_INCLUDED
#define Nats_ServerContext_INCLUDED

#include "Nats/StanServer.h"
#include "Nats/Connection.h"
#include "core/Timer.h"
#include <Poco/Logger.h>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace Nats {

class ClientRegistry;
class ChannelRegistry;
class DeliveryEngine;
class SubscriptionManager;

/// The state every part of the streaming server (StanServerImpl) works on.
///
/// Every handler (reader thread of the server's NATS connection) and every timer task (timer
/// thread) takes `mutex` and returns at once when `running` is false. Methods named *Locked
/// REQUIRE `mutex` held. Outgoing messages are appended to the connection's output buffer (no
/// syscall) while it is held, so deliveries always precede the PubAck of a message.
struct ServerContext
{
	explicit ServerContext(const StanServerOptions& opts);

	ServerContext(const ServerContext&) = delete;
	ServerContext& operator=(const ServerContext&) = delete;

	/// Appends a message to the connection's output; false (logged) if it cannot be sent
	/// (invalid client-provided subject, payload too large, connection closing). Never throws.
	bool sendLocked(const std::string& subject, const std::string& data);

	/// Sends a PubAck to `reply` (nothing if `reply` is empty).
	void sendPubAckLocked(const std::string& reply, const std::string& guid, const std::string& error);

	/// Sends a SubscriptionResponse to `reply` (nothing if `reply` is empty).
	void sendSubResponseLocked(const std::string& reply, const std::string& ackInbox, const std::string& error);

	/// Sends a ConnectResponse carrying only `error` to `reply` (nothing if `reply` is empty).
	void sendConnectErrorLocked(const std::string& reply, const std::string& error);

	/// Schedules `task` on the timer thread after `delayNs` (rounded up to microseconds; <= 0
	/// runs as soon as possible).
	Timer::Id scheduleAfterNs(std::int64_t delayNs, Timer::Task task);

	const StanServerOptions options;
	Poco::Logger& logger;
	Timer timer;

	mutable std::mutex mutex;
	bool running = false;
	std::shared_ptr<Connection> pConn;

	// Identity and counters reported by the monitoring endpoint (MonitorServer), set or counted
	// under `mutex` (a counter increment per message, no syscall).
	std::string serverId;             ///< a NUID drawn at each start(), as the Go server's
	std::int64_t startTimeNs = 0;     ///< Unix ns of the last start()
	std::uint64_t inMsgs = 0;         ///< messages received on the publish subject (invalid ones too)
	std::uint64_t inBytes = 0;        ///< their sizes (the PubMsg protobuf as received)
	std::uint64_t outMsgs = 0;        ///< MsgProtos sent to subscribers (redeliveries included)
	std::uint64_t outBytes = 0;       ///< their sizes (the MsgProto protobuf as sent)

	// Subjects (protocol.md 2.3).
	std::string discoverSubject;
	std::string pingSubject;
	std::string pubPrefix;
	std::string subSubject;
	std::string unsubSubject;
	std::string subCloseSubject;
	std::string closeSubject;
	std::string ackPrefix;       ///< "<inbox>." + n: ack inboxes
	std::string internalPrefix;  ///< "<inbox>." + token: heartbeat and duplicate-check replies

	// The parts, owned by StanServerImpl (set once in its constructor).
	ClientRegistry* clients = nullptr;
	ChannelRegistry* channels = nullptr;
	DeliveryEngine* delivery = nullptr;
	SubscriptionManager* subscriptions = nullptr;
};

} // namespace Nats

#endif // Nats_ServerContext_INCLUDED
