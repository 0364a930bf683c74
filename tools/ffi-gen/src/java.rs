//! The Java binding's `native` declarations, written from its JNI shims (issue #12).
//!
//! Each `pub extern "system" fn Java_<package>_<Class>_<method>(env, class, a: jlong, ...)` in
//! `bindings/java/src/*.rs` is the one source of its `static native` declaration: this module
//! reads the shims (a small parser of their fixed shape, not a Rust parser), maps each JNI type
//! to its Java type, and writes the declarations, with the shim's `///` doc as Javadoc, into
//! the marked region of the class's Java file. The rest of that file (loading the library,
//! constants) stays hand-written. A shim with a type no Java type stands for, a shim not
//! exported (`#[no_mangle]` missing), or a `native` method declared by hand anywhere in the
//! Java sources fails [`outputs`]; a declaration left stale fails `--check` and
//! `tests/fresh.rs`. So a declaration and its shim cannot disagree by name or JNI signature.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Output;

/// Where the shims are.
const SHIMS: &str = "bindings/java/src";
/// Where the Java sources are, by package directory.
const JAVA: &str = "bindings/java/src/main/java";
/// The lines that open and close the generated region of a Java file.
const BEGIN: &str = "// ffi-gen: begin native methods";
const END: &str = "// ffi-gen: end native methods";
/// The longest declaration line before it wraps, as the hand-written Java does.
const MAX_WIDTH: usize = 100;

/// The Java type each JNI type of a shim's signature stands for. The object types whose jni
/// name does not say their class are the aliases of `bindings/java/src/jtypes.rs`.
const TYPES: &[(&str, &str)] = &[
    ("jboolean", "boolean"),
    ("jbyte", "byte"),
    ("jchar", "char"),
    ("jshort", "short"),
    ("jint", "int"),
    ("jlong", "long"),
    ("jfloat", "float"),
    ("jdouble", "double"),
    ("JString", "String"),
    ("jstring", "String"),
    ("JByteArray", "byte[]"),
    ("jbyteArray", "byte[]"),
    ("JIntArray", "int[]"),
    ("jintArray", "int[]"),
    ("JLongArray", "long[]"),
    ("jlongArray", "long[]"),
    ("JByteBuffer", "ByteBuffer"),
    // jtypes.rs
    ("JStringArray", "String[]"),
    ("jstringArray", "String[]"),
    ("JByteArrayArray", "byte[][]"),
    ("JComponent", "Component"),
    ("jHPSocketException", "HPSocketException"),
];

/// Java's reserved words, which a parameter name cannot be.
const RESERVED: &str = "abstract assert boolean break byte case catch char class const continue \
    default do double else enum extends final finally float for goto if implements import \
    instanceof int interface long native new package private protected public return short \
    static strictfp super switch synchronized this throw throws transient try void volatile \
    while true false null var record yield";

/// One JNI shim, as its Java declaration needs it.
#[derive(Debug, PartialEq, Eq)]
pub struct Shim {
    /// The Rust file it is in (`lifecycle.rs`).
    pub file: String,
    /// The Java class, fully qualified (`org.hpsocket.Native`).
    pub class: String,
    /// The Java method name.
    pub method: String,
    /// Java name and Java type of each parameter after the `JNIEnv` and the `JClass`.
    pub params: Vec<(String, String)>,
    /// The Java return type (`void` for none).
    pub returns: String,
    /// The `///` doc lines, without the `///`.
    pub doc: Vec<String>,
}

