# The C# binding's targets; included by the root Makefile:
#
#   include bindings/csharp/csharp.mk
#
#   make deps-csharp     Debian packages the C# targets need (mono-mcs, mono-runtime, zip, unzip,
#                        openssl for the TLS test's certificates),
#                        installed only when missing
#   make csharp          target/csharp/HPSocket.dll (+ .xml docs) from bindings/csharp/src
#   make test-csharp     the console test runner on Mono against target/debug/libhpsocket.so
#                        ("N passed, N failed"; non-zero exit on any failure), then the package
#                        check (csharp-package-check)
#   make nupkg           dist/HPSocket.<version>.nupkg: lib/net45/HPSocket.dll and
#                        runtimes/linux-x64/native/libhpsocket.so (release build, stripped)
#   make csharp-package-check
#                        builds the nupkg, extracts it into a fresh folder, compiles
#                        examples/csharp/Echo.cs against the extracted DLL and runs it with the
#                        extracted .so only (no LD_LIBRARY_PATH)
#   make csharp-native   regenerates bindings/csharp/src/NativeMethods.g.cs from include/hpsocket.h
#
# Variables: MCS, MONO, CS_TESTS (run only tests whose name contains one of these words),
# CS_NATIVE_PROFILE (release or debug: the library packed into the nupkg; default release).
#
# Mono's mcs (C# 7.2, .NET Framework 4.x profile) is the compiler: no .NET SDK is needed.

