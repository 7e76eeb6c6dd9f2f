//
// StanConnection.h
//
// Library: Nats
// Package: Streaming
// Module:  StanConnection
//
// A connection to a NATS Streaming cluster.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanConnection_INCLUDED
#define Nats_StanConnection_INCLUDED

#include "Nats/Nats.h"
#include "Nats/StanOptions.h"
#include "Nats/StanSubscriptionOptions.h"
#include "Nats/StanSubscription.h"
#include "Nats/StanMessage.h"
#include <Poco/Timespan.h>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace Nats {

class Connection;
class StanConnectionBackend;

/// Handler of an asynchronous streaming subscription. Runs on the worker of the NATS connection's
/// dispatcher pool the subscription is pinned to (Options::dispatcherThreads workers, default 1,
/// or the process-wide shared pool with Options::sharedDispatcher): messages of one subscription
/// are delivered in order, one at a time, never on the NATS reader thread and never under an
/// internal lock; a slow handler delays the other subscriptions pinned to the same worker. In
/// auto-ack mode the message is acked after the handler returns normally (also when close() was
/// called meanwhile); if it throws, the exception goes to StanOptions::errorHandler and the message
/// is not acked (the server redelivers it after ackWait).
/// To reach its own subscription (e.g. to unsubscribe after N messages) a handler uses
/// StanMessage::subscription(), not a captured StanSubscription: a captured handle keeps the
/// subscription open (and the handler with it) until it is closed explicitly.
using StanMessageHandler = std::function<void(const StanMessage& message)>;

/// Completion of an asynchronous publish: called exactly once per publishAsync() that returned,
/// with the guid it returned and an error text that is empty on success, else
/// "stan: publish ack timeout", "stan: connection closed" or the server's text verbatim
/// (e.g. "stan: invalid publish request"). Runs on one worker of the NATS connection's dispatcher
/// pool, one call at a time in completion order, never on the NATS reader thread and never under
/// an internal lock; the calls for publishes failed by close() have all run when close() returns
/// (when close() is called from a callback: right after that callback returns).
/// The publish's slot of the maxPubAcksInflight window is freed only after its handler ran, so
/// slow handlers slow publishAsync() down instead of piling up completions.
/// It may call publishAsync() (which then waits only for publishes awaiting their ack, never for
/// the handlers queued behind it) and close().
/// Keep the closure small (at most two pointers) to avoid an allocation per publish inside
/// std::function.
using StanAckHandler = std::function<void(const std::string& guid, const std::string& error)>;

