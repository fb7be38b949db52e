# Warning and sanitizer flags shared by every qtune target (through qtune_flags).
add_library(qtune_flags INTERFACE)
target_compile_options(qtune_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
# -Wnull-dereference is left out: GCC 12 reports it inside libstdc++ (vector::resize) at -O3.
# GCC 12 at -O2/-O3 reports -Wrestrict on std::string concatenation in libstdc++ itself
# (GCC bug 105329, fixed in 13): a false positive that would fail every optimised build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(qtune_flags INTERFACE -Wno-restrict)
endif()
if(QTUNE_WERROR)
  target_compile_options(qtune_flags INTERFACE -Werror)
endif()
if(QTUNE_SANITIZE)
  target_compile_options(qtune_flags INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(qtune_flags INTERFACE -fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Sanitizer instrumentation makes GCC 12 report -Wmaybe-uninitialized inside libstdc++'s
    # std::regex/std::function; the optimised build keeps the warning.
    target_compile_options(qtune_flags INTERFACE -Wno-maybe-uninitialized)
  endif()
endif()
