//
// StanServer.h
//
// Library: Nats
// Package: Server
// Module:  StanServer
//
// An embeddable NATS Streaming server (memory store) running as a client of nats-server.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanServer_INCLUDED
#define Nats_StanServer_INCLUDED

#include "Nats/Nats.h"
#include "Nats/StanServerOptions.h"
#include <cstdint>
#include <memory>
#include <string>

namespace Nats {

class StanServerImpl;

/// Counters of one channel, as seen by the store.
struct StanChannelInfo
{
	std::uint64_t firstSequence = 0; ///< first stored sequence (0 when empty and never used)
	std::uint64_t lastSequence = 0;  ///< last sequence assigned (0 if never published)
	std::uint64_t msgs = 0;          ///< messages stored
	std::uint64_t bytes = 0;         ///< bytes stored (encoded MsgProto sizes)
	std::uint64_t subscriptions = 0; ///< stored subscriptions (offline durables included)
};

/// A NATS Streaming server with a memory store, like nats-streaming-server v0.25 started with
/// `-ns <url>`: it connects to an existing nats-server and serves the streaming protocol there
/// (protocol.md sections 2 and 3).
///
///     Nats::StanServerOptions opts;
///     opts.natsUrl = "nats://127.0.0.1:4222";
///     Nats::StanServer server(opts);
///     server.start();          // clients can now connect to cluster "test-cluster"
///     ...
///     server.stop();           // all state is lost (memory store)
///
/// Threads: the NATS connection's reader (all requests, publishes and acks, in arrival order)
/// and one timer thread (ack-wait redelivery, heartbeats, max age, duplicate client checks);
/// with options.httpPort or httpsPort set, the monitoring endpoint's HTTP threads (at most 2; TLS
/// handshakes run there too), which only
/// copy state under the server's lock and build the answer after releasing it.
///
/// Not implemented (Go server features outside the memory-store scope): file/SQL stores,
/// clustering, fault tolerance, partitioning, per-channel limits, MaxInactivity,
/// replace_durable. As a released Go server, it refuses ackWaitInSecs <= 0 and takes a client's
/// pingInterval as whole seconds. Ack inboxes are "_INBOX.<nuid>.<n>" subjects under one wildcard
/// subscription (clients treat them as opaque; the Go server's are "_INBOX.<nuid>", one NATS
/// subscription each, which one wildcard cannot cover without receiving every inbox).
///
/// Thread safety: Thread-safe. start() and stop() may be called from any thread, but not from
/// inside the server's own threads.
class Nats_API StanServer
{
public:
	/// Creates a stopped server. Does no I/O.
	explicit StanServer(const StanServerOptions& options = StanServerOptions());

	/// Stops the server (see stop()).
	~StanServer();

	StanServer(const StanServer&) = delete;
	StanServer& operator=(const StanServer&) = delete;

	/// Connects to nats-server, checks that no other server with the same cluster ID answers
	/// (when options.checkDuplicateServer), subscribes the protocol subjects and flushes, then
	/// opens the monitoring endpoint when options.httpPort (HTTP) or httpsPort (HTTPS) is not 0.
	/// Blocks at most natsOptions.connectTimeout per server plus 2 x connectTimeout for the
	/// duplicate check and the flush.
	/// REQUIRES: not started.
	/// Throws: Poco::InvalidArgumentException (bad options), Poco::IllegalStateException
	/// (already started, or another server with this cluster ID is running), NoServerException
	/// and the other connection errors of Connection::connect(), Poco::Net::NetException (the
	/// monitoring port cannot be bound, or, a Poco::Net::SSLException, the HTTPS certificate or
	/// key cannot be loaded; the server is stopped again).
	void start();

	/// Stops serving: closes the monitoring endpoint (aborting requests in progress), the NATS
	/// connection and the timer and forgets all state (memory store). Idempotent. Blocks until
	/// the server's threads have ended.
	void stop();

	/// True between a successful start() and stop().
	bool isRunning() const;

	/// The options given at construction.
	const StanServerOptions& options() const;

	/// Number of registered clients.
	std::size_t numClients() const;

	/// Number of channels.
	std::size_t numChannels() const;

	/// Number of stored subscriptions over all channels (offline durables included).
	std::size_t numSubscriptions() const;

	/// True if a client with this ID is registered.
	bool hasClient(const std::string& clientId) const;

	/// The port the monitoring endpoint listens on, HTTP or HTTPS (the bound one when the option
	/// is RANDOM_HTTP_PORT); 0 while it is off or the server is stopped.
	int monitorPort() const;

	/// Fills `info` for `channel`; returns false if the channel does not exist.
	bool channelInfo(const std::string& channel, StanChannelInfo& info) const;

private:
	StanServerOptions _options;
	std::shared_ptr<StanServerImpl> _pImpl;
};

} // namespace Nats

#endif // Nats_StanServer_INCLUDED
