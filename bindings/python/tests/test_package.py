"""The package: stubs match the runtime, py.typed ships, docstrings exist; and the wheel
installs into a fresh virtual environment where the examples run."""

from __future__ import annotations

import ast
import enum
import glob
import os
import pathlib
import signal
import subprocess
import sys
import venv

import pytest

import hpsocket
from hpsocket import _native
from conftest import example_dir

PACKAGE_DIR = pathlib.Path(hpsocket.__file__).parent


def _stub_classes() -> dict[str, tuple[list[str], set[str]]]:
    """Class name -> (stub bases, names defined in the class body)."""
    tree = ast.parse((PACKAGE_DIR / "_native.pyi").read_text())
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names = set()
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
                elif isinstance(item, ast.Assign):
                    names.update(t.id for t in item.targets if isinstance(t, ast.Name))
            bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
            classes[node.name] = (bases, names)
    return classes


def _stub_names(classes, name: str) -> set[str]:
    bases, names = classes[name]
    out = set(names)
    for base in bases:
        if base in classes:
            out |= _stub_names(classes, base)
    return out


def test_stubs_match_the_runtime():
    classes = _stub_classes()
    public = {n for n in dir(_native) if not n.startswith("_")}
    tree = ast.parse((PACKAGE_DIR / "_native.pyi").read_text())
    stub_module_names = {c for c in classes if not c.startswith("_")} | {
        t.target.id
        for t in tree.body
        if isinstance(t, ast.AnnAssign) and isinstance(t.target, ast.Name)
    }
    assert public == stub_module_names
    for name in sorted(n for n in classes if not n.startswith("_")):
        runtime = getattr(_native, name)
        if isinstance(runtime, enum.EnumMeta):
            assert {m.name for m in runtime} == classes[name][1] - {"__doc__"}, name
            for m in runtime:
                assert getattr(runtime, m.name) == m.value
            continue
        if issubclass(runtime, BaseException):
            continue
        have = {n for n in dir(runtime) if not n.startswith("_")}
        stub = {n for n in _stub_names(classes, name) if not n.startswith("_")}
        assert have == stub, (name, sorted(have ^ stub))


def test_typing_files_ship_and_docstrings_exist():
    assert (PACKAGE_DIR / "py.typed").is_file()
    assert (PACKAGE_DIR / "_native.pyi").is_file()
    for name in hpsocket.__all__:
        obj = getattr(hpsocket, name)
        if isinstance(obj, type):
            assert obj.__doc__, name
    for cls in (hpsocket.TcpServer, hpsocket.TcpAgent, hpsocket.TcpClient, hpsocket.TcpPullServer):
        for attr in ("start", "stop", "wait", "send"):
            assert getattr(cls, attr).__doc__, (cls, attr)
    assert hpsocket.TcpServer.worker_thread_count.__doc__
    assert hpsocket.TcpPackClient.max_pack_size.__doc__


def test_enums_are_int_enums():
    for e in (hpsocket.SocketError, hpsocket.SocketOperation, hpsocket.HandleResult, hpsocket.FetchResult):
        assert issubclass(e, enum.IntEnum)
        assert e.__module__ == "hpsocket"
    assert hpsocket.HandleResult.ERROR == 2
    assert hpsocket.SocketError(4) is hpsocket.SocketError.SOCKET_BIND
    assert hpsocket.FetchResult.DATA_NOT_FOUND == 2


def _wheel() -> str:
    wheel = os.environ.get("HPSOCKET_WHEEL")
    if not wheel:
        root = pathlib.Path(__file__).resolve().parents[3]
        found = sorted(glob.glob(str(root / "dist" / "hpsocket_rs-*.whl")))
        wheel = found[-1] if found else ""
    if not wheel or not os.path.isfile(wheel):
        pytest.skip("no wheel: run `make wheel` (or set HPSOCKET_WHEEL)")
    return wheel


def test_wheel_installs_into_fresh_venv_and_examples_run(tmp_path):
    wheel = _wheel()
    assert "-cp39-abi3-" in os.path.basename(wheel)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-index", "--disable-pip-version-check", wheel],
        check=True,
        timeout=120,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    where = subprocess.run(
        [python, "-c", "import hpsocket, os; print(os.path.dirname(hpsocket.__file__))"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    ).stdout.strip()
    assert where.startswith(str(env_dir)), where
    assert os.path.isfile(os.path.join(where, "py.typed"))
    assert os.path.isfile(os.path.join(where, "_native.pyi"))

    examples = example_dir()
    server = subprocess.Popen(
        [python, "-u", os.path.join(examples, "echo_server.py"), "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
        # A run started in the background (as `cmd &` in a script) inherits SIGINT ignored,
        # and Python then installs no KeyboardInterrupt handler: give the example the
        # default disposition a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = server.stdout.readline()
        assert "listening on 127.0.0.1:" in line, (line, server.stderr.read() if server.poll() is not None else "")
        port = line.strip().rsplit(":", 1)[1]
        client = subprocess.run(
            [python, os.path.join(examples, "echo_client.py"), port, "hello from a fresh venv"],
            capture_output=True,
            text=True,
            timeout=30,
            cwd=tmp_path,
            env=env,
        )
        assert client.returncode == 0, client.stderr
        assert client.stdout.strip() == "hello from a fresh venv"
    finally:
        server.send_signal(2)  # SIGINT: the example stops cleanly
        try:
            out, err = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0, err
