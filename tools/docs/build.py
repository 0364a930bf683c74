#!/usr/bin/env python3
"""Builds the documentation site (`make docs`): one set of HTML pages under one navigation.

- the Markdown documents (README, install, the bindings' getting-started READMEs, the ABI
  contract, the architecture map, benchmarks, changelog) rendered with Python-Markdown;
- the C reference, generated from `include/hpsocket.h` (cbindgen writes each item's doc
  comment above it, so the header is the reference's single source);
- the Python API from the package's sources and stubs (read with `ast`, nothing imported),
  the C# API from the XML documentation `mcs -doc` writes, the C++ header with a class index;
- the Rust API (`cargo doc`) and the Javadoc, copied in when their directories are given.

Links between the documents are rewritten to the pages; a backticked repository path that
names a file becomes a link to a copy of that file under `src/`, and a backticked C name links
to its entry in the C reference. `tools/docs/linkcheck.py` then checks every local link.
"""

from __future__ import annotations

import argparse
import ast
import html
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parents[2]

# (source in the repository, page in the site, navigation label)
DOCUMENTS = [
    ("README.md", "index.html", "Home"),
    ("docs/install.md", "install.html", "Install"),
    ("bindings/cpp/README.md", "cpp.html", "C++"),
    ("bindings/python/README.md", "python.html", "Python"),
    ("bindings/java/README.md", "java.html", "Java"),
    ("bindings/csharp/README.md", "csharp.html", "C#"),
    ("docs/abi.md", "abi.html", "C ABI contract"),
    ("docs/architecture.md", "architecture.html", "Architecture"),
    ("CONTRIBUTING.md", "contributing.html", "Contributing"),
    ("bench/README.md", "bench.html", "Benchmarks"),
    ("bench/RESULTS.md", "bench-results.html", "Bench results"),
    ("CHANGELOG.md", "changelog.html", "Changelog"),
]

