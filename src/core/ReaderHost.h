//
// ReaderHost.h
//
// Library: Nats
// Package: Core
// Module:  ReaderHost
//
// What the reader and the reconnect procedure need from the connection that owns them.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ReaderHost_INCLUDED
#define Nats_ReaderHost_INCLUDED

#include "core/ServerInfo.h"
#include <Poco/Exception.h>
#include <functional>

namespace Nats {

/// The connection as the Reader and the Reconnector see it (implemented by ConnectionImpl).
/// Nothing here is called per message: the reader reaches the subscriptions, the state and the
/// writer directly.
///
/// Thread safety: every call is made from the reader thread, except reportError() (also the timer
/// thread, on a stale connection).
class ReaderHost
{
public:
	virtual ~ReaderHost() = default;

	/// An INFO from the server (`initial`: during connect(), so no discovered-servers event):
	/// pool, max payload, headers support, lame duck.
	virtual void applyInfo(const ServerInfo& info, bool initial) = 0;

	/// Queues `e` for the error handler and records it as the last error.
	virtual void reportError(const Poco::Exception& e) = 0;

	/// Runs `fn` on the event thread, in order with the other events.
	virtual void post(std::function<void()> fn) = 0;

	/// Closes the connection (the reconnect gave up or is not allowed). Does not join the reader.
	virtual void close() = 0;
};

} // namespace Nats

#endif // Nats_ReaderHost_INCLUDED
