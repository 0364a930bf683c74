//! Which exports of the tables each C-ABI binding reaches (issue #12): an export is reached when
//! the binding's own sources name it, or it is listed as not applicable in the binding's file
//! under `tools/ffi-gen/coverage/` with a one-line reason. `tests/coverage.rs` fails on an
//! export neither reached nor listed, on a listing of no export, and on a listing of an export
//! that is reached (so the lists shrink as the bindings grow).
//!
//! Python and Java call the core directly, not the C ABI: for them only the settings' exports
//! (the `[[setting]]` rows) map onto members mechanically, through the registry's name of the
//! setting, and only those are checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A binding and where its own (not generated) sources are.
#[derive(Debug)]
pub struct Binding {
    pub name: &'static str,
    /// A directory under the workspace root.
    pub dir: &'static str,
    /// The sources' extension.
    pub ext: &'static str,
    /// Generated files left out: they declare every export, which says nothing of its use.
    pub generated: &'static [&'static str],
    /// How an export is reached.
    pub reach: Reach,
    /// The list of exports it does not reach, each with its reason.
    pub list: &'static str,
}

/// How a binding reaches an export.
#[derive(Debug, Clone, Copy)]
pub enum Reach {
    /// By naming it (a binding over the C ABI). With `owning_handles`, `Create_X` returns a
    /// handle type whose release calls `Destroy_X` (C#'s SafeHandles, written by
    /// `bindings/csharp/tools/gen_native.py`): reaching one reaches the other.
    Names { owning_handles: bool },
    /// A binding on the core: only the settings' exports count, each reached when the binding
    /// names `<prefix><registry name>` (Python's setter `set_max_pack_size`, Java's key
    /// `"max_pack_size"`).
    SettingKeys { prefix: &'static str },
}

/// The bindings whose coverage is checked by name.
pub const BINDINGS: &[Binding] = &[
    Binding {
        name: "csharp",
        dir: "bindings/csharp/src",
        ext: "cs",
        generated: &["NativeMethods.g.cs"],
        reach: Reach::Names {
            owning_handles: true,
        },
        list: "tools/ffi-gen/coverage/csharp.txt",
    },
    Binding {
        name: "cpp",
        dir: "bindings/cpp/include",
        ext: "hpp",
        generated: &[],
        reach: Reach::Names {
            owning_handles: false,
        },
        list: "tools/ffi-gen/coverage/cpp.txt",
    },
    Binding {
        name: "python",
        dir: "bindings/python/src",
        ext: "rs",
        generated: &[],
        reach: Reach::SettingKeys { prefix: "set_" },
        list: "tools/ffi-gen/coverage/python.txt",
    },
    Binding {
        name: "java",
        dir: "bindings/java/src",
        ext: "rs",
        generated: &[],
        reach: Reach::SettingKeys { prefix: "" },
        list: "tools/ffi-gen/coverage/java.txt",
    },
];

/// The exports the check covers for `b` (every export, or the settings' ones) and those of
/// them `b` reaches, from the tables of the workspace at `root`.
pub fn exports_and_reached(
    root: &Path,
    b: &Binding,
) -> Result<(BTreeSet<String>, BTreeSet<String>), String> {
    let names = reached(root, b)?;
    let mut exports = BTreeSet::new();
    let mut hit = BTreeSet::new();
    for (stem, table) in crate::tables(root)? {
        let in_table = |e: String| format!("{stem}: {e}");
        match b.reach {
            Reach::Names { .. } => {
                for name in crate::export_names(&table).map_err(in_table)? {
                    if names.contains(&name) {
                        hit.insert(name.clone());
                    }
                    exports.insert(name);
                }
            }
            Reach::SettingKeys { prefix } => {
                for (name, key) in crate::setting::exports(&table).map_err(in_table)? {
                    if names.contains(&format!("{prefix}{key}")) {
                        hit.insert(name.clone());
                    }
                    exports.insert(name);
                }
            }
        }
    }
    Ok((exports, hit))
}

/// What a check found for one binding.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Exports the binding names.
    pub reached: usize,
    /// Exports listed as not applicable.
    pub listed: usize,
    /// Exports neither reached nor listed.
    pub missing: Vec<String>,
    /// Listed names that are no export.
    pub unknown: Vec<String>,
    /// Listed exports the binding reaches after all.
    pub stale: Vec<String>,
}

