//! HP-Socket's C types, with the Linux meanings of `GlobalDef.h`/`HPTypeDef.h`: integer
//! typedefs, handle aliases (every handle is a `void*`), enum types as `int` plus their values as
//! constants, `WSABUF`, and the callback typedefs.
//!
//! Enums cross the ABI as plain `int`: a value from C is parsed (`TryFrom`) and an unknown one
//! is refused, never transmuted.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_uchar, c_uint, c_ulong, c_ushort, c_void};

/// `int`; `TRUE` is 1, `FALSE` 0, and every non-zero value passed in counts as true.
pub type BOOL = c_int;
/// `unsigned char`.
pub type BYTE = c_uchar;
/// `unsigned short`.
pub type USHORT = c_ushort;
/// `unsigned int`.
pub type UINT = c_uint;
/// `unsigned int` (32 bits on Linux, as in HP-Socket).
pub type DWORD = c_uint;
/// `unsigned long long`.
pub type ULONGLONG = std::ffi::c_ulonglong;
/// `unsigned long`: a socket descriptor or an address in callbacks.
pub type UINT_PTR = c_ulong;
/// `char`: text is UTF-8.
pub type TCHAR = c_char;
/// A NUL-terminated UTF-8 string the library only reads (and copies).
pub type LPCTSTR = *const TCHAR;
/// A NUL-terminated byte string the library only reads.
pub type LPCSTR = *const c_char;
/// `void*`.
pub type PVOID = *mut c_void;
/// A connection ID: `unsigned long`, never 0 for a real connection.
pub type HP_CONNID = c_ulong;
/// HP-Socket's other name for [`HP_CONNID`].
pub type CONNID = HP_CONNID;
/// HP-Socket's 64-bit time: seconds since 1970-01-01 UTC (the cookie helpers' `expires`).
pub type __time64_t = i64;
/// A thread ID (`pthread_t`), as `HP_SSL_RemoveThreadLocalState` takes it.
pub type THR_ID = c_ulong;

/// One buffer of a gather send (`HP_*_SendPackets`) or a head/tail of `SendSmallFile`.
/// `len` comes first, as in HP-Socket for Linux.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WSABUF {
    /// Number of bytes at `buf`.
    pub len: UINT,
    /// The bytes; may be NULL when `len` is 0.
    pub buf: *mut BYTE,
}
/// Pointer to a [`WSABUF`].
pub type LPWSABUF = *mut WSABUF;
/// Pointer to a [`WSABUF`].
pub type PWSABUF = *mut WSABUF;

/// `TRUE`. Left out of `hpsocket.h` (`HPSocket4C.h` defines it with a guard, so it cannot
/// clash with a program's own definition).
pub const TRUE: BOOL = 1;
/// `FALSE` (see [`TRUE`]).
pub const FALSE: BOOL = 0;

/// Any object of the library. A handle is an opaque token checked on every call (kind,
/// slot, generation), never a pointer to dereference.
pub type HP_Object = *mut c_void;
/// Any server-shaped component.
pub type HP_Server = HP_Object;
/// Any agent-shaped component.
pub type HP_Agent = HP_Object;
/// Any client-shaped component.
pub type HP_Client = HP_Object;
/// A TCP server (PUSH model).
pub type HP_TcpServer = HP_Object;
/// A TCP agent (PUSH model).
pub type HP_TcpAgent = HP_Object;
/// A TCP client (PUSH model).
pub type HP_TcpClient = HP_Object;
/// Any listener object.
pub type HP_Listener = HP_Object;
/// A listener holding `HP_FN_Server_*` callbacks.
pub type HP_ServerListener = HP_Object;
/// A listener holding `HP_FN_Agent_*` callbacks.
pub type HP_AgentListener = HP_Object;
/// A listener holding `HP_FN_Client_*` callbacks.
pub type HP_ClientListener = HP_Object;
/// The listener of a TCP server.
pub type HP_TcpServerListener = HP_Object;
/// The listener of a TCP agent.
pub type HP_TcpAgentListener = HP_Object;
/// The listener of a TCP client.
pub type HP_TcpClientListener = HP_Object;

/// A UDP server.
pub type HP_UdpServer = HP_Object;
/// A UDP client.
pub type HP_UdpClient = HP_Object;
/// The listener of a UDP server: a server listener.
pub type HP_UdpServerListener = HP_Object;
/// The listener of a UDP client: a client listener.
pub type HP_UdpClientListener = HP_Object;
/// A UDP node (connectionless).
pub type HP_UdpNode = HP_Object;
/// The listener of a UDP node (`HP_Set_FN_UdpNode_*`).
pub type HP_UdpNodeListener = HP_Object;
/// A UDP cast (multicast or broadcast) client.
pub type HP_UdpCast = HP_Object;
/// The listener of a UDP cast: a client listener.
pub type HP_UdpCastListener = HP_Object;
pub type HP_UdpArqServer = HP_Object;
pub type HP_UdpArqClient = HP_Object;
/// Extension: a UDP ARQ agent.
pub type HPX_UdpArqAgent = HP_Object;
pub type HP_UdpArqServerListener = HP_Object;
pub type HP_UdpArqClientListener = HP_Object;

/// `En_HP_CastMode`: how a UDP cast or node reaches its group.
pub type En_HP_CastMode = c_int;
/// Unicast (UDP node only: no cast address).
pub const CM_UNICAST: En_HP_CastMode = -1;
/// Multicast (the default).
pub const CM_MULTICAST: En_HP_CastMode = 0;
/// Broadcast.
pub const CM_BROADCAST: En_HP_CastMode = 1;

/// Any PULL component (server or agent).
pub type HP_PullSocket = HP_Object;
/// A PULL client.
pub type HP_PullClient = HP_Object;
/// A TCP PULL server.
pub type HP_TcpPullServer = HP_Object;
/// A TCP PULL agent.
pub type HP_TcpPullAgent = HP_Object;
/// A TCP PULL client.
pub type HP_TcpPullClient = HP_Object;
/// Any PACK component (server or agent).
pub type HP_PackSocket = HP_Object;
/// A PACK client.
pub type HP_PackClient = HP_Object;
/// A TCP PACK server.
pub type HP_TcpPackServer = HP_Object;
/// A TCP PACK agent.
pub type HP_TcpPackAgent = HP_Object;
/// A TCP PACK client.
pub type HP_TcpPackClient = HP_Object;
/// The listener of a PULL server or agent (the same object as a server or agent listener).
pub type HP_PullSocketListener = HP_Object;
/// The listener of a PULL client (the same object as a client listener).
pub type HP_PullClientListener = HP_Object;
/// The listener of a TCP PULL server: a server listener.
pub type HP_TcpPullServerListener = HP_Object;
/// The listener of a TCP PULL agent: an agent listener.
pub type HP_TcpPullAgentListener = HP_Object;
/// The listener of a TCP PULL client: a client listener.
pub type HP_TcpPullClientListener = HP_Object;
/// The listener of a PACK server or agent (the same object as a server or agent listener).
pub type HP_PackSocketListener = HP_Object;
/// The listener of a PACK client (the same object as a client listener).
pub type HP_PackClientListener = HP_Object;
/// The listener of a TCP PACK server: a server listener.
pub type HP_TcpPackServerListener = HP_Object;
/// The listener of a TCP PACK agent: an agent listener.
pub type HP_TcpPackAgentListener = HP_Object;
/// The listener of a TCP PACK client: a client listener.
pub type HP_TcpPackClientListener = HP_Object;

