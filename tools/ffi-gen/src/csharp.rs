//! C#'s per-family layer, `bindings/csharp/src/Families.g.cs`: the parts of the binding's
//! classes that only repeat what the tables say.
//!
//! - The setting properties: each `[[setting]]` row becomes a property (its registry name,
//!   type and doc) on the C# class that stands for the row's families, its getter and setter
//!   bound to the family's entry points, the setter reading the value back and throwing
//!   `HPSocketException` when the library refused it. Classes marked `fn_pairs` also take the
//!   `SetX`/`GetX` (`IsX`) pairs of `[[fn]]` rows, settings the registry does not hold yet
//!   (ARQ's KCP ones): their type is the getter's `returns`, their doc the setter's.
//! - `MultiConnectionComponent.Natives`: one instance per role (`Server`, `Agent`) holding a
//!   delegate per operation the hand-written code calls through `_native.X`, bound to that
//!   role's `HP_Server_X`/`HP_TcpServer_X`/`HPX_Server_X` (whichever family of the role has
//!   it), so one implementation serves both roles.
//!
//! The C names come from the tables. The delegates of the operations hand-written code calls
//! take their types from `NativeMethods.g.cs` (which `bindings/csharp/tools/gen_native.py`
//! writes from the header); a property's from the registry or the table, so a new setting
//! generates before the header has it (C# then compiles once NativeMethods.g.cs does). Everything written is used: a property is public API and a `Natives` member
//! is written only when hand-written code calls it. That is why the coverage check
//! (`coverage.rs`) reads this file as the binding's own: the exports it names are reached.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use hpsocket_core::settings::{self, Setting, SettingType};

use crate::table::{Function, Table};
use crate::Output;

/// The file written, under the workspace root.
pub const OUTPUT: &str = "bindings/csharp/src/Families.g.cs";
/// Where the C# signatures come from.
const NATIVE: &str = "bindings/csharp/src/NativeMethods.g.cs";
/// The binding's sources, scanned for the `_native.X` calls `Natives` must bind.
const SOURCES: &str = "bindings/csharp/src";

/// A C# class and the families of the tables it stands for.
struct Target {
    /// The class; its hand-written part is `partial`.
    class: &'static str,
    /// One `(role, families)` per role the class serves: one role binds the entry points
    /// directly, two go through a `Natives` instance per role (the field `_native`).
    roles: &'static [(&'static str, &'static [&'static str])],
    /// Whether it takes the TLS settings (an SSL context class) or the others.
    ssl: bool,
    /// How the class names its component: `""` (it is one) or `"_s."` (an SSL context).
    owner: &'static str,
    /// Whether it also takes the accessor pairs of `[[fn]]` rows (`SetX` with one parameter,
    /// `GetX`/`IsX` with none): settings the registry does not have yet (ARQ's KCP ones).
    fn_pairs: bool,
    /// Properties that hide a base class's of the same name (`new`): ARQ's `NoDelay` is KCP's.
    hides: &'static [&'static str],
}

/// A component class of the given roles.
const fn class(
    class: &'static str,
    roles: &'static [(&'static str, &'static [&'static str])],
) -> Target {
    Target {
        class,
        roles,
        ssl: false,
        owner: "",
        fn_pairs: false,
        hides: &[],
    }
}

impl Target {
    /// An SSL context class (`server.Ssl`), which reaches its component through `_s`.
    const fn ssl_context(self) -> Target {
        Target {
            ssl: true,
            owner: "_s.",
            ..self
        }
    }

    /// A class that also takes `[[fn]]` accessor pairs, hiding `hides` of its base.
    const fn fn_pairs(self, hides: &'static [&'static str]) -> Target {
        Target {
            fn_pairs: true,
            hides,
            ..self
        }
    }
}

const SERVER: &[&str] = &["Server", "TcpServer", "XServer"];
const AGENT: &[&str] = &["Agent", "TcpAgent", "XAgent"];
const CLIENT: &[&str] = &["Client", "TcpClient", "XClient"];

