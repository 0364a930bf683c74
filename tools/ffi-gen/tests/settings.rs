//! `[[setting]]` rows: names, types and bodies come from the core's registry, and a row that
//! contradicts the registry (a family whose components lack the setting, an extension under
//! an `HP_` prefix, a key it does not have) is refused rather than written.

use ffi_gen::setting;
use ffi_gen::table::Table;

const FAMILIES: &str = r#"
about = "test"

[family.Server]
prefix = "HP_Server_"
handle = "pServer: HP_Server"
role = "server"
vars = { shape = "Shape::Server" }

[family.Agent]
prefix = "HP_Agent_"
handle = "pAgent: HP_Agent"
role = "agent"
vars = { shape = "Shape::Agent" }

[family.Client]
prefix = "HP_Client_"
handle = "pClient: HP_Client"
role = "client"
vars = { shape = "Shape::Client" }
conn = false

[family.XClient]
prefix = "HPX_Client_"
handle = "pClient: HP_Client"
role = "client"
vars = { shape = "Shape::Client" }
conn = false
"#;

fn table(rows: &str) -> Table {
    toml::from_str(&format!("{FAMILIES}\n{rows}")).expect("the test table parses")
}

#[test]
fn a_row_takes_names_types_and_families_from_the_registry() {
    let fns = setting::functions(&table("[[setting]]\nkey = \"max_connection_count\"\n"))
        .expect("a valid row");
    let names: Vec<&str> = fns.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["SetMaxConnectionCount", "GetMaxConnectionCount"]);
    // Servers and agents have it, clients do not: the table's client families are left out.
    assert_eq!(fns[0].families, ["Server", "Agent"]);
    assert_eq!(fns[0].params, ["dwMaxConnectionCount: DWORD"]);
    assert_eq!(fns[0].returns, None);
    assert_eq!(fns[1].returns.as_deref(), Some("DWORD"));
    assert_eq!(fns[1].default.as_deref(), Some("0"));
    assert!(fns[0].body.contains("\"max_connection_count\""));
    assert!(fns[0].doc.contains("Most simultaneous connections"));
    assert!(fns[1].doc.contains("HP_Server_SetMaxConnectionCount"));
}

#[test]
fn a_flag_is_read_with_is_and_a_row_may_rename_the_parameter() {
    let fns = setting::functions(&table(
        "[[setting]]\nkey = \"silence_counts_send\"\nfamilies = [\"XClient\"]\nparam = \"bCounts\"\n",
    ))
    .expect("a valid row");
    assert_eq!(fns[0].name, "SetSilenceCountsSend");
    assert_eq!(fns[0].params, ["bCounts: BOOL"]);
    assert_eq!(fns[1].name, "IsSilenceCountsSend");
    assert_eq!(fns[1].returns.as_deref(), Some("BOOL"));
    assert_eq!(fns[1].default.as_deref(), Some("FALSE"));
}

#[test]
fn rows_that_contradict_the_registry_are_refused() {
    let err = |rows: &str| setting::functions(&table(rows)).expect_err(rows);
    let e = err("[[setting]]\nkey = \"max_connection_count\"\nfamilies = [\"Client\"]\n");
    assert!(e.contains("does not have it"), "{e}");
    let e = err("[[setting]]\nkey = \"free_buffer_pool_size\"\nfamilies = [\"XClient\"]\n");
    assert!(e.contains("HP_ families"), "{e}");
    let e = err("[[setting]]\nkey = \"max_send_queue_bytes\"\nfamilies = [\"Client\"]\n");
    assert!(e.contains("HPX_ families"), "{e}");
    let e = err("[[setting]]\nkey = \"no_such_setting\"\n");
    assert!(e.contains("not in hpsocket_core"), "{e}");
    let e = err("[[setting]]\nkey = \"post_receive_count\"\nfamilies = [\"Nobody\"]\n");
    assert!(e.contains("unknown family"), "{e}");
}

