//
// StanServerImpl.h
//
// Library: Nats
// Package: Server
// Module:  StanServerImpl
//
// The streaming server: start/stop and the queries of StanServer; the work is done by
// ClientRegistry, ChannelRegistry, SubscriptionManager and DeliveryEngine.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanServerImpl_INCLUDED
#define Nats_StanServerImpl_INCLUDED

#include "Nats/StanServer.h"
#include "Nats/Connection.h"
#include "server/ServerContext.h"
#include "server/ClientRegistry.h"
#include "server/ChannelRegistry.h"
#include "server/DeliveryEngine.h"
#include "server/SubscriptionManager.h"
#include "server/MonitorServer.h"
#include <memory>
#include <string>
#include <vector>

namespace Nats {

/// Implements StanServer (protocol.md section 3, memory store).
///
/// All protocol subjects are subscribed inline on one NATS connection: the handlers run on its
/// reader thread, so requests, publishes and acks are processed in the order nats-server
/// delivered them (this is also the "barrier" that makes unsubscribe/close requests see earlier
/// acks). Ack inboxes and heartbeat reply inboxes are two wildcard subscriptions made at start,
/// so a new subscription needs no SUB round trip. The server's timer thread runs ack-wait
/// redelivery, heartbeats, the duplicate-client check (500 ms, never blocking the reader thread)
/// and max-age expiry. Both threads take ServerContext::mutex; outgoing messages are appended to
/// the connection's buffer (no syscall) while it is held, so deliveries always precede the PubAck
/// of a message.
///
/// Thread safety: Thread-safe.
class StanServerImpl
{
public:
	explicit StanServerImpl(const StanServerOptions& options);
	~StanServerImpl();

	/// See StanServer::start().
	void start();

	/// See StanServer::stop().
	void stop();

	bool isRunning() const;
	std::size_t numClients() const;
	std::size_t numChannels() const;
	std::size_t numSubscriptions() const;
	bool hasClient(const std::string& clientId) const;
	bool channelInfo(const std::string& channel, StanChannelInfo& info) const;
	int monitorPort() const;

private:
	void clearStateLocked();

	ServerContext _ctx;
	ClientRegistry _clients;
	ChannelRegistry _channels;
	DeliveryEngine _delivery;
	SubscriptionManager _subscriptions;
	std::vector<Subscription> _natsSubs;
	std::unique_ptr<MonitorServer> _pMonitor;   ///< set under _ctx.mutex while started with httpPort
};

} // namespace Nats

#endif // Nats_StanServerImpl_INCLUDED