/// An SSL server (PUSH model).
pub type HP_SSLServer = HP_Object;
/// An SSL agent (PUSH model).
pub type HP_SSLAgent = HP_Object;
/// An SSL client (PUSH model).
pub type HP_SSLClient = HP_Object;
/// An SSL PULL server.
pub type HP_SSLPullServer = HP_Object;
/// An SSL PULL agent.
pub type HP_SSLPullAgent = HP_Object;
/// An SSL PULL client.
pub type HP_SSLPullClient = HP_Object;
/// An SSL PACK server.
pub type HP_SSLPackServer = HP_Object;
/// An SSL PACK agent.
pub type HP_SSLPackAgent = HP_Object;
/// An SSL PACK client.
pub type HP_SSLPackClient = HP_Object;

/// `En_HP_ServiceState`: a component's life-cycle state.
pub type En_HP_ServiceState = c_int;
pub const SS_STARTING: En_HP_ServiceState = 0;
pub const SS_STARTED: En_HP_ServiceState = 1;
pub const SS_STOPPING: En_HP_ServiceState = 2;
pub const SS_STOPPED: En_HP_ServiceState = 3;

/// `En_HP_SocketOperation`: the operation that failed when a connection closed.
pub type En_HP_SocketOperation = c_int;
pub const SO_UNKNOWN: En_HP_SocketOperation = 0;
pub const SO_ACCEPT: En_HP_SocketOperation = 1;
pub const SO_CONNECT: En_HP_SocketOperation = 2;
pub const SO_SEND: En_HP_SocketOperation = 3;
pub const SO_RECEIVE: En_HP_SocketOperation = 4;
pub const SO_CLOSE: En_HP_SocketOperation = 5;

/// `En_HP_HandleResult`: what a callback tells the component. Only `HR_ERROR` stops
/// anything; every other value means "go on".
pub type En_HP_HandleResult = c_int;
pub const HR_OK: En_HP_HandleResult = 0;
pub const HR_IGNORE: En_HP_HandleResult = 1;
pub const HR_ERROR: En_HP_HandleResult = 2;

/// `En_HP_FetchResult`: the result of a PULL `Fetch` or `Peek`.
pub type En_HP_FetchResult = c_int;
/// The buffer was filled.
pub const FR_OK: En_HP_FetchResult = 0;
/// Fewer bytes are buffered than asked for; nothing was copied.
pub const FR_LENGTH_TOO_LONG: En_HP_FetchResult = 1;
/// Unknown or closed connection, or not a PULL component (the last error says which).
pub const FR_DATA_NOT_FOUND: En_HP_FetchResult = 2;

/// `En_HP_SendPolicy` (kept and reported; no effect on Linux, as in HP-Socket).
pub type En_HP_SendPolicy = c_int;
pub const SP_PACK: En_HP_SendPolicy = 0;
pub const SP_SAFE: En_HP_SendPolicy = 1;
pub const SP_DIRECT: En_HP_SendPolicy = 2;

/// `En_HP_OnSendSyncPolicy` (kept and reported; no effect on Linux, as in HP-Socket).
pub type En_HP_OnSendSyncPolicy = c_int;
pub const OSSP_NONE: En_HP_OnSendSyncPolicy = 0;
pub const OSSP_CLOSE: En_HP_OnSendSyncPolicy = 1;
pub const OSSP_RECEIVE: En_HP_OnSendSyncPolicy = 2;

/// `En_HP_ReuseAddressPolicy`: `SO_REUSEADDR` / `SO_REUSEPORT` on listening and connecting
/// sockets.
pub type En_HP_ReuseAddressPolicy = c_int;
pub const RAP_NONE: En_HP_ReuseAddressPolicy = 0;
pub const RAP_ADDR_ONLY: En_HP_ReuseAddressPolicy = 1;
pub const RAP_ADDR_AND_PORT: En_HP_ReuseAddressPolicy = 2;

/// `En_HP_SocketError`: the code of `*_GetLastError` (see `HP_GetSocketErrorDesc`).
pub type En_HP_SocketError = c_int;
pub const SE_OK: En_HP_SocketError = 0;
pub const SE_ILLEGAL_STATE: En_HP_SocketError = 1;
pub const SE_INVALID_PARAM: En_HP_SocketError = 2;
pub const SE_SOCKET_CREATE: En_HP_SocketError = 3;
pub const SE_SOCKET_BIND: En_HP_SocketError = 4;
pub const SE_SOCKET_PREPARE: En_HP_SocketError = 5;
pub const SE_SOCKET_LISTEN: En_HP_SocketError = 6;
pub const SE_CP_CREATE: En_HP_SocketError = 7;
pub const SE_WORKER_THREAD_CREATE: En_HP_SocketError = 8;
pub const SE_DETECT_THREAD_CREATE: En_HP_SocketError = 9;
pub const SE_SOCKE_ATTACH_TO_CP: En_HP_SocketError = 10;
pub const SE_CONNECT_SERVER: En_HP_SocketError = 11;
pub const SE_NETWORK: En_HP_SocketError = 12;
pub const SE_DATA_PROC: En_HP_SocketError = 13;
pub const SE_DATA_SEND: En_HP_SocketError = 14;
pub const SE_SSL_ENV_NOT_READY: En_HP_SocketError = 101;

/// `En_HP_SSLSessionMode`: which side of TLS a session plays.
pub type En_HP_SSLSessionMode = c_int;
pub const SSL_SM_CLIENT: En_HP_SSLSessionMode = 0;
pub const SSL_SM_SERVER: En_HP_SSLSessionMode = 1;

/// `En_HP_SSLVerifyMode`: bit flags of `iVerifyMode` (OpenSSL's `SSL_VERIFY_*` values).
pub type En_HP_SSLVerifyMode = c_int;
pub const SSL_VM_NONE: En_HP_SSLVerifyMode = 0x00;
pub const SSL_VM_PEER: En_HP_SSLVerifyMode = 0x01;
pub const SSL_VM_FAIL_IF_NO_PEER_CERT: En_HP_SSLVerifyMode = 0x02;
pub const SSL_VM_CLIENT_ONCE: En_HP_SSLVerifyMode = 0x04;