#[test]
fn every_registry_setting_needs_a_row() {
    let none = table("");
    let missing = setting::missing([&none]);
    assert_eq!(
        missing.len(),
        hpsocket_core::settings::SETTINGS.len(),
        "{missing:?}"
    );
    let one = table("[[setting]]\nkey = \"max_connection_count\"\n");
    assert!(!setting::missing([&one]).contains(&"max_connection_count"));
}

const ARQ_FAMILIES: &str = r#"
about = "test"

[family.ArqServer]
prefix = "HP_UdpArqServer_"
handle = "pServer: HP_UdpArqServer"
role = "server"
vars = { shape = "Shape::UdpArqServer" }

[family.XArqServer]
prefix = "HPX_UdpArqServer_"
handle = "pServer: HP_UdpArqServer"
role = "server"
vars = { shape = "Shape::UdpArqServer" }

[family.XArqAgent]
prefix = "HPX_UdpArqAgent_"
handle = "pAgent: HPX_UdpArqAgent"
role = "agent"
extension = true
vars = { shape = "Shape::UdpArqAgent" }

[family.FnServer]
prefix = "HP_Set_FN_Server_"
handle = "pListener: HP_ServerListener"

[family.Node]
prefix = "HP_UdpNode_"
handle = "pNode: HP_UdpNode"
role = "node"
conn = false
"#;

fn arq_table(rows: &str) -> Table {
    toml::from_str(&format!("{ARQ_FAMILIES}\n{rows}")).expect("the test table parses")
}

#[test]
fn an_extension_component_has_hp_sockets_settings_under_hpx() {
    // KCP's NoDelay: HP_ on the server, HPX_ on the agent (an extension itself), not on the
    // server's HPX_ family; the family without a role (callbacks) is passed over.
    let fns = setting::functions(&arq_table("[[setting]]\nkey = \"arq_no_delay\"\n"))
        .expect("a valid row");
    assert_eq!(fns[0].name, "SetNoDelay");
    assert_eq!(fns[1].name, "IsNoDelay");
    assert_eq!(fns[0].families, ["ArqServer", "XArqAgent"]);
    assert!(fns[0].body.contains("\"arq_no_delay\""));
    // An extension goes to every HPX_ family.
    let fns = setting::functions(&arq_table("[[setting]]\nkey = \"partial_reliability\"\n"))
        .expect("a valid row");
    assert_eq!(fns[0].families, ["XArqServer", "XArqAgent"]);
    // HP-Socket's setting stays out of an HPX_ family of an HP-Socket component.
    let e = setting::functions(&arq_table(
        "[[setting]]\nkey = \"arq_no_delay\"\nfamilies = [\"XArqServer\"]\n",
    ))
    .expect_err("refused");
    assert!(e.contains("HP_ families"), "{e}");
}

#[test]
fn a_node_setting_is_reached_apart_and_exports_carry_every_name() {
    let t = arq_table(
        "[[setting]]\nkey = \"free_buffer_pool_size\"\nfamilies = [\"Node\"]\n\
         [[setting]]\nkey = \"recv_buffer_size\"\nfamilies = [\"XArqAgent\"]\n",
    );
    let fns = setting::functions(&t).expect("valid rows");
    assert_eq!(fns[0].name, "SetFreeBufferPoolSize");
    assert_eq!(
        fns[0].body_for.get("Node").map(String::as_str),
        Some("setting::set_node($handle, \"free_buffer_pool_size\", i64::from(dwFreeBufferPoolSize))")
    );
    assert_eq!(
        fns[1].body_for.get("Node").map(String::as_str),
        Some("setting::get_node($handle, \"free_buffer_pool_size\")")
    );
    // The bindings reach an export by the registry's name or by its alias.
    let exports = setting::exports(&t).expect("valid rows");
    let names_of = |export: &str| -> Vec<&str> {
        exports
            .iter()
            .filter(|(e, _)| e == export)
            .map(|(_, k)| *k)
            .collect()
    };
    assert_eq!(
        names_of("HPX_UdpArqAgent_SetSocketRecvBufferSize"),
        ["recv_buffer_size", "socket_recv_buffer_size"]
    );
    assert_eq!(
        names_of("HP_UdpNode_GetFreeBufferPoolSize"),
        ["free_buffer_pool_size"]
    );
}
