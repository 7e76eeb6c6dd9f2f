//
// FakeNatsServer.h
//
// A scripted NATS server for protocol edge cases a real nats-server does not produce.
//

#ifndef Nats_FakeNatsServer_INCLUDED
#define Nats_FakeNatsServer_INCLUDED

#include "Nats/Options.h"
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Runnable.h>
#include <Poco/Thread.h>
#include <Poco/Timespan.h>
#include <atomic>
#include <functional>
#include <mutex>
#include <string>

namespace Nats {
namespace Test {

/// Listens on 127.0.0.1:<ephemeral>; for every accepted connection runs the script on the server
/// thread (one connection at a time). The script talks through a Session. Exceptions thrown by the
/// script end that session (the socket is closed) and are recorded in error().
///
///     FakeNatsServer fake([](FakeNatsServer::Session& s) {
///         s.send("INFO {\"server_id\":\"fake\"}\r\n");
///         s.expectLine("CONNECT ");
///         s.expectLine("PING");
///         s.send("PONG\r\n");
///         s.readUntilClosed();
///     });
///
/// Thread safety: the destructor stops the thread (closing the listener and the current session).
class FakeNatsServer: public Poco::Runnable
{
public:
	class Session
	{
	public:
		explicit Session(Poco::Net::StreamSocket& socket, int index): _socket(socket), _index(index) {}

		/// Writes raw bytes.
		void send(const std::string& data);
		/// Reads one CRLF-terminated line (without CRLF), at most `timeout`.
		/// Throws Poco::TimeoutException, Poco::IOException when the peer closed.
		std::string readLine(Poco::Timespan timeout = Poco::Timespan(5, 0));
		/// Reads lines until one starts with `prefix`, at most `timeout`; returns it.
		std::string expectLine(const std::string& prefix, Poco::Timespan timeout = Poco::Timespan(5, 0));
		/// Reads until the client closes the connection (or `timeout`).
		void readUntilClosed(Poco::Timespan timeout = Poco::Timespan(30, 0));
		/// Closes the connection.
		void close();
		/// 0 for the first accepted connection, 1 for the next...
		int index() const { return _index; }
		/// The INFO + handshake reply for a normal session: INFO, expect CONNECT and PING, PONG.
		/// Returns the CONNECT JSON.
		std::string handshake(const std::string& infoJson = "{\"server_id\":\"fake\",\"max_payload\":1048576,\"proto\":1,\"headers\":true}");

	private:
		Poco::Net::StreamSocket& _socket;
		std::string _buffer;
		int _index;
	};

	using Script = std::function<void(Session&)>;

	explicit FakeNatsServer(Script script);
	~FakeNatsServer() override;

	int port() const { return _port; }
	std::string url() const { return "nats://127.0.0.1:" + std::to_string(_port); }
	/// Client options for this server: connect timeout 1 s, reconnect forever every ~20 ms.
	Options clientOptions() const
	{
		Options o;
		o.servers = {url()};
		o.connectTimeout = Poco::Timespan(1, 0);
		o.reconnectWait = Poco::Timespan(0, 20000);
		o.reconnectJitter = Poco::Timespan(0, 1000);
		o.maxReconnect = -1;
		return o;
	}
	/// Connections accepted so far.
	int accepted() const { return _accepted.load(); }
	/// Sessions whose script returned or threw.
	int finished() const { return _finished.load(); }
	/// Text of the last exception thrown by a script, empty if none.
	std::string error() const;

	void run() override;

private:
	Script _script;
	Poco::Net::ServerSocket _listener;
	int _port;
	std::atomic<bool> _stop{false};
	std::atomic<int> _accepted{0};
	std::atomic<int> _finished{0};
	mutable std::mutex _mutex;
	Poco::Net::StreamSocket _current;
	std::string _error;
	Poco::Thread _thread;
};

} // namespace Test
} // namespace Nats

#endif
