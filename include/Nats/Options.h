//
// Options.h
//
// Library: Nats
// Package: Core
// Module:  Options
//
// Settings of a core NATS connection.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Options_INCLUDED
#define Nats_Options_INCLUDED

#include "Nats/Nats.h"
#include <Poco/Timespan.h>
#include <Poco/Exception.h>
#include <functional>
#include <string>
#include <vector>

namespace Nats {

/// Settings of a core NATS connection. The connection copies the struct at connect() and
/// validates the copy once (validate() throws Poco::InvalidArgumentException naming the field).
/// Defaults are those of nats.go / nats.c (protocol.md 1.6, 1.7, 1.14).
///
///     Nats::Options opts;
///     opts.servers = {"nats://127.0.0.1:4222"};
///     opts.name = "my-app";
///     Nats::Connection conn(opts);
///     conn.connect();
///
/// Thread safety: Plain value; not synchronised.
struct Nats_API Options
{
	static constexpr const char* DEFAULT_URL = "nats://127.0.0.1:4222";
	static const Poco::Timespan DEFAULT_CONNECT_TIMEOUT;   // 2 s
	static constexpr int DEFAULT_MAX_RECONNECT = 60;
	static const Poco::Timespan DEFAULT_RECONNECT_WAIT;    // 2 s
	static const Poco::Timespan DEFAULT_RECONNECT_JITTER;  // 100 ms
	static const Poco::Timespan DEFAULT_RECONNECT_JITTER_TLS; // 1 s
	static constexpr int DEFAULT_RECONNECT_BUFFER_SIZE = 8 * 1024 * 1024;
	static const Poco::Timespan DEFAULT_PING_INTERVAL;     // 2 min
	static const Poco::Timespan DEFAULT_WRITE_DEADLINE;    // 10 s
	static constexpr int DEFAULT_MAX_PINGS_OUT = 2;
	static constexpr int DEFAULT_MAX_PENDING_MESSAGES = 65536;
	static constexpr long long DEFAULT_MAX_PENDING_BYTES = 64LL * 1024 * 1024;
	static constexpr int DEFAULT_DISPATCHER_THREADS = 1;

	// ---- servers and identity ----

	/// Server URLs: "nats://host:port", "nats://user:pass@host:port", "nats://token@host:port",
	/// "tls://host:port" (implies secure). A bare "host:port" means nats://. Several URLs form the
	/// server pool. Default: { DEFAULT_URL }.
	std::vector<std::string> servers{DEFAULT_URL};

	/// Splits a comma-separated URL list ("nats://a:4222, nats://b:4222") into URLs, blanks
	/// trimmed and empty entries dropped: the form of StanOptions::natsUrl and of the tools' -s.
	/// Never throws (the URLs are checked by validate()).
	static std::vector<std::string> splitUrls(const std::string& commaSeparated);

	/// Connection name sent in CONNECT (shown by the server's monitoring). Default "".
	std::string name;

	/// Prefix of newInbox() subjects and of the request inbox ("<prefix>.<nuid>"), e.g. for
	/// accounts whose permissions allow only certain reply subjects. A valid subject without
	/// wildcards. Default "_INBOX".
	std::string inboxPrefix = "_INBOX";

	/// Do not shuffle the server pool. Default false (shuffled, as nats.go).
	bool noRandomize = false;

	/// Ask the server not to deliver this connection's own publications back to it. Default false.
	bool noEcho = false;

	/// CONNECT verbose (+OK after every op) and pedantic flags. Default false.
	bool verbose = false;
	bool pedantic = false;

	// ---- authentication ----

	/// User and password; URL credentials take precedence for that URL. Default empty.
	std::string user;
	std::string password;

	/// Auth token; a URL "nats://token@host" also sets it. Default empty.
	std::string token;

	// ---- NKeys and JWT credentials (at most one of the three ways) ----

	/// A .creds file (as written by nsc): the user JWT block and the user seed block. CONNECT then
	/// carries "jwt" and "sig" (the server's nonce signed with the seed). Read at every connect and
	/// reconnect. Default empty.
	std::string credentialsFile;
	/// With credentialsFile: the seed is read from this file instead (credentialsFile then only
	/// needs the JWT, either decorated or bare). Default empty.
	std::string credentialsSeedFile;

	/// A file with an NKey user seed ("SU...", bare or decorated): CONNECT carries "nkey" (its
	/// public key) and "sig". Default empty.
	std::string nkeySeedFile;

	/// A public NKey ("U...") and the callback that signs the server's nonce with its key, for
	/// seeds the application keeps itself (HSM, vault). The callback gets the nonce and returns
	/// the raw 64-byte Ed25519 signature; it runs on the thread that connects or reconnects.
	std::string nkey;
	std::function<std::string(const std::string& nonce)> nkeySignatureHandler;

