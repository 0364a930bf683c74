#!/usr/bin/env bash
# Builds and runs CodecBench: our zlib/gzip (hpsocket_core::codec through a minimal JNI call,
# and through the jar's org.hpsocket.codec) against the JDK's java.util.zip on the same 16 MiB
# of mixed text, plus our brotli. Prints a machine header and a Markdown table. Extra arguments go to the JVM (e.g. -Dbench.brotli11=true).
#
#   bindings/java/bench/run.sh [-Dbench.mib=16] [-Dbench.rounds=7] [-Dbench.warmup=3]
#
# Uses $CARGO_TARGET_DIR (default: the repository's target/) for the native half, a separate
# crate (native/) that is not part of the shipped JNI library.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/java/codec-bench
mkdir -p "$out"
# The repository's versions of zlib-rs, flate2 and brotli, not whatever is newest.
cp "$root/Cargo.lock" "$here/native/Cargo.lock"
cargo build --release --manifest-path "$here/native/Cargo.toml" --target-dir "$target" >&2
# The jar, for the shipped org.hpsocket.codec classes.
"$here/../tools/build.sh" jar >&2
version=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' "$here/../pom.xml" | head -1)
jar=$root/dist/hpsocket-$version.jar
javac --release 17 -Xlint:all -Werror -cp "$jar" -d "$out" "$here/CodecBench.java"
ver() { sed -n "/^name = \"$1\"$/{n;s/version = \"\(.*\)\"/\1/p}" "$here/native/Cargo.lock" | head -1; }
echo "## Java codec bench, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "- $(uname -sr), $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $(java -version 2>&1 | head -2 | tail -1); java.util.zip over the system zlib $(dpkg-query -W -f='${Version}' zlib1g 2>/dev/null || echo '?')"
echo "- ours: hpsocket_core::codec, flate2 $(ver flate2) over zlib-rs $(ver zlib-rs), brotli $(ver brotli); level 6, 64 KiB pieces both sides"
echo
java -Xms1g -Xmx2g -Djava.library.path="$target/release" "$@" -cp "$out:$jar" CodecBench
