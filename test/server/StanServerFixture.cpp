//
// StanServerFixture.cpp
//

#include "StanServerFixture.h"
#include "TestUtil.h"

namespace Nats {
namespace Test {

StanServerFixture::StanServerFixture(const StanServerOptions& options)
	: _options(options), _external(externalMode())
{
	if (_external)
	{
		_options.natsUrl = externalNatsUrl();
		_options.clusterId = stanClusterId();
		return;
	}
	if (!NatsServerProcess::available()) skip("nats-server is not installed");
	_pNats.reset(new NatsServerProcess());
	_pNats->start();
	_options.natsUrl = _pNats->url();
	startStan();
}

StanServerFixture::~StanServerFixture()
{
	try
	{
		if (_pStan) _pStan->stop();
		_pStan.reset();
		_pNats.reset();
	}
	catch (...)
	{
	}
}

std::string StanServerFixture::natsUrl() const
{
	return _options.natsUrl;
}

std::string StanServerFixture::clusterId() const
{
	return _options.clusterId;
}

void StanServerFixture::restartNats()
{
	skipIfExternal("needs to restart nats-server");
	_pNats->restart();
}

void StanServerFixture::stopStan()
{
	skipIfExternal("needs to stop the streaming server");
	if (_pStan) _pStan->stop();
	_pStan.reset();
}

void StanServerFixture::startStan()
{
	skipIfExternal("needs to start the streaming server");
	if (_pStan) _pStan->stop();
	_pStan.reset(new StanServer(_options));
	_pStan->start();
}

} // namespace Test
} // namespace Nats