impl Coverage {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.unknown.is_empty() && self.stale.is_empty()
    }
}

/// Compares the exports with what a binding reaches and what its list says.
pub fn check(
    exports: &BTreeSet<String>,
    reached: &BTreeSet<String>,
    listed: &BTreeMap<String, String>,
) -> Coverage {
    let mut c = Coverage::default();
    for e in exports {
        match (reached.contains(e), listed.contains_key(e)) {
            (true, false) => c.reached += 1,
            (true, true) => c.stale.push(e.clone()),
            (false, true) => c.listed += 1,
            (false, false) => c.missing.push(e.clone()),
        }
    }
    c.unknown = listed
        .keys()
        .filter(|n| !exports.contains(*n))
        .cloned()
        .collect();
    c
}

/// A list file: `Name: reason` lines; blank lines and `#` comments are skipped. A line without
/// a reason, or a name listed twice, is an error.
pub fn parse_list(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut listed = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, reason) = line
            .split_once(':')
            .map(|(n, r)| (n.trim(), r.trim()))
            .filter(|(n, r)| !n.is_empty() && !r.is_empty())
            .ok_or_else(|| format!("line {}: not `Name: reason`: {line:?}", i + 1))?;
        if listed
            .insert(name.to_string(), reason.to_string())
            .is_some()
        {
            return Err(format!("line {}: {name} listed twice", i + 1));
        }
    }
    Ok(listed)
}

/// Every identifier a binding's sources name, with C's token-pasting macros expanded.
pub fn reached(root: &Path, b: &Binding) -> Result<BTreeSet<String>, String> {
    // The whole tree under the binding's directory: a module may be a directory of files.
    let mut files = Vec::new();
    let mut dirs = vec![root.join(b.dir)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == b.ext) && !b.generated.contains(&name) {
                files.push(path);
            }
        }
    }
    let mut names = BTreeSet::new();
    for path in files {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        names.extend(identifiers(&text));
        names.extend(identifiers(&expand_pastes(&text)));
    }
    if let Reach::Names {
        owning_handles: true,
    } = b.reach
    {
        let destroys: Vec<String> = names
            .iter()
            .filter_map(|n| n.strip_prefix("Create_"))
            .map(|rest| format!("Destroy_{rest}"))
            .collect();
        names.extend(destroys);
    }
    Ok(names)
}

fn identifiers(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .map(str::to_string)
}

/// The bodies of the function-like macros that paste tokens (`HP_Set_FN_##Kind##_OnBody`),
/// once per invocation with its arguments put in: the names they make appear nowhere else.
pub fn expand_pastes(text: &str) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        i += 1;
        let Some(def) = line.strip_prefix("#define ") else {
            continue;
        };
        let mut body = def.to_string();
        while body.trim_end().ends_with('\\') && i < lines.len() {
            body = format!("{}\n{}", body.trim_end().trim_end_matches('\\'), lines[i]);
            i += 1;
        }
        let Some((name, rest)) = body.split_once('(') else {
            continue;
        };
        if !body.contains("##") || name.contains(char::is_whitespace) {
            continue;
        }
        let Some((params, body)) = rest.split_once(')') else {
            continue;
        };
        let params: Vec<&str> = params.split(',').map(str::trim).collect();
        for args in invocations(text, name, params.len()) {
            let mut expanded = body.to_string();
            for (p, a) in params.iter().zip(&args) {
                expanded = expanded
                    .replace(&format!("##{p}##"), a)
                    .replace(&format!("{p}##"), a)
                    .replace(&format!("##{p}"), a);
            }
            out.push_str(&expanded);
            out.push('\n');
        }
    }
    out
}

/// The arguments of every `name(a, b, ...)` with `arity` simple arguments in `text`.
fn invocations(text: &str, name: &str, arity: usize) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let pattern = format!("{name}(");
    let mut rest = text;
    while let Some(at) = rest.find(&pattern) {
        let before = rest[..at].chars().last();
        rest = &rest[at + pattern.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = rest.find(')') else { break };
        let args: Vec<String> = rest[..end]
            .split(',')
            .map(|a| a.trim().to_string())
            .collect();
        let simple = args
            .iter()
            .all(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if args.len() == arity && simple {
            found.push(args);
        }
    }
    found
}
