# jemalloc for the fetcher (and the parser and CLI, see their CMakeLists): its hot path allocates and frees a ~20 KiB body, a request and an
# encoded document per fetch, and glibc malloc spent ~14 % of the fetcher's time there
# (bench/fetcher: 21.4-22.4k req/s with glibc, 24.0-26.0k with jemalloc). Not under the
# sanitizers, which bring their own allocator.
option(TRIBUTARY_JEMALLOC "Link the fetcher, parser and CLI with jemalloc (libjemalloc-dev)" ON)
if(TRIBUTARY_JEMALLOC AND NOT TRIBUTARY_SANITIZE)
  find_library(TRIBUTARY_JEMALLOC_LIBRARY NAMES jemalloc REQUIRED)
  add_library(tributary_allocator INTERFACE)
  target_link_libraries(tributary_allocator INTERFACE ${TRIBUTARY_JEMALLOC_LIBRARY})
else()
  add_library(tributary_allocator INTERFACE)
endif()
