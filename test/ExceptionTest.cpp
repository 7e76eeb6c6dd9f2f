//
// ExceptionTest.cpp
//
// The exception hierarchy's promises (include/Nats/Exception.h): every library error is caught by
// NatsException, Poco::IOException, Poco::Exception and std::exception; timeouts are told apart
// with isTimeout().
//

#include "Nats/Exception.h"
#include <Poco/Net/NetException.h>
#include <cppunit/extensions/HelperMacros.h>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

using namespace Nats;

namespace {

/// Which of the generic handlers catch what `thrower` throws, as a string of four flags
/// (NatsException, Poco::IOException, Poco::Exception, std::exception).
std::string caughtBy(const std::function<void()>& thrower)
{
	std::string flags;
	try { thrower(); } catch (NatsException&) { flags += 'N'; } catch (...) { flags += '-'; }
	try { thrower(); } catch (Poco::IOException&) { flags += 'I'; } catch (...) { flags += '-'; }
	try { thrower(); } catch (Poco::Exception&) { flags += 'P'; } catch (...) { flags += '-'; }
	try { thrower(); } catch (std::exception&) { flags += 'S'; } catch (...) { flags += '-'; }
	return flags;
}

} // namespace

class ExceptionTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ExceptionTest);
	CPPUNIT_TEST(testEveryErrorCaughtByEveryGenericHandler);
	CPPUNIT_TEST(testIsTimeout);
	CPPUNIT_TEST(testCloneAndRethrowKeepTheClass);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEveryErrorCaughtByEveryGenericHandler()
	{
		const std::string all = "NIPS";
		CPPUNIT_ASSERT_EQUAL(all, caughtBy([] { throw NatsTimeoutException("nats: timeout"); }));
		CPPUNIT_ASSERT_EQUAL(all, caughtBy([] { throw WriteDeadlineException("nats: write deadline exceeded"); }));
		CPPUNIT_ASSERT_EQUAL(all, caughtBy([] { throw StanConnectTimeoutException("stan: connect request timeout"); }));
		CPPUNIT_ASSERT_EQUAL(all, caughtBy([] { throw StanPubAckTimeoutException("stan: publish ack timeout"); }));
		CPPUNIT_ASSERT_EQUAL(all, caughtBy([] { throw StanClientIDRegisteredException("stan: clientID already registered"); }));
		CPPUNIT_ASSERT_EQUAL(all, caughtBy([] { throw AuthorizationException("Authorization Violation"); }));
		// and POCO's own timeout is not mistaken for one of ours
		CPPUNIT_ASSERT_EQUAL(std::string("--PS"), caughtBy([] { throw Poco::TimeoutException("poco"); }));
	}

	void testIsTimeout()
	{
		CPPUNIT_ASSERT(isTimeout(NatsTimeoutException("x")));
		CPPUNIT_ASSERT(isTimeout(WriteDeadlineException("x")));
		CPPUNIT_ASSERT(isTimeout(StanConnectTimeoutException("x")));
		CPPUNIT_ASSERT(isTimeout(StanRequestTimeoutException("x")));
		CPPUNIT_ASSERT(isTimeout(StanPubAckTimeoutException("x")));
		CPPUNIT_ASSERT(isTimeout(Poco::TimeoutException("x")));
		CPPUNIT_ASSERT(!isTimeout(ConnectionClosedException("x")));
		CPPUNIT_ASSERT(!isTimeout(StanPublishException("x")));
		CPPUNIT_ASSERT(!isTimeout(Poco::Net::NetException("x")));
		CPPUNIT_ASSERT(!isTimeout(Poco::IOException("x")));
		CPPUNIT_ASSERT(!isTimeout(std::runtime_error("timeout")));
		// through a generic reference, as a handler sees it
		try
		{
			throw StanRequestTimeoutException("stan: subscribe request timeout");
		}
		catch (Poco::Exception& e)
		{
			CPPUNIT_ASSERT(isTimeout(e));
			CPPUNIT_ASSERT_EQUAL(std::string("stan: subscribe request timeout"), e.message());
		}
	}

	void testCloneAndRethrowKeepTheClass()
	{
		// errors handed across threads are cloned (ack handlers, error handler): the copy must
		// still be the same class when rethrown
		StanPubAckTimeoutException original("stan: publish ack timeout");
		std::unique_ptr<Poco::Exception> copy(original.clone());
		CPPUNIT_ASSERT_EQUAL(std::string(original.className()), std::string(copy->className()));
		CPPUNIT_ASSERT_THROW(copy->rethrow(), StanPubAckTimeoutException);
		CPPUNIT_ASSERT(isTimeout(*copy));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ExceptionTest);
