//
// DemoEnvironment.cpp
//
// Library: Nats
// Package: Demo
// Module:  DemoEnvironment
//
// SPDX-License-Identifier: Apache-2.0
//

#include "DemoEnvironment.h"
#include "Nats/StanServer.h"
#include "util/LocalPort.h"
#include "util/WaitFor.h"
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Process.h>
#include <Poco/Random.h>
#include <iostream>
#include <mutex>
#include <sstream>

namespace Nats {
namespace Demo {

namespace {

const char* const NATS_SERVER = "/usr/sbin/nats-server";
const char* const DEFAULT_CLUSTER_ID = "test-cluster";

std::mutex outputMutex;

} // namespace

int DemoEnvironment::run(const std::string& name, const Body& body)
{
	bool ok = false;
	try
	{
		DemoEnvironment env;
		body(env);
		ok = env.passed();
	}
	catch (Poco::Exception& exc)
	{
		std::cout << name << ": error: " << exc.displayText() << std::endl;
	}
	catch (std::exception& exc)
	{
		std::cout << name << ": error: " << exc.what() << std::endl;
	}
	std::cout << name << (ok ? ": OK" : ": FAILED") << std::endl;
	return ok ? 0 : 1;
}

DemoEnvironment::DemoEnvironment()
{
	_natsUrl = Poco::Environment::get("NATS_URL", "");
	const std::string backend = Poco::Environment::get("STAN_BACKEND", "");
	if (backend == "jetstream") _jetStream = true;
	else if (!backend.empty() && backend != "streaming")
		throw Poco::InvalidArgumentException("STAN_BACKEND must be \"jetstream\" or \"streaming\", not \"" + backend + "\"");
	_clusterId = Poco::Environment::get("STAN_CLUSTER_ID", DEFAULT_CLUSTER_ID);
	if (_natsUrl.empty())
	{
		_clusterId = DEFAULT_CLUSTER_ID;
		startEmbedded();
	}
	else
	{
		std::cout << "using NATS_URL=" << _natsUrl << (_jetStream ? ", JetStream" : ", cluster " + _clusterId) << std::endl;
	}
}

DemoEnvironment::~DemoEnvironment()
{
	stopEmbedded();
}

void DemoEnvironment::startEmbedded()
{
	if (!Poco::File(NATS_SERVER).exists())
		throw Poco::FileNotFoundException(std::string(NATS_SERVER) + " (install the nats-server package, or set NATS_URL)");

	int port = Test::freePort();
	_logFile = Poco::Path::temp() + "demo-nats-server-" + std::to_string(port) + ".log";
	Poco::Process::Args args{"-a", "127.0.0.1", "-p", std::to_string(port), "-l", _logFile};
	if (_jetStream)
	{
		_storeDir = Poco::Path::temp() + "demo-jetstream-" + std::to_string(port);
		Poco::File(_storeDir).createDirectories();
		args.insert(args.end(), {"-js", "-sd", _storeDir});
	}
	_pNatsServer.reset(new Poco::ProcessHandle(Poco::Process::launch(NATS_SERVER, args)));
	_embedded = true;

	bool up = waitFor([&]() { return Test::portOpen(port) || !Poco::Process::isRunning(*_pNatsServer); }, Poco::Timespan(10, 0));
	if (!up || !Poco::Process::isRunning(*_pNatsServer))
	{
		_keepLog = true;   // the error message points at it
		stopEmbedded();
		throw Poco::RuntimeException("nats-server did not start on port " + std::to_string(port) + ", see " + _logFile);
	}
	_natsUrl = "nats://127.0.0.1:" + std::to_string(port);
	if (_jetStream)
	{
		std::cout << "embedded nats-server -js on " << _natsUrl << " (JetStream backend)" << std::endl;
		return;
	}

	StanServerOptions options;
	options.clusterId = _clusterId;
	options.natsUrl = _natsUrl;
	options.checkDuplicateServer = false;   // a fresh nats-server of our own: nobody else can be there
	_pStanServer.reset(new StanServer(options));
	try
	{
		_pStanServer->start();
	}
	catch (...)
	{
		stopEmbedded();
		throw;
	}
	std::cout << "embedded nats-server on " << _natsUrl << " + streaming server, cluster " << _clusterId << std::endl;
}

void DemoEnvironment::stopEmbedded()
{
	if (_pStanServer)
	{
		try
		{
			_pStanServer->stop();
		}
		catch (Poco::Exception& exc)
		{
			std::cerr << "stopping the streaming server: " << exc.displayText() << std::endl;
		}
		_pStanServer.reset();
	}
	if (_pNatsServer)
	{
		try
		{
			if (Poco::Process::isRunning(*_pNatsServer))
				Poco::Process::kill(*_pNatsServer);
			_pNatsServer->wait();
		}
		catch (Poco::Exception&)
		{
		}
		_pNatsServer.reset();
		try
		{
			if (!_keepLog) Poco::File(_logFile).remove();
			if (!_storeDir.empty()) Poco::File(_storeDir).remove(true);
		}
		catch (Poco::Exception&)
		{
		}
	}
}

StanOptions DemoEnvironment::stanOptions() const
{
	StanOptions options;
	options.natsUrl = _natsUrl;
	if (_jetStream) options.backend = StanOptions::Backend::JETSTREAM;
	return options;
}

Options DemoEnvironment::natsOptions() const
{
	Options options;
	options.servers = Options::splitUrls(_natsUrl);
	return options;
}

std::string DemoEnvironment::uniqueName(const std::string& name) const
{
	if (_embedded) return name;
	static Poco::Random random;
	static bool seeded = false;
	static std::mutex mutex;
	std::lock_guard<std::mutex> lock(mutex);
	if (!seeded)
	{
		random.seed();
		seeded = true;
	}
	std::ostringstream out;
	out << name << '-' << std::hex << random.next() << random.next();
	return out.str();
}

bool DemoEnvironment::check(bool condition, const std::string& what)
{
	if (!condition) ++_failures;
	std::lock_guard<std::mutex> lock(outputMutex);
	std::cout << (condition ? "  [ok] " : "  [FAILED] ") << what << std::endl;
	return condition;
}

bool DemoEnvironment::waitFor(const std::function<bool()>& predicate, Poco::Timespan timeout)
{
	return Test::waitFor(predicate, timeout);
}

void DemoEnvironment::MessageLog::add(const StanMessage& message)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_messages.push_back(message);
}

std::size_t DemoEnvironment::MessageLog::count() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _messages.size();
}

