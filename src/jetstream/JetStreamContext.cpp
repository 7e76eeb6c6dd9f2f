//
// JetStreamContext.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JetStreamContext
//
// SPDX-License-Identifier: Apache-2.0
//

#include "jetstream/JetStreamContext.h"
#include "jetstream/JetStreamException.h"
#include "Nats/Exception.h"
#include <Poco/JSON/Array.h>

namespace Nats {

JetStreamContext::JetStreamContext(Connection& connection, Poco::Timespan timeout, std::string apiPrefix)
	: _connection(connection), _timeout(timeout), _prefix(std::move(apiPrefix))
{
	if (_timeout.totalMicroseconds() <= 0) throw Poco::InvalidArgumentException("JetStream: timeout must be > 0");
	if (_prefix.empty()) throw Poco::InvalidArgumentException("JetStream: API prefix must not be empty");
}

void JetStreamContext::validateName(const char* what, const std::string& name)
{
	if (name.empty()) throw Poco::InvalidArgumentException(std::string(what) + " must not be empty");
	for (unsigned char c: name)
	{
		if (c == '.' || c == '*' || c == '>' || c == '/' || c == '\\' || c <= ' ' || c == 0x7f)
		{
			throw Poco::InvalidArgumentException(std::string(what) + " must not contain '.', '*', '>', '/', '\\', whitespace or control characters: \"" + name + "\"");
		}
	}
}

Poco::JSON::Object::Ptr JetStreamContext::apiRequest(const std::string& verb, const std::string& body)
{
	Message reply;
	try
	{
		reply = _connection.request(_prefix + "." + verb, body, _timeout);
	}
	catch (const NoRespondersException&)
	{
		throw JetStreamApiException("nats: JetStream not enabled", 503, JetStreamApiException::JETSTREAM_NOT_ENABLED);
	}
	Poco::JSON::Object::Ptr obj = JetStreamJson::parseObject(reply.data());
	JetStreamJson::throwIfError(obj);
	return obj;
}

AccountInfo JetStreamContext::accountInfo()
{
	return AccountInfo::fromJson(apiRequest("INFO", ""));
}

StreamInfo JetStreamContext::addStream(const StreamConfig& config)
{
	validateName("stream name", config.name);
	return StreamInfo::fromJson(apiRequest("STREAM.CREATE." + config.name, JetStreamJson::stringify(config.toJson())));
}

StreamInfo JetStreamContext::streamInfo(const std::string& name)
{
	validateName("stream name", name);
	return StreamInfo::fromJson(apiRequest("STREAM.INFO." + name, ""));
}

void JetStreamContext::deleteStream(const std::string& name)
{
	validateName("stream name", name);
	apiRequest("STREAM.DELETE." + name, "");
}

std::vector<std::string> JetStreamContext::streamNames(const std::string& subject)
{
	std::vector<std::string> names;
	std::size_t offset = 0;
	while (true)
	{
		Poco::JSON::Object::Ptr req = new Poco::JSON::Object;
		req->set("offset", offset);
		if (!subject.empty()) req->set("subject", subject);
		Poco::JSON::Object::Ptr obj = apiRequest("STREAM.NAMES", JetStreamJson::stringify(req));
		Poco::JSON::Array::Ptr arr = obj->has("streams") && !obj->isNull("streams") ? obj->getArray("streams") : nullptr;
		std::size_t got = arr ? arr->size() : 0;
		for (std::size_t i = 0; i < got; ++i) names.push_back(arr->getElement<std::string>(static_cast<unsigned>(i)));
		std::size_t total = obj->optValue<std::size_t>("total", names.size());
		offset += got;
		if (got == 0 || offset >= total) break;
	}
	return names;
}

ConsumerInfo JetStreamContext::addConsumer(const std::string& stream, const ConsumerConfig& config)
{
	validateName("stream name", stream);
	Poco::JSON::Object::Ptr req = new Poco::JSON::Object;
	req->set("stream_name", stream);
	req->set("config", config.toJson());
	std::string verb;
	if (config.durableName.empty())
	{
		verb = "CONSUMER.CREATE." + stream;
	}
	else
	{
		validateName("consumer name", config.durableName);
		verb = "CONSUMER.DURABLE.CREATE." + stream + "." + config.durableName;
	}
	return ConsumerInfo::fromJson(apiRequest(verb, JetStreamJson::stringify(req)));
}

ConsumerInfo JetStreamContext::consumerInfo(const std::string& stream, const std::string& name)
{
	validateName("stream name", stream);
	validateName("consumer name", name);
	return ConsumerInfo::fromJson(apiRequest("CONSUMER.INFO." + stream + "." + name, ""));
}

void JetStreamContext::deleteConsumer(const std::string& stream, const std::string& name)
{
	validateName("stream name", stream);
	validateName("consumer name", name);
	apiRequest("CONSUMER.DELETE." + stream + "." + name, "");
}

PubAck JetStreamContext::parsePubAck(const Message& reply)
{
	if (reply.status() == 503 || reply.isNoResponders())
	{
		throw JetStreamApiException("nats: no response from stream", 503, 0);
	}
	Poco::JSON::Object::Ptr obj = JetStreamJson::parseObject(reply.data());
	JetStreamJson::throwIfError(obj);
	PubAck ack;
	ack.stream = obj->optValue<std::string>("stream", "");
	ack.sequence = obj->optValue<Poco::UInt64>("seq", 0);
	ack.duplicate = obj->optValue<bool>("duplicate", false);
	ack.domain = obj->optValue<std::string>("domain", "");
	if (ack.stream.empty() || ack.sequence == 0) throw NatsProtocolException("JetStream: malformed PubAck: " + reply.data().substr(0, 200));
	return ack;
}

PubAck JetStreamContext::publish(const std::string& subject, const std::string& data, const std::string& msgId, const Headers& headers)
{
	try
	{
		if (msgId.empty() && headers.empty()) return parsePubAck(_connection.request(subject, data, _timeout));
		Headers h = headers;
		if (!msgId.empty()) h.set(MSG_ID_HEADER, msgId);
		return parsePubAck(_connection.request(subject, h, data, _timeout));
	}
	catch (const NoRespondersException&)
	{
		throw JetStreamApiException("nats: no response from stream", 503, 0);
	}
}

} // namespace Nats
