//
// Reconnector.h
//
// Library: Nats
// Package: Core
// Module:  Reconnector
//
// Replaces a lost link: the walk of the server pool, the handshake, the resubscriptions, the
// connection events.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Reconnector_INCLUDED
#define Nats_Reconnector_INCLUDED

#include "Nats/Options.h"
#include <atomic>
#include <cstdint>
#include <string>

namespace Nats {

class ConnectionState;
class Handshake;
class Parser;
class ReaderHost;
class ServerSelection;
class SubscriptionTable;
class Writer;

/// The reconnect procedure of one connection. It runs on the reader thread (the only thread that
/// replaces the socket), called by the Reader when a read fails:
///
///     if (!reconnector.run(reason)) return;  // closed or gave up: the reader ends
///     // the link is back: read on
///
/// Thread safety: run() on the reader thread only; reconnects() from any thread.
class Reconnector
{
public:
	/// Keeps references; all of them must outlive this object.
	Reconnector(ReaderHost& host, const Options& options, const Handshake& handshake, ConnectionState& state, ServerSelection& servers,
		SubscriptionTable& subs, Writer& writer, Parser& parser);

	Reconnector(const Reconnector&) = delete;
	Reconnector& operator=(const Reconnector&) = delete;

	/// The link was lost (`reason` becomes the last error) or, with `initial`, connect() found no
	/// server (Options::retryOnFailedConnect: no disconnected event). Fails the flush() waiters
	/// whose PINGs were lost, closes the socket, posts the disconnected event, then walks the server
	/// pool (the lost server last) until a handshake succeeds: that sends CONNECT, the PONGs owed,
	/// every live SUB, then what was buffered meanwhile, and posts the reconnected event. Between
	/// walks it waits Options::reconnectWait plus jitter; a server is dropped after
	/// Options::maxReconnect failed attempts.
	/// Blocks until reconnected, closed, or the pool is empty; each attempt is bounded by
	/// Options::connectTimeout. Returns true when reconnected; false when close() began, or after
	/// it closed the connection itself (reconnect not allowed, no server left).
	bool run(const std::string& reason, bool initial = false);

	std::uint64_t reconnects() const { return _reconnects.load(); }

private:
	ReaderHost& _host;
	const Options& _options;
	const Handshake& _handshake;
	ConnectionState& _state;
	ServerSelection& _servers;
	SubscriptionTable& _subs;
	Writer& _writer;
	Parser& _parser;
	std::atomic<std::uint64_t> _reconnects{0};
};

} // namespace Nats

#endif // Nats_Reconnector_INCLUDED
