# nats.c streaming client as the load for our streaming server (bench/run-server.sh).
nats_add_bench(stan-server-load NATSC)
