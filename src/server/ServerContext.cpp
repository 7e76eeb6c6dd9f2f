//
// ServerContext.cpp
//
// Library: Nats
// Package: Server
// Module:  ServerContext
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/ServerContext.h"
#include "protocol/StanCodec.h"
#include "protocol.pb.h"
#include <Poco/Exception.h>

namespace Nats {

ServerContext::ServerContext(const StanServerOptions& opts)
	: options(opts), logger(Poco::Logger::get("Nats.StanServer")), timer("stan-srv-timer")
{
}

bool ServerContext::sendLocked(const std::string& subject, const std::string& data)
{
	if (subject.empty() || !pConn) return false;
	try
	{
		pConn->publish(subject, data);
		return true;
	}
	catch (Poco::Exception& exc)
	{
		// Client-provided subjects (inboxes, replies) may be invalid, a message may exceed the
		// max payload, the connection may be closing. Never let it escape into the reader or
		// timer thread.
		if (options.debug) logger.warning("Cannot publish to \"" + subject + "\": " + exc.displayText());
		return false;
	}
}

void ServerContext::sendPubAckLocked(const std::string& reply, const std::string& guid, const std::string& error)
{
	if (reply.empty()) return;
	std::string out;
	StanCodec::encodePubAck(out, guid, error);
	sendLocked(reply, out);
}

void ServerContext::sendSubResponseLocked(const std::string& reply, const std::string& ackInbox, const std::string& error)
{
	if (reply.empty()) return;
	std::string out;
	StanCodec::encodeSubscriptionResponse(out, ackInbox, error);
	sendLocked(reply, out);
}

void ServerContext::sendConnectErrorLocked(const std::string& reply, const std::string& error)
{
	if (reply.empty()) return;
	natsstan::ConnectResponse resp;
	resp.set_error(error);
	sendLocked(reply, resp.SerializeAsString());
}

Timer::Id ServerContext::scheduleAfterNs(std::int64_t delayNs, Timer::Task task)
{
	std::int64_t delayUs = delayNs <= 0 ? 0 : (delayNs + 999) / 1000;
	return timer.scheduleAfter(std::chrono::microseconds(delayUs), std::move(task));
}

} // namespace Nats
