# Installing the C library the way C and C++ projects expect, and the packaging test. Included
# by the root Makefile (`include packaging/packaging.mk`); paths are relative to the repository
# root. The layout and the consumer commands are in docs/install.md.
#
#   make install         release build, then into $(DESTDIR)$(PREFIX): lib/libhpsocket.so.X.Y.Z
#                        (SONAME libhpsocket.so.X) with the libhpsocket.so.X and libhpsocket.so
#                        links, lib/libhpsocket.a, include/hpsocket/ (hpsocket.h, HPSocket4C.h,
#                        HPSocket4C-SSL.h, hpsocket.hpp), lib/pkgconfig/hpsocket.pc and
#                        hpsocket-static.pc, lib/cmake/hpsocket/ (find_package(hpsocket):
#                        hpsocket::hpsocket, hpsocket::hpsocket_static)
#   make install-strip   the same, then the debug information stripped from the two libraries
#                        (libhpsocket.so 21 -> 4 MB, libhpsocket.a 78 -> 45 MB)
#   make uninstall       removes what `install` put there
#   make install-build   only the release build of the library files, staged in
#                        $(TARGET_DIR)/packaging/lib (what `install` copies)
#   make test-packaging  tests/packaging/run.sh: installs into a temporary prefix, builds and
#                        runs a C (pkg-config), a static C and a C++ (CMake) consumer outside
#                        the tree, the repaired wheel (`make wheel`) in a fresh venv, and the
#                        sdist (`make sdist`) built by pip in another (about a minute)
#
# Variables: PREFIX (default /usr/local), DESTDIR, LIBDIR (default $(PREFIX)/lib), INCLUDEDIR
# (default $(PREFIX)/include), PACKAGING_SDIST=0 (test-packaging skips the sdist build),
# PACKAGING_TESTS (only these tests of tests/packaging/run.sh).
#
# The version everywhere (file names, SONAME, hpsocket.pc, the CMake version file, the wheel)
# is the one in Cargo.toml's [workspace.package].

PKG_TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
PKG_STAGE := $(PKG_TARGET_DIR)/packaging/lib
PKG_CARGO ?= $(or $(CARGO),cargo)