bool DemoEnvironment::MessageLog::waitForCount(std::size_t n, Poco::Timespan timeout) const
{
	return DemoEnvironment::waitFor([&]() { return count() >= n; }, timeout);
}

std::vector<std::uint64_t> DemoEnvironment::MessageLog::sequences() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<std::uint64_t> result;
	result.reserve(_messages.size());
	for (const auto& m: _messages) result.push_back(m.sequence());
	return result;
}

std::vector<StanMessage> DemoEnvironment::MessageLog::messages() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _messages;
}

bool DemoEnvironment::MessageLog::isRange(std::uint64_t first, std::uint64_t last) const
{
	std::vector<std::uint64_t> seqs = sequences();
	if (last < first || seqs.size() != last - first + 1) return false;
	for (std::size_t i = 0; i < seqs.size(); ++i)
	{
		if (seqs[i] != first + i) return false;
	}
	return true;
}

std::string DemoEnvironment::MessageLog::describe() const
{
	std::vector<std::uint64_t> seqs = sequences();
	if (seqs.empty()) return "none";
	std::ostringstream out;
	std::size_t i = 0;
	while (i < seqs.size())
	{
		std::size_t j = i;
		while (j + 1 < seqs.size() && seqs[j + 1] == seqs[j] + 1) ++j;
		if (i > 0) out << ", ";
		out << seqs[i];
		if (j > i) out << '-' << seqs[j];
		i = j + 1;
	}
	return out.str();
}

} // namespace Demo
} // namespace Nats
