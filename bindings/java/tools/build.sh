#!/usr/bin/env bash
# Builds the Java binding's jar, and with `test` runs the JUnit suite on it. Called by java.mk
# (`make jar`, `make test-java`); see there for the variables.
#
#   tools/build.sh jar    dist/hpsocket-<version>.jar, with -sources.jar and -javadoc.jar beside
#   tools/build.sh test   the jar, then the JUnit suite; the last line is "N passed, N failed"
#
# The native library comes from `cargo build --release -p hpsocket-java`, stripped of debug
# info, and goes into the jar as org/hpsocket/native/linux-x86_64/libhpsocket_jni.so.
#
# JAVA_BUILD=auto (default) uses Maven; if Maven cannot resolve its plugins or JUnit (no
# network to the Maven repository), it falls back to javac + jar with Debian's JUnit 5
# (package junit5, installed when missing and running as root). maven / javac force one.
set -uo pipefail

mode=${1:?usage: build.sh jar|test}
here=$(cd "$(dirname "$0")/.." && pwd)   # bindings/java
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/java
native_dir=$out/native
dist=$root/dist
cargo=${CARGO:-cargo}
mvn=${MVN:-mvn}
build=${JAVA_BUILD:-auto}
version=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' "$here/pom.xml" | head -1)
jar_name=hpsocket-$version.jar

say() { echo "java: $*"; }

# ---- native library ------------------------------------------------------------------------
"$cargo" build --release -p hpsocket-java || exit 1
mkdir -p "$native_dir"
cp "$target/release/libhpsocket_jni.so" "$native_dir/libhpsocket_jni.so.tmp"
if command -v strip >/dev/null; then
    strip --strip-debug "$native_dir/libhpsocket_jni.so.tmp"
fi
mv "$native_dir/libhpsocket_jni.so.tmp" "$native_dir/libhpsocket_jni.so"

# ---- test summary from JUnit XML reports ---------------------------------------------------
summary() {
    local dir=$1 t=0 f=0 e=0 s=0 found=0 line x
    attr() { printf '%s' "$line" | grep -o " $1=\"[0-9]*\"" | head -1 | grep -o '[0-9][0-9]*' || echo 0; }
    for x in "$dir"/TEST-*.xml; do
        [ -f "$x" ] || continue
        found=1
        line=$(grep -m1 -o '<testsuite [^>]*>' "$x")
        t=$((t + $(attr tests))); f=$((f + $(attr failures)))
        e=$((e + $(attr errors))); s=$((s + $(attr skipped)))
    done
    if [ "$found" = 0 ]; then
        echo "java: no JUnit reports in $dir (the build failed before the tests ran)"
        return 1
    fi
    echo "$((t - f - e - s)) passed, $((f + e)) failed, $s skipped"
}

