# nats.c core baseline for demo/nats-bench (helper "core"), run by bench/run-nats.sh.
nats_add_bench(nats-c-bench NATSC)
