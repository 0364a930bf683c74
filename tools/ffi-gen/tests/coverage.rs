//! Every export of the tables is reached by each C-ABI binding (C#, C++) or listed as not
//! applicable to it, with a reason, in `tools/ffi-gen/coverage/<binding>.txt` (issue #12).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ffi_gen::coverage::{self, Coverage, BINDINGS};

#[test]
fn every_export_is_reached_or_listed_by_each_binding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut failures = Vec::new();
    for b in BINDINGS {
        let (exports, reached) =
            coverage::exports_and_reached(&root, b).unwrap_or_else(|e| panic!("{}: {e}", b.name));
        let text = std::fs::read_to_string(root.join(b.list))
            .unwrap_or_else(|e| panic!("{}: {e}", b.list));
        let listed = coverage::parse_list(&text).unwrap_or_else(|e| panic!("{}: {e}", b.list));
        let c = coverage::check(&exports, &reached, &listed);
        eprintln!(
            "{}: {} of {} exports reached, {} listed (gap, alias or n/a)",
            b.name,
            c.reached,
            exports.len(),
            c.listed
        );
        if !c.is_clean() {
            failures.push(format!(
                "{} ({}):\n  reached by nothing and not listed (use them, or list them with a \
                 reason): {:?}\n  listed but no export: {:?}\n  listed but reached (remove \
                 the line): {:?}",
                b.name, b.list, c.missing, c.unknown, c.stale
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_check_finds_missing_unknown_and_stale_names() {
    let set =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|n| n.to_string()).collect() };
    let exports = set(&["A", "B", "C", "D"]);
    let reached = set(&["A", "B", "Other"]);
    let listed: BTreeMap<String, String> = [("B", "why"), ("C", "why"), ("Gone", "why")]
        .iter()
        .map(|(n, r)| (n.to_string(), r.to_string()))
        .collect();
    assert_eq!(
        coverage::check(&exports, &reached, &listed),
        Coverage {
            reached: 1,
            listed: 1,
            missing: vec!["D".into()],
            unknown: vec!["Gone".into()],
            stale: vec!["B".into()],
        }
    );
}

#[test]
fn a_list_needs_a_reason_on_every_line_and_each_name_once() {
    let ok = coverage::parse_list("# comment\n\nHP_X_Y: a reason\n").expect("valid");
    assert_eq!(ok.get("HP_X_Y").map(String::as_str), Some("a reason"));
    assert!(coverage::parse_list("HP_X_Y\n").is_err());
    assert!(coverage::parse_list("HP_X_Y:   \n").is_err());
    assert!(coverage::parse_list("HP_X_Y: a\nHP_X_Y: b\n").is_err());
}

#[test]
fn token_pasting_macros_are_expanded_per_invocation() {
    let text = "#define HOOK(Kind, T) \\\n    HP_Set_FN_##Kind##_OnBody(l, &T::body); \\\n    \
                HPX_Set_FN_##Kind##_OnWSMessage(l, &T::ws)\nvoid f() { HOOK(HttpServer, H) }\n";
    let expanded = coverage::expand_pastes(text);
    assert!(
        expanded.contains("HP_Set_FN_HttpServer_OnBody"),
        "{expanded}"
    );
    assert!(
        expanded.contains("HPX_Set_FN_HttpServer_OnWSMessage"),
        "{expanded}"
    );
}