# Generated reference pages: (page, navigation label); the optional ones only when built.
REFERENCES = [
    ("c-api.html", "C reference"),
    ("cpp-api.html", "C++ header"),
    ("python-api.html", "Python API"),
    ("csharp-api.html", "C# API"),
    ("java/index.html", "Javadoc"),
    ("rust/hpsocket_core/index.html", "Rust API"),
]

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #222; }
nav { background: #1f2d3d; padding: .5em 1em; }
nav a { color: #dfe8f1; margin-right: 1em; text-decoration: none; white-space: nowrap; }
nav a.here { color: #fff; font-weight: bold; }
main { max-width: 60em; margin: 1em auto; padding: 0 1em; }
pre { background: #f4f6f8; padding: .6em; overflow-x: auto; }
code { font-family: ui-monospace, monospace; font-size: 92%; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccd; padding: .2em .5em; }
.entry { border-top: 1px solid #dde; padding-top: .3em; }
.muted { color: #667; }
"""


def github_slug(text: str, separator: str = "-") -> str:
    """Heading ids as GitHub makes them, so `doc.md#section` links work on both."""
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", separator)


class Site:
    def __init__(self, out: Path, c_names: set[str]):
        self.out = out
        self.c_names = c_names
        self.page_of = {src: page for src, page, _ in DOCUMENTS}
        # Only files under version control are linked: not build output named in the text.
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
        self.tracked = set(listed.stdout.splitlines())
        self.nav = [(page, label) for _, page, label in DOCUMENTS[:6]]
        self.nav += [(page, label) for page, label in REFERENCES if self.exists(page)]
        self.nav += [(page, label) for _, page, label in DOCUMENTS[6:]]

    def exists(self, page: str) -> bool:
        return (self.out / page).exists() or page.endswith("-api.html")

    def write(self, page: str, title: str, body: str) -> None:
        depth = page.count("/")
        up = "../" * depth
        links = "".join(
            f'<a href="{up}{p}"{" class=here" if p == page else ""}>{html.escape(label)}</a>'
            for p, label in self.nav
        )
        text = (
            f"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            f"<title>{html.escape(title)} · hpsocket</title>"
            f'<meta name=viewport content="width=device-width">'
            f"<style>{STYLE}</style></head>\n<body><nav>{links}</nav>\n<main>\n{body}\n</main>"
            f"</body></html>\n"
        )
        path = self.out / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def source_link(self, repo_path: str) -> str | None:
        """The site link for a repository file: its page, or a copy under src/."""
        path = repo_path.split("#", 1)[0]
        fragment = repo_path[len(path):]
        if path in self.page_of:
            return self.page_of[path] + fragment
        path = os.path.normpath(path)  # a/./b and a/b name one file
        file = ROOT / path
        if path not in self.tracked or not file.is_file():
            return None
        copy = self.out / "src" / path
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, copy)
        return "src/" + path + fragment

    def link_code(self, rendered: str, base: str) -> str:
        """`path/to/file` and `C_Name` in code spans become links."""

        def replace(m: re.Match) -> str:
            text = html.unescape(m.group(1))
            name = text.rstrip("()")
            if name in self.c_names:
                return f'<a href="c-api.html#{name}"><code>{m.group(1)}</code></a>'
            if re.fullmatch(r"[\w.\-]+(/[\w.\-]+)+|[\w\-]+\.(md|c|h|py|toml|mk)", text):
                for candidate in (text, str(Path(base) / text)):
                    target = self.source_link(candidate)
                    if target:
                        return f'<a href="{target}"><code>{m.group(1)}</code></a>'
            return m.group(0)

        return re.sub(r"(?<!<pre>)<code>([^<]+)</code>", replace, rendered)

    def render_markdown(self, text: str, base: str) -> str:
        rendered = markdown.markdown(
            text,
            extensions=["fenced_code", "tables", "toc"],
            extension_configs={"toc": {"slugify": github_slug}},
        )

        def rewrite(m: re.Match) -> str:
            target = m.group(2)
            if re.match(r"[a-z]+:|#", target):
                return m.group(0)
            repo_path = str((Path(base) / target)).replace("\\", "/")
            repo_path = re.sub(r"(^|/)\./", r"\1", repo_path)
            link = self.source_link(repo_path)
            return f"{m.group(1)}{html.escape(link or target)}\""

        rendered = re.sub(r'(<a href="|<img [^>]*?src=")([^"]+)"', rewrite, rendered)
        return self.link_code(rendered, base)

    def documents(self) -> None:
        for src, page, label in DOCUMENTS:
            path = ROOT / src
            if not path.exists():
                continue
            body = self.render_markdown(path.read_text(encoding="utf-8"), str(Path(src).parent))
            self.write(page, label, body)


# ----- C reference from include/hpsocket.h ------------------------------------------------------


def c_entries(header: Path) -> list[tuple[str, str, str, str]]:
    """(name, kind, declaration, comment) for each item of the generated header."""
    lines = header.read_text(encoding="utf-8").splitlines()
    entries = []
    comment: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("/*"):
            block = [stripped[2:]]
            while "*/" not in lines[i]:
                i += 1
                block.append(lines[i].strip())
            block[-1] = block[-1].split("*/", 1)[0]
            comment = [b.lstrip("* ").rstrip() if b.startswith("*") else b for b in block]
            i += 1
            continue
        skip = ("#if", "#endif", "#include", "#else", 'extern "C"', "}  // extern")
        if not stripped or stripped.startswith(skip) or re.fullmatch(r"#define \w+", stripped):
            # Guards and includes, not items: the comment above one (the file's) is dropped.
            comment = []
            i += 1
            continue
        decl = [line]
        if stripped.startswith("#define"):
            name = stripped.split()[1].split("(")[0]
            kind = "constant"
        else:
            depth = line.count("{") - line.count("}")
            while not (depth == 0 and decl[-1].rstrip().endswith(";")):
                i += 1
                decl.append(lines[i])
                depth += lines[i].count("{") - lines[i].count("}")
            text = " ".join(d.strip() for d in decl)
            pointer = re.search(r"\(\s*(?:__HP_CALL\s*)?\*\s*(\w+)\s*\)", text)
            if text.startswith("typedef") and pointer:
                name, kind = pointer.group(1), "callback type"
            elif text.startswith(("typedef", "struct", "enum", "union")):
                name = re.findall(r"(\w+)\s*(?:\[[^\]]*\])?\s*;$", text)[-1]
                kind = "type"
            else:
                name = re.search(r"(\w+)\s*\(", text).group(1)
                kind = "function"
        entries.append((name, kind, "\n".join(decl), "\n".join(comment).strip()))
        comment = []
        i += 1
    return entries


def c_family(name: str) -> str:
    if name.startswith(("Create_", "Destroy_")):
        return name.split("_", 1)[1]
    parts = name.split("_")
    return "_".join(parts[:-1]) if len(parts) > 2 else parts[0]


def c_reference(site: Site, entries) -> None:
    groups: dict[str, list] = {}
    for entry in entries:
        name, kind, _, _ = entry
        key = c_family(name) if kind == "function" else {
            "constant": "Constants", "type": "Types", "callback type": "Callback types"}[kind]
        groups.setdefault(key, []).append(entry)
    functions = sum(1 for e in entries if e[1] == "function")
    body = [
        "<h1>C reference</h1>",
        f"<p>Generated from <a href=\"src/include/hpsocket.h\"><code>include/hpsocket.h</code>"
        f"</a>: {functions} functions and {len(entries) - functions} types and constants. "
        f"Programs written for HP-Socket include <code>HPSocket4C.h</code>, which includes it. "
        f"What a call returns, what it leaves in the last error and who owns what is the "
        f"<a href=\"abi.html\">ABI contract</a>.</p>",
        "<h2 id=families>Families</h2><p>",
    ]
    site.source_link("include/hpsocket.h")
    ordered = sorted(groups, key=lambda k: (k in ("Constants", "Types", "Callback types"), k))
    body.append(" · ".join(
        f'<a href="#family-{k}">{html.escape(k)}</a> <span class=muted>{len(groups[k])}</span>'
        for k in ordered))
    body.append("</p>")
    for key in ordered:
        body.append(f'<h2 id="family-{html.escape(key)}">{html.escape(key)}</h2>')
        for name, _, decl, comment in sorted(groups[key]):
            doc = site.link_code(markdown.markdown(comment), ".") if comment else ""
            body.append(
                f'<div class=entry id="{name}"><h3><code>{name}</code></h3>'
                f"<pre><code>{html.escape(decl)}</code></pre>{doc}</div>")
    site.write("c-api.html", "C reference", "\n".join(body))


# ----- C++ header ------------------------------------------------------------------------------


def cpp_reference(site: Site) -> None:
    header = ROOT / "bindings/cpp/include/hpsocket.hpp"
    lines = header.read_text(encoding="utf-8").splitlines()
    classes = []
    out = []
    for number, line in enumerate(lines, 1):
        m = re.match(r"\s*(?:template\s*<[^>]*>\s*)?(class|struct)\s+(\w+)\s*(?::|\{|final)", line)
        anchor = f"L{number}"
        if m:
            classes.append((m.group(2), anchor))
        out.append(f'<span id="{anchor}">{html.escape(line)}</span>')
    index = " · ".join(f'<a href="#{a}"><code>{n}</code></a>' for n, a in classes)
    body = (
        "<h1>C++ header</h1><p>The header-only C++17 wrapper, "
        '<code>bindings/cpp/include/hpsocket.hpp</code>; the guide is the '
        f'<a href="cpp.html">C++ page</a>.</p><h2>Classes</h2><p>{index}</p>'
        f"<h2>Source</h2><pre><code>{chr(10).join(out)}</code></pre>"
    )
    site.write("cpp-api.html", "C++ header", site.link_code(body, "."))


# ----- Python API from the sources -------------------------------------------------------------


def python_reference(site: Site) -> None:
    package = ROOT / "bindings/python/python/hpsocket"
    body = ["<h1>Python API</h1>", "<p>Read from the package's sources and type stubs "
            '(<code>bindings/python/python/hpsocket</code>); the guide is the '
            '<a href="python.html">Python page</a>.</p>']
    modules = sorted(package.glob("*.py")) + sorted(package.glob("*.pyi"))
    body.append("<p>" + " · ".join(
        f'<a href="#{m.name}"><code>{m.name}</code></a>' for m in modules) + "</p>")
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        body.append(f'<h2 id="{module.name}"><code>hpsocket/{module.name}</code></h2>')
        doc = ast.get_docstring(tree)
        if doc:
            body.append(f"<pre>{html.escape(doc)}</pre>")
        for node in tree.body:
            body.extend(python_item(node, module.name, ""))
    site.write("python-api.html", "Python API", "\n".join(body))


def python_item(node, module: str, owner: str) -> list[str]:
    if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    if node.name.startswith("_") and node.name != "__init__":
        return []
    qualified = f"{owner}.{node.name}" if owner else node.name
    anchor = f"{module}:{qualified}"
    if isinstance(node, ast.ClassDef):
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        head = f"class {node.name}({bases})" if bases else f"class {node.name}"
    else:
        prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
        returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
        head = f"{prefix} {node.name}({ast.unparse(node.args)}){returns}"
    level = "h3" if not owner else "h4"
    out = [f'<div class=entry id="{html.escape(anchor)}"><{level}><code>{html.escape(head)}'
           f"</code></{level}>"]
    doc = ast.get_docstring(node)
    if doc:
        out.append(f"<pre>{html.escape(doc)}</pre>")
    out.append("</div>")
    if isinstance(node, ast.ClassDef):
        for child in node.body:
            out.extend(python_item(child, module, qualified))
    return out


# ----- C# API from mcs's XML documentation -----------------------------------------------------


def csharp_text(element) -> str:
    """The text of a doc element with <c>, <see>, <paramref> and <para> rendered."""
    if element is None:
        return ""
    parts = [html.escape(element.text or "")]
    for child in element:
        if child.tag == "c":
            parts.append(f"<code>{html.escape(''.join(child.itertext()))}</code>")
        elif child.tag in ("see", "seealso"):
            ref = child.get("cref") or child.get("langword") or child.get("href") or ""
            parts.append(f"<code>{html.escape(ref.split(':', 1)[-1])}</code>")
        elif child.tag in ("paramref", "typeparamref"):
            parts.append(f"<code>{html.escape(child.get('name', ''))}</code>")
        elif child.tag == "para":
            parts.append(f"<p>{csharp_text(child)}</p>")
        elif child.tag == "code":
            parts.append(f"<pre>{html.escape(''.join(child.itertext()))}</pre>")
        else:
            parts.append(csharp_text(child))
        parts.append(html.escape(child.tail or ""))
    return "".join(parts).strip()


def csharp_reference(site: Site, xml_path: Path) -> None:
    members = ET.parse(xml_path).getroot().find("members")
    types: dict[str, list] = {}
    for member in members:
        kind, name = member.get("name").split(":", 1)
        if kind == "T":
            types.setdefault(name, []).insert(0, (kind, name, member))
            continue
        owner = re.sub(r"\(.*", "", name).rsplit(".", 1)[0]
        types.setdefault(owner, []).append((kind, name, member))
    body = ["<h1>C# API</h1>", "<p>From the XML documentation of <code>HPSocket.dll</code> "
            '(<code>mcs -doc</code>); the guide is the <a href="csharp.html">C# page</a>.</p>',
            "<p>" + " · ".join(f'<a href="#{t}"><code>{t.rsplit(".", 1)[-1]}</code></a>'
                               for t in sorted(types)) + "</p>"]
    labels = {"M": "method", "P": "property", "F": "field", "E": "event"}
    for type_name in sorted(types):
        body.append(f'<h2 id="{type_name}"><code>{type_name}</code></h2>')
        for kind, name, member in types[type_name]:
            summary = csharp_text(member.find("summary"))
            if kind == "T":
                body.append(f"<p>{summary}</p>")
                continue
            short = name[len(type_name) + 1:] if name.startswith(type_name + ".") else name
            body.append(f'<div class=entry><h4><code>{html.escape(short)}</code> '
                        f'<span class=muted>{labels.get(kind, kind)}</span></h4><p>{summary}</p>')
            for param in member.findall("param"):
                body.append(f"<p><code>{html.escape(param.get('name', ''))}</code>: "
                            f"{csharp_text(param)}</p>")
            for tag in ("returns", "remarks"):
                text = csharp_text(member.find(tag))
                if text:
                    body.append(f"<p><em>{tag}</em>: {text}</p>")
            for exc in member.findall("exception"):
                body.append(f"<p><em>throws</em> <code>{html.escape(exc.get('cref', ''))[2:]}"
                            f"</code>: {csharp_text(exc)}</p>")
            body.append("</div>")
    site.write("csharp-api.html", "C# API", "\n".join(body))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rustdoc", type=Path, help="cargo doc's output directory")
    parser.add_argument("--javadoc", type=Path, help="javadoc's output directory")
    parser.add_argument("--csharp-xml", type=Path, help="mcs -doc's XML file")
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    if args.rustdoc:
        shutil.copytree(args.rustdoc, args.out / "rust")
        crates = sorted(p.parent.name for p in (args.out / "rust").glob("*/index.html"))
        # cargo doc writes no page above the crates; rustdoc's own pages link one.
        (args.out / "rust/index.html").write_text(
            "<!DOCTYPE html><meta charset=utf-8><title>Rust API</title><ul>"
            + "".join(f'<li><a href="{c}/index.html">{c}</a>' for c in crates) + "</ul>\n")
    if args.javadoc:
        shutil.copytree(args.javadoc, args.out / "java")
    entries = c_entries(ROOT / "include/hpsocket.h")
    site = Site(args.out, {name for name, *_ in entries})
    if not args.csharp_xml:
        site.nav = [n for n in site.nav if n[0] != "csharp-api.html"]
    site.documents()
    c_reference(site, entries)
    cpp_reference(site)
    python_reference(site)
    if args.csharp_xml:
        csharp_reference(site, args.csharp_xml)
    pages = sum(1 for _ in args.out.rglob("*.html"))
    print(f"docs: {pages} pages in {args.out} ({len(entries)} C entries)")


if __name__ == "__main__":
    main()