/// The classes, in the order settings are placed: a setting goes to the first class whose
/// every role has it and is written once per role (so `MultiConnectionComponent` takes what
/// servers and agents share, `TcpServer` what only servers have).
const TARGETS: &[Target] = &[
    class(
        "MultiConnectionComponent",
        &[("Server", SERVER), ("Agent", AGENT)],
    ),
    class("TcpServer", &[("Server", SERVER)]),
    class("TcpAgent", &[("Agent", AGENT)]),
    class("TcpClient", &[("Client", CLIENT)]),
    class("TcpPackServer", &[("Server", &["PackServer"])]),
    class("TcpPackAgent", &[("Agent", &["PackAgent"])]),
    class("TcpPackClient", &[("Client", &["PackClient"])]),
    class("SslServerContext", &[("Server", &["SslServer", "XServer"])]).ssl_context(),
    class("SslAgentContext", &[("Agent", &["SslAgent", "XAgent"])]).ssl_context(),
    class("SslClientContext", &[("Client", &["SslClient", "XClient"])]).ssl_context(),
    class("UdpServer", &[("Server", &["UdpServer", "XUdpServer"])]),
    class("UdpClient", &[("Client", &["UdpClient", "XUdpClient"])]),
    class(
        "UdpArqServer",
        &[("Server", &["UdpArqServer", "XUdpArqServer"])],
    )
    .fn_pairs(&["NoDelay"]),
    class(
        "UdpArqClient",
        &[("Client", &["UdpArqClient", "XUdpArqClient"])],
    )
    .fn_pairs(&["NoDelay"]),
    class("UdpArqAgent", &[("Agent", &["XUdpArqAgent"])]).fn_pairs(&["NoDelay"]),
    class("HttpServer", &[("Server", &["HttpServer", "XHttpServer"])]).fn_pairs(&[]),
    class("HttpAgent", &[("Agent", &["HttpAgent", "XHttpAgent"])]).fn_pairs(&[]),
    class("HttpClient", &[("Client", &["HttpClient", "XHttpClient"])]).fn_pairs(&[]),
    class("HttpSyncClient", &[("Client", &["HttpSyncClient"])]).fn_pairs(&["ConnectTimeout"]),
];

/// What C# checks before a setter calls the library, with the `<exception>` doc it adds: the
/// PACK limits, refused in .NET terms rather than as a library error.
fn guard(key: &str) -> Option<(&'static str, &'static str)> {
    match key {
        "max_pack_size" => Some((
            "PackLimits.CheckMaxPackSize(value);",
            "outside 1..0x3FFFFF (nothing changes).",
        )),
        "pack_header_flag" => Some((
            "PackLimits.CheckPackHeaderFlag(value);",
            "above 0x3FF (nothing changes).",
        )),
        _ => None,
    }
}

/// A C# entry point of `NativeMethods.g.cs`: its return type and parameters (`type name`).
#[derive(Debug, Clone)]
struct Signature {
    ret: String,
    params: Vec<String>,
}

impl Signature {
    /// The parameters after the handle, types only: what must agree between roles.
    fn shape(&self) -> (String, Vec<String>) {
        let types = self.params[1..]
            .iter()
            .map(|p| {
                p.rsplit_once(' ')
                    .map_or(p.as_str(), |(t, _)| t)
                    .to_string()
            })
            .collect();
        (self.ret.clone(), types)
    }
}

/// The entry points of `NativeMethods.g.cs`.
struct Sigs(BTreeMap<String, Signature>);

impl Sigs {
    fn get(&self, name: &str) -> Result<&Signature, String> {
        self.0.get(name).ok_or_else(|| {
            format!(
                "{name} is not in {NATIVE}: run `python3 bindings/csharp/tools/gen_native.py \
                 include/hpsocket.h {NATIVE}`"
            )
        })
    }
}

/// Every `public static extern` of `NativeMethods.g.cs`, by name.
fn signatures(text: &str) -> BTreeMap<String, Signature> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("public static extern ") else {
            continue;
        };
        let Some((head, params)) = rest.trim_end_matches(");").split_once('(') else {
            continue;
        };
        let Some((ret, name)) = head.rsplit_once(' ') else {
            continue;
        };
        let params = params
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        out.insert(
            name.to_string(),
            Signature {
                ret: ret.to_string(),
                params,
            },
        );
    }
    out
}

