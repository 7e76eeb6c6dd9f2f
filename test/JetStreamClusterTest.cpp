//
// JetStreamClusterTest.cpp
//
// The JetStream backend on a 3-node JetStream cluster (nats-server routes, R3 stream): a node is
// killed in the middle of a publish burst, and every publish that was acked is still delivered;
// stream and consumer leaders step down during a publish/subscribe run, and the node leading a
// consumer is killed (its heartbeats stop until re-election): no false "lost", nothing acked lost.
//

#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JsStanConnection.h"
#include "jetstream/JsStanSubscription.h"
#include "core/ImplAccess.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Timestamp.h>
#include <atomic>
#include <functional>
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
	CPPUNIT_TEST(testLeaderStepDownNoFalseLoss);
	CPPUNIT_TEST(testConsumerLeaderKilledNoFalseLoss);
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
		_pJs.reset();
		_pAdmin.reset();
		_nodes.clear();
	}

	/// The JetStream context of an admin connection to n1 (never killed), once the cluster has a
	/// meta leader; made on the first call.
	JetStreamContext& admin()
	{
		if (!_pJs)
		{
			Options no;
			no.servers = {_nodes[0]->url()};
			_pAdmin.reset(new Connection(no));
			_pAdmin->connect();
			_pJs.reset(new JetStreamContext(*_pAdmin, Poco::Timespan(10, 0)));
			waitReady(*_pJs);
		}
		return *_pJs;
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
		JetStreamContext& js = admin();
		Run run;
		StanOptions o = clusterOptions(run, urls());
		const std::string channel = Test::uniqueName("r3");
		const std::string stream = JsStanConnection::streamName("", channel);
		StanConnection sc(Test::stanClusterId(), Test::uniqueName("c"), o);
		sc.connect();
		publishFirst(sc, channel); // creates the R3 stream
		CPPUNIT_ASSERT_EQUAL(3, js.streamInfo(stream).config.replicas);
		std::string leader;
		retryUntilDone("a stream leader", [&]() {
			leader = js.streamInfo(stream).leader;
			if (leader.empty()) throw Poco::IllegalStateException("no stream leader yet");
		});

		publishAcked(sc, channel, run, 250);
		const std::size_t ackedAtKill = run.ackedCount();
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
		publishAcked(sc, channel, run, 1000); // publishing resumes after the kill
		NATS_WAIT_FOR(run.completed.load() == run.attempted, Poco::Timespan(60, 0));
		CPPUNIT_ASSERT(run.ackedCount() >= ackedAtKill + 1000);

		// Every acked message is in the stream, read back through the streaming API. The consumer
		// is created on the new stream leader (retried while the cluster settles).
		StanSubscription sub;
		retryUntilDone("a subscription on the new leader", [&]() {
			sub = sc.subscribe(channel, run.collector(), StanSubscriptionOptions().deliverAllAvailable().setMaxInflight(4096));
		}, Poco::Timespan(60, 0));
		NATS_WAIT_FOR(run.allAckedDelivered(), Poco::Timespan(30, 0));
		sub.close();
		sc.close();
	}

	/// (a) #13 item 5: the stream leader and the consumer leader step down while messages are
	/// published and delivered: every acked message is delivered, the session is not lost.
	void testLeaderStepDownNoFalseLoss()
	{
		JetStreamContext& js = admin();
		Run run;
		StanOptions o = clusterOptions(run, urls());
		StanConnection sc(Test::stanClusterId(), Test::uniqueName("c"), o);
		DurableSetup d = startDurable(sc, run, "sd");
		publishAcked(sc, d.channel, run, 200);
		stepDown(js, "STREAM.LEADER.STEPDOWN." + d.stream);
		publishAcked(sc, d.channel, run, 200);
		stepDown(js, "CONSUMER.LEADER.STEPDOWN." + d.stream + "." + d.consumer);
		publishAcked(sc, d.channel, run, 200);
		expectAllDeliveredNoLoss(sc, d, run);
	}

	/// (b) #13 item 5: the node leading the consumer is killed while the client is connected to
	/// another node; heartbeats stop until a new leader is elected, the consumer check finds the
	/// consumer (or gets no answer during the election): no loss is reported, delivery resumes and
	/// every acked message is delivered.
	void testConsumerLeaderKilledNoFalseLoss()
	{
		JetStreamContext& js = admin();
		Run run;
		StanOptions o = clusterOptions(run, _nodes[0]->url()); // n1 is never killed
		o.jetStream.idleHeartbeat = Poco::Timespan(0, 300000);
		StanConnection sc(Test::stanClusterId(), Test::uniqueName("c"), o);
		DurableSetup d = startDurable(sc, run, "kc");
		publishAcked(sc, d.channel, run, 100);
		// The consumer's leader must be another node than the client's n1.
		std::string leader;
		for (int attempt = 0; attempt < 10; ++attempt)
		{
			leader = consumerLeader(js, d.stream, d.consumer);
			if (leader != "n1") break;
			stepDown(js, "CONSUMER.LEADER.STEPDOWN." + d.stream + "." + d.consumer);
		}
		CPPUNIT_ASSERT_MESSAGE("consumer leader " + leader, leader == "n2" || leader == "n3");
		NATS_WAIT_FOR(run.allAckedDelivered(), Poco::Timespan(30, 0));
		auto pSub = std::dynamic_pointer_cast<JsStanSubscription>(ImplAccess::impl(d.sub));
		CPPUNIT_ASSERT(pSub);
		const std::uint64_t checksBefore = pSub->consumerChecksSent();
		_nodes[leader == "n2" ? 1 : 2]->stop();
		// Silence longer than 3 heartbeat intervals: the check runs (and must not report a loss).
		NATS_WAIT_FOR(pSub->consumerChecksSent() > checksBefore, Poco::Timespan(30, 0));
		publishAcked(sc, d.channel, run, 200);
		expectAllDeliveredNoLoss(sc, d, run);
	}