/// `En_HP_SSLSessionInfo`: what `*_GetSSLSessionInfo` returns in `*lppInfo` (OpenSSL's
/// objects, borrowed: never free them). Items 0-3 describe the connection's `SSL_CTX`.
pub type En_HP_SSLSessionInfo = c_int;
pub const SSL_SSI_MIN: En_HP_SSLSessionInfo = 0;
/// `SSL_CTX*`
pub const SSL_SSI_CTX: En_HP_SSLSessionInfo = 0;
/// `const SSL_METHOD*` of the context
pub const SSL_SSI_CTX_METHOD: En_HP_SSLSessionInfo = 1;
/// `STACK_OF(SSL_CIPHER)*` of the context
pub const SSL_SSI_CTX_CIPHERS: En_HP_SSLSessionInfo = 2;
/// `X509_STORE*` of the context
pub const SSL_SSI_CTX_CERT_STORE: En_HP_SSLSessionInfo = 3;
/// `int` (stored in the pointer: read it as `(int)(intptr_t)info`): `TLSEXT_NAMETYPE_host_name`
/// (0) or -1 when no server name was sent
pub const SSL_SSI_SERVER_NAME_TYPE: En_HP_SSLSessionInfo = 4;
/// `const char*`: the SNI server name (NULL if none)
pub const SSL_SSI_SERVER_NAME: En_HP_SSLSessionInfo = 5;
/// `const char*`: the protocol version, e.g. `"TLSv1.3"`
pub const SSL_SSI_VERSION: En_HP_SSLSessionInfo = 6;
/// `const SSL_METHOD*` of the session
pub const SSL_SSI_METHOD: En_HP_SSLSessionInfo = 7;
/// `X509*`: the certificate this side presented
pub const SSL_SSI_CERT: En_HP_SSLSessionInfo = 8;
/// `EVP_PKEY*`: this side's private key
pub const SSL_SSI_PKEY: En_HP_SSLSessionInfo = 9;
/// `const SSL_CIPHER*`: the negotiated cipher (name: `SSL_CIPHER_get_name`)
pub const SSL_SSI_CURRENT_CIPHER: En_HP_SSLSessionInfo = 10;
/// `STACK_OF(SSL_CIPHER)*`: the ciphers this session allows
pub const SSL_SSI_CIPHERS: En_HP_SSLSessionInfo = 11;
/// `STACK_OF(SSL_CIPHER)*`: the ciphers the client offered (servers)
pub const SSL_SSI_CLIENT_CIPHERS: En_HP_SSLSessionInfo = 12;
/// `X509*`: the peer's certificate (NULL if none)
pub const SSL_SSI_PEER_CERT: En_HP_SSLSessionInfo = 13;
/// `STACK_OF(X509)*`: the peer's certificate chain
pub const SSL_SSI_PEER_CERT_CHAIN: En_HP_SSLSessionInfo = 14;
/// `STACK_OF(X509)*`: the verified chain
pub const SSL_SSI_VERIFIED_CHAIN: En_HP_SSLSessionInfo = 15;
pub const SSL_SSI_MAX: En_HP_SSLSessionInfo = 15;

/// SNI: picks the certificate for `lpszServerName`, the name a client asked for. `pContext`
/// is the SSL server's handle. Returns 0 for the default certificate, a positive index from
/// `HP_SSLServer_AddSSLContext`, or a negative value to abort the handshake. Runs on a
/// worker thread, during the handshake.
pub type HP_Fn_SNI_ServerNameCallback =
    Option<unsafe extern "C" fn(lpszServerName: LPCTSTR, pContext: PVOID) -> c_int>;
/// HP-Socket's other name for [`HP_Fn_SNI_ServerNameCallback`].
pub type Fn_SNI_ServerNameCallback = HP_Fn_SNI_ServerNameCallback;

/// HP-Socket's version this library mirrors: 6.0.1 build 3.
pub const HP_VERSION_MAJOR: DWORD = 6;
pub const HP_VERSION_MINOR: DWORD = 0;
pub const HP_VERSION_REVISE: DWORD = 1;
pub const HP_VERSION_BUILD: DWORD = 3;

/// Server: the listening socket is bound, not yet listening (set options on `soListen`).
/// `HR_ERROR` makes `HP_Server_Start` fail with `SE_SOCKET_PREPARE`.
pub type HP_FN_Server_OnPrepareListen =
    Option<unsafe extern "C" fn(pSender: HP_Server, soListen: UINT_PTR) -> En_HP_HandleResult>;
/// Server: a connection was accepted; `pClient` is its socket descriptor. `HR_ERROR` rejects it.
pub type HP_FN_Server_OnAccept = Option<
    unsafe extern "C" fn(
        pSender: HP_Server,
        dwConnID: HP_CONNID,
        pClient: UINT_PTR,
    ) -> En_HP_HandleResult,
>;
/// Server: the connection is ready for data. `HR_ERROR` closes it.
pub type HP_FN_Server_OnHandShake =
    Option<unsafe extern "C" fn(pSender: HP_Server, dwConnID: HP_CONNID) -> En_HP_HandleResult>;
