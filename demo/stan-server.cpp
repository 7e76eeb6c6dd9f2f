//
// stan-server.cpp
//
// A NATS Streaming server (memory store) with the flags of nats-streaming-server v0.25 that
// apply. With -ns it connects to an existing nats-server; without, it starts a nats-server child
// process on -a/-p (like the Go binary's embedded server) and stops it on exit.
//
//     stan-server -cid test-cluster                 # nats-server on :4222 + streaming server
//     stan-server -cid c1 -ns nats://host:4222 -mm 1000 -ma 1h -hbi 5s
//     stan-server -m 8222                          # monitoring on http://0.0.0.0:8222/streaming
//     stan-server -ms 8443 --tlscert c.pem --tlskey k.pem   # the same over HTTPS
//
// Exit codes: 0 after SIGINT/SIGTERM, 1 runtime error, 2 usage error.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/StanServer.h"
#include "Nats/Exception.h"
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

const char* const USAGE = R"(Usage: stan-server [options]

Streaming Server Options:
    -cid, --cluster_id  <string>   Cluster ID (default: test-cluster)
    -ns,  --nats_server <string>   Connect to this external NATS server URL (comma separated list);
                                   without it a nats-server child process is started
    -a,   --addr <host>            Address of the started nats-server (default: 0.0.0.0)
    -p,   --port <int>             Port of the started nats-server (default: 4222)
          --nats_server_bin <path> nats-server binary (default: /usr/sbin/nats-server or $PATH)
          --discover_prefix <str>  Discovery subject prefix (default: _STAN.discover)

Streaming Server Store Limits:
    -mc,  --max_channels <int>     Max number of channels (0 for unlimited, default 100)
    -msu, --max_subs <int>         Max number of subscriptions per channel (0 for unlimited, default 1000)
    -mm,  --max_msgs <int>         Max number of messages per channel (0 for unlimited, default 1000000)
    -mb,  --max_bytes <size>       Max messages total size per channel (0 for unlimited, default 1000000KB)
    -ma,  --max_age <duration>     Max duration a message can be stored ("0s" for unlimited)

Streaming Server Heartbeats:
    -hbi, --hb_interval <duration> Interval at which server sends heartbeat to a client (default 30s)
    -hbt, --hb_timeout <duration>  How long server waits for a heartbeat response (default 10s)
    -hbf, --hb_fail_count <int>    Number of failed heartbeats before server closes the client (default 10)

