# nats.c core baseline for demo/nats-bench (helper "core"), run by bench/run-nats.sh.
# Debian's cnats CMake config is broken (missing static library): import the shared one.
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
	add_executable(nats-c-bench nats-c-bench.cpp)
	target_link_libraries(nats-c-bench PRIVATE nats_c_shared Threads::Threads)
endif()
