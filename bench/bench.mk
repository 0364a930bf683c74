# Benchmark targets, included by the root Makefile (`include bench/bench.mk`).
#
#   make bench        builds the harness and every peer, downloads HP-Socket 5.2.2 from PyPI
#                     (HPSocket==0.9.3) and matplotlib into bench/.peers/, runs cells T1 T2 C1
#                     C2 C3 A1 P1 S1 IR L1 H1 W1 K1 U1 (about 19 minutes), prints the tables,
#                     writes bench/RESULTS.md and bench/charts/*.png (H1 too: nginx and wrk
#                     from Debian, see BENCH_DEB; K1's kcp-go peer: Go modules, see
#                     bench-gopeers)
#   make bench-smoke  one repetition of T1 at 100 connections and T2 at 1000; prints figures,
#                     never fails on a figure (CI); with BENCH_ARGS="--cells U1": U1's
#                     smoke instead (64 B x 1000 peers, one short run per server)
#
# Variables: BENCH_ARGS (extra bench/run.py options, e.g. BENCH_ARGS="--cells T2 --reps 1"),
# BENCH_PYTHON (the interpreter that runs pip and the orchestrator).
# Every path is relative to the directory make runs in (the repository root).

BENCH_DIR := bench
BENCH_PEERS := $(BENCH_DIR)/.peers
BENCH_CBIN := $(BENCH_PEERS)/build
BENCH_HP522 := $(BENCH_PEERS)/hpsocket-5.2.2
BENCH_VENV := $(BENCH_PEERS)/venv
BENCH_TARGET := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
BENCH_RELEASE := $(BENCH_TARGET)/release
BENCH_PYTHON ?= python3
BENCH_CARGO ?= $(or $(CARGO),cargo)
BENCH_CC ?= $(or $(CC),cc)
BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -I$(BENCH_DIR)/c
BENCH_ARGS ?=

.PHONY: bench bench-smoke bench-deps bench-build bench-rust bench-hp522 \
        bench-cpeers bench-wspeers bench-gopeers bench-venv bench-charts bench-l1

bench: bench-deps bench-build bench-venv bench-l1
	@echo "bench: loadavg $$(cat /proc/loadavg)  (full run: about 19 minutes)"
	$(BENCH_PYTHON) $(BENCH_DIR)/run.py $(BENCH_ARGS)
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) bench-charts

bench-smoke: bench-build
	$(BENCH_PYTHON) $(BENCH_DIR)/run.py --smoke $(BENCH_ARGS)

# The optional peers' libraries (Debian's -dev packages) and H1's nginx (a peer server) and wrk
# (its client), installed when missing and we are root; without them those peers (without
# wrk: all of H1) are left out, nothing fails.
BENCH_DEB := libuv1-dev libevent-dev pkg-config nginx wrk

bench-deps:
	@tools/apt-need.sh bench $(BENCH_DEB) || echo "bench: those peers are left out"

bench-build: bench-rust bench-hp522
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) bench-cpeers
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) bench-gopeers

# Release builds of our crates only (the workspace release profile has lto, codegen-units=1),
# in one cargo run so that the Rust servers and libhpsocket.so (the C ABI row) are built from
# the same core sources. The C ABI library is left out (with a note) until it exists.
bench-rust:
	@if [ -f hpsocket-ffi/Cargo.toml ] && [ -f include/HPSocket4C.h ]; then \
	  echo "$(BENCH_CARGO) build --release -p hpsocket-bench -p hpsocket-ffi"; \
	  $(BENCH_CARGO) build --release -p hpsocket-bench -p hpsocket-ffi; \
	else \
	  echo "bench: hpsocket-ffi or include/HPSocket4C.h missing: the C ABI row is left out"; \
	  $(BENCH_CARGO) build --release -p hpsocket-bench; \
	fi

# HP-Socket 5.2.2, the prebuilt Linux library inside PyPI's HPSocket==0.9.3 wheel. Downloaded,
# never committed (bench/.gitignore). Its soname is libhpsocket4c.so.
bench-hp522: $(BENCH_HP522)/libhpsocket4c.so

