# nats.c streaming client as the load for our streaming server (bench/run-server.sh).
if(TARGET nats_c_shared)
	add_executable(stan-server-load stan-server-load.cpp)
	target_link_libraries(stan-server-load PRIVATE nats_c_shared Threads::Threads)
	target_compile_options(stan-server-load PRIVATE ${NATS_WARNING_FLAGS})
endif()
