#!/usr/bin/env bash
# The packaging test (`make test-packaging`): installs hpsocket into a temporary prefix and uses
# it the way a C, a C++ and a Python project would, from a temporary directory that holds only
# copies of tests/packaging/consumer, so nothing can come from the source tree.
#
#   install          `make install PREFIX=<tmp>`: files, version links, SONAME, .pc and CMake
#                    files carry the workspace version
#   destdir          `make install DESTDIR=... PREFIX=/usr/local` (the package files name
#                    /usr/local), `make install-strip`, then `make uninstall` leaves no file
#   c_pkgconfig      echo.c built with `pkg-config --cflags --libs hpsocket` (PKG_CONFIG_PATH
#                    = the prefix's only), run: it loads libhpsocket.so.X from the prefix
#   c_static         the same with hpsocket-static.pc: no libhpsocket.so needed at run time
#   cmake            find_package(hpsocket <version> EXACT) with CMAKE_PREFIX_PATH = the prefix:
#                    echo.cpp (hpsocket::hpsocket, the C++ wrapper) and echo.c
#                    (hpsocket::hpsocket_static), both run
#   version          one version: Cargo.toml's [workspace.package], cargo metadata of
#                    hpsocket-ffi and hpsocket-python, bindings/java/pom.xml, hpsocket.pc, the
#                    CMake version file, the wheel's name and metadata
#   wheel            the repaired wheel (`make wheel`) in a fresh venv: manylinux tag, OpenSSL
#                    bundled and loaded from the wheel, one echo
#   java_maven       `make maven-install MAVEN_REPO=<tmp>` (jar, sources and Javadoc jars, pom
#                    as org.hpsocket:hpsocket:<version>), then a separate Maven project that
#                    declares the dependency (tests/packaging/java-consumer) resolves it from
#                    there with an empty local repository and runs an echo (`mvn compile
#                    exec:java`); the native library loads from inside the jar
#   csharp_nuget     the nupkg (`make nupkg`) in a local feed; a packages.config project
#                    (tests/packaging/csharp-consumer, as Visual Studio writes one: a reference
#                    into packages/ and the package's build/net45/HPSocket.targets imported)
#                    restored with Debian's nuget, built with xbuild, run under Mono without
#                    LD_LIBRARY_PATH: the targets file put libhpsocket.so beside the program
#   sdist            unless PACKAGING_SDIST=0: `make sdist`, `pip install` of it into a fresh
#                    venv (maturin from PyPI, a full release build: about a minute), one echo
#
# Environment: HPSOCKET_VERSION (the workspace version, from packaging.mk), PKG_MAKE (the make
# command with -f of the root Makefile), PYTHON (default python3), PACKAGING_SDIST, and
# PACKAGING_TESTS (run only these, e.g. PACKAGING_TESTS="install cmake"), PACKAGING_KEEP=1 (keep
# the temporary directory with each test's log).
# Prints "N passed, N failed" and exits non-zero if any failed.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
version="${HPSOCKET_VERSION:?HPSOCKET_VERSION is set by make test-packaging}"
major="${version%%.*}"
make_cmd="${PKG_MAKE:-make -f $root/Makefile}"
python="${PYTHON:-python3}"
only="${PACKAGING_TESTS:-}"
work="$(mktemp -d /tmp/hpsocket-packaging.XXXXXX)"
if [ "${PACKAGING_KEEP:-}" = 1 ]; then
    echo "packaging: keeping $work (each test's output is <test>.log there)"
else
    trap 'rm -rf "$work"' EXIT
fi
prefix="$work/prefix"
passed=0
failed=0
failures=""

# Compilers and pkg-config see only what each step gives them.
unset CPATH C_INCLUDE_PATH CPLUS_INCLUDE_PATH LIBRARY_PATH LD_LIBRARY_PATH PKG_CONFIG_LIBDIR \
      PKG_CONFIG_SYSROOT_DIR CMAKE_PREFIX_PATH PYTHONPATH PYTHONHOME VIRTUAL_ENV

