# The nats.c client (Debian libnats-dev, built with streaming): the interop oracle of the tests
# and the baseline of the benchmarks. Debian's cnats-config.cmake references a libnats_static.a
# that the package does not ship, so find_package(cnats) fails; import the shared library directly
# as the target `nats_c_shared`.
find_library(NATS_C_LIBRARY NAMES nats)
find_path(NATS_C_INCLUDE_DIR nats/nats.h)
if(NATS_C_LIBRARY AND NATS_C_INCLUDE_DIR)
	add_library(nats_c_shared SHARED IMPORTED GLOBAL)
	set_target_properties(nats_c_shared PROPERTIES IMPORTED_LOCATION ${NATS_C_LIBRARY}
		INTERFACE_INCLUDE_DIRECTORIES ${NATS_C_INCLUDE_DIR})
elseif(NATS_BUILD_TESTS)
	message(FATAL_ERROR "nats.c (libnats-dev) not found: the interop tests need it (run scripts/install-deps.sh)")
endif()
