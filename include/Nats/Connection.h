//
// Connection.h
//
// Library: Nats
// Package: Core
// Module:  Connection
//
// A connection to a NATS server (or cluster).
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Connection_INCLUDED
#define Nats_Connection_INCLUDED

#include "Nats/Nats.h"
#include "Nats/Options.h"
#include "Nats/Message.h"
#include "Nats/Subscription.h"
#include <Poco/Timespan.h>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace Nats {

class ConnectionImpl;

/// Callback of an asynchronous subscription. Runs on the dispatcher thread the subscription is
/// pinned to; messages of one subscription are delivered in order, one at a time.
using MessageHandler = std::function<void(const Message&)>;

/// Counters of a connection.
struct Statistics
{
	std::uint64_t inMsgs = 0;
	std::uint64_t outMsgs = 0;
	std::uint64_t inBytes = 0;
	std::uint64_t outBytes = 0;
	std::uint64_t reconnects = 0;
};

/// A connection to nats-server: publish, subscribe, request/reply, with reconnect, TLS and auth.
///
///     Nats::Connection conn;                  // default options: nats://127.0.0.1:4222
///     conn.connect();
///     conn.subscribe("greet", [](const Nats::Message& m) { ... });
///     conn.publish("greet", "hello");
///     conn.flush(Poco::Timespan(1, 0));
///
/// Threads: a reader (which also reconnects), a flusher (coalesces writes), a timer, an event
/// thread and a pool of Options::dispatcherThreads dispatchers for callbacks.
///
/// Callbacks: subscription handlers run on the dispatcher thread the subscription is pinned to;
/// the Options handlers (disconnected, reconnected, closed, error, discovered servers, lame duck)
/// run on the connection's event thread, in the order the events happened. No callback runs under
/// an internal lock, so callbacks may publish, subscribe, request, flush and even close() the
/// connection.
///
/// Thread safety: Thread-safe.
/// Ownership: the destructor closes the connection (bounded by the flusher's last write). Do not
/// destroy a Connection from one of its own callbacks (close() it there instead).
class Nats_API Connection
{
public:
	enum class Status
	{
		DISCONNECTED,
		CONNECTING,
		CONNECTED,
		RECONNECTING,
		DRAINING,
		CLOSED
	};

	/// Creates an unconnected connection with default options. Does no I/O.
	Connection();
	/// Creates an unconnected connection with the given options. Does no I/O.
	explicit Connection(const Options& options);
	~Connection();

	Connection(const Connection&) = delete;
	Connection& operator=(const Connection&) = delete;

	/// Connects to the first reachable server of the pool. Blocks at most connectTimeout per server.
	/// Throws: Poco::InvalidArgumentException (bad options / URL), NoServerException (every server
	/// failed; the message names the URLs tried and the last error), AuthorizationException,
	/// TLSException, ServerErrorException, Poco::IllegalStateException if already connected or closed.
	void connect();

	/// Publishes `data` on `subject`. The frame is appended to the output buffer and written by the
	/// flusher thread, coalesced with others. Under load (32 KiB pending) the calling thread writes
	/// the pending buffer itself with one send, after a write in progress has ended: this is the
	/// back pressure, as in nats.c. While reconnecting frames are buffered up to reconnectBufferSize.
	/// Throws: Poco::InvalidArgumentException (empty subject, empty token, whitespace, wildcard),
	/// MaxPayloadException, ConnectionClosedException, NatsException (reconnect buffer full /
	/// disabled while disconnected).
	void publish(const std::string& subject, const std::string& data);
	void publish(const std::string& subject, const void* data, std::size_t length);

	/// Publishes with a reply subject. Same rules as publish(); `reply` must be a valid subject.
	void publishRequest(const std::string& subject, const std::string& reply, const std::string& data);
	void publishRequest(const std::string& subject, const std::string& reply, const void* data, std::size_t length);

	/// Publishes with headers (HPUB); `reply` may be empty. Empty `headers` send a plain PUB. The
	/// header block counts against max_payload together with the data. Blocks as publish().
	/// Throws: HeadersNotSupportedException when the server's INFO said headers:false (checked
	/// against the server currently connected), and as publish().
	void publish(const std::string& subject, const Headers& headers, const std::string& data);
	void publishRequest(const std::string& subject, const std::string& reply, const Headers& headers, const std::string& data);

	/// Subscribes with a callback (runs on a dispatcher thread). `queue` empty = no queue group.
	/// Throws: Poco::InvalidArgumentException (bad subject/queue, empty handler),
	/// ConnectionClosedException.
	Subscription subscribe(const std::string& subject, MessageHandler handler);
	Subscription queueSubscribe(const std::string& subject, const std::string& queue, MessageHandler handler);

	/// Subscribes for pulling with Subscription::nextMessage().
	Subscription subscribeSync(const std::string& subject, const std::string& queue = std::string());

	/// Sends a request and waits for the first reply, at most `timeout`. Uses one shared wildcard
	/// inbox subscription per connection.
	/// Throws: NatsTimeoutException, NoRespondersException, ConnectionClosedException, as publish().
	Message request(const std::string& subject, const std::string& data, Poco::Timespan timeout);

	/// A request with headers (HPUB); the reply may carry headers too (Message::headers()).
	/// Throws: HeadersNotSupportedException, and as request() above.
	Message request(const std::string& subject, const Headers& headers, const std::string& data, Poco::Timespan timeout);

	/// Sends PING and waits for the PONG, at most `timeout`: everything published before has been
	/// processed by the server.
	/// Throws: NatsTimeoutException, ConnectionClosedException.
	void flush(Poco::Timespan timeout);

	/// Closes: flushes pending output (bounded by connectTimeout), stops all threads, fires the
	/// closed handler. Idempotent. Safe to call from a callback (does not join its own thread).
	void close();

	/// Unsubscribes everything, lets queued messages be processed (at most `timeout`), then closes.
	/// Throws: NatsTimeoutException when the queues did not drain in time (the connection is closed
	/// anyway).
	void drain(Poco::Timespan timeout);

	/// A new unique inbox subject "_INBOX.<nuid>".
	std::string newInbox() const;

	/// max_payload announced by the server (0 before connect).
	std::int64_t maxPayload() const;

	/// URL of the server currently connected to, empty when not connected.
	std::string connectedUrl() const;

	/// server_id of the current server.
	std::string connectedServerId() const;

	/// URLs of the current server pool (explicit + discovered).
	std::vector<std::string> servers() const;

	Statistics statistics() const;
	Status status() const;
	bool isConnected() const { return status() == Status::CONNECTED; }
	bool isClosed() const { return status() == Status::CLOSED; }
	bool isReconnecting() const { return status() == Status::RECONNECTING; }

	/// The last error recorded by a background thread, empty if none.
	std::string lastError() const;

	/// The options in force (copy taken at construction).
	const Options& options() const;

private:
	friend struct ImplAccess; // the library's own access to the implementation (src/core/ImplAccess.h)

	std::shared_ptr<ConnectionImpl> _pImpl;
};

} // namespace Nats

#endif // Nats_Connection_INCLUDED