private:
	/// A fresh channel whose R3 stream exists, and a durable (deliver all) on it whose messages go
	/// to a Run: where the leader tests start.
	struct DurableSetup
	{
		std::string channel;
		std::string stream;
		std::string consumer; ///< the durable's JetStream consumer name
		StanSubscription sub;
	};

	struct Run;

	/// The end of a leader test: every publish completed, every acked message delivered (60 s
	/// each), no loss reported and the session still connected; then closes `d.sub` and `sc`.
	static void expectAllDeliveredNoLoss(StanConnection& sc, DurableSetup& d, Run& run);

	/// Connects `sc`, creates the stream of a new channel named after `durable` and subscribes
	/// the durable `durable` to it, delivering into `run`.
	static DurableSetup startDurable(StanConnection& sc, Run& run, const std::string& durable);

	/// What a publish/subscribe run saw.
	struct Run
	{
		std::mutex mutex;
		std::set<std::string> acked;
		std::set<std::string> got;
		std::string lostText;
		std::atomic<bool> lost{false};
		std::atomic<int> completed{0};
		int attempted = 0;
		int next = 0;

		StanMessageHandler collector()
		{
			return [this](const StanMessage& m) {
				std::lock_guard<std::mutex> l(mutex);
				got.insert(m.data());
			};
		}

		bool allAckedDelivered()
		{
			std::lock_guard<std::mutex> l(mutex);
			for (const auto& a: acked)
			{
				if (!got.count(a)) return false;
			}
			return true;
		}

		std::size_t ackedCount()
		{
			std::lock_guard<std::mutex> l(mutex);
			return acked.size();
		}

		std::string lostError()
		{
			std::lock_guard<std::mutex> l(mutex);
			return "lost: " + lostText;
		}
	};

	/// Options for a client of the cluster at `urls` reporting a loss into `run`.
	StanOptions clusterOptions(Run& run, const std::string& urls)
	{
		StanOptions o;
		o.natsUrl = urls;
		o.backend = StanOptions::Backend::JETSTREAM;
		o.jetStream.replicas = 3;
		o.jetStream.idleHeartbeat = Poco::Timespan(0, 500000);
		o.pubAckWait = Poco::Timespan(3, 0);
		o.connectWait = Poco::Timespan(15, 0); // API requests while a leader is elected
		o.maxPubAcksInflight = 64;
		o.connectionLostHandler = [&run](StanConnection&, const std::string& error) {
			std::lock_guard<std::mutex> l(run.mutex);
			run.lostText = error;
			run.lost = true;
		};
		return o;
	}

	/// Publishes (async) until `count` more publishes were acked (bounded: 60 s).
	void publishAcked(StanConnection& sc, const std::string& channel, Run& run, std::size_t count)
	{
		const std::size_t target = run.ackedCount() + count;
		const Poco::Timestamp start;
		while (run.ackedCount() < target)
		{
			CPPUNIT_ASSERT_MESSAGE("publishing did not go on", start.elapsed() < 60 * Poco::Timestamp::resolution());
			const std::string data = "p" + std::to_string(run.next++);
			try
			{
				sc.publishAsync(channel, data, [&run, data](const std::string&, const std::string& error) {
					if (error.empty())
					{
						std::lock_guard<std::mutex> l(run.mutex);
						run.acked.insert(data);
					}
					++run.completed;
				});
				++run.attempted;
			}
			catch (const NatsException&)
			{
				// The NATS connection is moving (no buffering): not sent, never acked.
				NATS_WAIT_FOR(sc.natsConnection().isConnected(), Poco::Timespan(20, 0));
			}
		}
	}

	/// The first publish creates the R3 stream; right after the meta leader is elected the
	/// cluster may still refuse it (e.g. "insufficient resources" until every peer is known):
	/// retried for at most 30 s.
	static void publishFirst(StanConnection& sc, const std::string& channel)
	{
		retryUntilDone("the first publish", [&]() { sc.publish(channel, "first"); });
	}

	/// The cluster is usable once a meta leader is elected: account info answers.
	static void waitReady(JetStreamContext& js)
	{
		retryUntilDone("a meta leader", [&]() { js.accountInfo(); });
	}

	/// Sends a leader step-down API request, retried while the cluster settles (at most 30 s).
	static void stepDown(JetStreamContext& js, const std::string& verb)
	{
		retryUntilDone(verb, [&]() { js.apiRequest(verb, ""); });
	}

	/// Runs `attempt` until it throws no Poco::Exception (the cluster settles), at most `timeout`;
	/// fails naming `what`.
	static void retryUntilDone(const std::string& what, const std::function<void()>& attempt, Poco::Timespan timeout = Poco::Timespan(30, 0))
	{
		const bool done = Test::waitFor([&]() {
			try
			{
				attempt();
				return true;
			}
			catch (const Poco::Exception&)
			{
				return false;
			}
		}, timeout);
		CPPUNIT_ASSERT_MESSAGE("timed out waiting for: " + what, done);
	}

	/// The current leader of a consumer ("n1".."n3"), waited for (at most 30 s).
	std::string consumerLeader(JetStreamContext& js, const std::string& stream, const std::string& consumer)
	{
		std::string leader;
		retryUntilDone("the leader of consumer " + consumer, [&]() {
			Poco::JSON::Object::Ptr cluster = js.apiRequest("CONSUMER.INFO." + stream + "." + consumer, "")->getObject("cluster");
			if (cluster) leader = cluster->optValue<std::string>("leader", "");
			if (leader.empty()) throw Poco::IllegalStateException("no consumer leader yet");
		});
		return leader;
	}

	std::vector<std::unique_ptr<Test::NatsServerProcess>> _nodes;
	std::unique_ptr<Connection> _pAdmin;
	std::unique_ptr<JetStreamContext> _pJs;
};

