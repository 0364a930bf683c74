#!/usr/bin/env python3
"""Generates bindings/csharp/src/NativeMethods.g.cs from include/hpsocket.h.

The C# mirror of the C ABI: one DllImport("hpsocket") per function declared in the header,
one delegate per callback typedef, every #define as a constant, WSABUF, and one SafeHandle
subclass per Create_HP_X / Destroy_HP_X (or Create_HPX_X / Destroy_HPX_X) pair (its ReleaseHandle
calls the Destroy_).

    gen_native.py HEADER OUT          write OUT
    gen_native.py HEADER OUT --check  exit 1 (and say so) when OUT differs from what it would write

Type mapping (docs/abi.md section 1): every handle and PVOID -> IntPtr; HP_CONNID, UINT_PTR,
THR_ID (unsigned long, pointer-sized) -> IntPtr; BOOL and enums -> int; DWORD/UINT -> uint;
USHORT -> ushort; strings passed in (LPCTSTR/LPCSTR) -> byte[] holding NUL-terminated UTF-8
(see Utf8.Encode); strings returned -> IntPtr (see Utf8.Decode); byte buffers -> byte*;
text out-buffers (TCHAR*) -> byte[]; in/out counts and lengths -> ref; other out-values -> out.
"""
import re
import sys

HEADER_ONLY_FUNCS = re.compile(r"^(Create_HPX?_|Destroy_HPX?_|HP_|HPX_|SYS_)")


