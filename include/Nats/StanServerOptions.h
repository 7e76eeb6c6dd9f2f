//
// StanServerOptions.h
//
// Library: Nats
// Package: Server
// Module:  StanServerOptions
//
// Settings of the embeddable NATS Streaming server (mirror the Go server's flags).
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanServerOptions_INCLUDED
#define Nats_StanServerOptions_INCLUDED

#include "Nats/Nats.h"
#include "Nats/Options.h"
#include <Poco/Timespan.h>
#include <cstdint>
#include <string>

namespace Nats {

/// Settings of a StanServer. Defaults are those of nats-streaming-server v0.25 (protocol.md 3.11).
/// The server copies the struct at construction and validates the copy at start().
///
///     Nats::StanServerOptions opts;
///     opts.natsUrl = "nats://127.0.0.1:4222";
///     opts.hbInterval = Poco::Timespan(0, 100000);   // 100 ms, for tests
///     Nats::StanServer server(opts);
///     server.start();
///
/// Limits: 0 means unlimited (as the Go server's global limits).
///
/// Thread safety: Plain value; not synchronised.
struct Nats_API StanServerOptions
{
	static constexpr const char* DEFAULT_CLUSTER_ID = "test-cluster";
	static constexpr const char* DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
	static constexpr const char* DEFAULT_DISCOVER_PREFIX = "_STAN.discover";
	static constexpr int DEFAULT_MAX_CHANNELS = 100;
	static constexpr int DEFAULT_MAX_SUBSCRIPTIONS = 1000;
	static constexpr int DEFAULT_MAX_MSGS = 1000000;
	static constexpr std::int64_t DEFAULT_MAX_BYTES = 1000000LL * 1024;
	static const Poco::Timespan DEFAULT_HB_INTERVAL;   // 30 s
	static const Poco::Timespan DEFAULT_HB_TIMEOUT;    // 10 s
	static constexpr int DEFAULT_HB_FAIL_COUNT = 10;
	static constexpr const char* DEFAULT_HTTP_HOST = "0.0.0.0";
	/// httpPort value for "any free port" (the Go server's RANDOM_PORT); see StanServer::monitorPort().
	static constexpr int RANDOM_HTTP_PORT = -1;

	/// Cluster ID (-cid). Clients connect with it. Default DEFAULT_CLUSTER_ID ("test-cluster").
	/// Must be a valid subject token (no '.', '*', '>' or whitespace).
	std::string clusterId = DEFAULT_CLUSTER_ID;

	/// URL(s) of the nats-server to connect to (-ns), comma separated.
	/// Default DEFAULT_NATS_URL ("nats://127.0.0.1:4222"). Overrides natsOptions.servers.
	std::string natsUrl = DEFAULT_NATS_URL;

	/// Further settings of the server's own NATS connection (credentials, TLS). The server always
	/// reconnects forever, uses unlimited pending limits and names the connection
	/// "stan-server-<clusterId>" unless a name is given.
	Options natsOptions;

	/// Discovery subject prefix; clients connect on "<prefix>.<clusterId>".
	/// Default DEFAULT_DISCOVER_PREFIX ("_STAN.discover").
	std::string discoverPrefix = DEFAULT_DISCOVER_PREFIX;

	/// Max number of channels (-mc). Default 100; 0 = unlimited.
	int maxChannels = DEFAULT_MAX_CHANNELS;

	/// Max subscriptions per channel, offline durables included (-msu). Default 1000; 0 = unlimited.
	int maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS;

	/// Max messages per channel (-mm); beyond it the oldest are dropped silently.
	/// Default 1000000; 0 = unlimited.
	int maxMsgs = DEFAULT_MAX_MSGS;

	/// Max bytes per channel (-mb, encoded MsgProto sizes); beyond it the oldest are dropped
	/// silently (the newest is always kept). Default 1024000000; 0 = unlimited.
	std::int64_t maxBytes = DEFAULT_MAX_BYTES;

	/// Max age of messages (-ma); older ones are dropped. Default 0 = unlimited.
	Poco::Timespan maxAge = 0;

	/// Interval of server-to-client heartbeats (-hbi). Default 30 s; must be > 0.
	Poco::Timespan hbInterval = DEFAULT_HB_INTERVAL;

	/// How long the server waits for a heartbeat reply (-hbt). Default 10 s; must be > 0.
	Poco::Timespan hbTimeout = DEFAULT_HB_TIMEOUT;

	/// A client is closed after more than this many consecutive failed heartbeats (-hbf).
	/// Default 10; must be >= 0.
	int hbFailCount = DEFAULT_HB_FAIL_COUNT;

	/// Log debug (-D) and trace (-V) messages to the logger "Nats.StanServer". Default false.
	bool debug = false;
	bool trace = false;

	/// Port of the HTTP monitoring endpoint (-m, --http_port): /streaming/serverz, storez,
	/// clientsz, channelsz and isFTActive, in the Go server's JSON shapes (README "Monitoring").
	/// Default 0 = off; RANDOM_HTTP_PORT (-1) = any free port; otherwise 1..65535.
	int httpPort = 0;

	/// Port of the same monitoring endpoint over HTTPS (-ms, --https_port), with the certificate
	/// tlsCert and its key tlsKey. Default 0 = off; RANDOM_HTTP_PORT (-1) = any free port;
	/// otherwise 1..65535. As the Go server: not together with httpPort (one endpoint, HTTP or
	/// HTTPS), and only with tlsCert and tlsKey.
	int httpsPort = 0;

	/// Address the monitoring endpoint listens on (the Go server takes it from -a / the
	/// configuration's "http: host:port"). Default DEFAULT_HTTP_HOST ("0.0.0.0"): all interfaces.
	/// Ignored while httpPort and httpsPort are 0.
	std::string httpHost = DEFAULT_HTTP_HOST;

	/// PEM files of the HTTPS monitoring endpoint's certificate (--tlscert; may hold the chain)
	/// and of its private key, unencrypted (--tlskey). Read at start(). Used only with httpsPort.
	std::string tlsCert;
	std::string tlsKey;

	/// At start(), check that no other streaming server answers on the discovery subject with
	/// the same cluster ID (as the Go server does). Default true.
	bool checkDuplicateServer = true;

	/// Throws Poco::InvalidArgumentException naming the first invalid field.
	void validate() const;
};

} // namespace Nats

#endif // Nats_StanServerOptions_INCLUDED
