# hpsocket: top-level entry points. `make demo` and `make test` work on a fresh Debian machine
# (as root, they install what is missing first: see `deps`).
#
#   make build       cargo build --workspace (debug)
#   make demo        release build + the C perf demo (testecho-pfm shape), prints its result line
#   make test        everything: test-rust, test-c, test-interop, test-python, test-java,
#                    test-csharp, test-cpp, test-misuse, test-packaging, test-docs, soak-smoke,
#                    fuzz-smoke
#                    (each part has its own target; `make fuzz` and `make soak` are the long runs)
#   make install     the C library, headers, pkg-config and CMake files into PREFIX (default
#                    /usr/local; DESTDIR too); make uninstall (packaging/packaging.mk,
#                    docs/install.md)
#   make nupkg       the C# package in dist/; make jar: the Java jar
#   make wheel       the Python wheel in dist/ (bindings/python/python.mk)
#   make docs        the documentation site in target/docs/site, links checked (tools/docs)
#   make bench       the benchmark cells, bench/RESULTS.md; bench-smoke: a quick look (bench/bench.mk)
#   make test-c      the C tests in tests/c against include/ and target/debug/libhpsocket.so
#   make test-interop the PACK/PULL examples against HP-Socket 5.2.2 (from PyPI), both ways
#   make examples    build the C examples in examples/c
#   make ffi-gen     regenerate hpsocket-ffi/src/generated from the tables in hpsocket-ffi/api
#                    (test-rust fails while they are stale)
#   make fmt-check   cargo fmt --check
#   make clippy      cargo clippy, warnings are errors
#   make clean       remove build output
#
# Variables: CARGO, CC, DEMO_ARGS (extra perf_demo options, e.g. DEMO_ARGS="-a -t 2"),
# C_TESTS (run only these, e.g. C_TESTS="test_echo valgrind_test_echo"), INTEROP_TESTS (only
# these pairs of tests/interop/run.sh).

SHELL := /bin/bash
.DEFAULT_GOAL := build

# rustup installs cargo here; a fresh login shell may not have it on PATH yet.
export PATH := $(HOME)/.cargo/bin:$(PATH)

CARGO ?= cargo
# One SOURCE_DATE_EPOCH for every build, the value the wheel is built with (python.mk): the cc
# crate makes openssl-sys's build script rerun when it changes, so without it the wheel and the
# other release builds (install, nupkg) rebuild openssl-sys, openssl and the core for each
# other, about a minute each time.
export SOURCE_DATE_EPOCH := 315532800
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
DEBUG_DIR := $(TARGET_DIR)/debug
RELEASE_DIR := $(TARGET_DIR)/release
C_OUT := $(TARGET_DIR)/c

