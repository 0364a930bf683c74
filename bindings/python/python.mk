# The Python binding's targets; included by the root Makefile:
#
#   include bindings/python/python.mk
#
#   make wheel         dist/hpsocket-<version>-cp39-abi3-linux_x86_64.whl (maturin, release)
#   make test-python   builds the wheel, installs it into a fresh venv, runs bindings/python/tests
#
# Variables: PYTHON (the interpreter to build and test with; default python3),
# PYTEST_ARGS (extra pytest arguments, e.g. PYTEST_ARGS="-k pack -x").
#
# Tools come from PyPI into a build venv under the target directory (maturin, pytest), so
# nothing is installed into the system Python. The test venv is made anew for every run, with
# pytest, requests and kcp==0.1.6 (stock ikcp, the ARQ interop peer of tests/test_arq.py).

PYTHON ?= python3
PY_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
PY_ROOT := $(abspath $(PY_DIR)/../..)
PY_TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(PY_ROOT)/target)
PY_BUILD_VENV := $(PY_TARGET_DIR)/python/build-venv
PY_TEST_VENV := $(PY_TARGET_DIR)/python/test-venv
PY_DIST := $(PY_ROOT)/dist
PYTEST_ARGS ?=
# Fixed timestamps in the wheel (zip entries): the same sources give the same wheel.
PY_SOURCE_DATE_EPOCH := 315532800

.PHONY: wheel test-python python-build-venv

python-build-venv: $(PY_BUILD_VENV)/.ready

$(PY_BUILD_VENV)/.ready: $(PY_DIR)/python.mk
	@$(PYTHON) -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 9)' 2>/dev/null || { \
	  echo "python.mk: $(PYTHON) must be CPython >= 3.9 with venv and ensurepip" \
	       "(Debian: apt-get install python3-venv)"; exit 1; }
	rm -rf $(PY_BUILD_VENV)
	$(PYTHON) -m venv $(PY_BUILD_VENV)
	$(PY_BUILD_VENV)/bin/python -m pip install -q --disable-pip-version-check 'maturin>=1.9.4,<2' pytest
	touch $@

# --compatibility linux: a plain linux_x86_64 tag, no auditwheel repair of the binary.
wheel: $(PY_BUILD_VENV)/.ready
	rm -f $(PY_DIST)/hpsocket-*.whl
	cd $(PY_DIR) && SOURCE_DATE_EPOCH=$(PY_SOURCE_DATE_EPOCH) CARGO_TARGET_DIR=$(PY_TARGET_DIR) \
	  $(PY_BUILD_VENV)/bin/maturin build --release --compatibility linux --strip \
	  --interpreter $(PYTHON) --out $(PY_DIST)
	@ls $(PY_DIST)/hpsocket-*.whl

test-python: wheel
	rm -rf $(PY_TEST_VENV)
	$(PYTHON) -m venv $(PY_TEST_VENV)
	$(PY_TEST_VENV)/bin/python -m pip install -q --disable-pip-version-check pytest requests kcp==0.1.6
	$(PY_TEST_VENV)/bin/python -m pip install -q --disable-pip-version-check --no-index \
	  $(PY_DIST)/hpsocket-*.whl
	cd $(PY_DIR) && HPSOCKET_WHEEL="$$(ls $(PY_DIST)/hpsocket-*.whl)" \
	  HPSOCKET_EXAMPLES=$(PY_ROOT)/examples/python \
	  $(PY_TEST_VENV)/bin/python -m pytest -p no:cacheprovider $(PYTEST_ARGS) tests
