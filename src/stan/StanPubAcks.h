//
// StanPubAcks.h
//
// Library: Nats
// Package: Streaming
// Module:  StanPubAcks
//
// Publishing with acks on the streaming protocol: PubMsg encoding and PubAck matching.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanPubAcks_INCLUDED
#define Nats_StanPubAcks_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Connection.h"
#include "stan/PubAckWindow.h"
#include <cstdint>
#include <memory>
#include <string>

namespace Nats {

/// The publishing half of one streaming session: the window, timeouts and ack handlers are
/// PubAckWindow's; this part writes the PubMsg (protobuf, to "<pubPrefix>.<channel>" with the
/// session's ack subject as reply) and matches each PubAck by the guid it carries.
///
/// One instance per successful connect(); a retried connect() makes a fresh one.
///
/// Thread safety: Thread-safe (see PubAckWindow).
class StanPubAcks: public PubAckWindow
{
public:
	/// `timer` and `pDispatcher` belong to the NATS connection (set here, before the pub-ack
	/// subscription exists, so that the reader thread sees them).
	StanPubAcks(const StanOptions& options, std::shared_ptr<StanCallbackGate> pGate, ErrorReporter reportError, Timer& timer,
		Dispatcher* pDispatcher);
	~StanPubAcks() override;

	/// Binds to the session once the server answered. REQUIRES: called once, before any publish.
	void start(Connection& nc, const std::string& clientId, const std::string& connID, const std::string& pubPrefix,
		const std::string& ackSubject);

	/// SubjectRules::checkPublishChannel(), skipped for the channel this thread checked last.
	static void checkChannel(const std::string& channel);

	/// See StanConnection::publishAsync().
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
		Poco::Timespan maxWait);

	/// See StanConnection::publish().
	void publish(const std::string& channel, const void* data, std::size_t length);

	/// A PubAck arrived (NATS reader thread).
	void onPubAck(const Message& msg);

private:
	/// The NATS subject of `channel` (prefix + channel), checked; cached per thread.
	const std::string& subjectFor(const std::string& channel) const;
	/// Encodes and writes the PubMsg of `guid`; `writeNow`: on this thread (a blocking publish).
	void send(const std::string& channel, const std::string& guid, const void* data, std::size_t length, bool writeNow);

	Connection* _pNc = nullptr;
	const std::uint64_t _sessionId; // unique per instance (key of the per-thread subject cache)
	std::string _clientId;
	std::string _connID;
	std::string _pubPrefix;
	std::string _ackSubject;
};

} // namespace Nats

#endif // Nats_StanPubAcks_INCLUDED