/// A NATS Streaming session: publish with acks, subscribe with start positions, durables, queue
/// groups, manual acks and flow control (protocol.md section 2).
///
///     Nats::StanConnection sc("test-cluster", "client-1");   // default options: nats://127.0.0.1:4222
///     sc.connect();
///     Nats::StanSubscription sub = sc.subscribe("orders",
///         [](const Nats::StanMessage& m) { std::cout << m.sequence() << ' ' << m.data() << '\n'; },
///         Nats::StanSubscriptionOptions().deliverAllAvailable());
///     sc.publish("orders", "hello");        // blocks until the server stored it
///     sc.close();
///
/// The session survives NATS reconnects (the owned NATS connection reconnects forever). It ends
/// with close(), or is *lost* when pings go unanswered (pingInterval x pingMaxOut) or the server
/// says the client was replaced / forgotten: the connection then closes itself, status() becomes
/// LOST and StanOptions::connectionLostHandler runs once on a thread of its own; later calls throw
/// ConnectionClosedException "stan: connection closed". A lost session is not resumed: create a
/// new StanConnection (durables resume there).
///
/// Threads: a StanConnection has no thread of its own; it uses those of its NATS connection. The
/// reader thread handles pub acks, heartbeats and ping replies and queues incoming messages (it
/// runs no user code); the timer sends the pings and times out pub acks; the dispatcher pool runs
/// the message handlers (each subscription pinned to one worker) and, on one worker, the
/// StanAckHandlers; the event thread runs StanOptions::errorHandler. Only when the session is
/// lost a thread "stan-lost" runs the connection-lost handler. An owned NATS connection with the
/// default options thus runs 5 threads (reader, flusher, timer, events, one dispatcher), 4 with
/// Options::sharedDispatcher.
///
/// Callbacks and waiting: close(), StanSubscription::close()/unsubscribe() and the destructor wait
/// for handlers in progress and for a teardown in progress, except when called from inside a
/// streaming callback (message, ack, error or connection-lost handler of any StanConnection): then
/// they never wait for another callback, so handlers closing each other cannot deadlock.
///
/// Thread safety: Thread-safe. The object must not be destroyed while another thread is still
/// inside one of its methods.
/// Ownership: the destructor calls close() (its requests bounded by connectWait), then waits for
/// the callbacks in progress (a handler that called close(), say) and the connection-lost handler
/// thread to end, unless called from one of them. The waits for message, ack and error handlers
/// take at most StanOptions::closeTimeout in all: after it the destructor returns and the
/// implementation stays alive, owned by those handlers, until the last one returns (they must not
/// use the destroyed StanConnection object itself any more). A connection-lost handler in
/// progress is waited for without bound: it was handed a reference to this object.
class Nats_API StanConnection
{
public:
	/// State of the streaming session.
	enum class Status
	{
		DISCONNECTED,   ///< not connected yet (before connect(), or connect() failed)
		CONNECTED,      ///< session established (the NATS connection may be reconnecting)
		CLOSED,         ///< close() was called
		LOST            ///< the session was lost (see the class comment); lostError() says why
	};

	/// Creates an unconnected StanConnection; does no I/O. `clusterId` is the streaming server's
	/// cluster ID; `clientId` must be unique among the cluster's clients and match
	/// ^[a-zA-Z0-9_-]+$ (checked by the server). The options are copied.
	StanConnection(const std::string& clusterId, const std::string& clientId, const StanOptions& options = StanOptions());

	/// Closes (see close()), waits for the callbacks in progress, at most StanOptions::closeTimeout
	/// (see the class comment); errors are swallowed. Blocks at most about 2 x connectWait (flush
	/// and close request) + closeTimeout, plus a connection-lost handler in progress.
	~StanConnection();

	StanConnection(const StanConnection&) = delete;
	StanConnection& operator=(const StanConnection&) = delete;

	/// Validates the options, connects the NATS connection (unless borrowed), subscribes the
	/// heartbeat, ping and pub-ack inboxes and sends the connect request. Blocks at most the NATS
	/// connect time plus connectWait. On failure everything created is torn down again.
	/// Throws: Poco::InvalidArgumentException (empty cluster/client ID, bad options),
	/// Poco::IllegalStateException if already connected or closed,
	/// StanConnectTimeoutException "stan: connect request timeout (possibly wrong cluster ID?)",
	/// StanClientIDRegisteredException "stan: clientID already registered",
	/// StanConnectException (any other server text, verbatim), and the NATS connection's errors
	/// (NoServerException, AuthorizationException, ...).
	void connect();

	/// Publishes `data` on `channel` and waits for the server's ack, at most pubAckWait (also
	/// waits, like publishAsync(), while the inflight window is full).
	/// Throws: StanPubAckTimeoutException "stan: publish ack timeout", StanPublishException (the
	/// server's text verbatim), ConnectionClosedException "stan: connection closed" (closed or lost
	/// before the ack), Poco::InvalidArgumentException (empty or invalid channel), MaxPayloadException,
	/// NatsException if the NATS connection is reconnecting (no buffering).
	void publish(const std::string& channel, const std::string& data);
	void publish(const std::string& channel, const void* data, std::size_t length);

