# nats.c streaming client as the load for our streaming server (bench/run-server.sh).
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
	add_executable(stan-server-load stan-server-load.cpp)
	target_link_libraries(stan-server-load PRIVATE nats_c_shared Threads::Threads)
	target_compile_options(stan-server-load PRIVATE ${NATS_WARNING_FLAGS})
endif()
