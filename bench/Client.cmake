# nats.c streaming baseline of demo/stan-bench (bench/run-stan.sh runs both side by side).
# nats_c_shared (the Debian libnats shared library) is imported by bench/Server.cmake.
if(NOT TARGET nats_c_shared)
	find_library(NATS_C_LIBRARY NAMES nats)
	find_path(NATS_C_INCLUDE_DIR nats/nats.h)
	if(NATS_C_LIBRARY AND NATS_C_INCLUDE_DIR)
		add_library(nats_c_shared SHARED IMPORTED GLOBAL)
		set_target_properties(nats_c_shared PROPERTIES IMPORTED_LOCATION ${NATS_C_LIBRARY}
			INTERFACE_INCLUDE_DIRECTORIES ${NATS_C_INCLUDE_DIR})
	endif()
endif()
if(TARGET nats_c_shared)
	add_executable(stan-bench-natsc stan-bench-natsc.cpp)
	target_link_libraries(stan-bench-natsc PRIVATE nats_c_shared Threads::Threads)
	target_compile_options(stan-bench-natsc PRIVATE ${NATS_WARNING_FLAGS})
endif()
