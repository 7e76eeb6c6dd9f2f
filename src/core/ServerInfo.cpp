//
// ServerInfo.cpp
//
// Library: Nats
// Package: Core
// Module:  ServerInfo
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ServerInfo.h"
#include "Nats/Exception.h"
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Array.h>

namespace Nats {

ServerInfo ServerInfo::parse(const std::string& json)
{
	ServerInfo info;
	Poco::JSON::Object::Ptr obj;
	try
	{
		Poco::JSON::Parser parser;
		Poco::Dynamic::Var v = parser.parse(json);
		obj = v.extract<Poco::JSON::Object::Ptr>();
	}
	catch (Poco::Exception& e)
	{
		throw NatsProtocolException("malformed INFO: " + e.displayText());
	}
	if (!obj) throw NatsProtocolException("malformed INFO: not an object");
	try
	{
		info.serverId = obj->optValue<std::string>("server_id", "");
		info.serverName = obj->optValue<std::string>("server_name", "");
		info.version = obj->optValue<std::string>("version", "");
		info.proto = obj->optValue<int>("proto", 0);
		info.headers = obj->optValue<bool>("headers", false);
		info.maxPayload = obj->optValue<Poco::Int64>("max_payload", 1048576);
		info.authRequired = obj->optValue<bool>("auth_required", false);
		info.tlsRequired = obj->optValue<bool>("tls_required", false);
		info.tlsAvailable = obj->optValue<bool>("tls_available", false);
		info.lameDuck = obj->optValue<bool>("ldm", false);
		info.nonce = obj->optValue<std::string>("nonce", "");
		Poco::JSON::Array::Ptr urls = obj->getArray("connect_urls");
		if (urls)
		{
			for (std::size_t i = 0; i < urls->size(); ++i) info.connectUrls.push_back(urls->getElement<std::string>(static_cast<unsigned>(i)));
		}
	}
	catch (Poco::Exception& e)
	{
		throw NatsProtocolException("malformed INFO field: " + e.displayText());
	}
	return info;
}

} // namespace Nats
