//
// MonitorServer.cpp
//
// Library: Nats
// Package: Server
// Module:  MonitorServer
//
// Routes, query parameters, status codes and texts follow nats-streaming-server's
// server/monitor.go (and nats-server's ResponseHandler for JSON/JSONP): parameters are read
// with Go's strconv.Atoi semantics (anything unparsable is 0), so ?subs=1 is the only value
// that adds subscriptions and limit <= 0 means the default of 1024.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/MonitorServer.h"
#include "server/MonitorSnapshot.h"
#include "protocol/ServerProtocol.h"
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/URI.h>
#include <dirent.h>
#include <mutex>
#include <sys/resource.h>

namespace Nats {

namespace {

const char* const ROOT_PATH = "/streaming";
const char* const JSON_TYPE = "application/json";
const char* const TEXT_TYPE = "text/plain; charset=utf-8";

/// The first value of `name` in the query (Go: url.Values.Get), "" if absent.
std::string queryValue(const Poco::URI::QueryParameters& params, const std::string& name)
{
	for (const auto& kv: params)
	{
		if (kv.first == name) return kv.second;
	}
	return std::string();
}

/// Go's strconv.Atoi with the error ignored: the number, or 0.
int atoiOrZero(const std::string& text)
{
	int v = 0;
	return Poco::NumberParser::tryParse(text, v) ? v : 0;
}

MonitorPage pageOf(const Poco::URI::QueryParameters& params)
{
	MonitorPage page;
	const int offset = atoiOrZero(queryValue(params, "offset"));
	const int limit = atoiOrZero(queryValue(params, "limit"));
	page.offset = offset < 0 ? 0 : static_cast<std::size_t>(offset);
	page.limit = limit <= 0 ? MonitorPage::DEFAULT_LIMIT : static_cast<std::size_t>(limit);
	return page;
}

/// Open file descriptors and their limit, as the Go server reads them from /proc (0 if unknown:
/// the fields are omitted then).
void fileDescriptors(int& open, int& max)
{
	open = 0;
	max = 0;
	if (DIR* d = opendir("/proc/self/fd"))
	{
		while (const dirent* e = readdir(d))
		{
			if (e->d_name[0] != '.') ++open;
		}
		closedir(d);
	}
	rlimit rl{};
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) max = static_cast<int>(rl.rlim_cur);
}

/// The HTTPS endpoint's TLS context: our certificate and key, no client certificates asked for,
/// as the Go server: nats-server's startMonitoring (server/server.go) clones the NATS TLS config
/// and sets ClientAuth = tls.NoClientCert for the monitoring listener (getMonitoringTLSConfig
/// does it again per handshake), so its --tlsverify / --tlscacert never reach -ms.
Poco::Net::Context::Ptr serverTlsContext(const StanServerOptions& o)
{
	static std::once_flag sslOnce;
	std::call_once(sslOnce, [] { Poco::Net::initializeSSL(); });
	Poco::Net::Context::Params p;
	p.certificateFile = o.tlsCert;
	p.privateKeyFile = o.tlsKey;
	p.verificationMode = Poco::Net::Context::VERIFY_NONE;
	p.loadDefaultCAs = false;
	p.cipherList = "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH";
	return new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, p);
}

MonitorServer::Response json(std::string body)
{
	MonitorServer::Response r;
	r.contentType = JSON_TYPE;
	r.body = std::move(body);
	return r;
}

/// Go's http.Error: the text and a newline, text/plain.
MonitorServer::Response error(int status, const std::string& text)
{
	MonitorServer::Response r;
	r.status = status;
	r.contentType = TEXT_TYPE;
	r.body = text + "\n";
	return r;
}

class MonitorRequestHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit MonitorRequestHandler(const MonitorServer& server): _server(server) {}

	void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override
	{
		MonitorServer::Response r = _server.answer(req.getURI());
		resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
		if (r.status == Poco::Net::HTTPResponse::HTTP_NO_CONTENT)
		{
			resp.setContentLength(0);
			resp.send();
			return;
		}
		resp.setContentType(r.contentType);
		if (r.contentType == JSON_TYPE) resp.set("Access-Control-Allow-Origin", "*");
		if (r.contentType == TEXT_TYPE) resp.set("X-Content-Type-Options", "nosniff");
		resp.sendBuffer(r.body.data(), r.body.size());
	}

private:
	const MonitorServer& _server;
};

class MonitorHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit MonitorHandlerFactory(const MonitorServer& server): _server(server) {}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new MonitorRequestHandler(_server);
	}

private:
	const MonitorServer& _server;
};

} // namespace

MonitorServer::MonitorServer(ServerContext& ctx)
	: _ctx(ctx)
{
}

MonitorServer::~MonitorServer()
{
	try
	{
		stop();
	}
	catch (...)
	{
	}
}

