# nats.c core baseline for demo/nats-bench (helper "core"), run by bench/run-nats.sh.
if(TARGET nats_c_shared)
	add_executable(nats-c-bench nats-c-bench.cpp)
	target_link_libraries(nats-c-bench PRIVATE nats_c_shared Threads::Threads)
endif()
