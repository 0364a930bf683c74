//! The committed headers are what the sources say they are:
//! - `include/hpsocket.h` equals what cbindgen generates now (build.rs keeps it current; a
//!   stale or hand-edited header fails here);
//! - `include/HPSocket4C.h` compiles, with warnings as errors, a program written the way
//!   HP-Socket's own C demos are, as C99, C11 and C++ (when a C compiler is installed).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hpsocket-ffi-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn hpsocket_h_is_fresh() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let dir = scratch("header");
    let fresh = dir.join("hpsocket.h");
    bindings.write_to_file(&fresh);
    let fresh = std::fs::read_to_string(&fresh).expect("generated header");
    let committed =
        std::fs::read_to_string(root().join("include/hpsocket.h")).expect("include/hpsocket.h");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        fresh == committed,
        "include/hpsocket.h is stale: `cargo build -p hpsocket-ffi` regenerates it; commit the result"
    );
}

/// A program in the style of HP-Socket's C demos: callbacks with `__HP_CALL`, `_T()` strings,
/// `TCHAR` buffers, `INFINITE`, `TRUE`/`FALSE`, `LPCSTR` from `SYS_GetLastErrorStr`.
const PROGRAM: &str = r#"
#include "HPSocket4C.h"
#include <stdio.h>
#include <string.h>

static En_HP_HandleResult __HP_CALL OnAccept(HP_Server pSender, HP_CONNID dwConnID, UINT_PTR pClient)
{
    (void)pSender; (void)dwConnID; (void)pClient;
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnReceive(HP_Server pSender, HP_CONNID dwConnID, const BYTE* pData, int iLength)
{
    return HP_Server_Send(pSender, dwConnID, pData, iLength) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Server pSender, HP_CONNID dwConnID, En_HP_SocketOperation enOperation, int iErrorCode)
{
    PVOID pExtra = NULL;
    (void)enOperation; (void)iErrorCode;
    HP_Server_GetConnectionExtra(pSender, dwConnID, &pExtra);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnConnect(HP_Agent pSender, HP_CONNID dwConnID)
{
    (void)pSender; (void)dwConnID;
    return HR_OK;
}

int main(void)
{
    HP_TcpServerListener listener = Create_HP_TcpServerListener();
    HP_TcpServer server = Create_HP_TcpServer(listener);
    HP_TcpAgentListener alistener = Create_HP_TcpAgentListener();
    HP_TcpAgent agent = Create_HP_TcpAgent(alistener);
    TCHAR szAddress[50];
    int iAddressLen = sizeof(szAddress) / sizeof(TCHAR);
    USHORT usPort = 0;
    HP_CONNID ids[8];
    DWORD dwCount = 8;
    WSABUF bufs[2];
    LPCSTR lpszErr;
    BOOL ok;

    HP_Set_FN_Server_OnAccept(listener, OnAccept);
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_Set_FN_Agent_OnConnect(alistener, OnConnect);
    HP_Server_SetWorkerThreadCount(server, 2);
    HP_Server_SetReuseAddressPolicy(server, RAP_ADDR_ONLY);
    HP_TcpServer_SetKeepAliveTime(server, 60 * 1000);

    if(!HP_Server_Start(server, _T("127.0.0.1"), 0))
    {
        lpszErr = SYS_GetLastErrorStr();
        printf("%d %s %u %s\n", HP_Server_GetLastError(server), HP_Server_GetLastErrorDesc(server),
               (unsigned)SYS_GetLastError(), lpszErr);
        return 1;
    }
    HP_Server_GetListenAddress(server, szAddress, &iAddressLen, &usPort);
    ok = HP_Server_GetAllConnectionIDs(server, ids, &dwCount);
    bufs[0].len = 1; bufs[0].buf = (LPBYTE)"a";
    bufs[1].len = 0; bufs[1].buf = NULL;
    (void)HP_Server_SendPackets(server, ids[0], bufs, 2);
    (void)HP_TcpServer_SendSmallFile(server, ids[0], _T("/dev/null"), NULL, NULL);
    (void)ok;
    HP_Agent_Start(agent, NULL, FALSE);
    HP_Agent_Stop(agent);
    HP_Server_Stop(server);
    HP_Server_Wait(server, INFINITE);
    printf("%s %08x\n", HP_GetSocketErrorDesc(SE_OK), (unsigned)HP_GetHPSocketVersion());
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpAgentListener(alistener);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpServerListener(listener);
    return 0;
}
"#;

fn compiler(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|n| Command::new(n).arg("--version").output().is_ok())
        .map(|n| n.to_string())
}

fn compiles(compiler: &str, args: &[&str], source: &Path) {
    let include = root().join("include");
    let out = Command::new(compiler)
        .args(args)
        .args([
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-fsyntax-only",
            "-I",
        ])
        .arg(&include)
        .arg(source)
        .output()
        .expect("run the compiler");
    assert!(
        out.status.success(),
        "{compiler} {args:?} rejects HPSocket4C.h:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn hpsocket4c_h_compiles_an_hp_socket_style_program() {
    let dir = scratch("compile");
    let c = dir.join("demo.c");
    let cpp = dir.join("demo.cpp");
    std::fs::write(&c, PROGRAM).expect("write demo.c");
    std::fs::write(&cpp, PROGRAM).expect("write demo.cpp");
    match compiler(&["cc", "gcc", "clang"]) {
        Some(cc) => {
            compiles(&cc, &["-std=c99"], &c);
            compiles(&cc, &["-std=c11"], &c);
        }
        None => eprintln!("no C compiler: HPSocket4C.h not compiled"),
    }
    match compiler(&["c++", "g++", "clang++"]) {
        Some(cxx) => compiles(&cxx, &["-std=c++11"], &cpp),
        None => eprintln!("no C++ compiler: HPSocket4C.h not compiled as C++"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
