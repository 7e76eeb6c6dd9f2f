//
// stan-sub.cpp
//
// Subscribes to a NATS Streaming channel and prints what arrives; the flags are those of the Go
// tool (stan.go examples/stan-sub), plus -n and --timeout for scripts:
//
//     stan-sub [-s urls] [-c cluster] [-id client] [--seq N] [--since 1m] [--last] [--all]
//              [--durable name] [--qgroup name] [--unsub] [-n count] [--timeout 10s] <channel>
//
// Runs until SIGINT/SIGTERM (or until -n messages arrived). At exit a durable subscription is
// closed (kept on the server) unless --unsub is given; a non-durable one is unsubscribed.
// Exit status: 0 ok, 1 runtime error (connection, subscription, --timeout expired), 2 usage error.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include "StanTool.h"
#include <Poco/NumberParser.h>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include "ToolFlags.h"
#include <iostream>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

namespace {

const char* const USAGE =
	"Usage: stan-sub [options] <channel>\n"
	"\n"
	"Options:\n"
	"\t-s,  --server   <url>            NATS server URL(s), comma separated\n"
	"\t                                 (default: $NATS_URL or nats://127.0.0.1:4222)\n"
	"\t-c,  --cluster  <cluster name>   NATS Streaming cluster ID (default: $STAN_CLUSTER_ID or test-cluster)\n"
	"\t-id, --clientid <client ID>      NATS Streaming client ID (default: stan-sub)\n"
	"\t-h,  --help                      Show this help\n"
	"\n"
	"Subscription options:\n"
	"\t--qgroup <name>                  Queue group\n"
	"\t--seq <seq>                      Start at sequence number\n"
	"\t--all                            Deliver all available messages\n"
	"\t--last                           Deliver starting with the last published message\n"
	"\t--since <duration>               Deliver messages of the last interval (e.g. 1s, 1m, 1h30m, 500ms)\n"
	"\t--durable <name>                 Durable subscriber name\n"
	"\t--unsub, --unsubscribe           Unsubscribe the durable on exit (default: close it, keeping it)\n"
	"\n"
	"Script options:\n"
	"\t-n <count>                       Exit after <count> messages (default 0: run until SIGINT/SIGTERM)\n"
	"\t--timeout <duration>             With -n: exit with status 1 if <count> messages did not arrive in time\n";

int usageError(const std::string& message)
{
	return Nats::Demo::usageError("stan-sub", USAGE, message);
}

/// Parses a Go-style duration ("300ms", "1.5h", "2h45m", units ns us ms s m h). Returns false on error.
bool parseDuration(const std::string& text, Poco::Timespan& result)
{
	static const struct { const char* unit; double micros; } UNITS[] = {
		{"ns", 0.001}, {"us", 1.0}, {"µs", 1.0}, {"ms", 1000.0}, {"s", 1e6}, {"m", 60e6}, {"h", 3600e6}};
	if (text.empty()) return false;
	double total = 0;
	std::string::size_type pos = 0;
	while (pos < text.size())
	{
		std::string::size_type start = pos;
		while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.')) ++pos;
		if (pos == start) return false;
		double number = 0;
		if (!Poco::NumberParser::tryParseFloat(text.substr(start, pos - start), number)) return false;
		std::string::size_type unitStart = pos;
		while (pos < text.size() && !std::isdigit(static_cast<unsigned char>(text[pos])) && text[pos] != '.') ++pos;
		std::string unit = text.substr(unitStart, pos - unitStart);
		bool known = false;
		for (const auto& u: UNITS)
		{
			if (unit == u.unit)
			{
				total += number * u.micros;
				known = true;
			}
		}
		if (!known) return false;
	}
	result = Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(total));
	return true;
}

std::string quoted(const std::string& data)
{
	std::string out = "\"";
	for (unsigned char c: data)
	{
		if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
		else if (c == '\n') out += "\\n";
		else if (c < 0x20 || c == 0x7f)
		{
			static const char* HEX = "0123456789abcdef";
			out += "\\x";
			out += HEX[c >> 4];
			out += HEX[c & 15];
		}
		else out += static_cast<char>(c);
	}
	return out + "\"";
}

} // namespace

