# Hardening: fuzzing, the misuse matrix, races, faults, slow peers and the soak. Included by the
# root Makefile (`include hardening.mk`); every path is relative to the repository root.
#
#   make fuzz          each fuzz target for FUZZ_SECONDS (default 600) on the seed corpus
#   make fuzz-smoke    each fuzz target for FUZZ_SMOKE_SECONDS (default 30): what `make test` runs
#   make test-misuse   the C tests in tests/misuse (misuse matrix, re-entrancy from every callback,
#                      races under ASan and valgrind, faults, slow and idle peers), each in its own
#                      process under a timeout
#   make soak          SOAK_SECONDS (default 600) of connection churn with checksummed traffic;
#                      prints RSS and open descriptors every 30 s, fails if they do not return to
#                      their baseline
#   make soak-smoke    the same for SOAK_SMOKE_SECONDS (default 60): what CI runs
#
# Variables: FUZZ_TARGETS (default: all), FUZZ_SECONDS, FUZZ_SMOKE_SECONDS, FUZZ_JOBS (libFuzzer
# -jobs; default 1), SOAK_SECONDS, SOAK_SMOKE_SECONDS, MISUSE_TESTS (run only these, e.g.
# MISUSE_TESTS="test_misuse_matrix valgrind_test_races").
#
# Fuzzing needs the nightly toolchain and cargo-fuzz; `fuzz-tools` installs what is missing
# (rustup toolchain nightly, `cargo install cargo-fuzz`). The fuzz crate (fuzz/) is outside the
# workspace and builds into target/fuzz.

HARD_TARGET := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
HARD_OUT := $(HARD_TARGET)/hardening
HARD_LIB_DIR := $(HARD_TARGET)/debug
HARD_CARGO ?= $(or $(CARGO),cargo)
HARD_CC ?= $(or $(CC),cc)
HARD_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -O1 -Iinclude -Itests/misuse -I$(HARD_OUT)
HARD_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
HARD_LDFLAGS := -L$(HARD_LIB_DIR) -Wl,-rpath,$(HARD_LIB_DIR) -lhpsocket -pthread
HARD_HEADERS := $(wildcard include/*.h) tests/misuse/hard.h tests/misuse/pki.h

# Every tests/misuse/test_*.c is built with ASan+UBSan, except these (they limit the address
# space or count descriptors and memory, which ASan's shadow memory would distort).
MISUSE_PLAIN := test_setting_limits test_fd_exhaustion test_idle_peers
# These are built a second time without sanitizers, to run under valgrind.
MISUSE_VALGRIND := test_races
MISUSE_SRCS := $(wildcard tests/misuse/test_*.c)
MISUSE_NAMES := $(patsubst tests/misuse/%.c,%,$(MISUSE_SRCS))
MISUSE_BINS := $(addprefix $(HARD_OUT)/bin/,$(MISUSE_NAMES)) \
               $(addprefix $(HARD_OUT)/plain/,$(MISUSE_VALGRIND))
MISUSE_TESTS ?=

FUZZ_TARGETS ?= pack_decoder pull_buffer c_api cookie http_request http_response http_url ws_frames \
                ws_messages arq_input decompressors base64_url charsets
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_JOBS ?= 1
FUZZ_TARGET_DIR := $(HARD_TARGET)/fuzz

SOAK_SECONDS ?= 600
SOAK_SMOKE_SECONDS ?= 60
SOAK_BIN := $(HARD_OUT)/soak

.PHONY: fuzz fuzz-smoke fuzz-tools fuzz-build test-misuse misuse-programs soak soak-smoke \
        hardening-ffi

# ---- fuzzing ---------------------------------------------------------------------------------

fuzz-tools:
	@if ! $(HARD_CARGO) +nightly --version >/dev/null 2>&1; then \
	  echo "fuzz-tools: installing the nightly toolchain"; \
	  rustup toolchain install nightly --profile minimal; \
	fi
	@if ! $(HARD_CARGO) fuzz --version >/dev/null 2>&1; then \
	  echo "fuzz-tools: installing cargo-fuzz"; \
	  $(HARD_CARGO) install cargo-fuzz --locked; \
	fi

fuzz-build: fuzz-tools
	cd fuzz && $(HARD_CARGO) +nightly fuzz build -O --debug-assertions \
	  --target-dir $(FUZZ_TARGET_DIR)

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_TARGET_DIR) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	fuzz/run.sh $(FUZZ_TARGET_DIR) $(FUZZ_SMOKE_SECONDS) 1 $(FUZZ_TARGETS)

# ---- C tests: misuse, re-entrancy, races, faults, slow peers -------------------------------

hardening-ffi:
	$(HARD_CARGO) build -p hpsocket-ffi

$(HARD_OUT)/matrix.inc: tests/misuse/gen_matrix.py include/hpsocket.h
	@mkdir -p $(@D)
	python3 tests/misuse/gen_matrix.py include/hpsocket.h $@

$(HARD_OUT)/bin/test_misuse_matrix: $(HARD_OUT)/matrix.inc

$(HARD_OUT)/bin/%: tests/misuse/%.c $(HARD_HEADERS) $(HARD_LIB_DIR)/libhpsocket.so
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_CFLAGS) $(if $(filter $*,$(MISUSE_PLAIN)),,$(HARD_SAN)) -o $@ $< $(HARD_LDFLAGS)

$(HARD_OUT)/plain/%: tests/misuse/%.c $(HARD_HEADERS) $(HARD_LIB_DIR)/libhpsocket.so
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_CFLAGS) -o $@ $< $(HARD_LDFLAGS)

misuse-programs: $(MISUSE_BINS)

test-misuse: hardening-ffi
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) misuse-programs
	tests/misuse/run.sh $(HARD_OUT) $(MISUSE_TESTS)

# ---- soak ------------------------------------------------------------------------------------

$(SOAK_BIN): tests/soak/soak.c $(HARD_HEADERS) $(HARD_LIB_DIR)/libhpsocket.so
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_CFLAGS) -O2 -o $@ $< $(HARD_LDFLAGS)

soak: hardening-ffi
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $(SOAK_BIN)
	timeout -k 10 $$(( $(SOAK_SECONDS) + 180 )) $(SOAK_BIN) $(SOAK_SECONDS)

soak-smoke: hardening-ffi
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $(SOAK_BIN)
	timeout -k 10 $$(( $(SOAK_SMOKE_SECONDS) + 120 )) $(SOAK_BIN) $(SOAK_SMOKE_SECONDS)
