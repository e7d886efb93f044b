# One INTERFACE target carries the warning set so every library and binary agrees on it.
add_library(tributary_warnings INTERFACE)
target_compile_options(tributary_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                    -Wnon-virtual-dtor -Wold-style-cast
                                                    # Designated initializers leave the rest at
                                                    # their member defaults on purpose.
                                                    -Wno-missing-field-initializers)
if(TRIBUTARY_WERROR)
  target_compile_options(tributary_warnings INTERFACE -Werror)
endif()