/// The generated Java files: each class's file with its region rewritten from the shims.
pub fn outputs(root: &Path) -> Result<Vec<Output>, String> {
    let mut by_class: BTreeMap<String, Vec<Shim>> = BTreeMap::new();
    for shim in shims(root)? {
        by_class.entry(shim.class.clone()).or_default().push(shim);
    }
    let mut outputs = Vec::new();
    for (class, shims) in &by_class {
        let path = root
            .join(JAVA)
            .join(format!("{}.java", class.replace('.', "/")));
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{}: {e} (the class of {} shims)",
                path.display(),
                shims.len()
            )
        })?;
        let text =
            with_region(&text, &region(shims)).map_err(|e| format!("{}: {e}", path.display()))?;
        outputs.push(Output { path, text });
    }
    for path in files(&root.join(JAVA), "java", true)? {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(line) = hand_written_native(&text) {
            return Err(format!(
                "{}: `native` method outside the ffi-gen region (declare it by a JNI shim in \
                 {SHIMS}, and run `cargo run -p ffi-gen`): {line}",
                path.display()
            ));
        }
    }
    Ok(outputs)
}

/// Every shim of the JNI library, by file name, in source order.
pub fn shims(root: &Path) -> Result<Vec<Shim>, String> {
    let mut shims = Vec::new();
    for path in files(&root.join(SHIMS), "rs", false)? {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        shims.extend(parse(&name, &text).map_err(|e| format!("{SHIMS}/{name}: {e}"))?);
    }
    Ok(shims)
}

/// The shims of one Rust file.
pub fn parse(file: &str, text: &str) -> Result<Vec<Shim>, String> {
    const FN: &str = "pub extern \"system\" fn Java_";
    let mut shims = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(at) = rest.find(FN) {
        let start = offset + at;
        let line = text[..start].matches('\n').count() + 1;
        let name_start = start + FN.len() - "Java_".len();
        let shim =
            parse_one(file, text, start, name_start).map_err(|e| format!("line {line}: {e}"))?;
        shims.push(shim);
        offset = start + FN.len();
        rest = &text[offset..];
    }
    Ok(shims)
}

fn parse_one(file: &str, text: &str, start: usize, name_start: usize) -> Result<Shim, String> {
    // The doc and attributes: the lines right above, up to the first that is neither.
    let mut doc = Vec::new();
    let mut exported = false;
    for line in text[..start].lines().rev() {
        let line = line.trim();
        if let Some(d) = line.strip_prefix("///") {
            doc.push(d.strip_prefix(' ').unwrap_or(d).to_string());
        } else if line.starts_with("#[") {
            exported |= line == "#[no_mangle]" || line == "#[unsafe(no_mangle)]";
        } else {
            break;
        }
    }
    doc.reverse();
    let open = text[name_start..]
        .find('(')
        .map(|i| name_start + i)
        .ok_or("no parameter list")?;
    let jni_name = text[name_start..open].trim();
    if !exported {
        return Err(format!(
            "{jni_name} is not `#[no_mangle]`: the JVM would not find it"
        ));
    }
    let (class, method) = split_jni_name(jni_name)?;
    let close = matching_paren(text, open).ok_or_else(|| format!("{jni_name}: unclosed `(`"))?;
    let body = text[close + 1..]
        .find('{')
        .map(|i| close + 1 + i)
        .ok_or_else(|| format!("{jni_name}: no body"))?;
    let returns = match text[close + 1..body].trim().strip_prefix("->") {
        Some(t) => java_type(t.trim()).map_err(|e| format!("{jni_name}: return {e}"))?,
        None if text[close + 1..body].trim().is_empty() => "void".to_string(),
        None => return Err(format!("{jni_name}: unexpected text after the parameters")),
    };
    let mut params = Vec::new();
    for (i, p) in split_params(&text[open + 1..close]).iter().enumerate() {
        let (pat, ty) = p
            .split_once(':')
            .ok_or_else(|| format!("{jni_name}: parameter {p:?} has no type"))?;
        let pat = pat.trim().trim_start_matches("mut ").trim();
        let ty = base_type(ty.trim());
        match i {
            0 if ty == "JNIEnv" => continue,
            1 if ty == "JClass" => continue,
            0 => return Err(format!("{jni_name}: the first parameter is not a JNIEnv")),
            1 => {
                return Err(format!(
                    "{jni_name}: the second parameter is not a JClass (only static natives)"
                ))
            }
            _ => {}
        }
        let java = java_type(&ty).map_err(|e| format!("{jni_name}: parameter {pat}: {e}"))?;
        params.push((
            java_name(pat).map_err(|e| format!("{jni_name}: {e}"))?,
            java,
        ));
    }
    Ok(Shim {
        file: file.to_string(),
        class,
        method,
        params,
        returns,
        doc,
    })
}