# Read when used (recursive `=`), so that other targets do not pay for it.
HPSOCKET_VERSION = $(shell sed -n '/^\[workspace\.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
HPSOCKET_MAJOR = $(firstword $(subst ., ,$(HPSOCKET_VERSION)))
HPSOCKET_SONAME = libhpsocket.so.$(HPSOCKET_MAJOR)

PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR ?= $(LIBDIR)/cmake/hpsocket
INSTALL ?= install

PKG_HEADERS := include/hpsocket.h include/HPSocket4C.h include/HPSocket4C-SSL.h \
               bindings/cpp/include/hpsocket.hpp

PACKAGING_SDIST ?= 1

.PHONY: install install-build install-strip uninstall test-packaging

# `cargo rustc` passes the SONAME to the link of this crate only: RUSTFLAGS would rebuild every
# dependency, and the SONAME cannot be on every build, because the test programs link
# target/*/libhpsocket.so through an rpath where no libhpsocket.so.X exists. The flags change
# hpsocket-ffi's fingerprint, so the next plain `cargo build --release` relinks it (about 15 s
# of CPU) and this one relinks again after that. rustc prints what the static library needs
# (native-static-libs); cargo replays the note when the build is fresh.
install-build:
	@mkdir -p $(PKG_STAGE)
	$(PKG_CARGO) rustc --release -p hpsocket-ffi --lib -- \
	  -C link-arg=-Wl,-soname,$(HPSOCKET_SONAME) --print native-static-libs 2> $(PKG_STAGE)/cargo.log \
	  || { cat $(PKG_STAGE)/cargo.log; exit 1; }
	@sed -n 's/^note: native-static-libs: //p' $(PKG_STAGE)/cargo.log | tail -n 1 > $(PKG_STAGE)/static-libs
	@test -s $(PKG_STAGE)/static-libs || { cat $(PKG_STAGE)/cargo.log; \
	  echo "install-build: rustc printed no native-static-libs"; exit 1; }
	@readelf -d $(PKG_TARGET_DIR)/release/libhpsocket.so | grep -q 'SONAME.*\[$(HPSOCKET_SONAME)\]' \
	  || { echo "install-build: libhpsocket.so has no SONAME $(HPSOCKET_SONAME)"; exit 1; }
	cp -f $(PKG_TARGET_DIR)/release/libhpsocket.so $(PKG_STAGE)/libhpsocket.so.$(HPSOCKET_VERSION)
	cp -f $(PKG_TARGET_DIR)/release/libhpsocket.a $(PKG_STAGE)/libhpsocket.a
	@echo "install-build: $(PKG_STAGE)/libhpsocket.so.$(HPSOCKET_VERSION) (SONAME $(HPSOCKET_SONAME));" \
	  "libhpsocket.a needs $$(cat $(PKG_STAGE)/static-libs)"

# The .pc files name the prefix; the CMake files find it from their own place (relocatable).
# Without cargo on PATH (`sudo make install` often has root's PATH) the files staged by the last
# `make install-build` are installed as they are.
install:
	@test -n "$(HPSOCKET_VERSION)" || { echo "install: no version in Cargo.toml"; exit 1; }
	@if command -v $(PKG_CARGO) >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) install-build || exit 1; \
	elif [ -f $(PKG_STAGE)/libhpsocket.so.$(HPSOCKET_VERSION) ] && [ -s $(PKG_STAGE)/static-libs ]; then \
	  echo "install: $(PKG_CARGO) is not on PATH; installing what make install-build staged in $(PKG_STAGE)"; \
	else \
	  echo "install: $(PKG_CARGO) is not on PATH and nothing is staged: run make install-build first"; exit 1; \
	fi
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/hpsocket $(DESTDIR)$(PKGCONFIGDIR) \
	  $(DESTDIR)$(CMAKEDIR)
	$(INSTALL) -m 755 $(PKG_STAGE)/libhpsocket.so.$(HPSOCKET_VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sfn libhpsocket.so.$(HPSOCKET_VERSION) $(DESTDIR)$(LIBDIR)/$(HPSOCKET_SONAME)
	ln -sfn $(HPSOCKET_SONAME) $(DESTDIR)$(LIBDIR)/libhpsocket.so
	$(INSTALL) -m 644 $(PKG_STAGE)/libhpsocket.a $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 644 $(PKG_HEADERS) $(DESTDIR)$(INCLUDEDIR)/hpsocket/
	@libs="$$(cat $(PKG_STAGE)/static-libs)"; \
	 libdir='$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))'; \
	 includedir='$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))'; \
	 for pc in hpsocket hpsocket-static; do \
	   sed -e 's|@PREFIX@|$(PREFIX)|g' -e "s|@LIBDIR@|$$libdir|g" -e "s|@INCLUDEDIR@|$$includedir|g" \
	       -e 's|@VERSION@|$(HPSOCKET_VERSION)|g' -e "s|@STATIC_LIBS@|$$libs|g" \
	       packaging/$$pc.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/$$pc.pc || exit 1; \
	   chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/$$pc.pc; \
	 done; \
	 cmake_libs="$$(echo "$$libs" | sed -e 's/^-l//' -e 's/ -l/;/g')"; \
	 to_prefix="$$(realpath -m --relative-to=$(CMAKEDIR) $(PREFIX))"; \
	 lib_rel="$$(realpath -m --relative-to=$(PREFIX) $(LIBDIR))"; \
	 inc_rel="$$(realpath -m --relative-to=$(PREFIX) $(INCLUDEDIR))"; \
	 for f in hpsocketConfig hpsocketConfigVersion; do \
	   sed -e "s|@TO_PREFIX@|$$to_prefix|g" -e "s|@LIB_REL@|$$lib_rel|g" -e "s|@INCLUDE_REL@|$$inc_rel|g" \
	       -e 's|@VERSION@|$(HPSOCKET_VERSION)|g' -e 's|@MAJOR@|$(HPSOCKET_MAJOR)|g' \
	       -e 's|@SONAME@|$(HPSOCKET_SONAME)|g' -e "s|@STATIC_LIBS@|$$cmake_libs|g" \
	       packaging/$$f.cmake.in > $(DESTDIR)$(CMAKEDIR)/$$f.cmake || exit 1; \
	   chmod 644 $(DESTDIR)$(CMAKEDIR)/$$f.cmake; \
	 done
	@echo "install: hpsocket $(HPSOCKET_VERSION) in $(DESTDIR)$(PREFIX)"

install-strip: install
	strip --strip-debug $(DESTDIR)$(LIBDIR)/libhpsocket.so.$(HPSOCKET_VERSION) $(DESTDIR)$(LIBDIR)/libhpsocket.a

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libhpsocket.so $(DESTDIR)$(LIBDIR)/$(HPSOCKET_SONAME) \
	  $(DESTDIR)$(LIBDIR)/libhpsocket.so.$(HPSOCKET_VERSION) $(DESTDIR)$(LIBDIR)/libhpsocket.a \
	  $(addprefix $(DESTDIR)$(INCLUDEDIR)/hpsocket/,$(notdir $(PKG_HEADERS))) \
	  $(DESTDIR)$(PKGCONFIGDIR)/hpsocket.pc $(DESTDIR)$(PKGCONFIGDIR)/hpsocket-static.pc \
	  $(DESTDIR)$(CMAKEDIR)/hpsocketConfig.cmake $(DESTDIR)$(CMAKEDIR)/hpsocketConfigVersion.cmake
	-rmdir $(DESTDIR)$(INCLUDEDIR)/hpsocket $(DESTDIR)$(CMAKEDIR) 2>/dev/null

# The C/C++ part needs cmake and g++ (deps-cpp); the Python part the repaired wheel; the C#
# part the nupkg, nuget and xbuild (deps-csharp-consumer); the Java part Maven (deps).
test-packaging: deps-cpp deps-csharp-consumer
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) install-build
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) wheel
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) nupkg
	HPSOCKET_VERSION=$(HPSOCKET_VERSION) PYTHON=$(PYTHON) PACKAGING_SDIST=$(PACKAGING_SDIST) \
	  PKG_MAKE="$(MAKE) -f $(CURDIR)/$(firstword $(MAKEFILE_LIST))" \
	  timeout -k 10 1800 tests/packaging/run.sh
