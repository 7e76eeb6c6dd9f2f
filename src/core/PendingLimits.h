//
// PendingLimits.h
//
// Library: Nats
// Package: Core
// Module:  PendingLimits
//
// The pending limits of a subscription's message queue, and the one rule every queue of the
// library (core, streaming, JetStream) applies with them.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_PendingLimits_INCLUDED
#define Nats_PendingLimits_INCLUDED

#include <Poco/Exception.h>
#include <string>

namespace Nats {

/// How many messages and bytes a subscription's queue may hold; negative = unlimited, 0 is not a
/// limit anybody means (refused by checked()).
///
/// Thread safety: a value; the queue that holds it guards it with its own mutex.
struct PendingLimits
{
	int messages = -1;
	long long bytes = -1;

	/// The limits `maxMessages` / `maxBytes` as a user set them. Throws
	/// Poco::InvalidArgumentException "<prefix>pending limits must not be 0 (negative = unlimited)"
	/// if either is 0.
	static PendingLimits checked(int maxMessages, long long maxBytes, const std::string& prefix)
	{
		if (maxMessages == 0 || maxBytes == 0)
			throw Poco::InvalidArgumentException(prefix + "pending limits must not be 0 (negative = unlimited)");
		return PendingLimits{maxMessages, maxBytes};
	}

	/// True when a message of `size` bytes may join a queue that holds `queued` messages of
	/// `queuedBytes`: it is dropped (a slow consumer) when it would take the queue past either
	/// limit. Checking the count before the message and the bytes with it matches nats.c.
	bool admits(long long queued, long long queuedBytes, long long size) const
	{
		if (messages > 0 && queued >= messages) return false;
		return bytes <= 0 || queuedBytes + size <= bytes;
	}
};

} // namespace Nats

#endif // Nats_PendingLimits_INCLUDED