# ---- Maven ---------------------------------------------------------------------------------
maven() {
    local log=$out/maven.log goals=(package) flags=(-B -ntp -Dstyle.color=never
        "-Dhpsocket.native.dir=$native_dir")
    if [ "$mode" = jar ]; then
        flags+=(-q -DskipTests)
    fi
    rm -rf "$here/target/surefire-reports"
    # shellcheck disable=SC2086
    (cd "$here" && "$mvn" "${flags[@]}" ${MVN_ARGS:-} "${goals[@]}") 2>&1 |
        sed -u 's/\x1b\[[0-9;]*m//g' | tee "$log"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" != 0 ] && [ "$build" = auto ] &&
        grep -qE "Could not (resolve|transfer)|Non-resolvable|Unknown host|Network is unreachable|Connection (refused|timed out)|Plugin .* could not be resolved" "$log"; then
        say "Maven cannot reach its repository; building with javac and Debian's JUnit 5"
        return 100
    fi
    if [ -f "$here/target/$jar_name" ]; then
        mkdir -p "$dist"
        for j in "$jar_name" "${jar_name%.jar}-sources.jar" "${jar_name%.jar}-javadoc.jar"; do
            [ -f "$here/target/$j" ] && cp "$here/target/$j" "$dist/$j"
        done
        say "$dist/$jar_name"
    fi
    if [ "$mode" = test ]; then
        summary "$here/target/surefire-reports" || rc=${rc/#0/1}
    fi
    return "$rc"
}

# ---- javac + jar (+ Debian's JUnit 5) ------------------------------------------------------
junit_dir=/usr/share/java
need_junit() {
    [ -f "$junit_dir/junit-platform-console-standalone.jar" ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing Debian's junit5"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends junit5 >/dev/null ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends junit5 >/dev/null; }
    fi
    [ -f "$junit_dir/junit-platform-console-standalone.jar" ] ||
        { say "JUnit 5 not found (install Debian's junit5)"; return 1; }
}

javac_build() {
    local b=$out/javac classes tests jar
    classes=$b/classes; tests=$b/test-classes; jar=$b/$jar_name
    rm -rf "$b" && mkdir -p "$classes/org/hpsocket/native/linux-x86_64" "$tests"
    javac --release 17 -Xlint:all -Xdoclint:all/protected -Werror -encoding UTF-8 -d "$classes" \
        $(find "$here/src/main/java" -name '*.java') || return 1
    cp "$native_dir/libhpsocket_jni.so" "$classes/org/hpsocket/native/linux-x86_64/"
    printf 'Automatic-Module-Name: org.hpsocket\n' >"$b/manifest.txt"
    jar --create --file "$jar" --manifest "$b/manifest.txt" --date=1980-01-01T00:00:02Z \
        -C "$classes" . || return 1
    # The sources and Javadoc jars, as Maven's source and javadoc plugins make them.
    javadoc -quiet -Xdoclint:all,-missing -Xwerror -encoding UTF-8 -d "$b/apidocs" \
        -sourcepath "$here/src/main/java" -subpackages org.hpsocket || return 1
    jar --create --file "$b/${jar_name%.jar}-javadoc.jar" --date=1980-01-01T00:00:02Z \
        -C "$b/apidocs" . || return 1
    jar --create --file "$b/${jar_name%.jar}-sources.jar" --date=1980-01-01T00:00:02Z \
        -C "$here/src/main/java" . || return 1
    mkdir -p "$dist"
    cp "$jar" "$b/${jar_name%.jar}-sources.jar" "$b/${jar_name%.jar}-javadoc.jar" "$dist/"
    say "$dist/$jar_name"
    [ "$mode" = test ] || return 0
    need_junit || return 1
    javac --release 17 -Xlint:all -Werror -encoding UTF-8 -d "$tests" \
        -cp "$jar:$junit_dir/junit-jupiter-api.jar:$junit_dir/junit-platform-commons.jar:$junit_dir/opentest4j.jar:$junit_dir/apiguardian-api.jar" \
        $(find "$here/src/test/java" -name '*.java') || return 1
    cp -r "$here/src/test/resources/." "$tests/"
    local rc=0
    # shellcheck disable=SC2086
    java "-Dhpsocket.test.jar=$jar" "-Dhpsocket.test.classes=$tests" \
        "-Dhpsocket.test.examples=$root/examples/java" \
        -jar "$junit_dir/junit-platform-console-standalone.jar" \
        --class-path "$jar:$tests" ${JUNIT_ARGS:---scan-class-path} --disable-banner --disable-ansi-colors \
        --details=tree --reports-dir="$b/reports" || rc=$?
    summary "$b/reports" || rc=${rc/#0/1}
    return "$rc"
}

mkdir -p "$out"
rc=0
case "$build" in
    javac) javac_build; rc=$? ;;
    maven) maven; rc=$? ;;
    auto)
        if command -v "$mvn" >/dev/null; then
            maven; rc=$?
            if [ "$rc" = 100 ]; then javac_build; rc=$?; fi
        else
            say "no Maven; building with javac"
            javac_build; rc=$?
        fi ;;
    *) say "JAVA_BUILD must be auto, maven or javac, not $build"; rc=2 ;;
esac
exit "$rc"