/// `org_hpsocket_codec_CodecNative_oneShot` (after `Java_`) as class and method: the class is
/// the first part that starts upper-case (packages are lower-case). Escaped names (`_1`, ...)
/// are not supported: no Java name here has an underscore.
fn split_jni_name(name: &str) -> Result<(String, String), String> {
    let mangled = name
        .strip_prefix("Java_")
        .ok_or_else(|| format!("{name}: not a JNI name"))?;
    let parts: Vec<&str> = mangled.split('_').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Err(format!(
            "{name}: escaped or empty JNI name parts are not supported"
        ));
    }
    let class_at = parts
        .iter()
        .position(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
        .ok_or_else(|| format!("{name}: no class name"))?;
    if class_at + 2 != parts.len() {
        return Err(format!("{name}: expected Java_<package>_<Class>_<method>"));
    }
    Ok((
        parts[..=class_at].join("."),
        parts[class_at + 1].to_string(),
    ))
}

fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The parameters, split at the top-level commas (`JNIEnv<'local>` has none inside).
fn split_params(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in list.chars() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// `jni::objects::JString<'local>` as `JString`.
fn base_type(ty: &str) -> String {
    let ty = ty.split('<').next().unwrap_or(ty).trim();
    ty.rsplit("::").next().unwrap_or(ty).to_string()
}

fn java_type(ty: &str) -> Result<String, String> {
    let ty = base_type(ty);
    TYPES
        .iter()
        .find(|(jni, _)| *jni == ty)
        .map(|(_, java)| java.to_string())
        .ok_or_else(|| {
            format!(
                "type `{ty}` stands for no known Java type (name the class by an alias in \
                 bindings/java/src/jtypes.rs and map it in tools/ffi-gen/src/java.rs)"
            )
        })
}

/// `local_port` as `localPort`; an unused `_name` as `name`.
fn java_name(rust: &str) -> Result<String, String> {
    let trimmed = rust.trim_start_matches('_');
    if trimmed.is_empty() {
        return Err("a parameter after the JClass is unnamed".into());
    }
    let mut out = String::new();
    let mut upper = false;
    for c in trimmed.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    if RESERVED.split_whitespace().any(|w| w == out) {
        return Err(format!(
            "parameter {rust} is the Java keyword {out:?}: rename it"
        ));
    }
    Ok(out)
}

/// The generated region of one class: its declarations grouped by Rust file.
fn region(shims: &[Shim]) -> String {
    let mut s = String::from(
        "    // (written by `cargo run -p ffi-gen` from the JNI shims in bindings/java/src/*.rs:\n    \
         // change a shim or its `///` doc there and regenerate; do not edit these lines)\n",
    );
    let mut file = "";
    for shim in shims {
        if shim.file != file {
            file = &shim.file;
            let _ = writeln!(s, "\n    // ---- {file} ----");
        }
        s.push_str(&javadoc(&shim.doc));
        s.push_str(&declaration(shim));
    }
    s
}

fn declaration(shim: &Shim) -> String {
    let head = format!("    static native {} {}(", shim.returns, shim.method);
    let params: Vec<String> = shim
        .params
        .iter()
        .map(|(n, t)| format!("{t} {n}"))
        .collect();
    let mut s = head;
    let mut line_len = s.len();
    for (i, p) in params.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let tail = if i + 1 == params.len() { ");" } else { "," };
        if i > 0 && line_len + sep.len() + p.len() + tail.len() > MAX_WIDTH {
            s.push_str(",\n            ");
            line_len = 12;
        } else {
            s.push_str(sep);
            line_len += sep.len();
        }
        s.push_str(p);
        line_len += p.len();
    }
    s.push_str(");\n");
    s
}

