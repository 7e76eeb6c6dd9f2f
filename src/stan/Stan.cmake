# Streaming client (library target `stan`). Paths relative to the project root.
set(NATS_STAN_SOURCES
	src/stan/StanOptions.cpp
	src/stan/StanSubscriptionOptions.cpp
	src/stan/StanMessage.cpp
	src/stan/StanSubscription.cpp
	src/stan/StanConnection.cpp
	src/stan/StanConnectionImpl.cpp
	src/stan/StanSubscriptionImpl.cpp
	src/stan/PubAckWindow.cpp
	src/stan/StanPubAcks.cpp
	src/stan/StanCallback.cpp
	src/stan/StanPinger.cpp
	src/stan/StanSessionRequests.cpp
	src/stan/PubAckTracker.cpp)