	// ---- TLS (needs POCO NetSSL) ----

	/// Require TLS even if the URL is nats://. Default false. tls:// URLs set it.
	bool secure = false;

	/// PEM file of the CA(s) that signed the server certificate. Empty = system default CAs.
	std::string tlsCaFile;

	/// Client certificate and key (PEM) for mutual TLS. Empty = none.
	std::string tlsCertFile;
	std::string tlsKeyFile;

	/// Verify the server certificate chain. Default true.
	bool tlsVerify = true;

	/// Check that the server certificate matches the host name. Default true.
	bool tlsVerifyHostname = true;

	// ---- timing and reconnect ----

	/// TCP connect + handshake timeout per server. Default DEFAULT_CONNECT_TIMEOUT (2 s); must be > 0.
	Poco::Timespan connectTimeout = DEFAULT_CONNECT_TIMEOUT;

	/// Reconnect after losing the connection. Default true.
	bool allowReconnect = true;

	/// When connect() finds no server: return anyway (status RECONNECTING) and keep trying in
	/// the background with the reconnect settings (maxReconnect per server, reconnectWait,
	/// jitter), as nats.c; the reconnected handler fires when it connects, the closed handler
	/// when it gives up. Publishes are buffered meanwhile (reconnectBufferSize), subscriptions
	/// are sent on connect. Invalid options still throw. Default false.
	bool retryOnFailedConnect = false;

	/// Reconnect attempts per server before it is dropped from the pool; -1 = forever.
	/// Default DEFAULT_MAX_RECONNECT (60).
	int maxReconnect = DEFAULT_MAX_RECONNECT;

	/// Wait after a full pass over the pool, plus a random jitter in [0, reconnectJitter).
	/// Defaults 2 s and 100 ms (1 s for TLS: reconnectJitterTLS).
	Poco::Timespan reconnectWait = DEFAULT_RECONNECT_WAIT;
	Poco::Timespan reconnectJitter = DEFAULT_RECONNECT_JITTER;
	Poco::Timespan reconnectJitterTLS = DEFAULT_RECONNECT_JITTER_TLS;

	/// Bytes of publications buffered while reconnecting. 0 = default (8 MiB); negative = no buffering:
	/// publish() while disconnected throws at once. Above the limit publish() throws.
	int reconnectBufferSize = DEFAULT_RECONNECT_BUFFER_SIZE;

	/// Client PING interval and unanswered PINGs before the connection is declared stale.
	/// Defaults 2 min and 2. A zero interval disables client pings.
	Poco::Timespan pingInterval = DEFAULT_PING_INTERVAL;
	int maxPingsOut = DEFAULT_MAX_PINGS_OUT;

	/// Longest time one socket send may block (the server not reading, a dead peer with a full
	/// TCP window). When it expires the write fails, the socket is treated as lost (reconnect), the
	/// error handler gets WriteDeadlineException and a publisher or flush() that was writing itself
	/// throws it. Without it a blocked send lasts until stale detection (about 4 min with the
	/// defaults). Default DEFAULT_WRITE_DEADLINE (10 s, the nats.go idea); 0 = no deadline; >= 0.
	Poco::Timespan writeDeadline = DEFAULT_WRITE_DEADLINE;

	// ---- subscriptions ----

	/// Per-subscription pending limits before messages are dropped (slow consumer).
	/// Defaults 65536 messages / 64 MiB (nats.c). Negative = unlimited.
	int maxPendingMessages = DEFAULT_MAX_PENDING_MESSAGES;
	long long maxPendingBytes = DEFAULT_MAX_PENDING_BYTES;

	/// Threads that run asynchronous subscription callbacks; each subscription is pinned to one.
	/// Default 1; must be >= 1.
	int dispatcherThreads = DEFAULT_DISPATCHER_THREADS;

	// ---- handlers (run on the connection's event thread, never under an internal lock) ----

	/// The connection lost its socket (a reconnect may follow).
	std::function<void()> disconnectedHandler;
	/// The connection is connected again (subscriptions resent).
	std::function<void()> reconnectedHandler;
	/// The connection is closed for good (close() or reconnect gave up).
	std::function<void()> closedHandler;
	/// An asynchronous error: slow consumer (SlowConsumerException, names the subject),
	/// a -ERR that does not close the connection (ServerErrorException / AuthorizationException),
	/// an exception thrown by a message callback.
	std::function<void(const Poco::Exception&)> errorHandler;
	/// New servers were learned from INFO connect_urls; receives the current pool as URLs.
	std::function<void(const std::vector<std::string>&)> discoveredServersHandler;
	/// The server entered lame duck mode.
	std::function<void()> lameDuckHandler;

	/// Throws Poco::InvalidArgumentException naming the first invalid field.
	void validate() const;
};

} // namespace Nats

#endif // Nats_Options_INCLUDED
