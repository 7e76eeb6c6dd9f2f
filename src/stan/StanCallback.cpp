//
// StanCallback.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanCallback
//
// SPDX-License-Identifier: Apache-2.0
//

#include "stan/StanCallback.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include <Poco/Exception.h>
#include <Poco/Logger.h>

namespace Nats {

void reportStanError(const Poco::Exception& exc, const StanErrorHandler& handler, Connection* pNc, std::weak_ptr<const void> owner,
	StanCallbackGate& gate)
{
	if (!handler || !pNc)
	{
		Poco::Logger& logger = Poco::Logger::get("Nats.StanConnection");
		if (logger.warning()) logger.warning(exc.displayText());
		return;
	}
	// `handler` and `gate` belong to `owner`: valid while it is locked.
	std::shared_ptr<const Poco::Exception> pCopy(exc.clone());
	ImplAccess::impl(*pNc)->post([owner = std::move(owner), pHandler = &handler, pGate = &gate, pCopy]() {
		auto keep = owner.lock();
		if (!keep) return;
		StanCallbackGate::Scope scope(*pGate);
		try
		{
			(*pHandler)(*pCopy);
		}
		catch (...)
		{
		}
	});
}

void runConnectionLostHandler(const std::function<void(StanConnection&, const std::string&)>& handler, StanConnection* pFacade,
	const std::string& error, StanCallbackGate& gate, const std::function<void(const Poco::Exception&)>& report)
{
	if (!handler || !pFacade) return;
	StanCallbackGate::Scope scope(gate);
	try
	{
		handler(*pFacade, error);
	}
	catch (const Poco::Exception& e)
	{
		report(e);
	}
	catch (...)
	{
	}
}

void joinOrDetach(std::thread& t)
{
	if (!t.joinable()) return;
	if (t.get_id() == std::this_thread::get_id())
		t.detach();
	else
		t.join();
}

void releaseOwnedConnection(std::unique_ptr<Connection>& pOwned, const StanCallbackGate& gate)
{
	if (!pOwned || (!ImplAccess::impl(*pOwned)->isOwnThread() && gate.idle())) return;
	std::unique_ptr<Connection> pNc = std::move(pOwned);
	std::thread([pNc = std::move(pNc)]() mutable { pNc.reset(); }).detach();
}

} // namespace Nats