Monitoring Options:
    -m,   --http_port <int>        HTTP port of the monitoring endpoint /streaming/* (serverz, storez,
                                   clientsz, channelsz); 0 = off (default), -1 = any free port
    -ms,  --https_port <int>       The same endpoint over HTTPS (not with -m), with:
          --tlscert <file>         Server certificate file (PEM)
          --tlskey <file>          Private key for server certificate (PEM, unencrypted)
          --http_host <host>       Its address (default: the -a address, 0.0.0.0)

Logging Options:
    -D, -SD, --debug               Enable debugging output
    -V, -SV, --trace               Trace the raw protocol
    -DV, -SDV                      Debug and trace

Common Options:
    -h, --help                     Show this message

Durations: 500ms, 30s, 1m, 1h30m (units ns, us, ms, s, m, h). Sizes: 1024, 512KB, 10MB, 1GB.
)";

struct UsageError: std::runtime_error
{
	using std::runtime_error::runtime_error;
};

/// Go-style duration: a sequence of <number><unit>, e.g. "1h30m", "500ms"; "0" is allowed.
Poco::Timespan parseDuration(const std::string& flag, const std::string& text)
{
	if (text == "0") return 0;
	if (text.empty()) throw UsageError("invalid duration for " + flag + ": empty");
	double totalUs = 0;
	std::size_t i = 0;
	while (i < text.size())
	{
		std::size_t start = i;
		while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
		if (start == i) throw UsageError("invalid duration for " + flag + ": \"" + text + "\"");
		double value = std::stod(text.substr(start, i - start));
		std::size_t ustart = i;
		while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
		std::string unit = text.substr(ustart, i - ustart);
		double mult;
		if (unit == "ns") mult = 0.001;
		else if (unit == "us" || unit == "µs") mult = 1;
		else if (unit == "ms") mult = 1000;
		else if (unit == "s") mult = 1e6;
		else if (unit == "m") mult = 60e6;
		else if (unit == "h") mult = 3600e6;
		else throw UsageError("invalid duration for " + flag + ": \"" + text + "\" (missing or unknown unit)");
		totalUs += value * mult;
	}
	return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(totalUs));
}

std::int64_t parseInt(const std::string& flag, const std::string& text)
{
	try
	{
		std::size_t pos = 0;
		long long v = std::stoll(text, &pos);
		if (pos != text.size()) throw std::invalid_argument(text);
		return v;
	}
	catch (std::exception&)
	{
		throw UsageError("invalid number for " + flag + ": \"" + text + "\"");
	}
}

/// Size with an optional unit: K/KB, M/MB, G/GB, T/TB (powers of 1024).
std::int64_t parseSize(const std::string& flag, const std::string& text)
{
	std::size_t i = 0;
	while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
	if (i == 0) throw UsageError("invalid size for " + flag + ": \"" + text + "\"");
	std::int64_t v = parseInt(flag, text.substr(0, i));
	std::string unit = text.substr(i);
	for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	if (unit.empty() || unit == "B") return v;
	if (unit == "K" || unit == "KB") return v << 10;
	if (unit == "M" || unit == "MB") return v << 20;
	if (unit == "G" || unit == "GB") return v << 30;
	if (unit == "T" || unit == "TB") return v << 40;
	throw UsageError("invalid size unit for " + flag + ": \"" + text + "\"");
}

std::string findNatsServer(const std::string& given)
{
	if (!given.empty()) return given;
	if (access("/usr/sbin/nats-server", X_OK) == 0) return "/usr/sbin/nats-server";
	const char* path = std::getenv("PATH");
	std::string p = path ? path : "";
	std::size_t start = 0;
	while (start <= p.size())
	{
		std::size_t end = p.find(':', start);
		if (end == std::string::npos) end = p.size();
		std::string candidate = p.substr(start, end - start) + "/nats-server";
		if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
		start = end + 1;
	}
	return std::string();
}

/// Starts nats-server as a child that dies with us (PR_SET_PDEATHSIG).
pid_t startNatsServer(const std::string& bin, const std::string& addr, int port, bool debug, bool trace)
{
	std::vector<std::string> args{bin, "-a", addr, "-p", std::to_string(port)};
	if (debug) args.push_back("-D");
	if (trace) args.push_back("-V");
	pid_t pid = fork();
	if (pid < 0) throw std::runtime_error("cannot fork nats-server");
	if (pid == 0)
	{
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		sigset_t none;
		sigemptyset(&none);
		pthread_sigmask(SIG_SETMASK, &none, nullptr);
		std::vector<char*> argv;
		for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
		argv.push_back(nullptr);
		execv(bin.c_str(), argv.data());
		_exit(127);
	}
	return pid;
}

bool waitForPort(const std::string& host, int port, pid_t child, Poco::Timespan timeout)
{
	Poco::Timestamp start;
	while (start.elapsed() < timeout.totalMicroseconds())
	{
		int status = 0;
		if (waitpid(child, &status, WNOHANG) == child) return false; // exited
		try
		{
			Poco::Net::StreamSocket s;
			s.connect(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), Poco::Timespan(0, 200000));
			return true;
		}
		catch (Poco::Exception&)
		{
		}
		// Polling a port that is coming up; there is no event to wait on.
		Poco::Thread::sleep(20);
	}
	return false;
}

} // namespace

int main(int argc, char** argv)
{
	Nats::StanServerOptions opts;
	std::string addr = "0.0.0.0";
	int port = 4222;
	std::string natsServerBin;
	std::string httpHost;
	bool external = false;

	try
	{
		std::vector<std::string> args(argv + 1, argv + argc);
		for (std::size_t i = 0; i < args.size(); ++i)
		{
			std::string a = args[i];
			std::string value;
			std::string::size_type eq = a.find('=');
			bool hasInline = a.size() > 1 && a[0] == '-' && eq != std::string::npos;
			if (hasInline)
			{
				value = a.substr(eq + 1);
				a = a.substr(0, eq);
			}
			auto next = [&]() -> std::string {
				if (hasInline) return value;
				if (i + 1 >= args.size()) throw UsageError("missing value for " + a);
				return args[++i];
			};
			if (a == "-h" || a == "--help" || a == "-help")
			{
				std::cout << USAGE;
				return 0;
			}
			else if (a == "-cid" || a == "--cid" || a == "--cluster_id") opts.clusterId = next();
			else if (a == "-ns" || a == "--ns" || a == "--nats_server")
			{
				opts.natsUrl = next();
				external = true;
			}
			else if (a == "-a" || a == "--addr" || a == "-addr" || a == "--net") addr = next();
			else if (a == "-p" || a == "--port" || a == "-port") port = static_cast<int>(parseInt(a, next()));
			else if (a == "--nats_server_bin") natsServerBin = next();
			else if (a == "--discover_prefix") opts.discoverPrefix = next();
			else if (a == "-mc" || a == "--max_channels") opts.maxChannels = static_cast<int>(parseInt(a, next()));
			else if (a == "-msu" || a == "--max_subs") opts.maxSubscriptions = static_cast<int>(parseInt(a, next()));
			else if (a == "-mm" || a == "--max_msgs") opts.maxMsgs = static_cast<int>(parseInt(a, next()));
			else if (a == "-mb" || a == "--max_bytes") opts.maxBytes = parseSize(a, next());
			else if (a == "-ma" || a == "--max_age") opts.maxAge = parseDuration(a, next());
			else if (a == "-hbi" || a == "--hb_interval") opts.hbInterval = parseDuration(a, next());
			else if (a == "-hbt" || a == "--hb_timeout") opts.hbTimeout = parseDuration(a, next());
			else if (a == "-hbf" || a == "--hb_fail_count") opts.hbFailCount = static_cast<int>(parseInt(a, next()));
			else if (a == "-m" || a == "--http_port" || a == "-http_port") opts.httpPort = static_cast<int>(parseInt(a, next()));
			else if (a == "-ms" || a == "--https_port" || a == "-https_port") opts.httpsPort = static_cast<int>(parseInt(a, next()));
			else if (a == "--tlscert" || a == "-tlscert") opts.tlsCert = next();
			else if (a == "--tlskey" || a == "-tlskey") opts.tlsKey = next();
			else if (a == "--http_host" || a == "-http_host") httpHost = next();
			else if (a == "-D" || a == "-SD" || a == "--debug" || a == "--stan_debug") opts.debug = true;
			else if (a == "-V" || a == "-SV" || a == "--trace" || a == "--stan_trace") opts.trace = true;
			else if (a == "-DV" || a == "-SDV") opts.debug = opts.trace = true;
			else throw UsageError("unknown flag: " + args[i]);
		}
		if (port <= 0 || port > 65535) throw UsageError("invalid port: " + std::to_string(port));
		// As the Go server, the monitoring endpoint listens on the -a address unless told otherwise.
		opts.httpHost = httpHost.empty() ? addr : httpHost;
		opts.validate();
	}
	catch (UsageError& e)
	{
		std::cerr << "stan-server: " << e.what() << "\n\n" << USAGE;
		return 2;
	}
	catch (Poco::InvalidArgumentException& e)
	{
		std::cerr << "stan-server: " << e.displayText() << "\n";
		return 2;
	}

	if (opts.debug || opts.trace)
	{
		Poco::AutoPtr<Poco::PatternFormatter> fmt(new Poco::PatternFormatter("[%P] %Y/%m/%d %H:%M:%S.%F [%q] STREAM: %t"));
		Poco::AutoPtr<Poco::FormattingChannel> ch(new Poco::FormattingChannel(fmt, new Poco::ConsoleChannel));
		Poco::Logger& logger = Poco::Logger::get("Nats.StanServer");
		logger.setChannel(ch);
		logger.setLevel(opts.trace ? Poco::Message::PRIO_TRACE : Poco::Message::PRIO_DEBUG);
	}

	// Signals are taken by sigwait() in main: block them before any thread starts.
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &signals, nullptr);

	pid_t child = -1;
	auto stopChild = [&child]() {
		if (child <= 0) return;
		kill(child, SIGTERM);
		int status = 0;
		for (int i = 0; i < 250; ++i) // up to 5 s, then SIGKILL
		{
			if (waitpid(child, &status, WNOHANG) == child)
			{
				child = -1;
				return;
			}
			Poco::Thread::sleep(20);
		}
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		child = -1;
	};

	int rc = 0;
	try
	{
		if (!external)
		{
			std::string bin = findNatsServer(natsServerBin);
			if (bin.empty()) throw std::runtime_error("nats-server not found (install it or use -ns <url>)");
			child = startNatsServer(bin, addr, port, opts.debug, opts.trace);
			std::string host = (addr == "0.0.0.0" || addr == "::" || addr.empty()) ? "127.0.0.1" : addr;
			if (!waitForPort(host, port, child, Poco::Timespan(10, 0)))
				throw std::runtime_error("nats-server did not start on " + host + ":" + std::to_string(port));
			opts.natsUrl = "nats://" + host + ":" + std::to_string(port);
		}
		Nats::StanServer server(opts);
		server.start();
		std::cout << "Streaming Server is ready: cluster ID \"" << opts.clusterId << "\", NATS " << opts.natsUrl
			<< (external ? "" : " (started nats-server, pid " + std::to_string(child) + ")") << std::endl;
		if (server.monitorPort() != 0)
			std::cout << "Starting " << (opts.httpsPort != 0 ? "https" : "http") << " monitor on " << opts.httpHost << ":"
					  << server.monitorPort() << std::endl;

		for (;;)
		{
			int sig = 0;
			sigwait(&signals, &sig);
			if (sig == SIGCHLD)
			{
				int status = 0;
				if (child > 0 && waitpid(child, &status, WNOHANG) == child)
				{
					child = -1;
					std::cerr << "stan-server: nats-server exited unexpectedly" << std::endl;
					rc = 1;
					break;
				}
				continue;
			}
			std::cout << "Shutting down (signal " << sig << ")" << std::endl;
			break;
		}
		server.stop();
	}
	catch (Poco::Exception& e)
	{
		std::cerr << "stan-server: " << e.displayText() << std::endl;
		rc = 1;
	}
	catch (std::exception& e)
	{
		std::cerr << "stan-server: " << e.what() << std::endl;
		rc = 1;
	}
	stopChild();
	return rc;
}