JetStreamClusterTest::DurableSetup JetStreamClusterTest::startDurable(StanConnection& sc, Run& run, const std::string& durable)
{
	sc.connect();
	DurableSetup d;
	d.channel = Test::uniqueName(durable);
	d.stream = JsStanConnection::streamName("", d.channel);
	publishFirst(sc, d.channel);
	d.sub = sc.subscribe(d.channel, run.collector(),
		StanSubscriptionOptions().setDurableName(durable).deliverAllAvailable().setMaxInflight(4096));
	d.consumer = "d__" + JsStanConnection::escapeName(sc.clientId()) + "__" + durable;
	return d;
}

void JetStreamClusterTest::expectAllDeliveredNoLoss(StanConnection& sc, DurableSetup& d, Run& run)
{
	NATS_WAIT_FOR(run.completed.load() == run.attempted, Poco::Timespan(60, 0));
	NATS_WAIT_FOR(run.allAckedDelivered(), Poco::Timespan(60, 0));
	CPPUNIT_ASSERT_MESSAGE(run.lostError(), !run.lost.load());
	CPPUNIT_ASSERT(sc.status() == StanConnection::Status::CONNECTED);
	d.sub.close();
	sc.close();
}

CPPUNIT_TEST_SUITE_REGISTRATION(JetStreamClusterTest);
