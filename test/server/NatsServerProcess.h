//
// NatsServerProcess.h
//
// Starts and stops a real nats-server (Debian package) on a free loopback port.
//

#ifndef Nats_NatsServerProcess_INCLUDED
#define Nats_NatsServerProcess_INCLUDED

#include <Poco/Process.h>
#include <Poco/Pipe.h>
#include <Poco/Timespan.h>
#include <memory>
#include <string>
#include <vector>

namespace Nats {
namespace Test {

/// A nats-server child process. The destructor kills it. Every start waits until the client port
/// accepts connections (at most 10 s) and throws Poco::RuntimeException otherwise.
///
/// Thread safety: none; use from the test thread.
class NatsServerProcess
{
public:
	/// `port` 0 = pick a free one. `extraArgs` are passed to nats-server (e.g. "--user", "u").
	explicit NatsServerProcess(int port = 0, std::vector<std::string> extraArgs = {});
	~NatsServerProcess();

	NatsServerProcess(const NatsServerProcess&) = delete;
	NatsServerProcess& operator=(const NatsServerProcess&) = delete;

	/// Writes `config` to a temp file and passes "-c <file>" on every (re)start.
	void setConfig(const std::string& config);

	void start();
	/// SIGKILL and wait. Idempotent.
	void stop();
	/// stop() then start() on the same port.
	void restart();
	/// SIGSTOP / SIGCONT: the server stops answering while its sockets stay open. pause() returns
	/// once every thread of the process is stopped (/proc state 'T', at most 5 s).
	void pause();
	void resume();

	bool running() const;
	int port() const { return _port; }
	/// "nats://127.0.0.1:<port>"
	std::string url() const;
	/// Where the server logs ($TMPDIR/nats-server-<port>.log).
	std::string logFile() const;
	/// The path of nats-server used, "/usr/sbin/nats-server" or from $PATH.
	static std::string binary();
	/// True if the binary exists.
	static bool available();

	/// A free port for routes (cluster) is kept per instance: "-cluster nats://127.0.0.1:<clusterPort>".
	int clusterPort();

	/// Extra arguments, applied on the next start().
	std::vector<std::string>& args() { return _args; }

	/// Runs JetStream ("-js -sd <dir>") with a temporary store directory of its own, kept across
	/// restart() (so streams survive a restart) and removed by the destructor. Call before start().
	void enableJetStream();

	/// The JetStream store directory, empty unless enableJetStream() was called.
	const std::string& storeDir() const { return _storeDir; }

private:
	int _port;
	int _clusterPort = 0;
	std::vector<std::string> _args;
	std::string _configFile;
	std::string _storeDir;
	std::unique_ptr<Poco::ProcessHandle> _pHandle;
	bool _paused = false;
};

/// The usual fixture set-up: in external mode sets `url` to NATS_URL and returns nullptr;
/// otherwise starts a nats-server on a free port, sets `url` to it and returns it (the caller keeps
/// it alive). Skips the running test when nats-server is not installed.
std::unique_ptr<NatsServerProcess> startNatsServerUnlessExternal(std::string& url);

/// As startNatsServerUnlessExternal(), with JetStream enabled (enableJetStream()). In external
/// mode the server at NATS_URL must run JetStream itself; the test is skipped when it does not.
std::unique_ptr<NatsServerProcess> startJetStreamServerUnlessExternal(std::string& url);

} // namespace Test
} // namespace Nats

#endif
