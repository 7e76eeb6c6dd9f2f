//
// StanOptions.h
//
// Library: Nats
// Package: Streaming
// Module:  StanOptions
//
// Settings of a NATS Streaming connection.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanOptions_INCLUDED
#define Nats_StanOptions_INCLUDED

#include "Nats/Nats.h"
#include "Nats/Options.h"
#include <Poco/Exception.h>
#include <Poco/Timespan.h>
#include <cstdint>
#include <functional>
#include <string>

namespace Nats {

class Connection;
class StanConnection;

/// Settings of a NATS Streaming connection (stan.go / nats.c defaults, protocol.md 2.5).
/// The StanConnection copies the struct at construction and validates the copy once at connect().
///
/// Where the NATS connection comes from, in order of precedence:
///   1. `natsConnection` (borrowed, not null): used as is, never closed by the StanConnection;
///   2. otherwise a NATS connection owned by the StanConnection, built from `natsOptions`, whose
///      `servers` are replaced by the comma-separated list in `natsUrl` when `natsUrl` is not empty.
///      STAN overrides three settings of that copy (as stan.go): maxReconnect = -1 (reconnect
///      forever), reconnectBufferSize = -1 (no buffering while disconnected: a publish during a
///      reconnect fails at once), name = clientID unless natsOptions.name is set.
///
///     Nats::StanOptions opts;
///     opts.natsUrl = "nats://127.0.0.1:4222";
///     opts.pubAckWait = Poco::Timespan(5, 0);
///     opts.connectionLostHandler = [](Nats::StanConnection&, const std::string& err) { ... };
///     Nats::StanConnection sc("test-cluster", "me", opts);
///     sc.connect();
///
/// Thread safety: Plain value; not synchronised.
struct Nats_API StanOptions
{
	static constexpr const char* DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
	static const Poco::Timespan DEFAULT_CONNECT_WAIT;     // 2 s
	static const Poco::Timespan DEFAULT_CLOSE_TIMEOUT;    // 5 s
	static const Poco::Timespan DEFAULT_PUB_ACK_WAIT;     // 30 s
	static constexpr int DEFAULT_MAX_PUB_ACKS_INFLIGHT = 16384;
	static constexpr double DEFAULT_MAX_PUB_ACKS_INFLIGHT_PERCENTAGE = 0.5;
	static constexpr const char* DEFAULT_DISCOVER_PREFIX = "_STAN.discover";
	static const Poco::Timespan DEFAULT_PING_INTERVAL;    // 5 s
	static constexpr int DEFAULT_PING_MAX_OUT = 88;

	/// Callback when the streaming session is lost for good (pings unanswered:
	/// "stan: connection lost due to PING failure", or the server's ping error text verbatim, e.g.
	/// "client has been replaced or is no longer registered"). Runs once, on a thread of its own,
	/// after the connection has been closed (status LOST). Not called on a normal close().
	/// It may call StanConnection methods, including close() (a no-op then).
	using ConnectionLostHandler = std::function<void(StanConnection& connection, const std::string& error)>;

	/// Callback for asynchronous errors that have no other way to reach the caller: an exception
	/// thrown by a message or ack handler (the message is then not auto-acked), a failed ack
	/// publish, a slow consumer (SlowConsumerException, once per episode: from the first message
	/// dropped by a subscription's pending limits until its queue is empty again; dropped() counts
	/// every message). Runs on the NATS connection's event thread, in order, never on the thread
	/// where the error happened and never under an internal lock; it may call StanConnection
	/// methods, including close(). Errors after the NATS connection closed are only logged.
	/// Must not throw. Without a handler errors are logged (Poco logger "Nats.StanConnection").
	using ErrorHandler = std::function<void(const Poco::Exception& error)>;

	/// Which server implements the streaming API.
	enum class Backend
	{
		STREAMING_SERVER,   ///< a NATS Streaming server (ours or the Go one): the protocol of protocol.md (default)
		JETSTREAM           ///< JetStream, built into nats-server 2.2+ (run with -js); see README "JetStream backend"
	};

	/// Settings used only with Backend::JETSTREAM (README "JetStream backend" has the full mapping).
	///
	/// A channel maps to one stream whose only subject is the channel. The stream name is
	/// `streamPrefix` + the channel with every character outside [A-Za-z0-9-] written as '_'
	/// followed by two upper-case hex digits ("orders.eu" -> "orders_2Eeu", "a_b" -> "a_5Fb"):
	/// stream names cannot contain '.', '*' or '>', and the rule is one-to-one.
	struct JetStreamOptions
	{
		inline static const Poco::Timespan DEFAULT_IDLE_HEARTBEAT = Poco::Timespan(5, 0);
		static constexpr const char* DEFAULT_API_PREFIX = "$JS.API";

