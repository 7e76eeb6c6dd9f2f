set(NATS_STAN_SOURCES src/StanPlaceholder.cpp)
