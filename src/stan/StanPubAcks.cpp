//
// StanPubAcks.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanPubAcks
//
// SPDX-License-Identifier: Apache-2.0
//

#include "stan/StanPubAcks.h"
#include "protocol/StanCodec.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/SubjectRules.h"
#include <algorithm>
#include <atomic>

namespace Nats {

namespace {

std::atomic<std::uint64_t> nextSessionId{1};

/// What this thread checked last (publishers mostly publish to one channel): the channel name
/// valid as such, and the NATS subject of a channel in one session. The session is keyed by its
/// id (not its address, which a later session may reuse), so a cached subject is never another
/// prefix's.
struct PublishCache
{
	std::string validChannel;
	std::uint64_t session = 0;
	std::string channel;
	std::string subject;
};

thread_local PublishCache tlsPublishCache;

} // namespace

StanPubAcks::StanPubAcks(const StanOptions& options, std::shared_ptr<StanCallbackGate> pGate, ErrorReporter reportError, Timer& timer,
	Dispatcher* pDispatcher)
	// A blocking publish gives the timer connectWait + 1 s more than pubAckWait.
	: PubAckWindow(options, options.connectWait + Poco::Timespan(1, 0), std::move(pGate), std::move(reportError), timer, pDispatcher),
	  _sessionId(nextSessionId.fetch_add(1))
{
}

StanPubAcks::~StanPubAcks()
{
}

void StanPubAcks::start(Connection& nc, const std::string& clientId, const std::string& connID, const std::string& pubPrefix,
	const std::string& ackSubject)
{
	_pNc = &nc;
	_clientId = clientId;
	_connID = connID;
	_pubPrefix = pubPrefix;
	_ackSubject = ackSubject;
	startWindow();
}

void StanPubAcks::checkChannel(const std::string& channel)
{
	PublishCache& cache = tlsPublishCache;
	if (!cache.validChannel.empty() && cache.validChannel == channel) return;
	SubjectRules::checkPublishChannel(channel);
	cache.validChannel.assign(channel);
}

const std::string& StanPubAcks::subjectFor(const std::string& channel) const
{
	PublishCache& cache = tlsPublishCache;
	if (cache.session != _sessionId || cache.channel != channel)
	{
		cache.session = 0;
		cache.subject.assign(_pubPrefix);
		cache.subject.append(channel);
		SubjectRules::checkPublishSubject(cache.subject); // throws as the NATS publish would
		cache.channel.assign(channel);
		cache.session = _sessionId;
	}
	return cache.subject;
}

void StanPubAcks::send(const std::string& channel, const std::string& guid, const void* data, std::size_t length, bool writeNow)
{
	// A per-thread scratch buffer that only grows (its size is its capacity: encoding writes
	// through a pointer, no resize and no zero-fill per publish).
	thread_local std::string buf;
	const std::size_t max = StanCodec::pubMsgMaxSize(_clientId, guid, channel, length, _connID);
	if (buf.size() < max) buf.resize(std::max<std::size_t>(max, 512));
	const std::size_t encoded =
		static_cast<std::size_t>(StanCodec::encodePubMsg(&buf[0], _clientId, guid, channel, data, length, _connID) - buf.data());
	// The reply (_ackSubject) is ours and valid; the subject is checked once per channel and
	// session on this thread, then the NATS publish skips the checks. A sync publish writes on
	// this thread (its caller waits for the answer).
	ImplAccess::impl(*_pNc)->publishValidated(subjectFor(channel), _ackSubject, buf.data(), encoded, writeNow);
}

std::string StanPubAcks::publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
	Poco::Timespan maxWait)
{
	return publishWithAck(std::move(handler), maxWait,
		[&](const std::string& guid) { send(channel, guid, data, length, false); });
}

void StanPubAcks::publish(const std::string& channel, const void* data, std::size_t length)
{
	publishAndWait([&](const std::string& guid) { send(channel, guid, data, length, true); });
}

void StanPubAcks::onPubAck(const Message& msg)
{
	PubAckView v;
	try
	{
		StanCodec::decodePubAck(msg.data().data(), msg.data().size(), v);
	}
	catch (Poco::Exception& exc)
	{
		reportError(exc);
		return;
	}
	completeAck(v.guid, v.error);
}

} // namespace Nats
