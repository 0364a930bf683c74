//! The `[[setting]]` rows: each names a setting of the core's registry
//! (`hpsocket_core::settings`) and becomes two ordinary rows, its setter and its getter, whose
//! C names, parameter and return types and bodies come from the registry. The bodies call
//! `crate::setting` in `hpsocket-ffi`, which reads and writes the value through the registry
//! too, so a setting lives in one place: its registry row.

use std::collections::{BTreeMap, BTreeSet};

use hpsocket_core::settings::{self, ComponentRole, Setting, SettingType};

use crate::table::{Family, Function, Role, SettingRow, Table, Wrap};

/// The module the generated bodies call.
pub const RUNTIME: &str = "crate::setting";

/// The C type of a setting's value, its default on failure, and the prefix of its parameter
/// name (HP-Socket's Hungarian notation).
fn c_type(ty: SettingType) -> (&'static str, &'static str, &'static str) {
    match ty {
        SettingType::U32 => ("DWORD", "0", "dw"),
        SettingType::U16 => ("USHORT", "0", "us"),
        SettingType::I32 => ("c_int", "0", "i"),
        SettingType::Bool => ("BOOL", "FALSE", "b"),
        SettingType::ReuseAddressPolicy => ("En_HP_ReuseAddressPolicy", "0", "en"),
        SettingType::SendPolicy => ("En_HP_SendPolicy", "0", "en"),
        SettingType::OnSendSyncPolicy => ("En_HP_OnSendSyncPolicy", "0", "en"),
        SettingType::CastMode => ("En_HP_CastMode", "0", "en"),
    }
}

fn core_role(role: Role) -> ComponentRole {
    match role {
        Role::Server => ComponentRole::Server,
        Role::Agent => ComponentRole::Agent,
        Role::Client => ComponentRole::Client,
        Role::Node => ComponentRole::Node,
    }
}

/// The setter and the getter of every `[[setting]]` row of `table`.
pub fn functions(table: &Table) -> Result<Vec<Function>, String> {
    let mut out = Vec::new();
    for row in &table.settings {
        let (set, get) = expand(table, row).map_err(|e| format!("setting {:?}: {e}", row.key))?;
        out.push(set);
        out.push(get);
    }
    Ok(out)
}

/// The C name of every export of `table`'s `[[setting]]` rows with each name its setting goes
/// by in the bindings (the registry's name, and its alias): one pair per name.
pub fn exports(table: &Table) -> Result<Vec<(String, &'static str)>, String> {
    let mut out = Vec::new();
    for row in &table.settings {
        let (set, get) = expand(table, row).map_err(|e| format!("setting {:?}: {e}", row.key))?;
        let s = settings::find(&row.key).ok_or("not in hpsocket_core::settings::SETTINGS")?;
        for f in [set, get] {
            for fam in &f.families {
                for key in s.names() {
                    out.push((format!("{}{}", table.family[fam].prefix, f.name), key));
                }
            }
        }
    }
    Ok(out)
}

/// The registry's settings no table has a `[[setting]]` row for.
pub fn missing<'t>(tables: impl IntoIterator<Item = &'t Table>) -> Vec<&'static str> {
    let written: BTreeSet<&str> = tables
        .into_iter()
        .flat_map(|t| t.settings.iter().map(|r| r.key.as_str()))
        .collect();
    settings::SETTINGS
        .iter()
        .map(|s| s.name)
        .filter(|n| !written.contains(n))
        .collect()
}

