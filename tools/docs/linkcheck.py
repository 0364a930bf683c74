#!/usr/bin/env python3
"""Checks every local link of the documentation site: the file a link names exists and, on
the pages `build.py` writes (not the copied rustdoc and Javadoc trees, whose anchors are made
by script), the `#fragment` names an element id there. External links are counted, not
fetched (the test machines have no network). Exits 1 and lists the broken links."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src") and tag in ("a", "link", "script", "img", "iframe"):
                self.links.append((tag, value))
            elif name in ("id", "name") and not (tag == "meta" and name == "name"):
                self.ids.add(value)


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def main(site: Path) -> int:
    site = site.resolve()
    generated_trees = {site / "rust", site / "java"}
    pages = sorted(site.rglob("*.html"))
    parsed: dict[Path, Links] = {}

    def links_of(path: Path) -> Links:
        if path not in parsed:
            parsed[path] = parse(path)
        return parsed[path]

    broken: list[str] = []
    checked = external = 0
    for page in pages:
        ours = not any(tree in page.parents for tree in generated_trees)
        for tag, link in links_of(page).links:
            if tag == "script" and not ours:
                # rustdoc asks for optional scripts (trait.impl/*.js exists only for traits
                # with implementors elsewhere) and copes when they are missing.
                continue
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                external += parts.scheme in ("http", "https")
                continue
            if not parts.path and not parts.fragment:
                continue
            checked += 1
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists() or site.resolve() not in [target, *target.parents]:
                broken.append(f"{page.relative_to(site)}: {link} (no such file)")
                continue
            if ours and parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in links_of(target).ids:
                    broken.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    for line in broken:
        print("broken link:", line)
    print(f"linkcheck: {len(pages)} pages, {checked} local links checked, "
          f"{len(broken)} broken, {external} external links not fetched")
    return 1 if broken else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: linkcheck.py SITE_DIRECTORY")
    sys.exit(main(Path(sys.argv[1])))