$(BENCH_HP522)/libhpsocket4c.so:
	@mkdir -p $(BENCH_PEERS)/download $(BENCH_HP522)
	@if $(BENCH_PYTHON) -m pip download --quiet --no-deps --disable-pip-version-check \
	      HPSocket==0.9.3 -d $(BENCH_PEERS)/download; then \
	  $(BENCH_PYTHON) -c "import glob, sys, zipfile; \
	    w = zipfile.ZipFile(glob.glob('$(BENCH_PEERS)/download/HPSocket-0.9.3-*.whl')[0]); \
	    open('$(BENCH_HP522)/libhpsocket4c_amd64_64.so', 'wb').write( \
	      w.read('HPSocket/libhpsocket4c_amd64_64.so'))" \
	  && ln -sf libhpsocket4c_amd64_64.so $@; \
	else echo "bench: could not download HPSocket==0.9.3: the HP-Socket rows are left out"; fi

# C peers: each is built when what it needs is there, and left out with a note otherwise.
bench-cpeers:
	@mkdir -p $(BENCH_CBIN)
	@if [ -f $(BENCH_HP522)/libhpsocket4c.so ]; then \
	  for p in echo agent http udp; do \
	    $(BENCH_CC) $(BENCH_CFLAGS) -Itests/interop -o $(BENCH_CBIN)/hp522_$$p \
	      $(BENCH_DIR)/c/hp_$$p.c -L$(BENCH_HP522) -Wl,-rpath,$(abspath $(BENCH_HP522)) \
	      -lhpsocket4c -pthread || exit 1; \
	  done; fi
	@if [ -f $(BENCH_RELEASE)/libhpsocket.so ] && [ -f include/HPSocket4C.h ]; then \
	  models=""; grep -q Create_HP_TcpPackServer include/HPSocket4C.h || models=-DHPS_NO_MODELS; \
	  for p in echo agent http udp; do \
	    $(BENCH_CC) $(BENCH_CFLAGS) -DHPS_OWN_HEADER $$models -Iinclude -o $(BENCH_CBIN)/hps_c_$$p \
	      $(BENCH_DIR)/c/hp_$$p.c -L$(BENCH_RELEASE) -Wl,-rpath,$(BENCH_RELEASE) -lhpsocket \
	      -pthread || exit 1; \
	  done; else rm -f $(BENCH_CBIN)/hps_c_echo $(BENCH_CBIN)/hps_c_agent \
	    $(BENCH_CBIN)/hps_c_http $(BENCH_CBIN)/hps_c_udp; fi
	@# U1's bare recvmmsg/sendmmsg echo loop: plain C, always built.
	$(BENCH_CC) $(BENCH_CFLAGS) -o $(BENCH_CBIN)/mmsg_echo $(BENCH_DIR)/c/mmsg_echo.c
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) bench-wspeers
	@if pkg-config --exists libuv 2>/dev/null; then \
	  $(BENCH_CC) $(BENCH_CFLAGS) -o $(BENCH_CBIN)/uv_echo $(BENCH_DIR)/c/uv_echo.c \
	    $$(pkg-config --cflags --libs libuv) || exit 1; \
	else echo "bench: libuv1-dev not installed: the libuv peer is left out"; fi
	@if pkg-config --exists libevent 2>/dev/null; then \
	  $(BENCH_CC) $(BENCH_CFLAGS) -o $(BENCH_CBIN)/ev_echo $(BENCH_DIR)/c/ev_echo.c \
	    $$(pkg-config --cflags --libs libevent) || exit 1; \
	else echo "bench: libevent-dev not installed: the libevent peer is left out"; fi

