//
// NatsServerProcess.cpp
//

#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "Nats/Connection.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Exception.h>
#include <Poco/Environment.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Path.h>
#include <fstream>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

namespace Nats {
namespace Test {

NatsServerProcess::NatsServerProcess(int port, std::vector<std::string> extraArgs)
	: _port(port ? port : freePort()), _args(std::move(extraArgs))
{
}

NatsServerProcess::~NatsServerProcess()
{
	try
	{
		stop();
		if (!_configFile.empty()) Poco::File(_configFile).remove();
		if (!_storeDir.empty()) Poco::File(_storeDir).remove(true);
	}
	catch (...)
	{
	}
}

std::string NatsServerProcess::binary()
{
	if (Poco::File("/usr/sbin/nats-server").exists()) return "/usr/sbin/nats-server";
	Poco::StringTokenizer dirs(Poco::Environment::get("PATH", ""), ":", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
	for (const auto& d: dirs)
	{
		Poco::Path p(d, "nats-server");
		if (Poco::File(p).exists()) return p.toString();
	}
	return std::string();
}

bool NatsServerProcess::available()
{
	return !binary().empty();
}

void NatsServerProcess::enableJetStream()
{
	if (!_storeDir.empty()) return;
	_storeDir = Poco::TemporaryFile::tempName() + "-js";
	Poco::File(_storeDir).createDirectories();
	_args.push_back("-js");
	_args.push_back("-sd");
	_args.push_back(_storeDir);
}

void NatsServerProcess::setConfig(const std::string& config)
{
	if (_configFile.empty()) _configFile = Poco::TemporaryFile::tempName() + ".conf";
	Poco::FileOutputStream out(_configFile);
	out << config;
}

int NatsServerProcess::clusterPort()
{
	if (!_clusterPort) _clusterPort = freePort();
	return _clusterPort;
}

std::string NatsServerProcess::logFile() const
{
	return Poco::Path::temp() + "nats-server-" + std::to_string(_port) + ".log";
}

std::string NatsServerProcess::url() const
{
	return "nats://127.0.0.1:" + std::to_string(_port);
}

void NatsServerProcess::start()
{
	if (running()) return;
	std::string bin = binary();
	if (bin.empty()) throw Poco::FileNotFoundException("nats-server not found (apt-get install nats-server)");
	std::vector<std::string> args{"-a", "127.0.0.1", "-p", std::to_string(_port), "-l", logFile()};
	if (!_configFile.empty())
	{
		args.push_back("-c");
		args.push_back(_configFile);
	}
	args.insert(args.end(), _args.begin(), _args.end());
	_pHandle.reset(new Poco::ProcessHandle(Poco::Process::launch(bin, args, nullptr, nullptr, nullptr)));
	_paused = false;
	if (!waitFor([this]() { return portOpen(_port) || !running(); }, Poco::Timespan(10, 0)) || !running())
	{
		stop();
		throw Poco::RuntimeException("nats-server did not start on port " + std::to_string(_port));
	}
}

bool NatsServerProcess::running() const
{
	if (!_pHandle) return false;
	return Poco::Process::isRunning(*_pHandle);
}

void NatsServerProcess::stop()
{
	if (!_pHandle) return;
	pid_t pid = static_cast<pid_t>(_pHandle->id());
	if (_paused) ::kill(pid, SIGCONT);
	::kill(pid, SIGKILL);
	try
	{
		_pHandle->wait();
	}
	catch (...)
	{
	}
	_pHandle.reset();
	_paused = false;
	// The port is free again once nothing accepts on it.
	waitFor([this]() { return !portOpen(_port); }, Poco::Timespan(5, 0));
}

void NatsServerProcess::restart()
{
	stop();
	start();
}

namespace {

/// The state letter of a /proc/.../stat file ('T' once stopped), '?' if unreadable.
char statState(const std::string& path)
{
	std::ifstream in(path);
	std::string line;
	if (!std::getline(in, line)) return '?';
	std::string::size_type close = line.rfind(')');
	if (close == std::string::npos || close + 2 >= line.size()) return '?';
	return line[close + 2];
}

/// True when every thread of `pid` is stopped (or the process is gone).
bool allThreadsStopped(int pid)
{
	try
	{
		Poco::DirectoryIterator end;
		for (Poco::DirectoryIterator it("/proc/" + std::to_string(pid) + "/task"); it != end; ++it)
		{
			const char s = statState(it->path() + "/stat");
			if (s != 'T' && s != 't' && s != '?') return false;
		}
	}
	catch (const Poco::Exception&)
	{
	}
	return true;
}

} // namespace

void NatsServerProcess::pause()
{
	if (_pHandle && !_paused)
	{
		const int pid = static_cast<int>(_pHandle->id());
		::kill(static_cast<pid_t>(pid), SIGSTOP);
		_paused = true;
		// SIGSTOP takes effect asynchronously: wait until the process is really stopped, so that
		// nothing sent after pause() returns is processed before resume().
		waitFor([pid]() { return allThreadsStopped(pid); }, Poco::Timespan(5, 0));
	}
}

void NatsServerProcess::resume()
{
	if (_pHandle && _paused)
	{
		::kill(static_cast<pid_t>(_pHandle->id()), SIGCONT);
		_paused = false;
	}
}

std::unique_ptr<NatsServerProcess> startNatsServerUnlessExternal(std::string& url)
{
	if (externalMode())
	{
		url = externalNatsUrl();
		return nullptr;
	}
	if (!NatsServerProcess::available()) skip("nats-server not installed");
	std::unique_ptr<NatsServerProcess> pServer(new NatsServerProcess());
	pServer->start();
	url = pServer->url();
	return pServer;
}

std::unique_ptr<NatsServerProcess> startJetStreamServerUnlessExternal(std::string& url)
{
	if (externalMode())
	{
		url = externalNatsUrl();
		// The external server may be a plain one (a streaming cluster): skip rather than fail.
		bool enabled = false;
		try
		{
			Options o;
			o.servers = {url};
			Connection probe(o);
			probe.connect();
			probe.request("$JS.API.INFO", "", Poco::Timespan(2, 0));
			enabled = true;
		}
		catch (const Poco::Exception&)
		{
		}
		if (!enabled) skip("JetStream not enabled at NATS_URL");
		return nullptr;
	}
	if (!NatsServerProcess::available()) skip("nats-server not installed");
	std::unique_ptr<NatsServerProcess> pServer(new NatsServerProcess());
	pServer->enableJetStream();
	pServer->start();
	url = pServer->url();
	return pServer;
}

} // namespace Test
} // namespace Nats