def xml(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def parse(text):
    """Yields (kind, data, comment) in header order."""
    lines = text.splitlines()
    comment = []
    in_comment = False
    in_extern = False
    i = 0
    out = []
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        i += 1
        if in_comment:
            if s.endswith("*/"):
                in_comment = False
            else:
                comment.append(s.lstrip("* ").rstrip())
            continue
        if s.startswith("/*"):
            comment = []
            if not s.endswith("*/") or s == "/*":
                in_comment = True
                rest = s[2:].strip()
                if rest:
                    comment.append(rest)
            continue
        if s.startswith('extern "C"'):
            in_extern = True
            continue
        m = re.match(r"#define\s+(\w+)\s+(-?(?:0x[0-9A-Fa-f]+|\d+))\s*$", s)
        if m:
            out.append(("define", (m.group(1), m.group(2)), comment))
            comment = []
            continue
        m = re.match(r"typedef\s+(.+?)\s*\(\*(\w+)\)\((.*)\);$", s)
        if m:
            out.append(("callback", (m.group(1), m.group(2), m.group(3)), comment))
            comment = []
            continue
        m = re.match(r"typedef\s+(.+?)\s*\b(\w+);$", s)
        if m:
            out.append(("typedef", (m.group(1).strip(), m.group(2)), comment))
            comment = []
            continue
        if in_extern and not s.startswith("extern") and s.endswith(");"):
            m = re.match(r"(.+?)\s*\b(\w+)\((.*)\);$", s)
            if m and HEADER_ONLY_FUNCS.match(m.group(2)):
                out.append(("func", (m.group(1).strip(), m.group(2), m.group(3)), comment))
            comment = []
            continue
        if s and not s.startswith("#"):
            comment = []
    return out


# Pointers to the thread pool's TSocketTask struct (not handles).
SOCKET_TASK_PTRS = ("HP_LPTSocketTask", "LPTSocketTask")


class Types:
    def __init__(self, items):
        self.handles = {"HP_Object"}
        self.callbacks = {}
        self.aliases = {}
        for kind, data, _ in items:
            if kind == "typedef":
                base, name = data
                if base in ("void *",) or base in self.handles:
                    self.handles.add(name)
                elif base in self.callbacks or base in self.aliases.values():
                    self.aliases[name] = base
                else:
                    self.aliases[name] = base
            elif kind == "callback":
                self.callbacks[data[1]] = data
        # handle typedef chains defined before their base (cbindgen orders by use)
        changed = True
        while changed:
            changed = False
            for name, base in list(self.aliases.items()):
                if base in self.handles and name not in self.handles:
                    self.handles.add(name)
                    changed = True

    def resolve(self, t):
        seen = 0
        while t in self.aliases and t not in self.handles and t not in self.callbacks and seen < 10:
            nxt = self.aliases[t]
            if nxt.startswith("struct") or "*" in nxt:
                break
            t = nxt
            seen += 1
        return t

    def scalar(self, t):
        t = self.resolve(t)
        if t in self.handles or t in ("PVOID", "HP_CONNID", "CONNID", "UINT_PTR", "THR_ID"):
            return "IntPtr"
        if t in ("BOOL", "int"):
            return "int"
        if t in ("DWORD", "UINT", "unsigned int"):
            return "uint"
        if t in ("USHORT", "unsigned short"):
            return "ushort"
        if t in ("int64_t", "long long", "long"):
            return "long"
        if t in ("uint64_t", "unsigned long long"):
            return "ulong"
        if t in ("BYTE", "unsigned char"):
            return "byte"
        if t.startswith("En_HP_"):
            return "int"
        if t in self.callbacks:
            return t
        if t == "void":
            return "void"
        if t in ("unsigned long", "unsigned long int", "long", "long int"):
            return "IntPtr"
        raise SystemExit("gen_native.py: unknown type %r" % t)

    def param(self, t, name, in_callback, fname=""):
        t = t.replace("const ", "").replace("struct ", "").strip()
        if t in ("LPCTSTR", "LPCSTR"):
            return "IntPtr" if in_callback else "byte[]"
        if t in ("LPWSABUF", "PWSABUF"):
            return "WSABUF*"
        if t in SOCKET_TASK_PTRS:
            return "IntPtr"
        if t == "LPCBYTE":
            return "IntPtr" if in_callback else "byte*"
        if t.endswith("*"):
            base = t[:-1].strip()
            if in_callback:
                return "IntPtr"
            if base in ("BYTE", "unsigned char"):
                return "byte*"
            if base in ("TCHAR", "char"):
                return "byte[]"
            if base == "WSABUF":
                return "WSABUF*"
            if base == "void":
                return "IntPtr"
            if name == "pIDs":
                return "IntPtr[]"
            if base in ("HP_THeader", "HP_TCookie", "HP_TParam", "HP_TNVPair"):
                return "HP_TNVPair[]"
            if base in ("LPCSTR", "LPCTSTR"):
                # GetHeaders/GetAllHeaderNames fill arrays; the other getters one text.
                return "IntPtr[]" if re.search(r"GetHeaders|GetAllHeaderNames", fname) else "out IntPtr"
            if base == "LPCBYTE":
                return "out IntPtr"
            if base == "HP_LPTIPAddr":
                return "IntPtr"  # a list of SYS_EnumHostIPAddresses
            if base == "HP_LPTIPAddr *":
                return "out IntPtr"
            if base == "WCHAR":
                return "int[]"  # wchar_t is 32 bits on Linux
            inner = self.scalar(base)
            direction = "ref" if re.search(r"Len|Count", name) else "out"
            return "%s %s" % (direction, inner)
        return self.scalar(t)

    def ret(self, t, fname):
        t = t.replace("const ", "").strip()
        if t in ("LPCTSTR", "LPCSTR"):
            return "IntPtr"
        if t.endswith("*") or t in SOCKET_TASK_PTRS:
            return "IntPtr"
        codec = re.match(r"^Create_HP_(?:ZLib|GZip|Brotli)(Compressor|Decompressor)(?:Ex)?$", fname)
        if codec:
            return codec.group(1) + "Handle"  # one destroyer per direction
        m = re.match(r"^Create_HPX?_(\w+)$", fname)
        if m:
            return m.group(1) + "Handle"
        return self.scalar(t)


def params(types, plist, in_callback, fname=""):
    plist = plist.strip()
    if plist in ("", "void"):
        return []
    out = []
    for p in plist.split(","):
        p = p.strip()
        m = re.match(r"(.+?)\s*\b(\w+)$", p)
        t, n = m.group(1).strip(), m.group(2)
        if t.endswith("*") is False and p.count("*") and not t.endswith("*"):
            t = t + " *"
        out.append((types.param(t, n, in_callback, fname), n))
    return out


def summary(comment, indent):
    if not comment:
        return []
    text = " ".join(c for c in comment if c)
    return ["%s/// <summary>%s</summary>" % (indent, xml(text))]


def generate(header_text, header_name):
    items = parse(header_text)
    types = Types(items)
    funcs = [d for k, d, _ in items if k == "func"]
    names = {f[1] for f in funcs}
    o = []
    w = o.append
    w("// <auto-generated>")
    w("// Generated by bindings/csharp/tools/gen_native.py from %s; do not edit by hand." % header_name)
    w("// Regenerate with `make csharp-native` after the header changes.")
    w("// </auto-generated>")
    w("#pragma warning disable 1591")
    w("using System;")
    w("using System.Runtime.InteropServices;")
    w("using System.Security;")
    w("")
    w("namespace HPSocket")
    w("{")
    w("    /// <summary>`WSABUF` of the C ABI: one buffer of a gather send; `len` comes first.</summary>")
    w("    [StructLayout(LayoutKind.Sequential)]")
    w("    public unsafe struct WSABUF")
    w("    {")
    w("        /// <summary>Number of bytes at <c>buf</c>.</summary>")
    w("        public uint len;")
    w("        /// <summary>The bytes; may be null when <c>len</c> is 0.</summary>")
    w("        public byte* buf;")
    w("    }")
    w("")
    w("    /// <summary>`HP_TNVPair` of the C ABI (`HP_THeader`, `HP_TCookie`): two texts, read with Utf8.Decode.</summary>")
    w("    [StructLayout(LayoutKind.Sequential)]")
    w("    public struct HP_TNVPair")
    w("    {")
    w("        /// <summary>The name (NUL-terminated UTF-8).</summary>")
    w("        public IntPtr name;")
    w("        /// <summary>The value (NUL-terminated UTF-8).</summary>")
    w("        public IntPtr value;")
    w("    }")
    w("")
    w("    /// <summary>")
    w("    /// The C ABI of libhpsocket (include/hpsocket.h), one DllImport per function. Strings passed")
    w("    /// in are NUL-terminated UTF-8 byte arrays (<see cref=\"Utf8.Encode\"/>); strings returned")
    w("    /// are pointers to read with <see cref=\"Utf8.Decode(IntPtr)\"/>. See docs/abi.md for the contract.")
    w("    /// </summary>")
    w("    [SuppressUnmanagedCodeSecurity]")
    w("    public static unsafe class NativeMethods")
    w("    {")
    w("        /// <summary>The library name: libhpsocket.so on Linux.</summary>")
    w("        public const string Lib = \"hpsocket\";")
    w("")
    for k, d, c in items:
        if k == "define":
            name, value = d
            if name.startswith("HPSOCKET_") or name.startswith("__"):
                continue
            o.extend(summary(c, "        "))
            w("        public const int %s = %s;" % (name, value))
    w("")
    for k, d, c in items:
        if k == "callback":
            rt, name, plist = d
            o.extend(summary(c, "        "))
            w("        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]")
            ps = ", ".join("%s %s" % (t, n) for t, n in params(types, plist, True))
            w("        public delegate %s %s(%s);" % (types.scalar(rt), name, ps))
            w("")
    for rt, name, plist in funcs:
        comment = next((c for k, d, c in items if k == "func" and d[1] == name), [])
        o.extend(summary(comment, "        "))
        w("        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]")
        ps = ", ".join("%s %s" % (t, n) for t, n in params(types, plist, False, name))
        w("        public static extern %s %s(%s);" % (types.ret(rt, name), name, ps))
        w("")
    w("    }")
    # SafeHandles
    # A socket task is a C struct the pool may own and free: a plain IntPtr.
    creators = [name for rt, name, plist in funcs
                if re.match(r"^Create_HPX?_", name) and rt not in SOCKET_TASK_PTRS]
    # The compressors of every codec share one destroyer per direction.
    creators += ["Create_HP_Compressor", "Create_HP_Decompressor"]
    for name in creators:
        # Extensions (Create_HPX_X / Destroy_HPX_X) pair up as HP-Socket's own do.
        prefix = "HPX_" if name.startswith("Create_HPX_") else "HP_"
        base = name[len("Create_" + prefix):]
        destroy = "Destroy_" + prefix + base
        if destroy not in names:
            continue
        w("")
        w("    /// <summary>Owns an <c>%s%s</c>; releasing it calls <c>%s</c>.</summary>" % (prefix, base, destroy))
        w("    public sealed class %sHandle : SafeHandle" % base)
        w("    {")
        w("        private %sHandle() : base(IntPtr.Zero, true) { }" % base)
        w("        /// <summary>True for a NULL handle (a failed Create).</summary>")
        w("        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }")
        w("        /// <summary>Calls <c>%s</c>.</summary>" % destroy)
        w("        protected override bool ReleaseHandle() { NativeMethods.%s(handle); return true; }" % destroy)
        w("    }")
    w("}")
    return "\n".join(o) + "\n"


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    header, out = sys.argv[1], sys.argv[2]
    with open(header, encoding="utf-8") as f:
        text = generate(f.read(), "include/hpsocket.h")
    if "--check" in sys.argv[3:]:
        try:
            with open(out, encoding="utf-8") as f:
                old = f.read()
        except OSError:
            old = None
        if old != text:
            print("NOTE: %s is stale against %s (run `make csharp-native`)" % (out, header))
            sys.exit(1)
        return
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