fn expand(table: &Table, row: &SettingRow) -> Result<(Function, Function), String> {
    let s = settings::find(&row.key).ok_or("not in hpsocket_core::settings::SETTINGS")?;
    let families = families(table, row, s)?;
    let first_prefix = &table.family[&families[0]].prefix;
    let (ty, default, hungarian) = c_type(s.ty);
    let param = row
        .param
        .clone()
        .unwrap_or_else(|| format!("{hungarian}{}", s.c_name));
    let setter = format!("Set{}", s.c_name);
    let getter = if s.ty == SettingType::Bool {
        format!("Is{}", s.c_name)
    } else {
        format!("Get{}", s.c_name)
    };
    let key = s.name;
    // A node is no server, agent or client: its settings are reached apart, without a shape.
    let nodes: Vec<String> = families
        .iter()
        .filter(|f| table.family[*f].role == Some(Role::Node))
        .cloned()
        .collect();
    let node_body = |call: String| -> BTreeMap<String, String> {
        nodes.iter().map(|f| (f.clone(), call.clone())).collect()
    };
    let set = Function {
        name: setter.clone(),
        families: families.clone(),
        doc: row.doc.clone().unwrap_or_else(|| {
            format!(
                "Sets {}: {} Ignored (last error set) while not stopped.",
                s.c_name, s.doc
            )
        }),
        see_first: row.see_first,
        doc_for: row.doc_for.clone(),
        params: vec![format!("{param}: {ty}")],
        returns: None,
        default: None,
        wrap: Wrap::Call,
        is_unsafe: false,
        body: format!("setting::set($shape, $handle, \"{key}\", i64::from({param}))"),
        body_for: node_body(format!(
            "setting::set_node($handle, \"{key}\", i64::from({param}))"
        )),
    };
    let get = Function {
        name: getter,
        families,
        doc: row
            .get_doc
            .clone()
            .unwrap_or_else(|| format!("Returns {} (see `{first_prefix}{setter}`).", s.c_name)),
        see_first: false,
        doc_for: row.get_doc_for.clone(),
        params: Vec::new(),
        returns: Some(ty.to_string()),
        default: Some(default.to_string()),
        wrap: Wrap::Call,
        is_unsafe: false,
        body: format!("setting::get($shape, $handle, \"{key}\")"),
        body_for: node_body(format!("setting::get_node($handle, \"{key}\")")),
    };
    Ok((set, get))
}

/// The row's families (or the table's that have the setting, servers first), each checked against the
/// registry: its role must have the setting, and its prefix must be `HPX_` exactly for an
/// extension.
fn families(table: &Table, row: &SettingRow, s: &Setting) -> Result<Vec<String>, String> {
    let role_of = |name: &str| -> Result<Role, String> {
        let f = table
            .family
            .get(name)
            .ok_or_else(|| format!("unknown family {name:?}"))?;
        f.role
            .ok_or_else(|| format!("family {name:?} has no `role` (server, agent or client)"))
    };
    let families: Vec<String> = if row.families.is_empty() {
        let mut all = Vec::new();
        // A family without a role (callback setters, the HTTP sync client) has no settings.
        for (name, f) in &table.family {
            let Some(role) = f.role else { continue };
            if s.applies_to_role(core_role(role)) && prefix_fits(f, s) {
                all.push((role, name.clone()));
            }
        }
        // HP-Socket's order: the server's function first (the one `see_first` names).
        all.sort();
        all.into_iter().map(|(_, name)| name).collect()
    } else {
        row.families.clone()
    };
    if families.is_empty() {
        return Err("no family of the table has it".into());
    }
    for name in &families {
        let role = role_of(name)?;
        if !s.applies_to_role(core_role(role)) {
            return Err(format!(
                "family {name:?} is a {role:?}, which the registry says does not have it"
            ));
        }
        if !prefix_fits(&table.family[name], s) {
            return Err(format!(
                "family {name:?}: an {} belongs in {} families",
                if s.extension {
                    "extension"
                } else {
                    "HP-Socket setting"
                },
                if s.extension { "HPX_" } else { "HP_" },
            ));
        }
    }
    Ok(families)
}

/// Whether the family's prefix suits the setting: `HPX_` for an extension; `HP_` for one of
/// HP-Socket's, or `HPX_` when the component itself is an extension (the ARQ agent).
fn prefix_fits(family: &Family, s: &Setting) -> bool {
    let hpx = family.prefix.starts_with("HPX_");
    hpx == s.extension || hpx && family.extension
}
