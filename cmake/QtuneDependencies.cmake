# Every third-party dependency comes from Debian packages (scripts/install-deps).
# A dependency that is missing fails the configure step: nothing is silently dropped.
find_package(fmt REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(PNG REQUIRED)
find_package(JPEG REQUIRED)
find_package(TIFF REQUIRED)
find_package(ZLIB REQUIRED)
find_package(dnnl REQUIRED)
# oneDNN runs on OpenMP here: the Inception sets its thread count with omp_set_num_threads.
find_package(OpenMP REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
find_library(LAPACKE_LIBRARY lapacke REQUIRED)
# RE2 (linear-time regexes) for every regex qtune runs on a trial's output; Debian ships
# no CMake config for it, only re2.pc.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# WebP as PIL decodes it: libwebpdemux's animation decoder (the first frame of a canvas).
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp libwebpdemux)
if(QTUNE_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(QTUNE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
# Debian's interpreter, not one that PATH may put first (pyenv): the tests use its
# numpy, scipy, scikit-image and PyTorch packages as independent references.
set(QTUNE_PYTHON /usr/bin/python3 CACHE FILEPATH "Python with Debian's numpy/scipy/torch for reference tests")
