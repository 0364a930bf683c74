//! The committed headers are what the sources say they are:
//! - `include/hpsocket.h` equals what cbindgen generates now (build.rs keeps it current; a
//!   stale or hand-edited header fails here);
//! - `include/HPSocket4C.h` compiles, with warnings as errors, a program written the way
//!   HP-Socket's own C demos are, as C99, C11 and C++ (when a C compiler is installed);
//! - `include/HPSocket4C-SSL.h` compiles an SSL, PULL and PACK program written for HP-Socket
//!   (and one using the HPX extensions) the same way.

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

/// An HP-Socket program using the SSL, PULL and PACK components: SNI callback, session info
/// through `LPVOID*`, Fetch/Peek results, PACK settings, and the HPX extensions.
const SSL_PROGRAM: &str = r#"
#include "HPSocket4C-SSL.h"
#include <stdio.h>

#ifndef _SSL_SUPPORT
#error "_SSL_SUPPORT is defined by HP-Socket's headers"
#endif

static int __HP_CALL SNI_ServerNameCallback(LPCTSTR lpszServerName, PVOID pContext)
{
    return HP_SSL_DefaultServerNameCallback(lpszServerName, pContext);
}

static En_HP_HandleResult __HP_CALL OnHandShake(HP_Server pSender, HP_CONNID dwConnID)
{
    LPVOID pInfo = NULL;
    LPCSTR lpszVersion = NULL;
    int iNameType;
    if(HP_SSLServer_GetSSLSessionInfo(pSender, dwConnID, SSL_SSI_VERSION, (LPVOID*)&lpszVersion))
        printf("%s\n", lpszVersion);
    if(HP_SSLServer_GetSSLSessionInfo(pSender, dwConnID, SSL_SSI_SERVER_NAME_TYPE, &pInfo))
        iNameType = (int)(INT_PTR)pInfo;
    else
        iNameType = -1;
    return iNameType < -1 ? HR_ERROR : HR_OK;
}

static En_HP_HandleResult __HP_CALL OnPullReceive(HP_Server pSender, HP_CONNID dwConnID, int iLength)
{
    BYTE head[4];
    En_HP_FetchResult fr = iLength >= 4 ? HP_TcpPullServer_Peek(pSender, dwConnID, head, 4) : FR_LENGTH_TOO_LONG;
    if(fr == FR_OK)
        fr = HP_TcpPullServer_Fetch(pSender, dwConnID, head, 4);
    return fr == FR_DATA_NOT_FOUND ? HR_ERROR : HR_OK;
}

static En_HP_HandleResult __HP_CALL OnSendDrained(HP_Server pSender, HP_CONNID dwConnID, int iPending)
{
    (void)pSender; (void)dwConnID; (void)iPending;
    return HR_OK;
}