	/// Publishes without waiting for the ack and returns the message's guid; `handler` (may be
	/// empty) is called exactly once with that guid and the outcome (see StanAckHandler), unless
	/// this call throws, in which case it is never called. Blocks while maxPubAcksInflight
	/// publishes await their acks (until enough are acked, time out or the connection closes).
	/// Throws: ConnectionClosedException "stan: connection closed", and the argument / NATS errors
	/// of publish().
	std::string publishAsync(const std::string& channel, const std::string& data, StanAckHandler handler);
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler);

	/// As publishAsync(), but waits at most `maxWait` for a free slot of the inflight window.
	/// Throws: NatsTimeoutException "stan: publish window full" when no slot freed in time; as
	/// publishAsync() otherwise.
	std::string publishAsync(const std::string& channel, const std::string& data, StanAckHandler handler, Poco::Timespan maxWait);
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler, Poco::Timespan maxWait);

	/// Subscribes to `channel`; `handler` runs for every message (see StanMessageHandler). Blocks
	/// until the server answered, at most connectWait. Messages that arrive before the reply are
	/// held, not dropped. Keep the returned handle: destroying the last copy closes the
	/// subscription.
	/// Throws: Poco::InvalidArgumentException (empty channel, empty handler, invalid options),
	/// StanSubscriptionException (server text verbatim, e.g. "stan: duplicate durable registration"),
	/// StanRequestTimeoutException "stan: subscribe request timeout", ConnectionClosedException,
	/// NatsException if the NATS connection is reconnecting (requests are not buffered).
	[[nodiscard]] StanSubscription subscribe(const std::string& channel, StanMessageHandler handler,
		const StanSubscriptionOptions& options = StanSubscriptionOptions());

	/// As subscribe(), as a member of queue group `group` (each message goes to one member).
	/// With options.durableName set, the group is a durable queue group.
	[[nodiscard]] StanSubscription queueSubscribe(const std::string& channel, const std::string& group,
		StanMessageHandler handler, const StanSubscriptionOptions& options = StanSubscriptionOptions());

	/// As subscribe() without a handler: messages are pulled with StanSubscription::nextMessage().
	/// The server still sends up to maxInflight unacked messages ahead.
	[[nodiscard]] StanSubscription subscribeSync(const std::string& channel,
		const StanSubscriptionOptions& options = StanSubscriptionOptions());

	/// As queueSubscribe() without a handler (pull style).
	[[nodiscard]] StanSubscription queueSubscribeSync(const std::string& channel, const std::string& group,
		const StanSubscriptionOptions& options = StanSubscriptionOptions());

	/// Ends the session: stops the pings, closes every subscription locally (durables are kept on
	/// the server), fails every pending publish with "stan: connection closed" (each handler
	/// exactly once), flushes the acks already given, sends the close request (waits at most
	/// connectWait), then closes the NATS connection if owned. Idempotent; safe from a message
	/// handler, an ack handler or the connection-lost handler (then it does not wait for the
	/// calling thread itself). After a loss it only releases local resources (no request is sent).
	/// A second call returns once the first call's teardown is done (at once from a callback).
	/// Throws: StanRequestTimeoutException "stan: close request timeout" or StanException (server
	/// text) — the connection is closed locally anyway. Never throws on a second call.
	void close();

	/// The NATS connection in use (owned or borrowed). REQUIRES: connect() was called.
	/// Throws: Poco::IllegalStateException before connect().
	Connection& natsConnection();

	Status status() const;
	bool isConnected() const { return status() == Status::CONNECTED; }
	bool isClosed() const { return status() == Status::CLOSED || status() == Status::LOST; }

	/// Why the session was lost (the text given to the connection-lost handler); empty otherwise.
	std::string lostError() const;

	/// Publishes awaiting their ack right now (bounded by maxPubAcksInflight).
	int pubAcksInflight() const;

	const std::string& clusterId() const;
	const std::string& clientId() const;

	/// The options in force (the copy taken at construction).
	const StanOptions& options() const;

private:
	friend struct ImplAccess; // the library's own access to the implementation (src/core/ImplAccess.h)

	std::shared_ptr<StanConnectionBackend> _pImpl; // StanConnectionImpl or JsStanConnection (StanOptions::backend)
};

} // namespace Nats

#endif // Nats_StanConnection_INCLUDED