int main(int argc, char** argv)
{
	Nats::Demo::StanToolConnection connection("stan-sub");
	const std::string& clientId = connection.clientId;
	std::string qgroup, durable;
	bool unsubscribe = false;
	Nats::StanSubscriptionOptions subOptions;
	int startFlags = 0;
	Poco::Int64 count = 0;
	Poco::Timespan timeout;
	bool haveTimeout = false;

	// Go's flag package syntax: -name and --name, "-name value" and "-name=value".
	Nats::Demo::GoFlags flags(argc, argv);
	std::string value;
	while (flags.next())
	{
		const std::string& name = flags.name();
		auto needValue = [&]() { return flags.value(value); };

		if (name == "h" || name == "help")
		{
			std::cout << USAGE;
			return 0;
		}
		else if (name == "all")
		{
			subOptions.deliverAllAvailable();
			++startFlags;
		}
		else if (name == "last")
		{
			subOptions.startWithLastReceived();
			++startFlags;
		}
		else if (name == "unsub" || name == "unsubscribe")
		{
			unsubscribe = true;
		}
		else if (Nats::Demo::StanToolConnection::isFlag(name)
			|| name == "qgroup" || name == "durable" || name == "seq" || name == "since" || name == "n" || name == "timeout")
		{
			if (!needValue()) return usageError("flag needs an argument: -" + name);
			if (Nats::Demo::StanToolConnection::isFlag(name)) connection.take(name, value);
			else if (name == "qgroup") qgroup = value;
			else if (name == "durable") durable = value;
			else if (name == "seq")
			{
				Poco::UInt64 seq = 0;
				if (!Poco::NumberParser::tryParseUnsigned64(value, seq) || seq == 0)
					return usageError("invalid value \"" + value + "\" for flag -seq: a sequence >= 1");
				subOptions.startAtSequence(seq);
				++startFlags;
			}
			else if (name == "since")
			{
				Poco::Timespan since;
				if (!parseDuration(value, since))
					return usageError("invalid value \"" + value + "\" for flag -since: a duration like 30s, 1m, 1h30m");
				subOptions.startAtTimeDelta(since);
				++startFlags;
			}
			else if (name == "n")
			{
				if (!Poco::NumberParser::tryParse64(value, count) || count < 0)
					return usageError("invalid value \"" + value + "\" for flag -n: a count >= 0");
			}
			else
			{
				if (!parseDuration(value, timeout) || timeout <= 0)
					return usageError("invalid value \"" + value + "\" for flag -timeout: a duration like 10s");
				haveTimeout = true;
			}
		}
		else
		{
			return usageError("flag provided but not defined: " + flags.arg());
		}
	}
	const std::vector<std::string>& positional = flags.positional();
	if (positional.size() != 1)
		return usageError("expected exactly one <channel>");
	if (startFlags > 1)
		return usageError("use only one of --seq, --since, --last, --all");
	if (haveTimeout && count == 0)
		return usageError("--timeout needs -n <count>");
	const std::string& channel = positional[0];
	subOptions.durableName = durable;
	// Manual acks: only printed messages are acked, so a durable keeps what arrived beyond -n.
	subOptions.setManualAckMode();

	// SIGINT/SIGTERM are handled by sigwait() on one thread; block them before any other thread
	// starts so that every thread inherits the mask.
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &signals, nullptr);

	std::mutex mutex;
	std::condition_variable wake;
	bool stop = false;
	int stopSignal = 0;
	Poco::Int64 received = 0;

	std::thread signalThread([&]()
	{
		int sig = 0;
		sigwait(&signals, &sig);
		std::lock_guard<std::mutex> lock(mutex);
		stop = true;
		stopSignal = sig;
		wake.notify_all();
	});
	auto endSignalThread = [&]()
	{
		if (!signalThread.joinable()) return;
		bool signalled;
		{
			std::lock_guard<std::mutex> lock(mutex);
			signalled = stopSignal != 0;
		}
		if (!signalled) pthread_kill(signalThread.native_handle(), SIGTERM);   // pending on that thread: sigwait returns
		signalThread.join();
	};

	int status = Nats::Demo::runStanTool("stan-sub", [&]()
	{
		int result = 0;
		std::unique_ptr<Nats::StanConnection> pConnection = connection.connect();
		Nats::StanConnection& sc = *pConnection;

		auto handler = [&](const Nats::StanMessage& m)
		{
			std::lock_guard<std::mutex> lock(mutex);
			if (count > 0 && received >= count) return;   // beyond -n: not acked, the server keeps it
			++received;
			std::cout << "[#" << received << "] Received: sequence:" << m.sequence() << " subject:" << quoted(m.channel())
				<< " data:" << quoted(m.data()) << " timestamp:" << m.timestamp()
				<< (m.isRedelivered() ? " redelivered:true" : "") << std::endl;
			m.ack();
			if (count > 0 && received >= count)
			{
				stop = true;
				wake.notify_all();
			}
		};
		Nats::StanSubscription sub = qgroup.empty()
			? sc.subscribe(channel, handler, subOptions)
			: sc.queueSubscribe(channel, qgroup, handler, subOptions);
		{
			std::lock_guard<std::mutex> lock(mutex);   // the handler may already be printing
			std::cout << "Listening on [" << channel << "], clientID=[" << clientId << "], qgroup=[" << qgroup
				<< "] durable=[" << durable << "]" << std::endl;
		}

		bool completed = true;
		{
			std::unique_lock<std::mutex> lock(mutex);
			if (haveTimeout)
				completed = wake.wait_for(lock, std::chrono::microseconds(timeout.totalMicroseconds()), [&]() { return stop; });
			else
				wake.wait(lock, [&]() { return stop; });
			if (stopSignal != 0)
				std::cout << "Received " << (stopSignal == SIGINT ? "an interrupt" : "SIGTERM") << ", "
					<< (durable.empty() || unsubscribe ? "unsubscribing" : "closing the subscription") << " and closing connection..." << std::endl;
		}
		if (!completed)
		{
			std::cerr << "stan-sub: timeout: received " << received << " of " << count << " messages" << std::endl;
			result = 1;
		}

		// As the Go tool: a durable is only closed (kept) unless --unsub; others are unsubscribed.
		if (durable.empty() || unsubscribe)
			sub.unsubscribe();
		else
			sub.close();
		sc.close();
		return result;
	});
	endSignalThread();
	return status;
}
