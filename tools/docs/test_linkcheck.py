#!/usr/bin/env python3
"""The link checker must fail on what it is there to catch: a missing file, a missing anchor on
one of our pages, a link leaving the site; and pass a site whose links are all good. Prints
`N passed, N failed`."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

CHECKER = Path(__file__).with_name("linkcheck.py")

CASES = [
    # (name, {file: content}, expected exit code, text expected in the output)
    ("good links", {
        "index.html": '<a href="a.html#x">a</a><a href="#top" id=top>t</a>'
                      '<a href="https://example.org/">ext</a><img src="img/p.png">',
        "a.html": '<h2 id="x">x</h2><a href="index.html">back</a>',
        "img/p.png": "",
    }, 0, "0 broken"),
    ("missing file", {"index.html": '<a href="nope.html">x</a>'}, 1, "nope.html (no such file)"),
    ("missing anchor", {
        "index.html": '<a href="a.html#gone">x</a>',
        "a.html": '<h2 id="here">here</h2>',
    }, 1, "a.html#gone (no such anchor)"),
    ("leaves the site", {"index.html": '<a href="../outside.html">x</a>'}, 1, "no such file"),
]


def main() -> int:
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "outside.html").write_text("")
        for name, files, want_code, want_text in CASES:
            site = Path(tmp) / name.replace(" ", "-")
            for path, content in files.items():
                (site / path).parent.mkdir(parents=True, exist_ok=True)
                (site / path).write_text(content)
            run = subprocess.run([sys.executable, str(CHECKER), str(site)],
                                 capture_output=True, text=True)
            if run.returncode == want_code and want_text in run.stdout:
                passed += 1
            else:
                failed += 1
                print(f"FAIL {name}: exit {run.returncode}, output:\n{run.stdout}{run.stderr}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
