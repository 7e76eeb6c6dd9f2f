# Core client tools (helper "core").
add_executable(nats-bench nats-bench.cpp)
target_link_libraries(nats-bench PRIVATE nats)
target_compile_options(nats-bench PRIVATE ${NATS_WARNING_FLAGS})
foreach(tool nats-pub nats-sub)
	add_executable(${tool} ${tool}.cpp)
	target_link_libraries(${tool} PRIVATE nats)
	target_compile_options(${tool} PRIVATE ${NATS_WARNING_FLAGS})
endforeach()