/// A `///` doc as Javadoc: `code` as {@code code}, intra-doc links as code, HTML escaped,
/// each paragraph wrapped anew (the tags make lines longer). List items (`* `, `- `) start
/// their own line.
fn javadoc(doc: &[String]) -> String {
    // Link definitions (`[x]: path`) say nothing in Java.
    let doc = doc
        .iter()
        .filter(|l| !(l.starts_with('[') && l.contains("]: ")));
    let mut paragraphs: Vec<String> = vec![String::new()];
    for line in doc {
        let line = line.trim();
        let last = paragraphs.last_mut().expect("never empty");
        if line.is_empty() {
            if !last.is_empty() {
                paragraphs.push(String::new());
            }
        } else if last.is_empty() {
            last.push_str(line);
        } else if line.starts_with("* ") || line.starts_with("- ") {
            paragraphs.push(line.to_string());
        } else {
            last.push(' ');
            last.push_str(line);
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    let paragraphs: Vec<String> = paragraphs.iter().map(|p| doc_line(p)).collect();
    match paragraphs.as_slice() {
        [] => String::new(),
        [one] if one.len() + "    /**  */".len() <= MAX_WIDTH => format!("    /** {one} */\n"),
        _ => {
            let mut s = String::from("    /**\n");
            for (i, p) in paragraphs.iter().enumerate() {
                if i > 0 {
                    s.push_str("     *\n");
                }
                for l in wrap(p, MAX_WIDTH - "     * ".len()) {
                    let _ = writeln!(s, "     * {l}");
                }
            }
            s.push_str("     */\n");
            s
        }
    }
}

/// `text` in lines of at most `width` (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

fn doc_line(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(tick) = rest.find('`') {
        let (before, after) = rest.split_at(tick);
        let Some(end) = after[1..].find('`') else {
            break;
        };
        // An intra-doc link `[`x`]` is just the code.
        let before = before.strip_suffix('[').unwrap_or(before);
        out.push_str(&escape(before));
        let _ = write!(out, "{{@code {}}}", &after[1..=end]);
        rest = &after[end + 2..];
        rest = rest.strip_prefix(']').unwrap_or(rest);
    }
    out.push_str(&escape(rest));
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('@', "&#64;")
        .replace("*/", "*&#47;")
}

/// `text` with the lines between its [`BEGIN`] and [`END`] lines replaced by `region`.
fn with_region(text: &str, region: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let find = |marker: &str| -> Result<usize, String> {
        let at: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].trim() == marker)
            .collect();
        match at.as_slice() {
            [i] => Ok(*i),
            [] => Err(format!(
                "no line `{marker}` (the generated region's bounds)"
            )),
            _ => Err(format!("more than one line `{marker}`")),
        }
    };
    let (begin, end) = (find(BEGIN)?, find(END)?);
    if end < begin {
        return Err(format!("`{END}` before `{BEGIN}`"));
    }
    let mut out: String = lines[..=begin].concat();
    out.push_str(region);
    out.push_str(&lines[end..].concat());
    Ok(out)
}

/// The first line outside the generated region that declares a `native` method.
fn hand_written_native(text: &str) -> Option<String> {
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim();
        if t == BEGIN {
            inside = true;
        } else if t == END {
            inside = false;
        } else if !inside && !t.starts_with("//") && !t.starts_with('*') && !t.starts_with("/*") {
            // A declaration's modifiers come before its `(`; a string or an expression there
            // is no declaration.
            let Some((head, _)) = t.split_once('(') else {
                continue;
            };
            if !head.contains(['"', '=']) && head.split_whitespace().any(|w| w == "native") {
                return Some(t.to_string());
            }
        }
    }
    None
}