run_test() {
    local name="$1"
    shift
    if [ -n "$only" ] && [[ " $only " != *" $name "* ]]; then
        return
    fi
    local start=$SECONDS rc=0
    # Neither in an `if` nor before `||`: bash ignores `set -e` in a tested command, and each
    # test relies on it.
    (set -e; "$@") >"$work/$name.log" 2>&1
    rc=$?
    if [ "$rc" = 0 ]; then
        passed=$((passed + 1))
        echo "PASS $name ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1))
        failures="$failures $name"
        echo "FAIL $name ($((SECONDS - start)) s); its output:"
        sed 's/^/    /' "$work/$name.log"
    fi
}

fail() {
    echo "$*"
    return 1
}

consumer_dir() {
    local dir="$work/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$root"/tests/packaging/consumer/* "$dir/"
    echo "$dir"
}

test_install() {
    $make_cmd --no-print-directory -C "$root" install PREFIX="$prefix"
    local lib="$prefix/lib"
    [ "$(readlink "$lib/libhpsocket.so")" = "libhpsocket.so.$major" ] || fail "libhpsocket.so link"
    [ "$(readlink "$lib/libhpsocket.so.$major")" = "libhpsocket.so.$version" ] \
        || fail "libhpsocket.so.$major link"
    [ -f "$lib/libhpsocket.so.$version" ] && [ ! -L "$lib/libhpsocket.so.$version" ] \
        || fail "libhpsocket.so.$version is not a file"
    readelf -d "$lib/libhpsocket.so.$version" | grep "SONAME.*\[libhpsocket.so.$major\]" \
        || fail "SONAME is not libhpsocket.so.$major"
    ar t "$lib/libhpsocket.a" >/dev/null || fail "libhpsocket.a is not an archive"
    # readelf, not nm: binutils 2.40's nm lists no symbols in rustc's LTO object.
    readelf -Ws "$lib/libhpsocket.a" | grep -E 'FUNC +GLOBAL +DEFAULT +[0-9]+ HP_GetHPSocketVersion$' \
        || fail "libhpsocket.a does not define HP_GetHPSocketVersion"
    for h in hpsocket.h HPSocket4C.h HPSocket4C-SSL.h hpsocket.hpp; do
        [ -f "$prefix/include/hpsocket/$h" ] || fail "include/hpsocket/$h missing"
    done
    for f in lib/pkgconfig/hpsocket.pc lib/pkgconfig/hpsocket-static.pc \
             lib/cmake/hpsocket/hpsocketConfig.cmake lib/cmake/hpsocket/hpsocketConfigVersion.cmake; do
        [ -f "$prefix/$f" ] || fail "$f missing"
    done
    # Each installed header compiles alone with only the prefix on the include path, both as
    # HP-Socket programs include it and under the hpsocket/ directory.
    local dir
    dir="$(consumer_dir headers)"
    cd "$dir"
    for h in hpsocket.h HPSocket4C.h HPSocket4C-SSL.h; do
        printf '#include "%s"\nint main(void) { return 0; }\n' "$h" > "h_$h.c"
        cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include/hpsocket" "h_$h.c"
        printf '#include <hpsocket/%s>\nint main(void) { return 0; }\n' "$h" > "d_$h.c"
        cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" "d_$h.c"
    done
    printf '#include <hpsocket.hpp>\nint main() { return 0; }\n' > hpp.cpp
    c++ -std=c++17 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include/hpsocket" hpp.cpp
    find "$prefix" | sort
}

test_destdir() {
    local stage="$work/stage"
    $make_cmd --no-print-directory -C "$root" install DESTDIR="$stage" PREFIX=/usr/local
    [ -f "$stage/usr/local/lib/libhpsocket.so.$version" ] || fail "nothing under DESTDIR"
    grep -qx 'prefix=/usr/local' "$stage/usr/local/lib/pkgconfig/hpsocket.pc" \
        || fail "hpsocket.pc names the staging directory"
    ! grep -rq "$stage" "$stage/usr/local/lib/pkgconfig" "$stage/usr/local/lib/cmake" \
        || fail "a package file names the staging directory"
    # install-strip: smaller, the same SONAME and exports.
    local before after
    before="$(stat -c %s "$stage/usr/local/lib/libhpsocket.so.$version")"
    $make_cmd --no-print-directory -C "$root" install-strip DESTDIR="$stage" PREFIX=/usr/local
    after="$(stat -c %s "$stage/usr/local/lib/libhpsocket.so.$version")"
    echo "libhpsocket.so.$version: $before bytes, $after stripped"
    [ "$after" -lt "$before" ] || fail "install-strip did not make libhpsocket.so smaller"
    readelf -d "$stage/usr/local/lib/libhpsocket.so.$version" | grep "SONAME.*\[libhpsocket.so.$major\]" \
        || fail "no SONAME after install-strip"
    nm -D --defined-only "$stage/usr/local/lib/libhpsocket.so.$version" | grep ' T HP_GetHPSocketVersion$' \
        || fail "HP_GetHPSocketVersion not exported after install-strip"
    $make_cmd --no-print-directory -C "$root" uninstall DESTDIR="$stage" PREFIX=/usr/local
    local left
    left="$(find "$stage" ! -type d)"
    [ -z "$left" ] || fail "uninstall left: $left"
}

test_c_pkgconfig() {
    local dir
    dir="$(consumer_dir c)"
    cd "$dir"
    export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
    local libdir cflags libs
    libdir="$(pkg-config --variable=libdir hpsocket)"
    cflags="$(pkg-config --cflags hpsocket)"
    libs="$(pkg-config --libs hpsocket)"
    echo "cflags: $cflags; libs: $libs"
    [ "$(pkg-config --modversion hpsocket)" = "$version" ] || fail "pkg-config --modversion"
    cc -std=c11 -Wall -Wextra -Werror -o echo_c echo.c $cflags $libs -Wl,-rpath,"$libdir" -pthread
    ldd ./echo_c | grep "libhpsocket.so.$major => $prefix/lib/libhpsocket.so.$major" \
        || fail "echo_c does not load libhpsocket.so.$major from the prefix: $(ldd ./echo_c)"
    timeout -k 5 60 ./echo_c "$version"
}

test_c_static() {
    local dir
    dir="$(consumer_dir c-static)"
    cd "$dir"
    export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
    local flags
    flags="$(pkg-config --cflags --libs hpsocket-static)"
    echo "flags: $flags"
    cc -std=c11 -Wall -Wextra -Werror -o echo_c_static echo.c $flags -pthread
    ! readelf -d echo_c_static | grep 'NEEDED.*libhpsocket' || fail "echo_c_static needs libhpsocket.so"
    # Moving the prefix away shows the program needs nothing from it.
    mv "$prefix" "$prefix.moved"
    local rc=0
    timeout -k 5 60 ./echo_c_static "$version" || rc=$?
    mv "$prefix.moved" "$prefix"
    return $rc
}

test_cmake() {
    local dir
    dir="$(consumer_dir cmake)"
    cd "$dir"
    # The consumer's own make, without the flags of the make running this script.
    unset MAKEFLAGS MFLAGS MAKELEVEL
    cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" -DEXPECT_VERSION="$version" \
        -DCMAKE_BUILD_TYPE=Release | tee configure.log
    grep -q "hpsocket $version from $prefix/lib/cmake/hpsocket" configure.log \
        || fail "find_package did not report hpsocket $version from the prefix"
    cmake --build build -j 2
    ldd build/echo_cpp | grep "libhpsocket.so.$major => $prefix/lib/libhpsocket.so.$major" \
        || fail "echo_cpp does not load libhpsocket.so.$major from the prefix: $(ldd build/echo_cpp)"
    ! readelf -d build/echo_c_static | grep 'NEEDED.*libhpsocket' \
        || fail "echo_c_static needs libhpsocket.so"
    timeout -k 5 60 build/echo_cpp "$version"
    timeout -k 5 60 build/echo_c_static "$version"
}

wheel_file() {
    ls "$root"/dist/hpsocket_rs-"$version"-*.whl
}

test_version() {
    local meta
    meta="$(cd "$root" && ${CARGO:-cargo} metadata --no-deps --format-version 1)"
    local ffi py
    ffi="$(echo "$meta" | "$python" -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "hpsocket-ffi"))')"
    py="$(echo "$meta" | "$python" -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "hpsocket-python"))')"
    echo "Cargo.toml $version, hpsocket-ffi $ffi, hpsocket-python $py"
    [ "$ffi" = "$version" ] && [ "$py" = "$version" ] || fail "cargo metadata disagrees"
    # The Java jar's version is written in its pom.xml, not taken from Cargo.toml: it must agree.
    local pom
    pom="$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' "$root/bindings/java/pom.xml" | head -n 1)"
    echo "bindings/java/pom.xml $pom"
    [ "$pom" = "$version" ] || fail "bindings/java/pom.xml says $pom"
    [ -f "$prefix/lib/pkgconfig/hpsocket.pc" ] || $make_cmd --no-print-directory -C "$root" install PREFIX="$prefix"
    grep -qx "Version: $version" "$prefix/lib/pkgconfig/hpsocket.pc" || fail "hpsocket.pc version"
    grep -qx "Version: $version" "$prefix/lib/pkgconfig/hpsocket-static.pc" || fail "hpsocket-static.pc version"
    grep -q "^set(PACKAGE_VERSION \"$version\")" "$prefix/lib/cmake/hpsocket/hpsocketConfigVersion.cmake" \
        || fail "hpsocketConfigVersion.cmake version"
    local wheel
    wheel="$(wheel_file)" || fail "no dist/hpsocket_rs-$version-*.whl"
    "$python" - "$wheel" "$version" <<'EOF'
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    meta = z.read(f"hpsocket_rs-{version}.dist-info/METADATA").decode()
fields = dict(line.split(": ", 1) for line in meta.splitlines()[:10] if ": " in line)
assert fields["Name"] == "hpsocket-rs", fields
assert fields["Version"] == version, fields
print("wheel metadata:", fields["Name"], fields["Version"])
EOF
}

test_wheel() {
    local wheel dir
    wheel="$(wheel_file)" || fail "no dist/hpsocket_rs-$version-*.whl"
    echo "wheel: $wheel"
    case "$(basename "$wheel")" in
        hpsocket_rs-"$version"-cp39-abi3-manylinux_*_x86_64.whl) ;;
        *) fail "not an abi3 manylinux wheel: $wheel" ;;
    esac
    "$python" - "$wheel" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = z.namelist()
for lib in ("libssl", "libcrypto"):
    assert any(n.startswith(f"hpsocket_rs.libs/{lib}-") for n in names), (lib, names)
print("bundled:", ", ".join(n for n in names if n.startswith("hpsocket_rs.libs/") and n.endswith(".so.3")))
EOF
    dir="$(consumer_dir wheel)"
    cd "$dir"
    "$python" -m venv venv
    venv/bin/python -m pip install -q --disable-pip-version-check --no-index "$wheel"
    timeout -k 5 60 venv/bin/python echo.py "$version" bundled
}

test_sdist() {
    local sdist dir
    $make_cmd --no-print-directory -C "$root" sdist
    sdist="$(ls "$root"/dist/hpsocket_rs-"$version".tar.gz)" || fail "no sdist"
    dir="$(consumer_dir sdist)"
    cd "$dir"
    "$python" -m venv venv
    # A build from nothing: maturin from PyPI, its own target directory.
    local start=$SECONDS
    env -u CARGO_TARGET_DIR venv/bin/python -m pip install -q --disable-pip-version-check "$sdist"
    echo "pip install of the sdist: $((SECONDS - start)) s"
    timeout -k 5 60 venv/bin/python echo.py "$version"
}

test_java_maven() {
    local repo="$work/maven-repo" dir="$work/java-consumer"
    $make_cmd --no-print-directory -C "$root" maven-install MAVEN_REPO="$repo"
    local art="$repo/org/hpsocket/hpsocket/$version"
    for f in "hpsocket-$version.pom" "hpsocket-$version.jar" "hpsocket-$version-sources.jar" \
             "hpsocket-$version-javadoc.jar"; do
        [ -f "$art/$f" ] || fail "maven-install did not install $f"
    done
    # The listings are read whole before grep looks: `unzip -l | grep -q` fails under pipefail
    # whenever grep stops early and unzip dies of SIGPIPE.
    local listing
    listing=$(unzip -l "$art/hpsocket-$version-sources.jar")
    grep -q 'org/hpsocket/TcpServer.java' <<<"$listing" || fail "the sources jar has no TcpServer.java"
    listing=$(unzip -l "$art/hpsocket-$version-javadoc.jar")
    grep -q 'org/hpsocket/TcpServer.html' <<<"$listing" || fail "the Javadoc jar has no TcpServer.html"
    rm -rf "$dir" && cp -r "$root/tests/packaging/java-consumer" "$dir"
    cd "$dir"
    # An empty local repository: the dependency can only come from the installed one (Maven
    # fetches its own plugins from Maven Central into it, about 8 MB).
    timeout -k 5 300 mvn -B -ntp -Dstyle.color=never -Dmaven.repo.local="$work/m2-local" \
        -Dhpsocket.repo="file://$repo" -Dhpsocket.version="$version" compile exec:java \
        | tee mvn.log
    grep -qx 'echo: hello from maven' mvn.log || fail "the consumer did not print its echo"
    cmp "$work/m2-local/org/hpsocket/hpsocket/$version/hpsocket-$version.jar" "$art/hpsocket-$version.jar" \
        || fail "the consumer did not use the installed jar"
}

test_csharp_nuget() {
    local feed="$work/nuget-feed" dir="$work/csharp-consumer" nupkg="$root/dist/HPSocket.$version.nupkg"
    [ -f "$nupkg" ] || fail "no $nupkg (make nupkg)"
    mkdir -p "$feed" && cp "$nupkg" "$feed/"
    rm -rf "$dir" && cp -r "$root/tests/packaging/csharp-consumer" "$dir"
    cd "$dir"
    sed -i "s/@VERSION@/$version/g" Consumer.csproj packages.config
    cp "$root/examples/csharp/Echo.cs" Program.cs
    nuget restore packages.config -Source "$feed" -PackagesDirectory packages -NonInteractive
    xbuild /nologo /verbosity:minimal Consumer.csproj
    local out=bin/Debug
    [ -f "$out/libhpsocket.so" ] || fail "the package's targets did not copy libhpsocket.so to $out"
    cmp "$out/libhpsocket.so" "packages/HPSocket.$version/runtimes/linux-x64/native/libhpsocket.so" \
        || fail "$out/libhpsocket.so is not the package's"
    (cd "$out" && env -u LD_LIBRARY_PATH timeout -k 5 120 mono Consumer.exe) | tee run.log
    grep -q "all echoed intact" run.log || fail "the consumer's echo did not complete"
}

run_test install test_install
run_test destdir test_destdir
run_test c_pkgconfig test_c_pkgconfig
run_test c_static test_c_static
run_test cmake test_cmake
run_test version test_version
run_test wheel test_wheel
run_test java_maven test_java_maven
run_test csharp_nuget test_csharp_nuget
if [ "${PACKAGING_SDIST:-1}" != 0 ]; then
    run_test sdist test_sdist
fi

[ -z "$failures" ] || echo "failed:$failures"
echo "packaging: $passed passed, $failed failed"
[ "$failed" = 0 ]
