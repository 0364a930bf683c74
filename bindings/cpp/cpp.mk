# The C++ wrapper's targets; included by the root Makefile:
#
#   include bindings/cpp/cpp.mk
#
#   make deps-cpp    Debian packages the C++ targets need (g++, cmake, libgtest-dev, openssl, libssl-dev),
#                    installed only when missing
#   make test-cpp    builds target/debug/libhpsocket.so, configures bindings/cpp/tests with cmake
#                    in target/cpp/build, builds the GoogleTest suite twice (plain, and under
#                    AddressSanitizer + UndefinedBehaviorSanitizer) and examples/cpp/echo.cpp,
#                    and runs them through ctest (each suite prints "N passed, N failed")
#   make cpp-header-check
#                    compiles hpsocket.hpp alone and next to <openssl/ssl.h> with -Wall -Wextra
#                    -Werror -pedantic (also part of test-cpp)
#
# Variables: CXX, CMAKE, CPP_TESTS (a gtest filter, e.g. CPP_TESTS='Pack.*'),
# CPP_JOBS (parallel compile jobs; default 2).

CPP_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CPP_ROOT := $(abspath $(CPP_DIR)/../..)
CPP_TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CPP_ROOT)/target)
CPP_BUILD := $(CPP_TARGET_DIR)/cpp/build
CPP_TESTS ?=
CPP_JOBS ?= 2
CMAKE ?= cmake
CARGO ?= cargo
CPP_DEB_PACKAGES := g++ cmake libgtest-dev openssl libssl-dev

.PHONY: deps-cpp test-cpp cpp-header-check

deps-cpp:
	@$(CPP_ROOT)/tools/apt-need.sh deps-cpp $(CPP_DEB_PACKAGES)

# The header alone, then with <openssl/ssl.h> before and after it (include/hpsocket.h declares
# OpenSSL functions with other types; hpsocket.hpp hides them).
cpp-header-check:
	@mkdir -p $(CPP_TARGET_DIR)/cpp
	printf '#include <hpsocket.hpp>\nint main() { return hpsocket::version() != 0 ? 0 : 1; }\n' > $(CPP_TARGET_DIR)/cpp/header_check.cpp
	printf '#include <openssl/ssl.h>\n#include <hpsocket.hpp>\nint f() { return SSL_get_servername_type(nullptr); }\n' > $(CPP_TARGET_DIR)/cpp/header_check_ssl1.cpp
	printf '#include <hpsocket.hpp>\n#include <openssl/ssl.h>\nint f() { return SSL_get_servername_type(nullptr); }\n' > $(CPP_TARGET_DIR)/cpp/header_check_ssl2.cpp
	for f in header_check header_check_ssl1 header_check_ssl2; do \
	  $(or $(CXX),c++) -std=c++17 -Wall -Wextra -Werror -pedantic -I$(CPP_ROOT)/include -I$(CPP_DIR)/include \
	    -c $(CPP_TARGET_DIR)/cpp/$$f.cpp -o $(CPP_TARGET_DIR)/cpp/$$f.o || exit 1; \
	done

test-cpp: deps-cpp
	$(CARGO) build -p hpsocket-ffi
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) cpp-header-check
	$(CMAKE) -S $(CPP_DIR)/tests -B $(CPP_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	  -DHPSOCKET_ROOT=$(CPP_ROOT) -DHPSOCKET_LIB_DIR=$(CPP_TARGET_DIR)/debug >/dev/null
	$(CMAKE) --build $(CPP_BUILD) -j $(CPP_JOBS)
	cd $(CPP_BUILD) && $(if $(CPP_TESTS),GTEST_FILTER='$(CPP_TESTS)') timeout -k 10 1200 \
	  ctest --output-on-failure --verbose