void MonitorServer::start(const std::string& host, int port, bool https)
{
	Poco::Net::SocketAddress address(host, static_cast<Poco::UInt16>(port < 0 ? 0 : port));
	// Not ServerSocket(address): it sets SO_REUSEPORT too, and a second server would then share
	// a port in use instead of failing to start as the Go server does. The TLS handshake of an
	// HTTPS connection happens at its first read, on the HTTP thread.
	Poco::Net::ServerSocket socket = https ? Poco::Net::SecureServerSocket(serverTlsContext(_ctx.options)) : Poco::Net::ServerSocket();
	socket.bind(address, true, false);
	socket.listen(64);
	auto pThreads = std::make_unique<Poco::ThreadPool>("stan-monitor", 1, 2);
	Poco::Net::HTTPServerParams::Ptr pParams = new Poco::Net::HTTPServerParams;
	pParams->setMaxThreads(2);
	pParams->setMaxQueued(16);
	// A client that stops reading or sending holds a thread at most this long.
	pParams->setTimeout(Poco::Timespan(10, 0));
	pParams->setServerName("stan-server");
	auto pServer = std::make_unique<Poco::Net::HTTPServer>(new MonitorHandlerFactory(*this), *pThreads, socket, pParams);
	pServer->start();
	_port = socket.address().port();
	_pThreads = std::move(pThreads);
	_pServer = std::move(pServer);
	if (_ctx.options.debug)
		_ctx.logger.information(std::string("Monitoring endpoint on ") + (https ? "https://" : "http://") + socket.address().toString() + ROOT_PATH);
}

void MonitorServer::stop()
{
	if (_pServer)
	{
		// Stops accepting, then aborts the connections in progress; joinAll() waits for the
		// handler threads, which never block on anything but the server lock and the socket.
		_pServer->stopAll(true);
		_pThreads->joinAll();
		_pServer.reset();
		_pThreads.reset();
	}
	_port = 0;
}

MonitorServer::Response MonitorServer::answer(const std::string& uriText) const
{
	Poco::URI uri;
	Poco::URI::QueryParameters params;
	try
	{
		uri = Poco::URI(uriText);
		params = uri.getQueryParameters();
	}
	catch (const Poco::SyntaxException&)
	{
		return error(400, "400 Bad Request");
	}
	const std::string path = uri.getPath();
	const std::string root = ROOT_PATH;
	Response r;
	if (path == root)
	{
		r.contentType = "text/html; charset=utf-8";
		r.body = "<html lang=\"en\">\n<head><title>NATS Streaming monitoring</title></head>\n<body>\n"
				 "<h3>NATS Streaming (natscpp stan-server)</h3>\n"
				 "<a href=/streaming/serverz>server</a><br/>\n<a href=/streaming/storez>store</a><br/>\n"
				 "<a href=/streaming/clientsz>clients</a><br/>\n<a href=/streaming/channelsz>channels</a><br/>\n"
				 "</body>\n</html>";
		return r;
	}
	const std::int64_t now = ServerProtocol::nowNanos();
	const bool withSubs = atoiOrZero(queryValue(params, "subs")) == 1;
	if (path == root + "/serverz")
	{
		ServerSnapshot s;
		{
			std::lock_guard<std::mutex> lock(_ctx.mutex);
			s = MonitorSnapshot::serverLocked(_ctx);
		}
		int fds, maxFds;
		fileDescriptors(fds, maxFds);
		r = json(MonitorSnapshot::serverzJson(s, now, fds, maxFds));
	}
	else if (path == root + "/storez")
	{
		ServerSnapshot s;
		{
			std::lock_guard<std::mutex> lock(_ctx.mutex);
			s = MonitorSnapshot::serverLocked(_ctx);
		}
		r = json(MonitorSnapshot::storezJson(s, _ctx, now));
	}
	else if (path == root + "/clientsz")
	{
		const std::string id = queryValue(params, "client");
		if (!id.empty())
		{
			ClientSnapshot c;
			bool found;
			{
				std::lock_guard<std::mutex> lock(_ctx.mutex);
				found = MonitorSnapshot::clientLocked(_ctx, id, withSubs, c);
			}
			if (!found) return error(404, "Client " + id + " not found");
			r = json(MonitorSnapshot::clientJson(c, withSubs));
		}
		else
		{
			MonitorPage page = pageOf(params);
			ServerSnapshot s;
			std::vector<ClientSnapshot> clients;
			{
				std::lock_guard<std::mutex> lock(_ctx.mutex);
				s = MonitorSnapshot::serverLocked(_ctx);
				clients = MonitorSnapshot::clientsLocked(_ctx, page, withSubs);
			}
			r = json(MonitorSnapshot::clientsJson(s, now, page, clients, withSubs));
		}
	}
	else if (path == root + "/channelsz")
	{
		const std::string name = queryValue(params, "channel");
		if (!name.empty())
		{
			ChannelSnapshot c;
			bool found;
			{
				std::lock_guard<std::mutex> lock(_ctx.mutex);
				found = MonitorSnapshot::channelLocked(_ctx, name, withSubs, c);
			}
			if (!found) return error(404, "Channel " + name + " not found");
			r = json(MonitorSnapshot::channelJson(c, withSubs));
		}
		else
		{
			MonitorPage page = pageOf(params);
			ServerSnapshot s;
			std::vector<std::string> names;
			std::vector<ChannelSnapshot> channels;
			{
				std::lock_guard<std::mutex> lock(_ctx.mutex);
				s = MonitorSnapshot::serverLocked(_ctx);
				if (withSubs) channels = MonitorSnapshot::channelsLocked(_ctx, page, true);
				else names = MonitorSnapshot::channelNamesLocked(_ctx, page);
			}
			r = json(withSubs ? MonitorSnapshot::channelsJson(s, now, page, nullptr, &channels)
							  : MonitorSnapshot::channelsJson(s, now, page, &names, nullptr));
		}
	}
	else if (path == root + "/isFTActive")
	{
		r.status = 204;
		return r;
	}
	else
	{
		return error(404, "404 page not found");
	}
	// JSONP, as nats-server's ResponseHandler.
	const std::string callback = queryValue(params, "callback");
	if (!callback.empty())
	{
		r.contentType = "application/javascript";
		r.body = callback + "(" + r.body + ")";
	}
	return r;
}

} // namespace Nats