/// The members the hand-written sources call through `_native.`, in name order.
fn native_uses(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut used = BTreeSet::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.ends_with(".cs") || name.ends_with(".g.cs") {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (i, _) in text.match_indices("_native.") {
            // `_native` itself, not the end of a longer word (`gen_native.py`).
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let member: String = text[i + "_native.".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !member.is_empty() {
                used.insert(member);
            }
        }
    }
    Ok(used)
}

/// What the tables say, indexed for the classes: each family's prefix and exports, and the
/// families of each setting.
struct Index {
    prefix: BTreeMap<String, String>,
    exports: BTreeSet<String>,
    setting_families: BTreeMap<&'static str, BTreeSet<String>>,
    /// Every `[[fn]]` row with families, in table and row order.
    rows: Vec<Function>,
}

fn index(tables: &[(String, Table)]) -> Result<Index, String> {
    let mut ix = Index {
        prefix: BTreeMap::new(),
        exports: BTreeSet::new(),
        setting_families: BTreeMap::new(),
        rows: Vec::new(),
    };
    for (stem, table) in tables {
        for (name, fam) in &table.family {
            if let Some(p) = ix.prefix.insert(name.clone(), fam.prefix.clone()) {
                if p != fam.prefix {
                    return Err(format!("{stem}: family {name} has two prefixes"));
                }
            }
        }
        ix.exports.extend(crate::export_names(table)?);
        ix.rows
            .extend(table.fns.iter().filter(|f| !f.families.is_empty()).cloned());
        let fns = crate::setting::functions(table)?;
        for (row, pair) in table.settings.iter().zip(fns.chunks(2)) {
            let s = settings::find(&row.key).ok_or_else(|| format!("{stem}: {}", row.key))?;
            ix.setting_families
                .entry(s.name)
                .or_default()
                .extend(pair[0].families.iter().cloned());
        }
    }
    Ok(ix)
}

/// The family of `families` whose export `<prefix><op>` exists, as its C name.
fn entry(ix: &Index, families: &[&str], op: &str) -> Result<String, String> {
    let found: Vec<String> = families
        .iter()
        .filter_map(|f| ix.prefix.get(*f).map(|p| format!("{p}{op}")))
        .filter(|n| ix.exports.contains(n))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("no family of {families:?} has {op}")),
        _ => Err(format!(
            "{op} is in several families of {families:?}: {found:?}"
        )),
    }
}

/// The C# type of a setting, how a native value becomes it and back, and the native type
/// (`NativeMethods.g.cs` passes flags and enums as `int`).
fn cs_type(ty: SettingType) -> (&'static str, &'static str, &'static str, &'static str) {
    match ty {
        SettingType::U32 => ("uint", "{}", "{}", "uint"),
        SettingType::I32 => ("int", "{}", "{}", "int"),
        SettingType::U16 => ("ushort", "{}", "{}", "ushort"),
        SettingType::Bool => ("bool", "{} != 0", "Component.B({})", "int"),
        SettingType::ReuseAddressPolicy => (
            "ReuseAddressPolicy",
            "(ReuseAddressPolicy){}",
            "(int){}",
            "int",
        ),
        SettingType::SendPolicy => ("SendPolicy", "(SendPolicy){}", "(int){}", "int"),
        SettingType::CastMode => ("CastMode", "(CastMode){}", "(int){}", "int"),
        SettingType::OnSendSyncPolicy => {
            ("OnSendSyncPolicy", "(OnSendSyncPolicy){}", "(int){}", "int")
        }
    }
}

/// The getter and setter suffixes of a setting, as in C.
fn accessors(s: &Setting) -> (String, String) {
    let get = if s.ty == SettingType::Bool {
        format!("Is{}", s.c_name)
    } else {
        format!("Get{}", s.c_name)
    };
    (get, format!("Set{}", s.c_name))
}

/// A doc text as XML: escaped, `code` as `<c>code</c>`.
fn xml(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut out = String::new();
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<c>{part}</c>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The settings of each class, placed as `TARGETS` says.
fn placement(ix: &Index) -> Vec<Vec<&'static Setting>> {
    let mut placed: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut out = Vec::new();
    for t in TARGETS {
        let mut mine = Vec::new();
        for s in settings::SETTINGS {
            let families = ix.setting_families.get(s.name);
            let has = |fams: &[&str]| {
                fams.iter()
                    .any(|f| families.is_some_and(|set| set.contains(*f)))
            };
            let fits = s.name.starts_with("ssl_") == t.ssl
                && t.roles.iter().all(|(_, fams)| has(fams))
                && t.roles
                    .iter()
                    .all(|(_, fams)| fams.iter().all(|f| !placed.contains(&(*f, s.name))));
            if fits {
                for (_, fams) in t.roles {
                    for f in *fams {
                        placed.insert((f, s.name));
                    }
                }
                mine.push(s);
            }
        }
        out.push(mine);
    }
    out
}