		/// Create the stream of a channel on its first use (publish or subscribe) with the limits
		/// below (default true). false: the stream must exist; using a channel without one fails
		/// with StanPublishException / StanSubscriptionException "stan: no stream for channel ...".
		bool createStreams = true;
		/// Storage of created streams; default file.
		bool memoryStorage = false;
		/// Replicas of created streams (1..5; 3 in a 3-node cluster). Default 1.
		int replicas = 1;
		/// Limits of created streams (the streaming server's -mm, -mb, -ma): -1 / 0 = unlimited.
		std::int64_t maxMsgs = -1;
		std::int64_t maxBytes = -1;
		Poco::Timespan maxAge = 0;
		/// Prepended to every derived stream name (e.g. "STAN_"); default empty.
		std::string streamPrefix;
		/// Subject prefix of the JetStream API (another domain or account export); default "$JS.API".
		std::string apiPrefix = DEFAULT_API_PREFIX;
		/// Idle heartbeat of the push consumers of plain (non-queue) subscriptions; flow control is
		/// enabled with it. A subscription that hears nothing for 3 intervals checks its consumer;
		/// a deleted consumer is reported as a lost session. Default 5 s; must be >= 100 ms.
		Poco::Timespan idleHeartbeat = DEFAULT_IDLE_HEARTBEAT;
	};

	// ---- the backend ----

	/// See Backend. Default STREAMING_SERVER.
	Backend backend = Backend::STREAMING_SERVER;

	/// See JetStreamOptions.
	JetStreamOptions jetStream;

	// ---- the NATS connection ----

	/// Comma-separated NATS server URLs ("nats://a:4222,nats://b:4222"). Empty (the default) means
	/// natsOptions.servers, which defaults to DEFAULT_NATS_URL ("nats://127.0.0.1:4222").
	std::string natsUrl;

	/// Options of the NATS connection the StanConnection creates and owns (see the class comment
	/// for the three settings STAN overrides). Ignored when natsConnection is set.
	Options natsOptions;

	/// A borrowed, already connected NATS connection to use instead of creating one. Not owned:
	/// close() does not close it, and it must outlive the StanConnection. Default nullptr.
	Connection* natsConnection = nullptr;

	// ---- the streaming session ----

	/// Timeout of the connect, subscribe, unsubscribe and close requests. Default
	/// DEFAULT_CONNECT_WAIT (2 s); must be > 0.
	Poco::Timespan connectWait = DEFAULT_CONNECT_WAIT;

	/// How long destroying a StanConnection waits for its callbacks still in progress (message
	/// handlers, ack handlers, the error handler) before it returns anyway; the implementation then
	/// stays alive, owned by those callbacks, until the last one returns (so none of them runs on
	/// freed memory; only the StanConnection object itself is gone). Default
	/// DEFAULT_CLOSE_TIMEOUT (5 s); must be >= 0. close() itself still waits for them.
	Poco::Timespan closeTimeout = DEFAULT_CLOSE_TIMEOUT;

	/// How long a publish waits for its PubAck before failing with "stan: publish ack timeout".
	/// Default DEFAULT_PUB_ACK_WAIT (30 s); must be > 0.
	Poco::Timespan pubAckWait = DEFAULT_PUB_ACK_WAIT;

	/// Most publishes awaiting their PubAck; publishAsync() blocks while the window is full.
	/// Default DEFAULT_MAX_PUB_ACKS_INFLIGHT (16384); must be >= 1.
	int maxPubAcksInflight = DEFAULT_MAX_PUB_ACKS_INFLIGHT;

	/// Once the window is full, blocked publishers resume when the number in flight drops below
	/// maxPubAcksInflight * this (as nats.c). Default 0.5; must be in (0, 1]. 1 = resume as soon
	/// as one slot is free.
	double maxPubAcksInflightPercentage = DEFAULT_MAX_PUB_ACKS_INFLIGHT_PERCENTAGE;

	/// Discovery subject prefix; the connect request goes to "<discoverPrefix>.<clusterID>".
	/// Default DEFAULT_DISCOVER_PREFIX ("_STAN.discover"); must not be empty.
	std::string discoverPrefix = DEFAULT_DISCOVER_PREFIX;

	/// Interval of the client-to-server streaming pings. Default DEFAULT_PING_INTERVAL (5 s).
	/// Sent to the server in whole seconds, truncated toward zero (1.9 s is sent and used as 1 s),
	/// as stan.go does; the client pings at the interval the server's response confirms.
	/// Must be >= 1 s and at most INT32_MAX seconds (Poco::InvalidArgumentException otherwise:
	/// a released server takes a negative or zero value literally).
	Poco::Timespan pingInterval = DEFAULT_PING_INTERVAL;

	/// Unanswered pings after which the session is declared lost. Default DEFAULT_PING_MAX_OUT (88);
	/// must be >= 2.
	int pingMaxOut = DEFAULT_PING_MAX_OUT;

	/// See ConnectionLostHandler. Default: none (the loss is only visible through status()).
	ConnectionLostHandler connectionLostHandler;

	/// See ErrorHandler. Default: none.
	ErrorHandler errorHandler;

	/// The server list the owned NATS connection will use: natsUrl split at commas (blanks trimmed)
	/// if not empty, else natsOptions.servers.
	std::vector<std::string> effectiveServers() const;

	/// Throws Poco::InvalidArgumentException naming the first invalid field and the rule, e.g.
	/// "StanOptions.pingMaxOut must be >= 2". Also validates natsOptions when natsConnection is null.
	void validate() const;
};

} // namespace Nats

#endif // Nats_StanOptions_INCLUDED
