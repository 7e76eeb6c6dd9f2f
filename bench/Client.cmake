# nats.c streaming baseline of demo/stan-bench (bench/run-stan.sh runs both side by side).
nats_add_bench(stan-bench-natsc NATSC REPORT)

# Threads, memory, subscribe/close and fan-out costs (bench/run-threads.sh), ours and nats.c's.
nats_add_bench(stan-threads-bench LIBS stan Threads::Threads)
nats_add_bench(stan-threads-bench-natsc NATSC)

# Heap allocations per delivered / published message (bench/run-alloc.sh): a counting operator new.
nats_add_bench(alloc-bench LIBS stan Threads::Threads)