/// `Families.g.cs` for the workspace at `root`.
pub fn output(root: &Path, tables: &[(String, Table)]) -> Result<Output, String> {
    let native_path = root.join(NATIVE);
    let native = std::fs::read_to_string(&native_path)
        .map_err(|e| format!("{}: {e}", native_path.display()))?;
    let sigs = signatures(&native);
    let used = native_uses(&root.join(SOURCES))?;
    let ix = index(tables)?;
    let placed = placement(&ix);
    let sig = Sigs(sigs);

    let mut s = String::new();
    s.push_str(
        "// Generated by `cargo run -p ffi-gen` (tools/ffi-gen/src/csharp.rs) from the tables in\n\
         // hpsocket-ffi/api, the settings registry and NativeMethods.g.cs: edit those, not this file.\n\
         // The setting properties of each family's class (the registry's settings and the tables'\n\
         // Set/Get accessor rows), and the entry points of MultiConnectionComponent's two roles\n\
         // (the `_native.X` the hand-written part calls).\n\n\
         using System;\n// The hand-written parts' class docs are read with these usings too.\nusing System.Collections.Generic;\n\nnamespace HPSocket\n{\n",
    );
    let mut first = true;
    for (t, mine) in TARGETS.iter().zip(&placed) {
        let mut props: Vec<Prop> = mine.iter().map(|st| setting_prop(t, st)).collect();
        if t.fn_pairs {
            props.extend(fn_pair_props(t, &ix)?);
        }
        let natives = if t.roles.len() > 1 {
            natives_class(t, &props, &used, &ix, &sig)?
        } else {
            String::new()
        };
        if props.is_empty() && natives.is_empty() {
            continue;
        }
        if !first {
            s.push('\n');
        }
        first = false;
        // Natives' delegates take pointers.
        let unsafety = if t.roles.len() > 1 { "unsafe " } else { "" };
        let _ = writeln!(s, "    {unsafety}partial class {}\n    {{", t.class);
        let mut members = Vec::new();
        for p in &props {
            members.push(property(t, p, &ix)?);
        }
        if !natives.is_empty() {
            members.push(natives);
        }
        s.push_str(&members.join("\n"));
        s.push_str("    }\n");
    }
    s.push_str("}\n");
    Ok(Output {
        path: root.join(OUTPUT),
        text: s,
    })
}

/// A property to write: its C# side and the accessors (the C names after the prefix).
struct Prop {
    name: String,
    ty: &'static str,
    /// Native value to C# around `{}`, and back.
    from_native: &'static str,
    to_native: &'static str,
    /// The native value's C# type.
    native: &'static str,
    get: String,
    set: String,
    /// The summary, already XML.
    doc: String,
    guard: Option<(&'static str, &'static str)>,
}

/// The property of a registry setting on `t`.
fn setting_prop(t: &Target, setting: &Setting) -> Prop {
    let (ty, from_native, to_native, native) = cs_type(setting.ty);
    let (get, set) = accessors(setting);
    let name = if t.ssl {
        setting.c_name.trim_start_matches("SSL")
    } else {
        setting.c_name
    };
    let ext = if setting.extension { "Extension: " } else { "" };
    Prop {
        name: name.to_string(),
        ty,
        from_native,
        to_native,
        native,
        get,
        set,
        doc: format!("{ext}{} Changed only while stopped.", xml(setting.doc)),
        guard: guard(setting.name),
    }
}