HEADERS := $(wildcard include/*.h)
C_WARN := -std=c11 -Wall -Wextra -Werror
C_TEST_SRCS := $(wildcard tests/c/test_*.c)
C_TEST_BINS := $(patsubst tests/c/%.c,$(C_OUT)/tests/%,$(C_TEST_SRCS))
EXAMPLES := echo_server echo_client echo_agent perf_demo pack_echo_server pack_echo_client \
            pull_echo_server pull_echo_client ssl_echo_server ssl_echo_client http_server http_get \
            pool_echo_server udp_echo_server udp_echo_client
EXAMPLE_BINS := $(addprefix $(C_OUT)/tests/examples/,$(EXAMPLES))
DEMO_BIN := $(C_OUT)/release/perf_demo
INTEROP_DIR := $(TARGET_DIR)/interop
HP522_DIR := $(INTEROP_DIR)/hpsocket-5.2.2
HP522_LIB := $(HP522_DIR)/libhpsocket4c.so
HP522_HEADERS := bench/c/hp522.h tests/interop/hp522_ext.h tests/interop/hp522-include/HPSocket4C.h
HP522_BINS := $(addprefix $(INTEROP_DIR)/hp522/,pack_echo_server pack_echo_client \
              pull_echo_server pull_echo_client http_server http_get udp_echo_server \
              udp_echo_client)
# Interop-only programs (tests/interop/*.c), built against both libraries like the examples.
INTEROP_PROGS := http_agent http_echo_server
INTEROP_OURS := $(addprefix $(C_OUT)/tests/examples/,$(INTEROP_PROGS))
HP522_BINS += $(addprefix $(INTEROP_DIR)/hp522/,$(INTEROP_PROGS))

# Debian packages `demo` and `test` need; installed by `deps` only when missing.
# openssl: the TLS tests run `openssl s_client/s_server`; python3: PyO3 builds bindings/python.
DEB_PACKAGES := build-essential pkg-config libssl-dev openssl python3 python3-venv valgrind \
                default-jdk-headless maven curl

.PHONY: all build build-ffi build-release deps demo test test-rust test-c test-interop c-programs examples \
        ffi-gen fmt-check clippy clean

all: build

# ---- dependencies --------------------------------------------------------------------------

deps:
	@tools/apt-need.sh deps $(DEB_PACKAGES)
	@if ! command -v $(CARGO) >/dev/null; then \
	  if command -v rustup >/dev/null; then \
	    echo "deps: cargo missing, installing the stable toolchain with rustup"; \
	    rustup toolchain install stable --profile minimal && rustup default stable; \
	  else \
	    echo "deps: cargo not found; install Rust (https://rustup.rs) and retry"; exit 1; \
	  fi; \
	fi

# ---- build ---------------------------------------------------------------------------------

build:
	$(CARGO) build --workspace

# Only the C library (and the core it needs), for the C tests and examples.
build-ffi:
	$(CARGO) build -p hpsocket-ffi

build-release:
	$(CARGO) build --release -p hpsocket-ffi

# Test and example programs link the debug library and find it through their rpath.
$(C_OUT)/tests/%: tests/c/%.c tests/c/test.h $(HEADERS) $(DEBUG_DIR)/libhpsocket.so
	@mkdir -p $(@D)
	$(CC) $(C_WARN) -g -O1 -Iinclude -Itests/c -o $@ $< \
	  -L$(DEBUG_DIR) -Wl,-rpath,$(DEBUG_DIR) -lhpsocket -pthread

$(C_OUT)/tests/examples/%: examples/c/%.c $(HEADERS) $(DEBUG_DIR)/libhpsocket.so
	@mkdir -p $(@D)
	$(CC) $(C_WARN) -g -O1 -Iinclude -o $@ $< \
	  -L$(DEBUG_DIR) -Wl,-rpath,$(DEBUG_DIR) -lhpsocket -pthread

$(C_OUT)/tests/examples/%: tests/interop/%.c $(HEADERS) $(DEBUG_DIR)/libhpsocket.so
	@mkdir -p $(@D)
	$(CC) $(C_WARN) -g -O1 -Iinclude -o $@ $< \
	  -L$(DEBUG_DIR) -Wl,-rpath,$(DEBUG_DIR) -lhpsocket -pthread

$(DEMO_BIN): examples/c/perf_demo.c $(HEADERS) $(RELEASE_DIR)/libhpsocket.so
	@mkdir -p $(@D)
	$(CC) $(C_WARN) -O2 -g -Iinclude -o $@ $< \
	  -L$(RELEASE_DIR) -Wl,-rpath,$(RELEASE_DIR) -lhpsocket -pthread

# The library files come from cargo (build-ffi, build-release); the C programs are rebuilt when
# a library file is newer. Sub-makes give the order: cargo first, then the C programs.
c-programs: $(C_TEST_BINS) $(EXAMPLE_BINS)

examples: build-ffi
	$(MAKE) --no-print-directory $(EXAMPLE_BINS)

# ---- demo ----------------------------------------------------------------------------------

demo: deps
	$(MAKE) --no-print-directory build-release
	$(MAKE) --no-print-directory $(DEMO_BIN)
	@echo "running: perf_demo $(DEMO_ARGS)  (100 connections x 100 rounds x 5000 B, every byte verified)"
	@timeout -k 5 180 $(DEMO_BIN) $(DEMO_ARGS)

# ---- tests ---------------------------------------------------------------------------------
# `test` runs every part; a part's target is test-<part> (test-python, test-java, ... join here).

test: deps
	$(MAKE) --no-print-directory test-rust
	$(MAKE) --no-print-directory test-c
	$(MAKE) --no-print-directory test-interop
	$(MAKE) --no-print-directory test-python
	$(MAKE) --no-print-directory test-java
	$(MAKE) --no-print-directory test-csharp
	$(MAKE) --no-print-directory test-cpp
	$(MAKE) --no-print-directory test-misuse
	$(MAKE) --no-print-directory test-packaging
	$(MAKE) --no-print-directory test-docs
	$(MAKE) --no-print-directory soak-smoke
	$(MAKE) --no-print-directory fuzz-smoke

test-rust:
	$(CARGO) test --workspace

test-c: build-ffi
	$(MAKE) --no-print-directory c-programs
	tests/c/run.sh $(C_OUT)/tests $(C_TESTS)

# Interop with HP-Socket 5.2.2 itself (tests/interop/run.sh): the PACK, PULL and HTTP examples
# built a second time against its prebuilt library (PyPI's HPSocket==0.9.3, fetched into
# $(INTEROP_DIR); fails loudly without PyPI) and paired with ours both ways. Then our echo server
# in its ARQ mode against stock ikcp (PyPI's kcp==0.1.6) with the handshake scripted
# (tests/interop/arq_ikcp.py).
test-interop: build-ffi
	$(MAKE) --no-print-directory $(EXAMPLE_BINS) $(INTEROP_OURS)
	@$(MAKE) --no-print-directory $(HP522_BINS) \
	  || echo "test-interop: building against HP-Socket 5.2.2 failed (above); run.sh fails below"
	tests/interop/run.sh $(C_OUT)/tests/examples $(INTEROP_DIR)/hp522 $(INTEROP_TESTS)
	@test -x $(INTEROP_DIR)/kcp-venv/bin/python || { python3 -m venv $(INTEROP_DIR)/kcp-venv \
	  && $(INTEROP_DIR)/kcp-venv/bin/pip install -q kcp==0.1.6; }
	$(INTEROP_DIR)/kcp-venv/bin/python tests/interop/arq_ikcp.py $(C_OUT)/tests/examples/echo_server

$(HP522_LIB): tests/interop/fetch_hp522.sh
	tests/interop/fetch_hp522.sh $(HP522_DIR)

# 5.2.2's declarations: bench/c/hp522.h plus tests/interop/hp522_ext.h, reached through
# tests/interop/hp522-include/HPSocket4C.h. No -Wno-* is needed.
$(INTEROP_DIR)/hp522/%: examples/c/%.c $(HP522_HEADERS) $(HP522_LIB)
	@mkdir -p $(@D)
	$(CC) $(C_WARN) -g -O1 -Itests/interop/hp522-include -Itests/interop -Ibench/c -o $@ $< \
	  -L$(HP522_DIR) -Wl,-rpath,$(HP522_DIR) -lhpsocket4c -pthread

$(INTEROP_DIR)/hp522/%: tests/interop/%.c $(HP522_HEADERS) $(HP522_LIB)
	@mkdir -p $(@D)
	$(CC) $(C_WARN) -g -O1 -Itests/interop/hp522-include -Itests/interop -Ibench/c -o $@ $< \
	  -L$(HP522_DIR) -Wl,-rpath,$(HP522_DIR) -lhpsocket4c -pthread

# ---- checks --------------------------------------------------------------------------------

ffi-gen:
	$(CARGO) run -q -p ffi-gen

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf $(C_OUT) dist

# ---- parts with their own make files -------------------------------------------------------

include bindings/python/python.mk
include bench/bench.mk
include bindings/java/java.mk
include bindings/csharp/csharp.mk
include bindings/cpp/cpp.mk
include hardening.mk
include packaging/packaging.mk
include tools/docs/docs.mk