# W1's C servers, bench/c/hp_ws.c three ways: HP-Socket 5.2.2's frame API (hp522_ws), our
# library's WebSocket mode (hps_c_ws) and our library under the same frame-API code
# (hps_c_ws_frames). The frame-API builds compute Sec-WebSocket-Accept with libcrypto (SHA-1,
# base64), which the bench's Rust build needs anyway (libssl-dev); without it those two are
# left out with a note. Our library's builds need the WebSocket mode (HPX_*) in its header.
BENCH_CRYPTO = $$(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

bench-wspeers:
	@mkdir -p $(BENCH_CBIN)
	@crypto=yes; [ -f /usr/include/openssl/sha.h ] || { crypto=; \
	  echo "bench: no OpenSSL headers (libssl-dev): the W1 frame-API servers are left out"; }; \
	if [ -n "$$crypto" ] && [ -f $(BENCH_HP522)/libhpsocket4c.so ]; then \
	  $(BENCH_CC) $(BENCH_CFLAGS) -Itests/interop -o $(BENCH_CBIN)/hp522_ws \
	    $(BENCH_DIR)/c/hp_ws.c -L$(BENCH_HP522) -Wl,-rpath,$(abspath $(BENCH_HP522)) \
	    -lhpsocket4c $(BENCH_CRYPTO) -pthread || exit 1; fi; \
	if [ -f $(BENCH_RELEASE)/libhpsocket.so ] && grep -q HPX_HttpServer_SetWebSocketMode \
	    include/hpsocket.h 2>/dev/null; then \
	  $(BENCH_CC) $(BENCH_CFLAGS) -DHPS_OWN_HEADER -Iinclude -o $(BENCH_CBIN)/hps_c_ws \
	    $(BENCH_DIR)/c/hp_ws.c -L$(BENCH_RELEASE) -Wl,-rpath,$(BENCH_RELEASE) -lhpsocket \
	    -pthread || exit 1; \
	  if [ -n "$$crypto" ]; then \
	    $(BENCH_CC) $(BENCH_CFLAGS) -DHPS_OWN_HEADER -DHPS_WS_FRAMES -Iinclude \
	      -o $(BENCH_CBIN)/hps_c_ws_frames $(BENCH_DIR)/c/hp_ws.c -L$(BENCH_RELEASE) \
	      -Wl,-rpath,$(BENCH_RELEASE) -lhpsocket $(BENCH_CRYPTO) -pthread || exit 1; fi; \
	else rm -f $(BENCH_CBIN)/hps_c_ws $(BENCH_CBIN)/hps_c_ws_frames; fi

# K1's peer: the kcp-go echo server (bench/go/kcpecho), modules from the Go module proxy at the
# versions go.sum pins (github.com/xtaci/kcp-go/v5 in bench/go/go.mod). GOTOOLCHAIN=local: a
# Go older than go.mod asks for fails here with a note instead of fetching a toolchain; without
# Go at all the kcp-go rows are left out.
BENCH_GO ?= go

bench-gopeers:
	@mkdir -p $(BENCH_CBIN)
	@if command -v $(BENCH_GO) >/dev/null 2>&1; then \
	  (cd $(BENCH_DIR)/go && GOTOOLCHAIN=local GOFLAGS=-mod=readonly $(BENCH_GO) build \
	    -trimpath -o $(abspath $(BENCH_CBIN))/kcpgo_echo ./kcpecho) \
	  || { echo "bench: the kcp-go peer did not build: K1's kcp-go rows are left out"; \
	       rm -f $(BENCH_CBIN)/kcpgo_echo; }; \
	else echo "bench: no Go toolchain: K1's kcp-go rows are left out"; \
	  rm -f $(BENCH_CBIN)/kcpgo_echo; fi

# matplotlib from PyPI for the charts, in a private venv (the system Python stays untouched).
bench-venv: $(BENCH_VENV)/.ok

$(BENCH_VENV)/.ok:
	@if $(BENCH_PYTHON) -m venv $(BENCH_VENV) \
	    && $(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check matplotlib; then \
	  touch $@; else echo "bench: matplotlib unavailable: charts are skipped"; fi

bench-charts:
	@if [ -x $(BENCH_VENV)/bin/python ] && [ -f $(BENCH_DIR)/out/summary.json ]; then \
	  $(BENCH_VENV)/bin/python $(BENCH_DIR)/chart.py $(BENCH_DIR)/out/summary.json \
	    $(BENCH_DIR)/charts; \
	else echo "bench: no matplotlib or no summary: charts skipped"; fi

# L1 peers (the bindings' echo servers), each language left out with a note when its package
# (from `make wheel` / `make jar` / `make nupkg` in dist/) or toolchain is missing. Python: a
# venv in .peers/l1venv with the hpsocket wheel and uvloop from PyPI; Java: bench/java/*.java
# compiled against the jar into .peers/java; C#: the nupkg's HPSocket.dll and libhpsocket.so
# taken into .peers/csharp and bench/csharp/*.cs compiled there with Debian's mcs (each file
# its own program). The dist/ packages are used as they are: rebuild them (`make wheel jar
# nupkg`) after changing a binding.
BENCH_L1_VENV := $(BENCH_PEERS)/l1venv
BENCH_L1_JAVA := $(BENCH_PEERS)/java
BENCH_L1_CS := $(BENCH_PEERS)/csharp
BENCH_MCS ?= $(or $(MCS),mcs)

bench-l1:
	@whl=$$(ls dist/hpsocket_rs-*.whl 2>/dev/null | tail -1); \
	if [ -n "$$whl" ]; then \
	  { [ -x $(BENCH_L1_VENV)/bin/python ] || $(BENCH_PYTHON) -m venv $(BENCH_L1_VENV); } \
	  && $(BENCH_L1_VENV)/bin/pip install --quiet --disable-pip-version-check \
	       --force-reinstall --no-deps "$$whl" \
	  && $(BENCH_L1_VENV)/bin/pip install --quiet --disable-pip-version-check uvloop \
	  || { echo "bench: L1 Python venv failed: the Python row is left out"; \
	       rm -rf $(BENCH_L1_VENV); }; \
	else echo "bench: no dist/hpsocket_rs-*.whl (make wheel): the L1 Python row is left out"; fi
	@jar=$$(ls dist/hpsocket-*.jar 2>/dev/null | tail -1); \
	if [ -n "$$jar" ] && command -v javac >/dev/null; then \
	  mkdir -p $(BENCH_L1_JAVA)/classes && cp "$$jar" $(BENCH_L1_JAVA)/hpsocket.jar \
	  && javac -d $(BENCH_L1_JAVA)/classes -cp $(BENCH_L1_JAVA)/hpsocket.jar \
	       $(BENCH_DIR)/java/*.java \
	  || { echo "bench: L1 Java build failed: the Java row is left out"; \
	       rm -rf $(BENCH_L1_JAVA)/classes; }; \
	else echo "bench: no dist/hpsocket-*.jar (make jar) or no javac: the L1 Java row is left out"; fi
	@pkg=$$(ls dist/HPSocket.*.nupkg 2>/dev/null | tail -1); \
	if [ -n "$$pkg" ] && command -v $(BENCH_MCS) >/dev/null && command -v mono >/dev/null; then \
	  rm -rf $(BENCH_L1_CS) && mkdir -p $(BENCH_L1_CS) \
	  && unzip -q -j -o "$$pkg" lib/net45/HPSocket.dll runtimes/linux-x64/native/libhpsocket.so \
	       -d $(BENCH_L1_CS) \
	  && $(BENCH_MCS) -langversion:7.2 -optimize+ -warnaserror+ -out:$(BENCH_L1_CS)/HpsEcho.exe \
	       -r:$(BENCH_L1_CS)/HPSocket.dll $(BENCH_DIR)/csharp/HpsEcho.cs \
	  && $(BENCH_MCS) -langversion:7.2 -optimize+ -warnaserror+ \
	       -out:$(BENCH_L1_CS)/SocketsEcho.exe $(BENCH_DIR)/csharp/SocketsEcho.cs \
	  || { echo "bench: L1 C# build failed: the C# row is left out"; rm -rf $(BENCH_L1_CS); }; \
	else echo "bench: no dist/HPSocket.*.nupkg (make nupkg) or no mcs/mono: the L1 C# row is left out"; fi
