# Installation: headers, libraries, tools, a CMake package (NatsCpp, namespaced targets Nats::nats,
# Nats::stan, Nats::stanserver) and a pkg-config file (natscpp.pc).
include(CMakePackageConfigHelpers)

set(NATS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/NatsCpp)

install(DIRECTORY include/Nats DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")

install(TARGETS nats stan stanserver natsproto
	EXPORT NatsCppTargets
	ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
	LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
	RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
	INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT NatsCppTargets NAMESPACE Nats:: DESTINATION ${NATS_CMAKE_DIR})

configure_package_config_file(cmake/NatsCppConfig.cmake.in
	${CMAKE_CURRENT_BINARY_DIR}/NatsCppConfig.cmake
	INSTALL_DESTINATION ${NATS_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/NatsCppConfigVersion.cmake
	VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/NatsCppConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/NatsCppConfigVersion.cmake
	DESTINATION ${NATS_CMAKE_DIR})

# natscpp.pc computes its prefix from ${pcfiledir}, so it stays right under any --prefix given to
# `cmake --install` (the configure-time CMAKE_INSTALL_PREFIX would be wrong there).
file(RELATIVE_PATH NATS_PC_RELATIVE_PREFIX "/_root_/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/_root_")
string(REGEX REPLACE "/$" "" NATS_PC_RELATIVE_PREFIX "${NATS_PC_RELATIVE_PREFIX}")
configure_file(cmake/natscpp.pc.in ${CMAKE_CURRENT_BINARY_DIR}/natscpp.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/natscpp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