/// Server: `iLength` bytes were written to the socket; the result is ignored.
pub type HP_FN_Server_OnSend = Option<
    unsafe extern "C" fn(
        pSender: HP_Server,
        dwConnID: HP_CONNID,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Server: bytes arrived; `pData` is valid only during the call. `HR_ERROR` closes the
/// connection.
pub type HP_FN_Server_OnReceive = Option<
    unsafe extern "C" fn(
        pSender: HP_Server,
        dwConnID: HP_CONNID,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Server, PULL model: `iLength` bytes are buffered for the connection.
pub type HP_FN_Server_OnPullReceive = Option<
    unsafe extern "C" fn(
        pSender: HP_Server,
        dwConnID: HP_CONNID,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Server: the connection closed (`SO_CLOSE`, 0 for a normal close); the result is ignored.
pub type HP_FN_Server_OnClose = Option<
    unsafe extern "C" fn(
        pSender: HP_Server,
        dwConnID: HP_CONNID,
        enOperation: En_HP_SocketOperation,
        iErrorCode: c_int,
    ) -> En_HP_HandleResult,
>;
/// Server: the server stopped; the last event it sends. The result is ignored.
pub type HP_FN_Server_OnShutdown =
    Option<unsafe extern "C" fn(pSender: HP_Server) -> En_HP_HandleResult>;

/// Agent: the socket exists, `connect()` not called yet. `HR_ERROR` aborts the connect.
pub type HP_FN_Agent_OnPrepareConnect = Option<
    unsafe extern "C" fn(
        pSender: HP_Agent,
        dwConnID: HP_CONNID,
        socket: UINT_PTR,
    ) -> En_HP_HandleResult,
>;
/// Agent: the TCP connection is established. `HR_ERROR` fails a synchronous connect or closes
/// an asynchronous one.
pub type HP_FN_Agent_OnConnect =
    Option<unsafe extern "C" fn(pSender: HP_Agent, dwConnID: HP_CONNID) -> En_HP_HandleResult>;
/// Agent: the connection is ready for data. `HR_ERROR` closes it.
pub type HP_FN_Agent_OnHandShake =
    Option<unsafe extern "C" fn(pSender: HP_Agent, dwConnID: HP_CONNID) -> En_HP_HandleResult>;
/// Agent: bytes were written to the socket; the result is ignored.
pub type HP_FN_Agent_OnSend = Option<
    unsafe extern "C" fn(
        pSender: HP_Agent,
        dwConnID: HP_CONNID,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Agent: bytes arrived; `pData` is valid only during the call.
pub type HP_FN_Agent_OnReceive = Option<
    unsafe extern "C" fn(
        pSender: HP_Agent,
        dwConnID: HP_CONNID,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Agent, PULL model: `iLength` bytes are buffered for the connection.
pub type HP_FN_Agent_OnPullReceive = Option<
    unsafe extern "C" fn(
        pSender: HP_Agent,
        dwConnID: HP_CONNID,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Agent: the connection closed; a failed asynchronous connect reports `SO_CONNECT`.
pub type HP_FN_Agent_OnClose = Option<
    unsafe extern "C" fn(
        pSender: HP_Agent,
        dwConnID: HP_CONNID,
        enOperation: En_HP_SocketOperation,
        iErrorCode: c_int,
    ) -> En_HP_HandleResult,
>;
/// Agent: the agent stopped; the last event it sends.
pub type HP_FN_Agent_OnShutdown =
    Option<unsafe extern "C" fn(pSender: HP_Agent) -> En_HP_HandleResult>;

/// Client: the socket exists, `connect()` not called yet. `HR_ERROR` makes the start fail.
pub type HP_FN_Client_OnPrepareConnect = Option<
    unsafe extern "C" fn(
        pSender: HP_Client,
        dwConnID: HP_CONNID,
        socket: UINT_PTR,
    ) -> En_HP_HandleResult,
>;
/// Client: the TCP connection is established.
pub type HP_FN_Client_OnConnect =
    Option<unsafe extern "C" fn(pSender: HP_Client, dwConnID: HP_CONNID) -> En_HP_HandleResult>;
/// Client: the connection is ready for data.
pub type HP_FN_Client_OnHandShake =
    Option<unsafe extern "C" fn(pSender: HP_Client, dwConnID: HP_CONNID) -> En_HP_HandleResult>;
/// Client: bytes were written to the socket; the result is ignored.
pub type HP_FN_Client_OnSend = Option<
    unsafe extern "C" fn(
        pSender: HP_Client,
        dwConnID: HP_CONNID,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Client: bytes arrived; `pData` is valid only during the call.
pub type HP_FN_Client_OnReceive = Option<
    unsafe extern "C" fn(
        pSender: HP_Client,
        dwConnID: HP_CONNID,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Client, PULL model: `iLength` bytes are buffered.
pub type HP_FN_Client_OnPullReceive = Option<
    unsafe extern "C" fn(
        pSender: HP_Client,
        dwConnID: HP_CONNID,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Client: the connection closed; the client then stops by itself.
pub type HP_FN_Client_OnClose = Option<
    unsafe extern "C" fn(
        pSender: HP_Client,
        dwConnID: HP_CONNID,
        enOperation: En_HP_SocketOperation,
        iErrorCode: c_int,
    ) -> En_HP_HandleResult,
>;

/// Extension: a send was refused because the connection's send queue was full
/// (`HPX_Server_SetMaxSendQueueBytes`), and the queue is now down to the low watermark;
/// `iPending` bytes remain queued. Once per refusal; the result is ignored.
pub type HPX_FN_Server_OnSendDrained = Option<
    unsafe extern "C" fn(
        pSender: HP_Server,
        dwConnID: HP_CONNID,
        iPending: c_int,
    ) -> En_HP_HandleResult,
>;
/// Extension: the logging hook (`HPX_SetLogHandler`): a record's level (`HPX_LOG_*`), its
/// source (`"TcpServer#3"`: the component's kind and instance number) and message, both
/// valid during the call, and the context given at installation. Runs on the thread that
/// logs, often a worker: keep it quick.
pub type HPX_FN_Log = Option<
    unsafe extern "C" fn(iLevel: c_int, lpszSource: LPCSTR, lpszMessage: LPCSTR, pContext: PVOID),
>;
/// Logging off.
pub const HPX_LOG_OFF: c_int = 0;
/// Failures the application did not ask for.
pub const HPX_LOG_ERROR: c_int = 1;
/// Refusals and failures of one connection (TLS handshakes, `MaxConnectionCount`, the
/// send-queue bound).
pub const HPX_LOG_WARN: c_int = 2;
/// Connections opened and closed, with the reason.
pub const HPX_LOG_INFO: c_int = 3;
/// Detail for debugging.
pub const HPX_LOG_DEBUG: c_int = 4;

/// Extension: the agent form of [`HPX_FN_Server_OnSendDrained`].
pub type HPX_FN_Agent_OnSendDrained = Option<
    unsafe extern "C" fn(
        pSender: HP_Agent,
        dwConnID: HP_CONNID,
        iPending: c_int,
    ) -> En_HP_HandleResult,
>;
/// Extension: the client form of [`HPX_FN_Server_OnSendDrained`].
pub type HPX_FN_Client_OnSendDrained = Option<
    unsafe extern "C" fn(
        pSender: HP_Client,
        dwConnID: HP_CONNID,
        iPending: c_int,
    ) -> En_HP_HandleResult,
>;
/// Extension, ARQ: a message sent by `HPX_UdpArq*_SendEx` with a deadline or a retransmit
/// limit was given up: `dwMessageID` is the id `SendEx` returned, `iLength` its size. The
/// peer skips it and delivers the following messages. Once per message, on the connection's
/// worker; the result is ignored.
pub type HPX_FN_Server_OnMessageDropped = Option<
    unsafe extern "C" fn(
        pSender: HP_Server,
        dwConnID: HP_CONNID,
        dwMessageID: DWORD,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Extension: the agent form of [`HPX_FN_Server_OnMessageDropped`].
pub type HPX_FN_Agent_OnMessageDropped = Option<
    unsafe extern "C" fn(
        pSender: HP_Agent,
        dwConnID: HP_CONNID,
        dwMessageID: DWORD,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// Extension: the client form of [`HPX_FN_Server_OnMessageDropped`].
pub type HPX_FN_Client_OnMessageDropped = Option<
    unsafe extern "C" fn(
        pSender: HP_Client,
        dwConnID: HP_CONNID,
        dwMessageID: DWORD,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;

/// UDP node: the socket is bound, not yet in use. `HR_ERROR` makes `Start` fail.
pub type HP_FN_UdpNode_OnPrepareListen =
    Option<unsafe extern "C" fn(pSender: HP_UdpNode, soListen: UINT_PTR) -> En_HP_HandleResult>;
/// UDP node: a datagram was sent to `lpszRemoteAddress`:`usRemotePort`; the result is ignored.
pub type HP_FN_UdpNode_OnSend = Option<
    unsafe extern "C" fn(
        pSender: HP_UdpNode,
        lpszRemoteAddress: LPCTSTR,
        usRemotePort: USHORT,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// UDP node: a datagram arrived from `lpszRemoteAddress`:`usRemotePort`; `pData` and the
/// address are valid only during the call. The result is ignored.
pub type HP_FN_UdpNode_OnReceive = Option<
    unsafe extern "C" fn(
        pSender: HP_UdpNode,
        lpszRemoteAddress: LPCTSTR,
        usRemotePort: USHORT,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// UDP node: one datagram failed (`SO_SEND` with its peer and bytes, or `SO_RECEIVE`); the
/// node keeps running. The address is "" and the port 0 when unknown.
pub type HP_FN_UdpNode_OnError = Option<
    unsafe extern "C" fn(
        pSender: HP_UdpNode,
        enOperation: En_HP_SocketOperation,
        iErrorCode: c_int,
        lpszRemoteAddress: LPCTSTR,
        usRemotePort: USHORT,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// UDP node: the node stopped; its last event.
pub type HP_FN_UdpNode_OnShutdown =
    Option<unsafe extern "C" fn(pSender: HP_UdpNode) -> En_HP_HandleResult>;

// ---- Thread pool -------------------------------------------------------------------------

/// A thread pool (`Create_HP_ThreadPool`).
pub type HP_ThreadPool = HP_Object;
/// The listener of a thread pool (`HP_Set_FN_ThreadPool_*`).
pub type HP_ThreadPoolListener = HP_Object;
/// `unsigned long`: a message parameter (the `wparam` of a socket task).
pub type WPARAM = c_ulong;
/// `long`: a message parameter (the `lparam` of a socket task).
pub type LPARAM = std::ffi::c_long;

/// `En_HP_RejectedPolicy`: what a submit to a full queue does.
pub type En_HP_RejectedPolicy = c_int;
/// Fail at once (`SYS_GetLastError()` is `EXFULL`, HP-Socket's `ERROR_DESTINATION_ELEMENT_FULL`).
pub const TRP_CALL_FAIL: En_HP_RejectedPolicy = 0;
/// Wait for room (at most the submit's `dwMaxWait`).
pub const TRP_WAIT_FOR: En_HP_RejectedPolicy = 1;
/// Run the task on the submitting thread.
pub const TRP_CALLER_RUN: En_HP_RejectedPolicy = 2;

/// `En_HP_TaskBufferType`: who owns a socket task's buffer.
pub type En_HP_TaskBufferType = c_int;
/// The task holds its own copy.
pub const TBT_COPY: En_HP_TaskBufferType = 0;
/// The task points at the caller's buffer, which must outlive it.
pub const TBT_REFER: En_HP_TaskBufferType = 1;
/// The task takes the buffer (from `SYS_Malloc`/`SYS_Calloc`) and frees it.
pub const TBT_ATTACH: En_HP_TaskBufferType = 2;

/// A task procedure (`HP_ThreadPool_Submit`).
pub type Fn_TaskProc = Option<unsafe extern "C" fn(pvArg: PVOID)>;
/// HP-Socket's other name for [`Fn_TaskProc`].
pub type HP_Fn_TaskProc = Fn_TaskProc;
/// A socket task procedure: gets its task.
pub type Fn_SocketTaskProc = Option<unsafe extern "C" fn(pTask: *mut TSocketTask)>;
/// HP-Socket's other name for [`Fn_SocketTaskProc`].
pub type HP_Fn_SocketTaskProc = Fn_SocketTaskProc;

/// A socket task (`Create_HP_SocketTaskObj`), with HP-Socket's fields in its order.
#[repr(C)]
#[derive(Debug)]
pub struct TSocketTask {
    /// The procedure.
    pub r#fn: Fn_SocketTaskProc,
    /// The object that made the task (any pointer; usually a component).
    pub sender: PVOID,
    /// A connection ID.
    pub connID: CONNID,
    /// The data (see `bufType`).
    pub buf: LPCBYTE,
    /// Bytes at `buf`.
    pub bufLen: c_int,
    /// Who owns `buf` (`TBT_*`).
    pub bufType: En_HP_TaskBufferType,
    /// The caller's parameter.
    pub wparam: WPARAM,
    /// The caller's parameter.
    pub lparam: LPARAM,
}
/// HP-Socket's other name for [`TSocketTask`].
pub type HP_TSocketTask = TSocketTask;
/// A pointer to a [`TSocketTask`].
pub type LPTSocketTask = *mut TSocketTask;
/// A pointer to a [`TSocketTask`].
pub type HP_LPTSocketTask = *mut TSocketTask;

/// Thread pool: it starts, before its workers (on the thread calling `Start`).
pub type HP_FN_ThreadPool_OnStartup = Option<unsafe extern "C" fn(pThreadPool: HP_ThreadPool)>;
/// Thread pool: it stopped, after its last worker (on the thread calling `Stop`).
pub type HP_FN_ThreadPool_OnShutdown = Option<unsafe extern "C" fn(pThreadPool: HP_ThreadPool)>;
/// Thread pool: a worker thread begins, on that thread.
pub type HP_FN_ThreadPool_OnWorkerThreadStart =
    Option<unsafe extern "C" fn(pThreadPool: HP_ThreadPool, dwThreadID: THR_ID)>;
/// Thread pool: a worker thread ends, on that thread.
pub type HP_FN_ThreadPool_OnWorkerThreadEnd =
    Option<unsafe extern "C" fn(pThreadPool: HP_ThreadPool, dwThreadID: THR_ID)>;

/// Extension: frees the user data of an object (see `HPX_Object_SetUserData`).
pub type HPX_FN_FreeUserData = Option<unsafe extern "C" fn(pData: PVOID)>;

// ---- HTTP --------------------------------------------------------------------------------

/// Any HTTP component.
pub type HP_Http = HP_Object;
pub type HP_HttpServer = HP_Object;
pub type HP_HttpAgent = HP_Object;
pub type HP_HttpClient = HP_Object;
pub type HP_HttpSyncClient = HP_Object;
pub type HP_HttpServerListener = HP_Object;
pub type HP_HttpAgentListener = HP_Object;
pub type HP_HttpClientListener = HP_Object;
pub type HP_HttpsServer = HP_Object;
pub type HP_HttpsAgent = HP_Object;
pub type HP_HttpsClient = HP_Object;
pub type HP_HttpsSyncClient = HP_Object;
/// Read-only bytes.
pub type LPCBYTE = *const BYTE;

/// `En_HP_HttpVersion`: low byte major, high byte minor.
pub type En_HP_HttpVersion = c_int;
pub const HV_1_0: En_HP_HttpVersion = 0x0001;
pub const HV_1_1: En_HP_HttpVersion = 0x0101;

/// `En_HP_HttpUrlField`: the fields of a request's URL (`GetUrlField`).
pub type En_HP_HttpUrlField = c_int;
pub const HUF_SCHEMA: En_HP_HttpUrlField = 0;
pub const HUF_HOST: En_HP_HttpUrlField = 1;
pub const HUF_PORT: En_HP_HttpUrlField = 2;
pub const HUF_PATH: En_HP_HttpUrlField = 3;
pub const HUF_QUERY: En_HP_HttpUrlField = 4;
pub const HUF_FRAGMENT: En_HP_HttpUrlField = 5;
pub const HUF_USERINFO: En_HP_HttpUrlField = 6;
pub const HUF_MAX: En_HP_HttpUrlField = 7;

/// `En_HP_HttpParseResult`: what an HTTP callback tells the parser.
pub type En_HP_HttpParseResult = c_int;
pub const HPR_OK: En_HP_HttpParseResult = 0;
/// From `OnHeadersComplete`: the message has no body.
pub const HPR_SKIP_BODY: En_HP_HttpParseResult = 1;
/// From `OnHeadersComplete`: the connection leaves HTTP after this head.
pub const HPR_UPGRADE: En_HP_HttpParseResult = 2;
/// A parse error: the connection closes.
pub const HPR_ERROR: En_HP_HttpParseResult = -1;

/// `En_HP_HttpUpgradeType`.
pub type En_HP_HttpUpgradeType = c_int;
pub const HUT_NONE: En_HP_HttpUpgradeType = 0;
pub const HUT_WEB_SOCKET: En_HP_HttpUpgradeType = 1;
pub const HUT_HTTP_TUNNEL: En_HP_HttpUpgradeType = 2;
pub const HUT_UNKNOWN: En_HP_HttpUpgradeType = -1;

/// `En_HP_HttpStatusCode`: the standard status codes.
pub type En_HP_HttpStatusCode = c_int;
pub const HSC_CONTINUE: En_HP_HttpStatusCode = 100;
pub const HSC_SWITCHING_PROTOCOLS: En_HP_HttpStatusCode = 101;
pub const HSC_PROCESSING: En_HP_HttpStatusCode = 102;
pub const HSC_OK: En_HP_HttpStatusCode = 200;
pub const HSC_CREATED: En_HP_HttpStatusCode = 201;
pub const HSC_ACCEPTED: En_HP_HttpStatusCode = 202;
pub const HSC_NON_AUTHORITATIVE_INFORMATION: En_HP_HttpStatusCode = 203;
pub const HSC_NO_CONTENT: En_HP_HttpStatusCode = 204;
pub const HSC_RESET_CONTENT: En_HP_HttpStatusCode = 205;
pub const HSC_PARTIAL_CONTENT: En_HP_HttpStatusCode = 206;
pub const HSC_MULTI_STATUS: En_HP_HttpStatusCode = 207;
pub const HSC_ALREADY_REPORTED: En_HP_HttpStatusCode = 208;
pub const HSC_IM_USED: En_HP_HttpStatusCode = 226;
pub const HSC_MULTIPLE_CHOICES: En_HP_HttpStatusCode = 300;
pub const HSC_MOVED_PERMANENTLY: En_HP_HttpStatusCode = 301;
pub const HSC_MOVED_TEMPORARILY: En_HP_HttpStatusCode = 302;
pub const HSC_SEE_OTHER: En_HP_HttpStatusCode = 303;
pub const HSC_NOT_MODIFIED: En_HP_HttpStatusCode = 304;
pub const HSC_USE_PROXY: En_HP_HttpStatusCode = 305;
pub const HSC_SWITCH_PROXY: En_HP_HttpStatusCode = 306;
pub const HSC_TEMPORARY_REDIRECT: En_HP_HttpStatusCode = 307;
pub const HSC_PERMANENT_REDIRECT: En_HP_HttpStatusCode = 308;
pub const HSC_BAD_REQUEST: En_HP_HttpStatusCode = 400;
pub const HSC_UNAUTHORIZED: En_HP_HttpStatusCode = 401;
pub const HSC_PAYMENT_REQUIRED: En_HP_HttpStatusCode = 402;
pub const HSC_FORBIDDEN: En_HP_HttpStatusCode = 403;
pub const HSC_NOT_FOUND: En_HP_HttpStatusCode = 404;
pub const HSC_METHOD_NOT_ALLOWED: En_HP_HttpStatusCode = 405;
pub const HSC_NOT_ACCEPTABLE: En_HP_HttpStatusCode = 406;
pub const HSC_PROXY_AUTHENTICATION_REQUIRED: En_HP_HttpStatusCode = 407;
pub const HSC_REQUEST_TIMEOUT: En_HP_HttpStatusCode = 408;
pub const HSC_CONFLICT: En_HP_HttpStatusCode = 409;
pub const HSC_GONE: En_HP_HttpStatusCode = 410;
pub const HSC_LENGTH_REQUIRED: En_HP_HttpStatusCode = 411;
pub const HSC_PRECONDITION_FAILED: En_HP_HttpStatusCode = 412;
pub const HSC_REQUEST_ENTITY_TOO_LARGE: En_HP_HttpStatusCode = 413;
pub const HSC_REQUEST_URI_TOO_LONG: En_HP_HttpStatusCode = 414;
pub const HSC_UNSUPPORTED_MEDIA_TYPE: En_HP_HttpStatusCode = 415;
pub const HSC_REQUESTED_RANGE_NOT_SATISFIABLE: En_HP_HttpStatusCode = 416;
pub const HSC_EXPECTATION_FAILED: En_HP_HttpStatusCode = 417;
pub const HSC_MISDIRECTED_REQUEST: En_HP_HttpStatusCode = 421;
pub const HSC_UNPROCESSABLE_ENTITY: En_HP_HttpStatusCode = 422;
pub const HSC_LOCKED: En_HP_HttpStatusCode = 423;
pub const HSC_FAILED_DEPENDENCY: En_HP_HttpStatusCode = 424;
pub const HSC_UNORDERED_COLLECTION: En_HP_HttpStatusCode = 425;
pub const HSC_UPGRADE_REQUIRED: En_HP_HttpStatusCode = 426;
pub const HSC_PRECONDITION_REQUIRED: En_HP_HttpStatusCode = 428;
pub const HSC_TOO_MANY_REQUESTS: En_HP_HttpStatusCode = 429;
pub const HSC_REQUEST_HEADER_FIELDS_TOO_LARGE: En_HP_HttpStatusCode = 431;
pub const HSC_RETRY_WITH: En_HP_HttpStatusCode = 449;
pub const HSC_UNAVAILABLE_FOR_LEGAL_REASONS: En_HP_HttpStatusCode = 451;
pub const HSC_INTERNAL_SERVER_ERROR: En_HP_HttpStatusCode = 500;
pub const HSC_NOT_IMPLEMENTED: En_HP_HttpStatusCode = 501;
pub const HSC_BAD_GATEWAY: En_HP_HttpStatusCode = 502;
pub const HSC_SERVICE_UNAVAILABLE: En_HP_HttpStatusCode = 503;
pub const HSC_GATEWAY_TIMEOUT: En_HP_HttpStatusCode = 504;
pub const HSC_HTTP_VERSION_NOT_SUPPORTED: En_HP_HttpStatusCode = 505;
pub const HSC_VARIANT_ALSO_NEGOTIATES: En_HP_HttpStatusCode = 506;
pub const HSC_INSUFFICIENT_STORAGE: En_HP_HttpStatusCode = 507;
pub const HSC_LOOP_DETECTED: En_HP_HttpStatusCode = 508;
pub const HSC_BANDWIDTH_LIMIT_EXCEEDED: En_HP_HttpStatusCode = 509;
pub const HSC_NOT_EXTENDED: En_HP_HttpStatusCode = 510;
pub const HSC_NETWORK_AUTHENTICATION_REQUIRED: En_HP_HttpStatusCode = 511;
pub const HSC_UNPARSEABLE_RESPONSE_HEADERS: En_HP_HttpStatusCode = 600;

/// A name/value pair of texts (`HP_THeader`, `HP_TCookie`, `HP_TParam`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct HP_TNVPair {
    pub name: LPCSTR,
    pub value: LPCSTR,
}
/// One header: name and value.
pub type HP_THeader = HP_TNVPair;
/// One cookie: name and value.
pub type HP_TCookie = HP_TNVPair;
/// One parameter: name and value.
pub type HP_TParam = HP_TNVPair;

/// HTTP: a message starts.
pub type HP_FN_Http_OnMessageBegin =
    Option<unsafe extern "C" fn(pSender: HP_Http, dwConnID: HP_CONNID) -> En_HP_HttpParseResult>;
/// HTTP server: the request line; the URL's fields are readable with `GetUrlField`.
pub type HP_FN_Http_OnRequestLine = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        lpszMethod: LPCSTR,
        lpszUrl: LPCSTR,
    ) -> En_HP_HttpParseResult,
>;
/// HTTP agent, client: the status line.
pub type HP_FN_Http_OnStatusLine = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        usStatusCode: USHORT,
        lpszDesc: LPCSTR,
    ) -> En_HP_HttpParseResult,
>;
/// HTTP: one header line.
pub type HP_FN_Http_OnHeader = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        lpszName: LPCSTR,
        lpszValue: LPCSTR,
    ) -> En_HP_HttpParseResult,
>;
/// HTTP: the head is complete; may answer `HPR_SKIP_BODY` or `HPR_UPGRADE`.
pub type HP_FN_Http_OnHeadersComplete =
    Option<unsafe extern "C" fn(pSender: HP_Http, dwConnID: HP_CONNID) -> En_HP_HttpParseResult>;
/// HTTP: body bytes (de-chunked).
pub type HP_FN_Http_OnBody = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HttpParseResult,
>;
/// HTTP: a chunk of a chunked body starts (`iLength` 0: the last one).
pub type HP_FN_Http_OnChunkHeader = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        iLength: c_int,
    ) -> En_HP_HttpParseResult,
>;
/// HTTP: a chunk ended.
pub type HP_FN_Http_OnChunkComplete =
    Option<unsafe extern "C" fn(pSender: HP_Http, dwConnID: HP_CONNID) -> En_HP_HttpParseResult>;
/// HTTP: the message is complete.
pub type HP_FN_Http_OnMessageComplete =
    Option<unsafe extern "C" fn(pSender: HP_Http, dwConnID: HP_CONNID) -> En_HP_HttpParseResult>;
/// HTTP: the connection left HTTP; anything but `HPR_OK` closes it.
pub type HP_FN_Http_OnUpgrade = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        enUpgradeType: En_HP_HttpUpgradeType,
    ) -> En_HP_HttpParseResult,
>;
/// HTTP: the message could not be parsed (llhttp's error number and text); the connection
/// closes after it.
pub type HP_FN_Http_OnParseError = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        iErrorCode: c_int,
        lpszErrorDesc: LPCSTR,
    ) -> En_HP_HttpParseResult,
>;
/// WebSocket: a frame begins (`lpszMask` NULL when unmasked); `HR_ERROR` closes.
pub type HP_FN_Http_OnWSMessageHeader = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        bFinal: BOOL,
        iReserved: BYTE,
        iOperationCode: BYTE,
        lpszMask: *const BYTE,
        ullBodyLen: ULONGLONG,
    ) -> En_HP_HandleResult,
>;
/// WebSocket: frame payload, unmasked; `HR_ERROR` closes.
pub type HP_FN_Http_OnWSMessageBody = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
/// WebSocket: the frame is complete; `HR_ERROR` closes.
pub type HP_FN_Http_OnWSMessageComplete =
    Option<unsafe extern "C" fn(pSender: HP_Http, dwConnID: HP_CONNID) -> En_HP_HandleResult>;
/// Extension, WebSocket mode: a whole message, or a control frame's payload (see
/// `HPX_Set_FN_HttpServer_OnWSMessage`); `HR_ERROR` closes.
pub type HPX_FN_Http_OnWSMessage = Option<
    unsafe extern "C" fn(
        pSender: HP_Http,
        dwConnID: HP_CONNID,
        iOperationCode: BYTE,
        pData: *const BYTE,
        iLength: c_int,
    ) -> En_HP_HandleResult,
>;
pub type HPX_FN_HttpServer_OnWSMessage = HPX_FN_Http_OnWSMessage;
pub type HPX_FN_HttpAgent_OnWSMessage = HPX_FN_Http_OnWSMessage;
pub type HPX_FN_HttpClient_OnWSMessage = HPX_FN_Http_OnWSMessage;
pub type HP_FN_HttpServer_OnWSMessageHeader = HP_FN_Http_OnWSMessageHeader;
pub type HP_FN_HttpServer_OnWSMessageBody = HP_FN_Http_OnWSMessageBody;
pub type HP_FN_HttpServer_OnWSMessageComplete = HP_FN_Http_OnWSMessageComplete;
pub type HP_FN_HttpAgent_OnWSMessageHeader = HP_FN_Http_OnWSMessageHeader;
pub type HP_FN_HttpAgent_OnWSMessageBody = HP_FN_Http_OnWSMessageBody;
pub type HP_FN_HttpAgent_OnWSMessageComplete = HP_FN_Http_OnWSMessageComplete;
pub type HP_FN_HttpClient_OnWSMessageHeader = HP_FN_Http_OnWSMessageHeader;
pub type HP_FN_HttpClient_OnWSMessageBody = HP_FN_Http_OnWSMessageBody;
pub type HP_FN_HttpClient_OnWSMessageComplete = HP_FN_Http_OnWSMessageComplete;
pub type HP_FN_HttpServer_OnMessageBegin = HP_FN_Http_OnMessageBegin;
pub type HP_FN_HttpServer_OnRequestLine = HP_FN_Http_OnRequestLine;
pub type HP_FN_HttpServer_OnHeader = HP_FN_Http_OnHeader;
pub type HP_FN_HttpServer_OnHeadersComplete = HP_FN_Http_OnHeadersComplete;
pub type HP_FN_HttpServer_OnBody = HP_FN_Http_OnBody;
pub type HP_FN_HttpServer_OnChunkHeader = HP_FN_Http_OnChunkHeader;
pub type HP_FN_HttpServer_OnChunkComplete = HP_FN_Http_OnChunkComplete;
pub type HP_FN_HttpServer_OnMessageComplete = HP_FN_Http_OnMessageComplete;
pub type HP_FN_HttpServer_OnUpgrade = HP_FN_Http_OnUpgrade;
pub type HP_FN_HttpServer_OnParseError = HP_FN_Http_OnParseError;
pub type HP_FN_HttpServer_OnPrepareListen = HP_FN_Server_OnPrepareListen;
pub type HP_FN_HttpServer_OnAccept = HP_FN_Server_OnAccept;
pub type HP_FN_HttpServer_OnHandShake = HP_FN_Server_OnHandShake;
pub type HP_FN_HttpServer_OnReceive = HP_FN_Server_OnReceive;
pub type HP_FN_HttpServer_OnSend = HP_FN_Server_OnSend;
pub type HP_FN_HttpServer_OnClose = HP_FN_Server_OnClose;
pub type HP_FN_HttpServer_OnShutdown = HP_FN_Server_OnShutdown;
pub type HP_FN_HttpAgent_OnMessageBegin = HP_FN_Http_OnMessageBegin;
pub type HP_FN_HttpAgent_OnStatusLine = HP_FN_Http_OnStatusLine;
pub type HP_FN_HttpAgent_OnHeader = HP_FN_Http_OnHeader;
pub type HP_FN_HttpAgent_OnHeadersComplete = HP_FN_Http_OnHeadersComplete;
pub type HP_FN_HttpAgent_OnBody = HP_FN_Http_OnBody;
pub type HP_FN_HttpAgent_OnChunkHeader = HP_FN_Http_OnChunkHeader;
pub type HP_FN_HttpAgent_OnChunkComplete = HP_FN_Http_OnChunkComplete;
pub type HP_FN_HttpAgent_OnMessageComplete = HP_FN_Http_OnMessageComplete;
pub type HP_FN_HttpAgent_OnUpgrade = HP_FN_Http_OnUpgrade;
pub type HP_FN_HttpAgent_OnParseError = HP_FN_Http_OnParseError;
pub type HP_FN_HttpAgent_OnPrepareConnect = HP_FN_Agent_OnPrepareConnect;
pub type HP_FN_HttpAgent_OnConnect = HP_FN_Agent_OnConnect;
pub type HP_FN_HttpAgent_OnHandShake = HP_FN_Agent_OnHandShake;
pub type HP_FN_HttpAgent_OnReceive = HP_FN_Agent_OnReceive;
pub type HP_FN_HttpAgent_OnSend = HP_FN_Agent_OnSend;
pub type HP_FN_HttpAgent_OnClose = HP_FN_Agent_OnClose;
pub type HP_FN_HttpAgent_OnShutdown = HP_FN_Agent_OnShutdown;
pub type HP_FN_HttpClient_OnMessageBegin = HP_FN_Http_OnMessageBegin;
pub type HP_FN_HttpClient_OnStatusLine = HP_FN_Http_OnStatusLine;
pub type HP_FN_HttpClient_OnHeader = HP_FN_Http_OnHeader;
pub type HP_FN_HttpClient_OnHeadersComplete = HP_FN_Http_OnHeadersComplete;
pub type HP_FN_HttpClient_OnBody = HP_FN_Http_OnBody;
pub type HP_FN_HttpClient_OnChunkHeader = HP_FN_Http_OnChunkHeader;
pub type HP_FN_HttpClient_OnChunkComplete = HP_FN_Http_OnChunkComplete;
pub type HP_FN_HttpClient_OnMessageComplete = HP_FN_Http_OnMessageComplete;
pub type HP_FN_HttpClient_OnUpgrade = HP_FN_Http_OnUpgrade;
pub type HP_FN_HttpClient_OnParseError = HP_FN_Http_OnParseError;
pub type HP_FN_HttpClient_OnPrepareConnect = HP_FN_Client_OnPrepareConnect;
pub type HP_FN_HttpClient_OnConnect = HP_FN_Client_OnConnect;
pub type HP_FN_HttpClient_OnHandShake = HP_FN_Client_OnHandShake;
pub type HP_FN_HttpClient_OnReceive = HP_FN_Client_OnReceive;
pub type HP_FN_HttpClient_OnSend = HP_FN_Client_OnSend;
pub type HP_FN_HttpClient_OnClose = HP_FN_Client_OnClose;

/// A compressor (`Create_HP_ZLibCompressor`, ...).
pub type HP_Compressor = HP_Object;
/// A decompressor (`Create_HP_ZLibDecompressor`, ...).
pub type HP_Decompressor = HP_Object;

/// The data callback of the compressors: called with each output piece and the `pContext`
/// given to `Process`; FALSE aborts the call.
pub type Fn_DataCallback =
    Option<unsafe extern "C" fn(pData: *const BYTE, iLength: c_int, pContext: PVOID) -> BOOL>;
/// HP-Socket's name for [`Fn_DataCallback`] of a compressor.
pub type Fn_CompressDataCallback = Fn_DataCallback;
/// HP-Socket's name for [`Fn_DataCallback`] of a decompressor.
pub type Fn_DecompressDataCallback = Fn_DataCallback;
/// HP-Socket's other name for [`Fn_DataCallback`].
pub type HP_Fn_DataCallback = Fn_DataCallback;
/// HP-Socket's other name for [`Fn_CompressDataCallback`].
pub type HP_Fn_CompressDataCallback = Fn_DataCallback;
/// HP-Socket's other name for [`Fn_DecompressDataCallback`].
pub type HP_Fn_DecompressDataCallback = Fn_DataCallback;

/// A socket descriptor of the `SYS_*` socket helpers (`int` on Linux).
pub type SOCKET = c_int;
/// A file descriptor (`int`).
pub type FD = c_int;
/// `wchar_t`: 32 bits (UTF-32) on Linux, as HP-Socket's "Unicode" functions use it.
/// Declared by the header's prelude (`typedef wchar_t WCHAR;`), not by cbindgen.
pub type WCHAR = i32;

/// `En_HP_IPAddrType`: which addresses `SYS_EnumHostIPAddresses` lists, and what
/// `SYS_IsIPAddress`/`SYS_GetIPAddress` found.
pub type En_HP_IPAddrType = c_int;
/// Every family.
pub const IPT_ALL: En_HP_IPAddrType = 0;
/// IPv4.
pub const IPT_IPV4: En_HP_IPAddrType = 1;
/// IPv6.
pub const IPT_IPV6: En_HP_IPAddrType = 2;

/// One address of `SYS_EnumHostIPAddresses`: its family and its text (owned by the list).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct HP_TIPAddr {
    /// `IPT_IPV4` or `IPT_IPV6`.
    pub r#type: En_HP_IPAddrType,
    /// The address as text, e.g. `"127.0.0.1"`.
    pub address: LPCTSTR,
}
/// Pointer to an [`HP_TIPAddr`].
pub type HP_LPTIPAddr = *mut HP_TIPAddr;

/// `BOOL` from a Rust `bool`.
pub(crate) fn to_bool(b: bool) -> BOOL {
    if b {
        TRUE
    } else {
        FALSE
    }
}

/// A connection ID from C as the core's type (`unsigned long` is 64 bits on Linux targets).
#[allow(clippy::unnecessary_cast)]
pub(crate) fn conn_id(id: HP_CONNID) -> hpsocket_core::ConnId {
    id as hpsocket_core::ConnId
}

/// A core connection ID as C's type.
#[allow(clippy::unnecessary_cast)]
pub(crate) fn c_conn_id(id: hpsocket_core::ConnId) -> HP_CONNID {
    id as HP_CONNID
}

/// A size or duration clamped into a `DWORD`.
pub(crate) fn dword<T: TryInto<DWORD>>(v: T) -> DWORD {
    v.try_into().unwrap_or(DWORD::MAX)
}

/// A size clamped into an `int`.
pub(crate) fn c_len(v: usize) -> c_int {
    c_int::try_from(v).unwrap_or(c_int::MAX)
}
