//
// JetStreamClusterTest.cpp
//
// The JetStream backend on a 3-node JetStream cluster (nats-server routes, R3 stream): a node is
// killed in the middle of a publish burst, and every publish that was acked is still delivered.
//

#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JsStanConnection.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Timestamp.h>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

using namespace Nats;

class JetStreamClusterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JetStreamClusterTest);
	CPPUNIT_TEST(testNodeKilledMidPublishNothingAckedLost);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		Test::skipIfExternal("starts its own 3-node cluster");
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
		for (int i = 0; i < 3; ++i) _nodes.emplace_back(new Test::NatsServerProcess());
		for (int i = 0; i < 3; ++i)
		{
			std::string routes;
			for (int j = 0; j < 3; ++j)
			{
				if (j == i) continue;
				if (!routes.empty()) routes += ",";
				routes += "nats://127.0.0.1:" + std::to_string(_nodes[j]->clusterPort());
			}
			auto& args = _nodes[i]->args();
			args.insert(args.end(), {"-n", "n" + std::to_string(i + 1), "--cluster_name", "JSC", "-cluster",
				"nats://127.0.0.1:" + std::to_string(_nodes[i]->clusterPort()), "-routes", routes});
			_nodes[i]->enableJetStream();
		}
		for (auto& n: _nodes) n->start();
	}

	void tearDown() override
	{
		_nodes.clear();
	}

	std::string urls() const
	{
		std::string s;
		for (const auto& n: _nodes)
		{
			if (!s.empty()) s += ",";
			s += n->url();
		}
		return s;
	}

	void testNodeKilledMidPublishNothingAckedLost()
	{
		// The cluster is usable once a meta leader is elected: account info answers.
		Options no;
		no.servers = {_nodes[0]->url()};
		Connection admin(no);
		admin.connect();
		JetStreamContext js(admin, Poco::Timespan(10, 0));
		NATS_WAIT_FOR(([&]() {
			try
			{
				js.accountInfo();
				return true;
			}
			catch (const Poco::Exception&)
			{
				return false;
			}
		})(), Poco::Timespan(30, 0));

		StanOptions o;
		o.natsUrl = urls();
		o.backend = StanOptions::Backend::JETSTREAM;
		o.jetStream.replicas = 3;
		o.pubAckWait = Poco::Timespan(3, 0);
		o.connectWait = Poco::Timespan(15, 0); // API requests while a leader is elected
		o.maxPubAcksInflight = 64;
		const std::string channel = Test::uniqueName("r3");
		const std::string stream = JsStanConnection::streamName("", channel);
		StanConnection sc(Test::stanClusterId(), Test::uniqueName("c"), o);
		sc.connect();
		sc.publish(channel, "first"); // creates the R3 stream
		StreamInfo info = js.streamInfo(stream);
		CPPUNIT_ASSERT_EQUAL(3, info.config.replicas);
		std::string leader;
		NATS_WAIT_FOR(([&]() {
			try
			{
				leader = js.streamInfo(stream).leader;
			}
			catch (const Poco::Exception&)
			{
			}
			return !leader.empty();
		})(), Poco::Timespan(30, 0));

		std::mutex mutex;
		std::set<int> acked;
		std::atomic<int> failed{0};
		std::atomic<int> completed{0};
		const int BEFORE = 1000;  // published before the kill (the kill comes once half is acked)
		const int AFTER = 1000;   // acked publishes wanted after the kill
		int attempted = 0;
		std::size_t ackedAtKill = 0;
		auto publishOne = [&](int i) {
			try
			{
				sc.publishAsync(channel, "p" + std::to_string(i), [&, i](const std::string&, const std::string& error) {
					if (error.empty())
					{
						std::lock_guard<std::mutex> l(mutex);
						acked.insert(i);
					}
					else
					{
						++failed;
					}
					++completed;
				});
				++attempted;
			}
			catch (const NatsException&)
			{
				// The NATS connection is moving to another node (no buffering): this one was not
				// sent, so it can never be acked. Go on once connected again.
				NATS_WAIT_FOR(sc.natsConnection().isConnected(), Poco::Timespan(20, 0));
			}
		};
		int i = 0;
		for (; i < BEFORE; ++i)
		{
			if (i == BEFORE / 2)
			{
				NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> l(mutex); return acked.size() >= static_cast<std::size_t>(BEFORE / 4); })(),
					Poco::Timespan(20, 0));
			}
			publishOne(i);
		}
		{
			std::lock_guard<std::mutex> l(mutex);
			ackedAtKill = acked.size();
		}
		// Kill the stream leader while up to maxPubAcksInflight publishes are in flight.
		bool killed = false;
		for (std::size_t n = 0; n < _nodes.size(); ++n)
		{
			if ("n" + std::to_string(n + 1) == leader)
			{
				_nodes[n]->stop();
				killed = true;
			}
		}
		CPPUNIT_ASSERT_MESSAGE("leader " + leader, killed);
		const Poco::Timestamp start;
		while (true)
		{
			{
				std::lock_guard<std::mutex> l(mutex);
				if (acked.size() >= ackedAtKill + AFTER) break;
			}
			CPPUNIT_ASSERT_MESSAGE("publishing did not resume after the kill", start.elapsed() < 60 * Poco::Timestamp::resolution());
			publishOne(i++);
		}
		NATS_WAIT_FOR(completed.load() == attempted, Poco::Timespan(60, 0));
		std::set<int> ackedCopy;
		{
			std::lock_guard<std::mutex> l(mutex);
			ackedCopy = acked;
		}
		CPPUNIT_ASSERT(ackedCopy.size() >= ackedAtKill + AFTER);

		// Every acked message is in the stream, read back through the streaming API.
		std::mutex gm;
		std::set<std::string> got;
		StanSubscription sub;
		// The consumer is created on the new stream leader (retried while the cluster settles).
		NATS_WAIT_FOR(([&]() {
			try
			{
				sub = sc.subscribe(channel,
					[&](const StanMessage& m) {
						std::lock_guard<std::mutex> l(gm);
						got.insert(m.data());
					},
					StanSubscriptionOptions().deliverAllAvailable().setMaxInflight(4096));
				return true;
			}
			catch (const NatsException&)
			{
				return false;
			}
		})(), Poco::Timespan(60, 0));
		NATS_WAIT_FOR(([&]() {
			std::lock_guard<std::mutex> l(gm);
			for (int i: ackedCopy)
			{
				if (!got.count("p" + std::to_string(i))) return false;
			}
			return true;
		})(), Poco::Timespan(30, 0));
		sub.close();
		sc.close();
	}

private:
	std::vector<std::unique_ptr<Test::NatsServerProcess>> _nodes;
};

CPPUNIT_TEST_SUITE_REGISTRATION(JetStreamClusterTest);