/// The accessor pairs of `[[fn]]` rows in `t`'s families, in row order: `SetX` with one
/// parameter and no result, `GetX` (or `IsX`, a flag) with none and a result; the type is the
/// getter's in `NativeMethods.g.cs`, the doc the setter's.
fn fn_pair_props(t: &Target, ix: &Index) -> Result<Vec<Prop>, String> {
    let [(_, fams)] = t.roles else {
        return Err(format!("{}: `fn_pairs` needs a class of one role", t.class));
    };
    let mine = |f: &Function| f.families.iter().any(|x| fams.contains(&x.as_str()));
    let mut out = Vec::new();
    for set in ix.rows.iter().filter(|f| mine(f)) {
        let Some(x) = set.name.strip_prefix("Set") else {
            continue;
        };
        if set.params.len() != 1 || set.returns.is_some() {
            continue;
        }
        let getter = ix.rows.iter().find(|f| {
            mine(f)
                && (f.name == format!("Get{x}") || f.name == format!("Is{x}"))
                && f.params.is_empty()
                && f.returns.is_some()
        });
        let Some(getter) = getter else { continue };
        let ret = getter.returns.as_deref().unwrap_or_default();
        let flag = getter.name.starts_with("Is");
        let (ty, from_native, to_native, native) = match (ret, flag) {
            ("BOOL", true) => cs_type(SettingType::Bool),
            ("DWORD", false) => cs_type(SettingType::U32),
            ("USHORT", false) => cs_type(SettingType::U16),
            ("En_HP_HttpVersion", false) => ("HttpVersion", "(HttpVersion){}", "(int){}", "int"),
            _ => {
                return Err(format!(
                    "{}.{x}: no C# type for a {} getter returning {ret}",
                    t.class, getter.name
                ))
            }
        };
        out.push(Prop {
            name: x.to_string(),
            ty,
            from_native,
            to_native,
            native,
            get: getter.name.clone(),
            set: set.name.clone(),
            doc: setter_doc(&set.doc),
            guard: None,
        });
    }
    Ok(out)
}

