//! The shape of a table (`hpsocket-ffi/api/*.toml`): the families it covers and its
//! functions, each row naming its C name, its parameters and the one hand-written operation
//! its body calls.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One table: a group of related exports, written to one generated module.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// What the functions are; it heads the generated module.
    pub about: String,
    /// Paths the bodies name, each written as a `use` line.
    #[serde(default)]
    pub uses: Vec<String>,
    /// The families the rows expand over, by the name rows use.
    #[serde(default)]
    pub family: BTreeMap<String, Family>,
    /// The functions, in the order they are written.
    #[serde(default, rename = "fn")]
    pub fns: Vec<Function>,
    /// The registry's settings, written after the functions.
    #[serde(default, rename = "setting")]
    pub settings: Vec<SettingRow>,
}

/// A family of C functions: `HP_Server_*` over server handles, `HP_TcpPackClient_*` over
/// PACK clients, ...
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    /// The C name's prefix, e.g. `HP_TcpPackServer_`.
    pub prefix: String,
    /// The handle parameter every function of the family takes first, e.g.
    /// `pServer: HP_TcpPackServer`.
    pub handle: String,
    /// Words the rows' bodies and docs use as `$name`, e.g. `shape = "Shape::PackServer"`.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Whether the family's functions name a connection: a client has one, so its functions
    /// drop the `dwConnID` parameter the rows list.
    #[serde(default = "yes")]
    pub conn: bool,
    /// Whether its components are servers, agents, clients or nodes; needed by `[[setting]]`
    /// rows.
    #[serde(default)]
    pub role: Option<Role>,
    /// Its component is itself an extension (the ARQ agent, `HPX_UdpArqAgent_*`): HP-Socket's
    /// settings have `HPX_` names there too.
    #[serde(default)]
    pub extension: bool,
}

fn yes() -> bool {
    true
}

/// How a body is run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wrap {
    /// Inside `boundary::call(name, default, ..)`: panics caught, `default` on failure.
    #[default]
    Call,
    /// Inside `boundary::desc_call(name, ..)`: a description text, never NULL.
    DescCall,
    /// As written: the body already runs its own boundary (constructors).
    None,
}

/// One row: a C function, or one per family it lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// The C name: the part after the family prefix, or the whole name without families.
    pub name: String,
    /// The families it exists in, in the order they are written; none for a single function.
    #[serde(default)]
    pub families: Vec<String>,
    /// The doc comment of the C declaration.
    pub doc: String,
    /// Families after the first get "See `<first family's name>`." instead of `doc`.
    #[serde(default)]
    pub see_first: bool,
    /// A doc for one family in place of the others.
    #[serde(default)]
    pub doc_for: BTreeMap<String, String>,
    /// Parameters after the handle, as `name: Type`.
    #[serde(default)]
    pub params: Vec<String>,
    /// The return type; none for `void`.
    #[serde(default)]
    pub returns: Option<String>,
    /// What a failure returns (`Wrap::Call`); `()` for `void`.
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub wrap: Wrap,
    /// The function dereferences pointers it is given (`pub unsafe extern "C"`).
    #[serde(default, rename = "unsafe")]
    pub is_unsafe: bool,
    /// The body: Rust, with `$handle`, `$name`, `$first` and the family's vars.
    pub body: String,
    /// A body for one family in place of the others.
    #[serde(default)]
    pub body_for: BTreeMap<String, String>,
}

/// The role of a family's components, which a `[[setting]]` row checks against the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Server,
    Agent,
    Client,
    /// The UDP node (`HP_UdpNode_*`), whose settings the registry reaches apart.
    Node,
}

/// One setting of the core's registry (`hpsocket_core::settings`): its setter and its getter
/// (`Get*`, `Is*` for a flag) in each family, their names, parameter, types and bodies taken
/// from the registry. Only what C alone decides is written here.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingRow {
    /// The registry's name, e.g. `max_connection_count`.
    pub key: String,
    /// The families, in the order they are written; none: every family of the table whose
    /// role has the setting.
    #[serde(default)]
    pub families: Vec<String>,
    /// The setter's parameter name; none: HP-Socket's convention, the type's prefix (`dw`,
    /// `us`, `b`, `en`) and the C name.
    #[serde(default)]
    pub param: Option<String>,
    /// The setter's doc; none: the registry's doc.
    #[serde(default)]
    pub doc: Option<String>,
    /// Setters after the first family's say "See `<its name>`." instead of `doc`.
    #[serde(default)]
    pub see_first: bool,
    /// A setter doc for one family in place of the others.
    #[serde(default)]
    pub doc_for: BTreeMap<String, String>,
    /// The getter's doc; none: one naming the setter.
    #[serde(default)]
    pub get_doc: Option<String>,
    /// A getter doc for one family in place of the others.
    #[serde(default)]
    pub get_doc_for: BTreeMap<String, String>,
}