CS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CS_ROOT := $(abspath $(CS_DIR)/../..)
CS_TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CS_ROOT)/target)
CS_OUT := $(CS_TARGET_DIR)/csharp
CS_SRCS := $(wildcard $(CS_DIR)/src/*.cs)
CS_TEST_SRCS := $(wildcard $(CS_DIR)/tests/*.cs)
CS_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(CS_ROOT)/Cargo.toml | head -n 1)
CS_DIST := $(CS_ROOT)/dist
CS_NUPKG := $(CS_DIST)/HPSocket.$(CS_VERSION).nupkg
CS_NATIVE_PROFILE ?= release
CS_TESTS ?=
MCS ?= mcs
MONO ?= mono
CARGO ?= cargo
CS_DEB_PACKAGES := mono-mcs mono-runtime zip unzip openssl
# mcs: C# 7.2, unsafe code for pinned buffers, warnings are errors (1591: undocumented enum members).
CS_MCS_FLAGS := -langversion:7.2 -unsafe -optimize+ -debug -warnaserror+ -nowarn:1591
# Fixed zip timestamps: the same inputs give the same package.
CS_EPOCH := 315532800

.PHONY: deps-csharp deps-csharp-consumer csharp test-csharp nupkg csharp-package-check \
        csharp-native csharp-native-check

# What a packages.config consumer builds with (tests/packaging, csharp_nuget): Debian's nuget
# 2.8.7, xbuild, and the .NET 4.5 reference assemblies it compiles against.
CS_CONSUMER_DEB_PACKAGES := nuget mono-xbuild mono-devel

deps-csharp-consumer:
	@$(CS_ROOT)/tools/apt-need.sh deps-csharp-consumer $(CS_CONSUMER_DEB_PACKAGES)

deps-csharp:
	@$(CS_ROOT)/tools/apt-need.sh deps-csharp $(CS_DEB_PACKAGES)

csharp: $(CS_OUT)/HPSocket.dll

$(CS_OUT)/HPSocket.dll: $(CS_SRCS) $(CS_DIR)/csharp.mk $(CS_ROOT)/Cargo.toml
	@mkdir -p $(@D)
	printf '[assembly: System.Reflection.AssemblyVersion("%s.0")]\n[assembly: System.Reflection.AssemblyInformationalVersion("%s")]\n[assembly: System.Reflection.AssemblyTitle("HPSocket: C# binding of hpsocket (HP-Socket rebuilt in Rust)")]\n' \
	  '$(CS_VERSION)' '$(CS_VERSION)' > $(CS_OUT)/AssemblyInfo.g.cs
	$(MCS) $(CS_MCS_FLAGS) -target:library -out:$@ -doc:$(CS_OUT)/HPSocket.xml $(CS_SRCS) $(CS_OUT)/AssemblyInfo.g.cs

$(CS_OUT)/tests/HPSocket.Tests.exe: $(CS_OUT)/HPSocket.dll $(CS_TEST_SRCS)
	@mkdir -p $(@D)
	cp $(CS_OUT)/HPSocket.dll $(CS_OUT)/HPSocket.pdb $(@D)/ 2>/dev/null || cp $(CS_OUT)/HPSocket.dll $(@D)/
	$(MCS) -langversion:7.2 -debug -warnaserror+ -out:$@ -r:$(@D)/HPSocket.dll -r:System.Core.dll $(CS_TEST_SRCS)

test-csharp: deps-csharp
	$(CARGO) build -p hpsocket-ffi
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $(CS_OUT)/tests/HPSocket.Tests.exe
	@-python3 $(CS_DIR)/tools/gen_native.py $(CS_ROOT)/include/hpsocket.h $(CS_DIR)/src/NativeMethods.g.cs --check
	cd $(CS_OUT)/tests && LD_LIBRARY_PATH=$(CS_TARGET_DIR)/debug timeout -k 10 900 \
	  $(MONO) --debug HPSocket.Tests.exe $(CS_TESTS)
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) csharp-package-check

nupkg: deps-csharp
	$(CARGO) build -p hpsocket-ffi $(if $(filter release,$(CS_NATIVE_PROFILE)),--release)
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $(CS_OUT)/HPSocket.dll
	rm -rf $(CS_OUT)/nupkg && mkdir -p $(CS_OUT)/nupkg/_rels $(CS_OUT)/nupkg/lib/net45 \
	  $(CS_OUT)/nupkg/build/net45 $(CS_OUT)/nupkg/runtimes/linux-x64/native $(CS_DIST)
	sed 's/@VERSION@/$(CS_VERSION)/' $(CS_DIR)/package/HPSocket.nuspec.in > $(CS_OUT)/nupkg/HPSocket.nuspec
	cp '$(CS_DIR)/package/[Content_Types].xml' $(CS_OUT)/nupkg/
	cp $(CS_DIR)/package/_rels/.rels $(CS_OUT)/nupkg/_rels/
	cp $(CS_DIR)/package/HPSocket.targets $(CS_OUT)/nupkg/build/net45/
	cp $(CS_OUT)/HPSocket.dll $(CS_OUT)/HPSocket.xml $(CS_OUT)/nupkg/lib/net45/
	cp $(CS_TARGET_DIR)/$(CS_NATIVE_PROFILE)/libhpsocket.so $(CS_OUT)/nupkg/runtimes/linux-x64/native/
	strip --strip-unneeded $(CS_OUT)/nupkg/runtimes/linux-x64/native/libhpsocket.so
	find $(CS_OUT)/nupkg -exec touch -h -d @$(CS_EPOCH) {} +
	rm -f $(CS_DIST)/HPSocket.*.nupkg
	cd $(CS_OUT)/nupkg && zip -q -X -D -r $(CS_NUPKG) '[Content_Types].xml' _rels HPSocket.nuspec lib build runtimes
	@unzip -l $(CS_NUPKG)

# The "second program": Echo.cs built against the DLL taken out of the package, run with the
# package's libhpsocket.so beside it (Mono looks in the assembly's folder) and nothing else.
csharp-package-check: nupkg
	rm -rf $(CS_OUT)/package-check && mkdir -p $(CS_OUT)/package-check/extracted $(CS_OUT)/package-check/app
	cd $(CS_OUT)/package-check/extracted && unzip -q $(CS_NUPKG)
	test -f $(CS_OUT)/package-check/extracted/lib/net45/HPSocket.dll
	test -f $(CS_OUT)/package-check/extracted/runtimes/linux-x64/native/libhpsocket.so
	cp $(CS_OUT)/package-check/extracted/lib/net45/HPSocket.dll \
	  $(CS_OUT)/package-check/extracted/runtimes/linux-x64/native/libhpsocket.so $(CS_OUT)/package-check/app/
	$(MCS) -langversion:7.2 -warnaserror+ -out:$(CS_OUT)/package-check/app/Echo.exe \
	  -r:$(CS_OUT)/package-check/app/HPSocket.dll $(CS_ROOT)/examples/csharp/Echo.cs
	cd $(CS_OUT)/package-check/app && env -u LD_LIBRARY_PATH timeout -k 5 120 $(MONO) Echo.exe
	@echo "csharp-package-check: $(notdir $(CS_NUPKG)) referenced and run by a second program"

csharp-native:
	python3 $(CS_DIR)/tools/gen_native.py $(CS_ROOT)/include/hpsocket.h $(CS_DIR)/src/NativeMethods.g.cs

csharp-native-check:
	python3 $(CS_DIR)/tools/gen_native.py $(CS_ROOT)/include/hpsocket.h $(CS_DIR)/src/NativeMethods.g.cs --check
