# JetStream benchmark (issue #13): our streaming API on JetStream (js-bench) and the nats.c
# JetStream API (js-bench-natsc), same flags and report (demo/StanBenchReport.h); bench/run-js.sh.
nats_add_bench(js-bench REPORT LIBS stan)
nats_add_bench(js-bench-natsc NATSC REPORT)
