//
// Handshake.cpp
//
// Library: Nats
// Package: Core
// Module:  Handshake
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/Handshake.h"
#include "core/Credentials.h"
#include "core/Parser.h"
#include "Nats/Exception.h"
#include "Nats/Version.h"
#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>
#include <mutex>
#include <sstream>

namespace Nats {

namespace {

std::once_flag sslOnce;

Poco::Net::Context::Ptr makeTlsContext(const Options& o)
{
	std::call_once(sslOnce, []() { Poco::Net::initializeSSL(); });
	Poco::Net::Context::Params p;
	p.privateKeyFile = o.tlsKeyFile;
	p.certificateFile = o.tlsCertFile;
	p.caLocation = o.tlsCaFile;
	// VERIFY_STRICT: with RELAXED, POCO skips the host name check for loopback addresses.
	p.verificationMode = o.tlsVerify ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
	p.loadDefaultCAs = o.tlsCaFile.empty();
	p.cipherList = "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH";
	Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
	ctx->enableExtendedCertificateVerification(o.tlsVerify && o.tlsVerifyHostname);
	return ctx;
}

void sendAll(Poco::Net::StreamSocket& socket, const std::string& data)
{
	const char* p = data.data();
	std::size_t length = data.size();
	while (length > 0)
	{
		int n = socket.sendBytes(p, static_cast<int>(length));
		if (n <= 0) throw Poco::Net::NetException("send failed");
		p += n;
		length -= static_cast<std::size_t>(n);
	}
}

/// Collects what the server sends during the handshake.
struct HandshakeHandler: public ParserHandler
{
	bool gotInfo = false;
	bool gotPong = false;
	bool gotErr = false;
	bool first = true;
	bool firstWasInfo = false;
	std::string info;
	std::string err;
	int pings = 0;

	void onInfo(const std::string& json) override
	{
		if (first) firstWasInfo = true;
		first = false;
		gotInfo = true;
		info = json;
	}
	void onMsg(std::string&, std::int64_t, std::string&, std::string&, std::string&) override
	{
		first = false;
	}
	void onPing() override
	{
		first = false;
		++pings;
	}
	void onPong() override
	{
		first = false;
		gotPong = true;
	}
	void onOk() override
	{
		first = false;
	}
	void onErr(const std::string& text) override
	{
		first = false;
		if (!gotErr) err = text;
		gotErr = true;
	}
};

} // namespace

std::unique_ptr<Poco::Exception> makeServerError(const std::string& text)
{
	std::string lower = Poco::toLower(text);
	if (lower.find("authorization violation") != std::string::npos || lower.find("authentication") != std::string::npos
		|| lower.find("permissions violation") != std::string::npos)
		return std::unique_ptr<Poco::Exception>(new AuthorizationException(text));
	if (lower.find("stale connection") != std::string::npos) return std::unique_ptr<Poco::Exception>(new StaleConnectionException(text));
	return std::unique_ptr<Poco::Exception>(new ServerErrorException(text));
}

std::string Handshake::connectJson(const ServerAddress& server, const ServerInfo& info) const
{
	Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
	obj.set("verbose", _options.verbose);
	obj.set("pedantic", _options.pedantic);
	obj.set("tls_required", _options.secure || server.tls());
	obj.set("name", _options.name);
	obj.set("lang", std::string("cpp"));
	obj.set("version", std::string(NATS_CPP_VERSION_STRING));
	obj.set("protocol", 1);
	obj.set("echo", !_options.noEcho);
	obj.set("headers", info.headers);
	obj.set("no_responders", info.headers);
	std::string user = server.user.empty() ? _options.user : server.user;
	std::string pass = server.user.empty() ? _options.password : server.password;
	std::string token = server.token.empty() ? _options.token : server.token;
	if (!user.empty())
	{
		obj.set("user", user);
		obj.set("pass", pass);
	}
	if (!token.empty()) obj.set("auth_token", token);
	if (Credentials::configured(_options))
	{
		Credentials::Fields f = Credentials::sign(_options, info.nonce);
		if (!f.jwt.empty()) obj.set("jwt", f.jwt);
		if (!f.nkey.empty()) obj.set("nkey", f.nkey);
		obj.set("sig", f.sig);
	}
	std::ostringstream out;
	obj.stringify(out);
	return out.str();
}

void Handshake::checkCredentials() const
{
	if (Credentials::configured(_options) && _options.nkey.empty()) Credentials::sign(_options, "check");
}

Handshake::Result Handshake::run(const ServerAddress& server, const std::string& tlsName) const
{
	Result r;
	Poco::Net::SocketAddress address(server.host, static_cast<Poco::UInt16>(server.port));
	Poco::Net::StreamSocket socket;
	socket.connect(address, _options.connectTimeout);
	socket.setNoDelay(true);
	socket.setReceiveTimeout(_options.connectTimeout);
	socket.setSendTimeout(_options.connectTimeout);

	HandshakeHandler hs;
	Parser parser(hs);
	char buffer[4096];
	while (!hs.gotInfo && !hs.gotErr)
	{
		int n = socket.receiveBytes(buffer, sizeof(buffer));
		if (n <= 0) throw NatsException("nats: connection closed by " + server.url() + " before INFO");
		parser.parse(buffer, static_cast<std::size_t>(n));
	}
	if (hs.gotErr) makeServerError(hs.err)->rethrow();
	if (!hs.firstWasInfo) throw NatsProtocolException("nats: expected INFO from " + server.url());
	r.info = ServerInfo::parse(hs.info);

	r.tls = _options.secure || server.tls() || r.info.tlsRequired;
	if (r.tls)
	{
		// The configuration (CA, certificate, key files) is reported as such, not as a failed
		// handshake with a server that was never asked.
		Poco::Net::Context::Ptr ctx;
		try
		{
			ctx = makeTlsContext(_options);
		}
		catch (Poco::Exception& e)
		{
			throw TLSException("nats: TLS configuration invalid (tlsCaFile / tlsCertFile / tlsKeyFile): " + e.displayText());
		}
		try
		{
			const std::string& name = tlsName.empty() ? server.host : tlsName;
			Poco::Net::SecureStreamSocket secure = Poco::Net::SecureStreamSocket::attach(socket, name, ctx);
			secure.completeHandshake();
			socket = secure;
		}
		catch (Poco::Exception& e)
		{
			throw TLSException("nats: TLS handshake with " + server.url() + " failed: " + e.displayText());
		}
	}
	sendAll(socket, "CONNECT " + connectJson(server, r.info) + "\r\nPING\r\n");
	hs.gotInfo = false;
	while (!hs.gotPong && !hs.gotErr)
	{
		int n = socket.receiveBytes(buffer, sizeof(buffer));
		if (n <= 0) throw NatsException("nats: connection closed by " + server.url() + " during handshake");
		parser.parse(buffer, static_cast<std::size_t>(n));
	}
	if (hs.gotErr) makeServerError(hs.err)->rethrow();
	if (hs.gotInfo) r.info = ServerInfo::parse(hs.info);
	for (int i = 0; i < hs.pings; ++i) r.extra += "PONG\r\n";
	socket.setReceiveTimeout(Poco::Timespan(0));
	socket.setSendTimeout(Poco::Timespan(0));
	r.socket = socket;
	return r;
}

} // namespace Nats