/// A C setter's doc as a C# property's: "Sets the window..." reads "The window...", C's
/// TRUE/FALSE are C#'s, and "ignored while not stopped" says what C# does about it.
fn setter_doc(doc: &str) -> String {
    let one_line = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = one_line
        .replace("Ignored while not stopped.", "Changed only while stopped.")
        .replace("FALSE", "false")
        .replace("TRUE", "true");
    let text = match text.strip_prefix("Sets ") {
        Some(rest) => {
            let mut c = rest.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        None => text,
    };
    xml(&text)
}

/// One property of `t`.
fn property(t: &Target, p: &Prop, ix: &Index) -> Result<String, String> {
    let handle = format!("{}Handle", t.owner);
    let (get_call, set_call) = if t.roles.len() > 1 {
        (format!("_native.{}", p.get), format!("_native.{}", p.set))
    } else {
        let fams = t.roles[0].1;
        let (g, st) = (entry(ix, fams, &p.get)?, entry(ix, fams, &p.set)?);
        (format!("NativeMethods.{g}"), format!("NativeMethods.{st}"))
    };
    let read = p
        .from_native
        .replace("{}", &format!("{get_call}({handle})"));
    let write = p.to_native.replace("{}", "value");
    let (name, ty) = (&p.name, p.ty);
    let hides = if t.hides.contains(&name.as_str()) {
        "new "
    } else {
        ""
    };
    let mut s = String::new();
    let _ = writeln!(s, "        /// <summary>{}</summary>", p.doc);
    if let Some((_, when)) = p.guard {
        let _ = writeln!(
            s,
            "        /// <exception cref=\"ArgumentOutOfRangeException\">{when}</exception>"
        );
    }
    let _ = writeln!(
        s,
        "        /// <exception cref=\"HPSocketException\">the library refused the value (the \
         message says why).</exception>"
    );
    let _ = writeln!(s, "        public {hides}{ty} {name}\n        {{");
    let _ = writeln!(s, "            get {{ return {read}; }}");
    let _ = writeln!(s, "            set\n            {{");
    if let Some((check, _)) = p.guard {
        let _ = writeln!(s, "                {check}");
    }
    let _ = writeln!(s, "                {set_call}({handle}, {write});");
    let _ = writeln!(
        s,
        "                {}Check(value, {name}, \"{name}\");",
        t.owner
    );
    s.push_str("            }\n        }\n");
    Ok(s)
}

/// `Natives` of a class with several roles: a delegate per member the hand-written code calls
/// through `_native` and per accessor of its setting properties, one instance per role.
fn natives_class(
    t: &Target,
    props: &[Prop],
    used: &BTreeSet<String>,
    ix: &Index,
    sig: &Sigs,
) -> Result<String, String> {
    let mut ops: Vec<String> = used.iter().cloned().collect();
    // A property's accessors have the registry's types, so they need no entry in
    // NativeMethods.g.cs yet (a new setting generates before the header has it).
    let mut known = BTreeMap::new();
    for p in props {
        let getter = Signature {
            ret: p.native.to_string(),
            params: vec!["IntPtr h".into()],
        };
        let setter = Signature {
            ret: "void".into(),
            params: vec!["IntPtr h".into(), format!("{} value", p.native)],
        };
        for (op, sg) in [(&p.get, getter), (&p.set, setter)] {
            if !used.contains(op) {
                ops.push(op.clone());
            }
            known.insert(op.clone(), sg);
        }
    }
    // Per op: its type (declared once) and each role's entry point.
    let mut decls = String::new();
    let mut fields = String::new();
    let mut binds: Vec<String> = vec![String::new(); t.roles.len()];
    for op in &ops {
        let mut shape = None;
        let mut first_sig = None;
        for (i, (role, fams)) in t.roles.iter().enumerate() {
            let c =
                entry(ix, fams, op).map_err(|e| format!("{}.Natives ({role}): {e}", t.class))?;
            let sg = match known.get(op) {
                Some(sg) => sg,
                None => sig.get(&c)?,
            };
            let sh = sg.shape();
            match &shape {
                None => {
                    shape = Some(sh);
                    first_sig = Some(sg.clone());
                }
                Some(prev) if *prev != sh => {
                    return Err(format!(
                        "{}.Natives.{op}: the roles' entry points differ: {prev:?} and {sh:?}",
                        t.class
                    ))
                }
                Some(_) => {}
            }
            let _ = writeln!(binds[i], "                    {op} = NativeMethods.{c};");
        }
        let sg = first_sig.expect("a class has a role");
        let (ret, types) = sg.shape();
        let plain = types
            .iter()
            .all(|ty| !(ty.contains('*') || ty.starts_with("out ") || ty.starts_with("ref ")));
        let ty = if plain {
            let args: Vec<String> = std::iter::once("IntPtr".to_string())
                .chain(types.iter().cloned())
                .collect();
            if ret == "void" {
                format!("Action<{}>", args.join(", "))
            } else {
                format!("Func<{}, {ret}>", args.join(", "))
            }
        } else {
            let _ = writeln!(
                decls,
                "            internal delegate {ret} {op}Fn({});",
                sg.params.join(", ")
            );
            format!("{op}Fn")
        };
        let _ = writeln!(fields, "            internal readonly {ty} {op};");
    }
    let mut s = String::new();
    s.push_str(
        "        /// <summary>\n\
         \x20       /// The native functions of one role, one member per operation the class calls: the same\n\
         \x20       /// signatures, a different prefix. One immutable instance per role; the delegates are made\n\
         \x20       /// once, so a call costs a delegate invocation and allocates nothing.\n\
         \x20       /// </summary>\n\
         \x20       internal sealed class Natives\n        {\n",
    );
    s.push_str(&decls);
    if !decls.is_empty() {
        s.push('\n');
    }
    s.push_str(&fields);
    s.push('\n');
    for (i, (role, _)) in t.roles.iter().enumerate() {
        let _ = writeln!(
            s,
            "            internal static readonly Natives {role} = new Natives({i});"
        );
    }
    s.push_str("\n            private Natives(int role)\n            {\n                switch (role)\n                {\n");
    for (i, (role, _)) in t.roles.iter().enumerate() {
        let label = if i + 1 == t.roles.len() {
            "default".to_string()
        } else {
            format!("case {i}")
        };
        let _ = writeln!(s, "                {label}: // {role}");
        s.push_str(&binds[i]);
        s.push_str("                    break;\n");
    }
    s.push_str("                }\n            }\n        }\n");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_point_is_read_with_its_types() {
        let sigs = signatures(
            "        [DllImport(Lib)]\n        public static extern int HP_Server_Send(IntPtr \
             pServer, IntPtr dwConnID, byte* pBuffer, int iLength);\n        public static \
             extern void HP_Server_Stop(IntPtr pServer);\n",
        );
        let send = &sigs["HP_Server_Send"];
        assert_eq!(send.ret, "int");
        assert_eq!(
            send.shape(),
            (
                "int".to_string(),
                vec!["IntPtr".into(), "byte*".into(), "int".into()]
            )
        );
        assert_eq!(sigs["HP_Server_Stop"].shape(), ("void".to_string(), vec![]));
    }

    #[test]
    fn a_c_setter_doc_reads_as_a_property_doc() {
        assert_eq!(
            setter_doc("Sets KCP's nodelay mode (default FALSE). Ignored while not\nstopped."),
            "KCP's nodelay mode (default false). Changed only while stopped."
        );
        assert_eq!(
            setter_doc("Turns `x` on (> 0 & TRUE)."),
            "Turns <c>x</c> on (&gt; 0 &amp; true)."
        );
    }
}