/// The files of `dir` (and, `deep`, of its subdirectories) ending in `.ext`, sorted.
fn files(dir: &Path, ext: &str, deep: bool) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            if deep {
                out.extend(files(&path, ext, deep)?);
            }
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIM: &str = r#"
/// Sends `data[off..off + len]` (see [`crate::data`]).
///
/// [`crate::data`]: x
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_codec_CodecNative_sendPackets(
    mut env: JNIEnv<'local>,
    _: JClass,
    h: jlong,
    local_port: jint,
    arrays: JByteArrayArray,
    _unused: JString<'local>,
) -> jstringArray {
    run(&mut env, |_| Ok(()))
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_stop(mut env: JNIEnv, _: JClass, h: jlong) {
}
"#;

    #[test]
    fn a_shim_gives_class_method_java_types_and_doc() {
        let shims = parse("data.rs", SHIM).unwrap();
        assert_eq!(shims.len(), 2);
        let s = &shims[0];
        assert_eq!(s.class, "org.hpsocket.codec.CodecNative");
        assert_eq!(s.method, "sendPackets");
        let params: Vec<(&str, &str)> = s
            .params
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        assert_eq!(
            params,
            [
                ("h", "long"),
                ("localPort", "int"),
                ("arrays", "byte[][]"),
                ("unused", "String")
            ]
        );
        assert_eq!(s.returns, "String[]");
        assert_eq!(
            javadoc(&s.doc),
            "    /** Sends {@code data[off..off + len]} (see {@code crate::data}). */\n"
        );
        assert_eq!(
            declaration(s),
            "    static native String[] sendPackets(long h, int localPort, byte[][] arrays, \
             String unused);\n"
        );
        assert_eq!(shims[1].class, "org.hpsocket.Native");
        assert_eq!(shims[1].returns, "void");
    }

    #[test]
    fn an_unmapped_type_an_unexported_shim_or_an_instance_native_fails() {
        let unmapped = SHIM.replace("arrays: JByteArrayArray", "arrays: JObjectArray");
        let e = parse("data.rs", &unmapped).unwrap_err();
        assert!(e.contains("JObjectArray"), "{e}");
        let hidden = SHIM.replacen("#[no_mangle]\n#[allow", "#[allow", 1);
        let e = parse("data.rs", &hidden).unwrap_err();
        assert!(e.contains("no_mangle"), "{e}");
        let instance = SHIM.replace("_: JClass, h", "_: JObject, h");
        assert!(parse("data.rs", &instance).unwrap_err().contains("JClass"));
    }

    #[test]
    fn the_region_is_replaced_and_hand_written_natives_are_found() {
        let java =
            format!("class N {{\n    static int X;\n    {BEGIN}\n    old stuff\n    {END}\n}}\n");
        let out = with_region(&java, "    new();\n").unwrap();
        assert_eq!(
            out,
            format!("class N {{\n    static int X;\n    {BEGIN}\n    new();\n    {END}\n}}\n")
        );
        assert_eq!(hand_written_native(&out), None);
        let stray = out.replace("static int X;", "static native int x();");
        assert_eq!(
            hand_written_native(&stray).as_deref(),
            Some("static native int x();")
        );
        assert!(with_region("class N {}", "").is_err());
    }

    #[test]
    fn long_declarations_wrap_as_the_hand_written_java() {
        let shim = Shim {
            file: "x.rs".into(),
            class: "org.hpsocket.Native".into(),
            method: "clientStart".into(),
            params: [
                "h",
                "host",
                "port",
                "asyncConnect",
                "bindAddress",
                "localPort",
            ]
            .iter()
            .zip(["long", "String", "int", "boolean", "String", "int"])
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
            returns: "void".into(),
            doc: vec![],
        };
        assert_eq!(
            declaration(&shim),
            "    static native void clientStart(long h, String host, int port, boolean asyncConnect,\n            \
             String bindAddress, int localPort);\n"
        );
    }
}
