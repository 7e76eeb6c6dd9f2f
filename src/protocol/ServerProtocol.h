//
// ServerProtocol.h
//
// Library: Nats
// Package: Server
// Module:  ServerProtocol
//
// Error texts and protocol helpers of the streaming server (protocol.md 2.3, 2.7); name rules
// live in core/SubjectRules.h.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ServerProtocol_INCLUDED
#define Nats_ServerProtocol_INCLUDED

#include <cstdint>
#include <string>

namespace Nats {

/// Constants and pure functions of the server side of the protocol; no state.
///
/// Thread safety: stateless; safe from any thread.
class ServerProtocol
{
public:
	// Error texts sent to clients, verbatim from the Go server (protocol.md 2.7).
	static const char* const ERR_INVALID_CONN_REQ;
	static const char* const ERR_INVALID_CLIENT_ID;
	static const char* const ERR_CLIENT_REGISTERED;
	static const char* const ERR_INVALID_PUB_REQ;
	static const char* const ERR_INVALID_SUB_REQ;
	static const char* const ERR_MISSING_CLIENT;
	static const char* const ERR_INVALID_ACK_WAIT;
	static const char* const ERR_INVALID_MAX_INFLIGHT;
	static const char* const ERR_INVALID_START;
	static const char* const ERR_INVALID_SUBJECT;
	static const char* const ERR_UNKNOWN_CLIENT;
	static const char* const ERR_INVALID_DUR_NAME;
	static const char* const ERR_DUP_DURABLE;
	static const char* const ERR_INVALID_UNSUB_REQ;
	static const char* const ERR_INVALID_SUB;
	static const char* const ERR_UNKNOWN_CHANNEL;
	static const char* const ERR_INVALID_CLOSE_REQ;
	static const char* const ERR_TOO_MANY_CHANNELS;
	static const char* const ERR_TOO_MANY_SUBS;
	static const char* const ERR_CLIENT_REPLACED;

	/// The case-clash error: rejecting channel "<name>" because channel "<existing>" alreay exists
	/// (different cases not allowed) - the typo is the Go server's.
	static std::string caseClashError(const std::string& name, const std::string& existing);

	/// Client ID rules: ^[a-zA-Z0-9_-]+$ (empty is invalid).
	static bool isValidClientID(const std::string& id);

	/// Ack wait in nanoseconds. REQUIRES: ackWaitInSecs >= 1 (the server refuses <= 0 with
	/// ERR_INVALID_ACK_WAIT, as a released nats-streaming-server does).
	static std::int64_t ackWaitNanos(std::int32_t ackWaitInSecs);

	/// Lower-case copy (ASCII) for case-clash detection.
	static std::string lower(const std::string& s);

	/// The current wall-clock time in Unix nanoseconds.
	static std::int64_t nowNanos();
};

} // namespace Nats

#endif // Nats_ServerProtocol_INCLUDED
