//
// JsPubAcks.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JsPubAcks
//
// SPDX-License-Identifier: Apache-2.0
//

#include "jetstream/JsPubAcks.h"
#include "jetstream/JetStreamContext.h"
#include "core/ConnectionImpl.h"
#include "Nats/Headers.h"

namespace Nats {

namespace {

std::string errorText(const Poco::Exception& e)
{
	return e.message().empty() ? e.displayText() : e.message();
}

} // namespace

JsPubAcks::JsPubAcks(const StanOptions& options, std::shared_ptr<StanCallbackGate> pGate, ErrorReporter reportError, ConnectionImpl& core)
	// A blocking publish gives the timer 5 s more than pubAckWait.
	: PubAckWindow(options, Poco::Timespan(5, 0), std::move(pGate), std::move(reportError), core.timer(), core.dispatchers().next()),
	  _core(core)
{
}

JsPubAcks::~JsPubAcks()
{
}

void JsPubAcks::start(const std::string& pubPrefix, std::function<void()> onNoStream)
{
	_pubPrefix = pubPrefix;
	_onNoStream = std::move(onNoStream);
	startWindow();
}

void JsPubAcks::send(const std::string& channel, const std::string& guid, const void* data, std::size_t length, bool writeNow)
{
	// Per-thread buffers: no allocation per publish once warm.
	thread_local Headers h;
	thread_local std::string reply;
	h.set(JetStreamContext::MSG_ID_HEADER, guid);
	reply.assign(_pubPrefix).append(guid);
	_core.publish(channel, reply, &h, data, length, writeNow);
}

std::string JsPubAcks::publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
	Poco::Timespan maxWait)
{
	return publishWithAck(std::move(handler), maxWait,
		[&](const std::string& guid) { send(channel, guid, data, length, false); });
}

void JsPubAcks::publish(const std::string& channel, const void* data, std::size_t length)
{
	publishAndWait([&](const std::string& guid) { send(channel, guid, data, length, true); });
}

void JsPubAcks::onPubAck(const Message& m)
{
	if (m.subject().size() <= _pubPrefix.size()) return;
	const std::string_view guid(m.subject().data() + _pubPrefix.size(), m.subject().size() - _pubPrefix.size());
	std::string error;
	const std::string& d = m.data();
	// Fast path: a PubAck ({"stream":..,"seq":..}) without an error needs no JSON parse.
	const bool plainAck = m.status() == 0 && d.find("\"error\"") == std::string::npos && d.find("\"seq\"") != std::string::npos;
	if (!plainAck)
	{
		// First, so that a publish retried once this one failed looks the stream up again.
		if ((m.status() == 503 || m.isNoResponders()) && _onNoStream) _onNoStream();
		try
		{
			JetStreamContext::parsePubAck(m);
		}
		catch (const Poco::Exception& e)
		{
			error = errorText(e);
		}
	}
	completeAck(guid, error);
}

} // namespace Nats
