//
// StanBackendFixture.cpp
//

#include "StanBackendFixture.h"
#include "TestUtil.h"
#include "Nats/Connection.h"
#include "Nats/StanServer.h"
#include "Nats/Subscription.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JetStreamException.h"
#include "jetstream/JsStanConnection.h"

namespace Nats {
namespace Test {

namespace {

const Poco::Timespan WAIT(10, 0);

class StreamingBackend: public StanBackendFixture
{
public:
	StreamingBackend()
	{
		if (!externalMode() && !NatsServerProcess::available()) skip("nats-server not installed");
		_pFixture.reset(new StanServerFixture());
	}

	~StreamingBackend() override
	{
		// The listener goes before the servers it is connected to.
		_silent = Subscription();
		_pListener.reset();
	}

	bool isJetStream() const override { return false; }

	StanOptions options() const override
	{
		StanOptions o;
		o.natsUrl = _pFixture->natsUrl();
		return o;
	}

	std::string clusterId() const override { return _pFixture->clusterId(); }
	NatsServerProcess* natsServer() override { return _pFixture->natsServer(); }
	StanServerFixture* stan() override { return _pFixture.get(); }

	void stopAnswering() override
	{
		_pFixture->stopStan(); // skips in external mode
		if (_pListener) return;
		Options no;
		no.servers = {_pFixture->natsUrl()};
		_pListener.reset(new Connection(no));
		_pListener->connect();
		_silent = _pListener->subscribe("_STAN.>", [](const Message&) {});
		_pListener->flush(WAIT);
	}

	void restartNats() override { _pFixture->restartNats(); }

	void restartLosingState() override
	{
		_pFixture->stopStan(); // skips in external mode
		_pFixture->startStan();
	}

	std::uint64_t lastSequence(const std::string& channel) override
	{
		skipIfExternal("asks the in-process streaming server");
		StanChannelInfo info;
		if (!_pFixture->stanServer() || !_pFixture->stanServer()->channelInfo(channel, info)) return 0;
		return info.lastSequence;
	}

	void resumeAnswering() override
	{
		_silent = Subscription();
		_pListener.reset();
		if (!_pFixture->stanServer()) _pFixture->startStan();
	}

private:
	std::unique_ptr<StanServerFixture> _pFixture;
	std::unique_ptr<Connection> _pListener;
	Subscription _silent;
};

class JetStreamBackend: public StanBackendFixture
{
public:
	// NatsServerProcess's destructor resumes a paused server before it stops it.
	JetStreamBackend() { _pServer = startJetStreamServerUnlessExternal(_url); }

	bool isJetStream() const override { return true; }

	StanOptions options() const override
	{
		StanOptions o;
		o.natsUrl = _url;
		o.backend = StanOptions::Backend::JETSTREAM;
		o.jetStream.memoryStorage = true;
		return o;
	}

	std::string clusterId() const override { return stanClusterId(); }
	NatsServerProcess* natsServer() override { return _pServer.get(); }

	void stopAnswering() override
	{
		skipIfExternal("pauses nats-server");
		_pServer->pause();
	}

	void restartNats() override
	{
		skipIfExternal("restarts nats-server");
		_pServer->restart();
	}

	void restartLosingState() override { restartNats(); }

	std::uint64_t lastSequence(const std::string& channel) override
	{
		Options no;
		no.servers = {_url};
		Connection nc(no);
		nc.connect();
		JetStreamContext js(nc, WAIT);
		try
		{
			return js.streamInfo(JsStanConnection::streamName(options().jetStream.streamPrefix, channel)).state.lastSeq;
		}
		catch (const JetStreamApiException& e)
		{
			if (e.errCode() == JetStreamApiException::STREAM_NOT_FOUND) return 0;
			throw;
		}
	}

	void resumeAnswering() override
	{
		if (_pServer) _pServer->resume();
	}

private:
	std::unique_ptr<NatsServerProcess> _pServer;
	std::string _url;
};

} // namespace

StanBackendFixture::~StanBackendFixture()
{
}

std::unique_ptr<StanBackendFixture> startStreamingBackend()
{
	return std::unique_ptr<StanBackendFixture>(new StreamingBackend());
}

std::unique_ptr<StanBackendFixture> startJetStreamBackend()
{
	return std::unique_ptr<StanBackendFixture>(new JetStreamBackend());
}

} // namespace Test
} // namespace Nats
