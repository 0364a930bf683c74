#!/usr/bin/env bash
# Fetches HP-Socket 5.2.2's prebuilt Linux library: PyPI's HPSocket==0.9.3 ships it as
# HPSocket/libhpsocket4c_amd64_64.so (it needs only libz and libstdc++). Downloaded with pip
# into DIR (under target/, ignored; nothing is committed), checked against a pinned SHA-256,
# and linked as DIR/libhpsocket4c.so (its soname). Fails loudly when PyPI cannot be reached:
# the interop tests must not pass by skipping.
#
#   tests/interop/fetch_hp522.sh DIR        (PYTHON: the interpreter, default python3)
set -euo pipefail

dir=${1:?usage: fetch_hp522.sh DIR}
python=${PYTHON:-python3}
lib_sha256=7c0e9edea7030bda3da97534e25fafe62563f2cc1cd71cb4fa7c5e711857b9f6

die() {
    echo "test-interop: FAILED: $*" >&2
    echo "test-interop: the interop tests need HP-Socket 5.2.2 from PyPI (HPSocket==0.9.3);" \
        "they are not skipped." >&2
    exit 1
}

command -v "$python" >/dev/null || die "$python not found"
mkdir -p "$dir/download"
# pip: the interpreter's own, else one in a private venv (Debian's python3 has no pip module).
pip=("$python" -m pip)
if ! "${pip[@]}" --version >/dev/null 2>&1; then
    if [ ! -x "$dir/venv/bin/pip" ]; then
        "$python" -m venv "$dir/venv" >/dev/null || die "no pip, and $python -m venv failed"
    fi
    pip=("$dir/venv/bin/pip")
fi
"${pip[@]}" download --quiet --no-deps --disable-pip-version-check --only-binary=:all: \
    --dest "$dir/download" HPSocket==0.9.3 ||
    die "pip could not download HPSocket==0.9.3 from PyPI"

wheel=$(ls "$dir"/download/HPSocket-0.9.3-*.whl 2>/dev/null | head -n 1)
[ -n "$wheel" ] || die "no HPSocket-0.9.3 wheel in $dir/download"
"$python" - "$wheel" "$dir/libhpsocket4c_amd64_64.so" <<'PY' || die "cannot extract the library"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as w, open(sys.argv[2], "wb") as out:
    out.write(w.read("HPSocket/libhpsocket4c_amd64_64.so"))
PY
got=$(sha256sum "$dir/libhpsocket4c_amd64_64.so" | cut -d' ' -f1)
[ "$got" = "$lib_sha256" ] || die "libhpsocket4c_amd64_64.so has SHA-256 $got, not $lib_sha256"
ln -sf libhpsocket4c_amd64_64.so "$dir/libhpsocket4c.so"
echo "test-interop: HP-Socket 5.2.2 in $dir"