int main(void)
{
    HP_TcpServerListener listener = Create_HP_TcpServerListener();
    HP_SSLServer server = Create_HP_SSLServer(listener);
    HP_TcpPullServerListener plistener = Create_HP_TcpPullServerListener();
    HP_SSLPullServer pserver = Create_HP_SSLPullServer(plistener);
    HP_TcpPackServer pack = Create_HP_TcpPackServer(listener);
    HP_TcpPullClientListener clistener = Create_HP_TcpPullClientListener();
    HP_TcpPullClient pclient = Create_HP_TcpPullClient(clistener);
    HP_SSLPackClient sclient = Create_HP_SSLPackClient(Create_HP_TcpPackClientListener());
    HP_Fn_SNI_ServerNameCallback fnSNI = SNI_ServerNameCallback;
    BYTE buf[16];
    int iIndex;
    LPCTSTR lpszCiphers;
    LPVOID pCtx = NULL;

    HP_Set_FN_Server_OnHandShake(listener, OnHandShake);
    HP_Set_FN_Server_OnPullReceive(plistener, OnPullReceive);
    HPX_Set_FN_Server_OnSendDrained(listener, OnSendDrained);

    HP_SSLServer_SetSSLCipherList(server, _T("HIGH:!aNULL"));
    lpszCiphers = HP_SSLServer_GetSSLCipherList(server);
    if(!HP_SSLServer_SetupSSLContext(server, SSL_VM_NONE, _T("server.cer"), _T("server.key"), _T("pass"), _T("ca.crt"), fnSNI))
        printf("%d %s\n", HP_Server_GetLastError(server), HP_Server_GetLastErrorDesc(server));
    HP_SSLServer_SetupSSLContextByMemory(server, SSL_VM_PEER | SSL_VM_FAIL_IF_NO_PEER_CERT, "-----BEGIN", "-----BEGIN", NULL, NULL, NULL);
    iIndex = HP_SSLServer_AddSSLContext(server, SSL_VM_NONE, _T("a.cer"), _T("a.key"), NULL, NULL);
    HP_SSLServer_BindSSLServerName(server, _T("a.example.org"), iIndex);
    HP_SSLServer_SetSSLAutoHandShake(server, TRUE);
    (void)HP_SSLServer_IsSSLAutoHandShake(server);
    (void)HP_SSLServer_StartSSLHandShake(server, 1);
    (void)HP_SSLServer_GetSSLSessionInfo(server, 0, SSL_SSI_CTX, &pCtx);
    HP_SSLServer_CleanupSSLContext(server);
    HP_SSL_RemoveThreadLocalState(0);
    (void)SSL_SM_CLIENT; (void)SSL_SM_SERVER; (void)SSL_VM_CLIENT_ONCE; (void)SSL_SSI_MIN; (void)SSL_SSI_MAX;

    HP_SSLClient_SetupSSLContext(sclient, SSL_VM_PEER, NULL, NULL, NULL, _T("ca.crt"));
    (void)HP_SSLClient_GetSSLSessionInfo(sclient, SSL_SSI_PEER_CERT, &pCtx);
    HP_TcpPackClient_SetMaxPackSize(sclient, 0x7FF);
    HP_TcpPackClient_SetPackHeaderFlag(sclient, 0x169);

    HP_TcpPackServer_SetMaxPackSize(pack, 0x7FF);
    HP_TcpPackServer_SetPackHeaderFlag(pack, 0x169);
    printf("%u %u %s\n", (unsigned)HP_TcpPackServer_GetMaxPackSize(pack), (unsigned)HP_TcpPackServer_GetPackHeaderFlag(pack), lpszCiphers);
    if(HP_TcpPullClient_Fetch(pclient, buf, sizeof(buf)) != FR_DATA_NOT_FOUND)
        return 1;

    HPX_Server_SetMaxSendQueueBytes(pack, 1 << 20);
    HPX_Server_SetSendQueueLowWatermark(pack, 1 << 16);
    HPX_Server_SetSilenceCountsSend(pack, TRUE);
    HPX_Server_SetSSLHandShakeTimeout(server, 5000);
    HPX_Client_SetConnectTimeout(pclient, 3000);

    Destroy_HP_SSLPackClient(sclient);
    Destroy_HP_TcpPullClient(pclient);
    Destroy_HP_TcpPullClientListener(clistener);
    Destroy_HP_TcpPackServer(pack);
    Destroy_HP_SSLPullServer(pserver);
    Destroy_HP_TcpPullServerListener(plistener);
    Destroy_HP_SSLServer(server);
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

#[test]
fn hpsocket4c_ssl_h_compiles_an_hp_socket_ssl_program() {
    let dir = scratch("compile-ssl");
    let c = dir.join("ssl.c");
    let cpp = dir.join("ssl.cpp");
    std::fs::write(&c, SSL_PROGRAM).expect("write ssl.c");
    std::fs::write(&cpp, SSL_PROGRAM).expect("write ssl.cpp");
    match compiler(&["cc", "gcc", "clang"]) {
        Some(cc) => {
            compiles(&cc, &["-std=c99"], &c);
            compiles(&cc, &["-std=c11"], &c);
        }
        None => eprintln!("no C compiler: HPSocket4C-SSL.h not compiled"),
    }
    match compiler(&["c++", "g++", "clang++"]) {
        Some(cxx) => compiles(&cxx, &["-std=c++11"], &cpp),
        None => eprintln!("no C++ compiler: HPSocket4C-SSL.h not compiled as C++"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
