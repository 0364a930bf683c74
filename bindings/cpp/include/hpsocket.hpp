// hpsocket.hpp: header-only C++17 wrapper over hpsocket's C ABI (include/hpsocket.h,
// contract: docs/abi.md), in HP-Socket's C++ style: a listener subclass overrides OnAccept,
// OnReceive, OnClose, ... and an owner (`TcpServer server(listener)`, like CTcpServerPtr) runs
// the component.
//
//   #include <hpsocket.hpp>          // needs include/ of hpsocket on the include path too
//   link with -lhpsocket
//
//   struct Echo : hpsocket::ServerListener {
//       hpsocket::HandleResult OnReceive(hpsocket::Server& s, hpsocket::ConnId id,
//                                        const BYTE* data, int len) override {
//           return s.Send(id, data, len) ? hpsocket::HandleResult::Ok : hpsocket::HandleResult::Error;
//       }
//   };
//   Echo listener;
//   hpsocket::TcpServer server(listener);
//   if (!server.Start("0.0.0.0", 5555)) std::puts(server.last_error().message.c_str());
//
// Owners (TcpServer, TcpPullAgent, SslPackClient, ...) are move-only: the destructor destroys
// the component (stopping it first; every callback has returned when it returns) and then its
// native listener. The listener object is not owned: it must outlive the owner. The library
// finds the listener from the sender handle through HPX_Object_SetUserData, so moving an owner
// never disturbs running callbacks. Every callback trampoline catches every exception (none
// may unwind into the library's threads), passes it to the listener's OnException and returns
// HR_ERROR (the connection closes).
//
// Operations return [[nodiscard]] bool (HP-Socket's BOOL) and the reason of a failure is in
// last_error(). Setters return true when the value took (the library ignores settings while a
// component runs and refuses bad values; last_error() says why).
#ifndef HPSOCKET_HPP
#define HPSOCKET_HPP

#include <hpsocket.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hpsocket {

using ConnId = HP_CONNID;

enum class HandleResult : int { Ok = HR_OK, Ignore = HR_IGNORE, Error = HR_ERROR };

enum class SocketError : int {
    Ok = SE_OK,
    IllegalState = SE_ILLEGAL_STATE,
    InvalidParam = SE_INVALID_PARAM,
    SocketCreate = SE_SOCKET_CREATE,
    SocketBind = SE_SOCKET_BIND,
    SocketPrepare = SE_SOCKET_PREPARE,
    SocketListen = SE_SOCKET_LISTEN,
    CPCreate = SE_CP_CREATE,
    WorkerThreadCreate = SE_WORKER_THREAD_CREATE,
    DetectThreadCreate = SE_DETECT_THREAD_CREATE,
    SocketAttachToCP = SE_SOCKE_ATTACH_TO_CP,
    ConnectServer = SE_CONNECT_SERVER,
    Network = SE_NETWORK,
    DataProc = SE_DATA_PROC,
    DataSend = SE_DATA_SEND,
    SslEnvNotReady = SE_SSL_ENV_NOT_READY,
};

enum class SocketOperation : int {
    Unknown = SO_UNKNOWN,
    Accept = SO_ACCEPT,
    Connect = SO_CONNECT,
    Send = SO_SEND,
    Receive = SO_RECEIVE,
    Close = SO_CLOSE,
};

enum class ServiceState : int {
    Starting = SS_STARTING,
    Started = SS_STARTED,
    Stopping = SS_STOPPING,
    Stopped = SS_STOPPED,
};

enum class FetchResult : int {
    Ok = FR_OK,
    LengthTooLong = FR_LENGTH_TOO_LONG,
    DataNotFound = FR_DATA_NOT_FOUND,
};

enum class ReuseAddressPolicy : int { None = RAP_NONE, AddrOnly = RAP_ADDR_ONLY, AddrAndPort = RAP_ADDR_AND_PORT };
enum class SendPolicy : int { Pack = SP_PACK, Safe = SP_SAFE, Direct = SP_DIRECT };
enum class OnSendSyncPolicy : int { None = OSSP_NONE, Close = OSSP_CLOSE, Receive = OSSP_RECEIVE };

// SSL verify mode bits (SSL_VM_*), combined with |.
enum SslVerifyMode : int {
    SslVerifyNone = SSL_VM_NONE,
    SslVerifyPeer = SSL_VM_PEER,
    SslVerifyFailIfNoPeerCert = SSL_VM_FAIL_IF_NO_PEER_CERT,
    SslVerifyClientOnce = SSL_VM_CLIENT_ONCE,
};

// A failure: the library's code and its text (which names the function and the cause).
struct Error {
    SocketError code = SocketError::Ok;
    std::string message;
    explicit operator bool() const noexcept { return code != SocketError::Ok; }
};

// The calling thread's last failure (HPX_GetLastError): where a failed constructor explains itself.
inline Error thread_last_error() {
    const char* d = HPX_GetLastErrorDesc();
    return Error{static_cast<SocketError>(HPX_GetLastError()), d ? d : ""};
}

// HP-Socket's fixed text for an error code.
inline std::string socket_error_desc(SocketError code) {
    const char* d = HP_GetSocketErrorDesc(static_cast<En_HP_SocketError>(code));
    return d ? d : "";
}

// The HP-Socket version the library mirrors (major << 24 | minor << 16 | revise << 8 | build).
inline DWORD version() noexcept { return HP_GetHPSocketVersion(); }

namespace detail {

inline BOOL b(bool v) noexcept { return v ? 1 : 0; }

inline std::string str(const char* p) { return p ? std::string(p) : std::string(); }

// An address getter with the buffer convention of docs/abi.md section 6.
template <class F>
bool get_address(F&& f, std::string& address, USHORT& port) {
    char buf[64];
    int len = static_cast<int>(sizeof buf);
    if (f(buf, &len, &port)) {
        address.assign(buf, len > 0 ? static_cast<std::size_t>(len - 1) : 0);
        return true;
    }
    if (len > static_cast<int>(sizeof buf)) {
        std::string big(static_cast<std::size_t>(len), '\0');
        if (f(big.data(), &len, &port)) {
            big.resize(len > 0 ? static_cast<std::size_t>(len - 1) : 0);
            address = std::move(big);
            return true;
        }
    }
    return false;
}

template <class F>
std::vector<ConnId> get_ids(F&& f) {
    for (int tries = 0; tries < 8; tries++) {
        DWORD n = 0;
        f(nullptr, &n);
        std::vector<ConnId> ids(static_cast<std::size_t>(n) + 16);
        DWORD count = static_cast<DWORD>(ids.size());
        if (f(ids.data(), &count)) {
            ids.resize(count);
            return ids;
        }
    }
    return {};
}

}  // namespace detail

// ============================================================================================
// Non-owning views: what a callback gets as its sender, and what the owners derive from.
// ============================================================================================

// Any server (PUSH, PULL, PACK, SSL): HP_Server_* and HP_TcpServer_*.
class Server {
public:
    explicit Server(HP_Server h = nullptr) noexcept : h_(h) {}
    HP_Server handle() const noexcept { return h_; }

    // -- life cycle
    [[nodiscard]] bool Start(const char* bindAddress, USHORT port) { return HP_Server_Start(h_, bindAddress, port) != 0; }
    [[nodiscard]] bool Stop() { return HP_Server_Stop(h_) != 0; }
    [[nodiscard]] bool Wait(DWORD milliseconds = static_cast<DWORD>(-1)) { return HP_Server_Wait(h_, milliseconds) != 0; }
    bool HasStarted() const { return HP_Server_HasStarted(h_) != 0; }
    ServiceState GetState() const { return static_cast<ServiceState>(HP_Server_GetState(h_)); }
    bool IsSecure() const { return HP_Server_IsSecure(h_) != 0; }
    Error last_error() const {
        return Error{static_cast<SocketError>(HP_Server_GetLastError(h_)), detail::str(HP_Server_GetLastErrorDesc(h_))};
    }
    [[nodiscard]] bool GetListenAddress(std::string& address, USHORT& port) const {
        return detail::get_address([this](char* b, int* l, USHORT* p) { return HP_Server_GetListenAddress(h_, b, l, p) != 0; }, address, port);
    }

    // -- sending (length 0 sends nothing and succeeds; data may then be null)
    [[nodiscard]] bool Send(ConnId id, const void* data, int length) {
        return HP_Server_Send(h_, id, static_cast<const BYTE*>(data), length) != 0;
    }
    [[nodiscard]] bool Send(ConnId id, std::string_view data) { return Send(id, data.data(), static_cast<int>(data.size())); }
    [[nodiscard]] bool SendPart(ConnId id, const void* data, int length, int offset) {
        return HP_Server_SendPart(h_, id, static_cast<const BYTE*>(data), length, offset) != 0;
    }
    [[nodiscard]] bool SendPackets(ConnId id, const WSABUF* buffers, int count) { return HP_Server_SendPackets(h_, id, buffers, count) != 0; }
    [[nodiscard]] bool SendSmallFile(ConnId id, const char* fileName, WSABUF* head = nullptr, WSABUF* tail = nullptr) {
        return HP_TcpServer_SendSmallFile(h_, id, fileName, head, tail) != 0;
    }

    // -- connections
    [[nodiscard]] bool Disconnect(ConnId id, bool force = true) { return HP_Server_Disconnect(h_, id, detail::b(force)) != 0; }
    [[nodiscard]] bool DisconnectLongConnections(DWORD period, bool force = true) { return HP_Server_DisconnectLongConnections(h_, period, detail::b(force)) != 0; }
    [[nodiscard]] bool DisconnectSilenceConnections(DWORD period, bool force = true) { return HP_Server_DisconnectSilenceConnections(h_, period, detail::b(force)) != 0; }
    [[nodiscard]] bool PauseReceive(ConnId id, bool pause = true) { return HP_Server_PauseReceive(h_, id, detail::b(pause)) != 0; }
    [[nodiscard]] bool IsPauseReceive(ConnId id, bool& paused) const {
        BOOL v = 0;
        bool ok = HP_Server_IsPauseReceive(h_, id, &v) != 0;
        paused = ok && v != 0;
        return ok;
    }
    bool IsConnected(ConnId id) const { return HP_Server_IsConnected(h_, id) != 0; }
    [[nodiscard]] bool SetConnectionExtra(ConnId id, void* extra) { return HP_Server_SetConnectionExtra(h_, id, extra) != 0; }
    [[nodiscard]] bool GetConnectionExtra(ConnId id, void*& extra) const { return HP_Server_GetConnectionExtra(h_, id, &extra) != 0; }
    DWORD GetConnectionCount() const { return HP_Server_GetConnectionCount(h_); }
    std::vector<ConnId> GetAllConnectionIDs() const {
        return detail::get_ids([this](HP_CONNID* ids, DWORD* n) { return HP_Server_GetAllConnectionIDs(h_, ids, n) != 0; });
    }
    [[nodiscard]] bool GetPendingDataLength(ConnId id, int& pending) const { return HP_Server_GetPendingDataLength(h_, id, &pending) != 0; }
    [[nodiscard]] bool GetConnectPeriod(ConnId id, DWORD& ms) const { return HP_Server_GetConnectPeriod(h_, id, &ms) != 0; }
    [[nodiscard]] bool GetSilencePeriod(ConnId id, DWORD& ms) const { return HP_Server_GetSilencePeriod(h_, id, &ms) != 0; }
    [[nodiscard]] bool GetLocalAddress(ConnId id, std::string& address, USHORT& port) const {
        return detail::get_address([this, id](char* b, int* l, USHORT* p) { return HP_Server_GetLocalAddress(h_, id, b, l, p) != 0; }, address, port);
    }
    [[nodiscard]] bool GetRemoteAddress(ConnId id, std::string& address, USHORT& port) const {
        return detail::get_address([this, id](char* b, int* l, USHORT* p) { return HP_Server_GetRemoteAddress(h_, id, b, l, p) != 0; }, address, port);
    }

    // -- settings (while stopped; true when the value took)
    bool SetReuseAddressPolicy(ReuseAddressPolicy v) { HP_Server_SetReuseAddressPolicy(h_, static_cast<int>(v)); return GetReuseAddressPolicy() == v; }
    bool SetSendPolicy(SendPolicy v) { HP_Server_SetSendPolicy(h_, static_cast<int>(v)); return GetSendPolicy() == v; }
    bool SetOnSendSyncPolicy(OnSendSyncPolicy v) { HP_Server_SetOnSendSyncPolicy(h_, static_cast<int>(v)); return GetOnSendSyncPolicy() == v; }
    bool SetFreeSocketObjLockTime(DWORD v) { HP_Server_SetFreeSocketObjLockTime(h_, v); return GetFreeSocketObjLockTime() == v; }
    bool SetFreeSocketObjPool(DWORD v) { HP_Server_SetFreeSocketObjPool(h_, v); return GetFreeSocketObjPool() == v; }
    bool SetFreeBufferObjPool(DWORD v) { HP_Server_SetFreeBufferObjPool(h_, v); return GetFreeBufferObjPool() == v; }
    bool SetFreeSocketObjHold(DWORD v) { HP_Server_SetFreeSocketObjHold(h_, v); return GetFreeSocketObjHold() == v; }
    bool SetFreeBufferObjHold(DWORD v) { HP_Server_SetFreeBufferObjHold(h_, v); return GetFreeBufferObjHold() == v; }
    bool SetMaxConnectionCount(DWORD v) { HP_Server_SetMaxConnectionCount(h_, v); return GetMaxConnectionCount() == v; }
    bool SetWorkerThreadCount(DWORD v) { HP_Server_SetWorkerThreadCount(h_, v); return GetWorkerThreadCount() == v; }
    bool SetMarkSilence(bool v) { HP_Server_SetMarkSilence(h_, detail::b(v)); return IsMarkSilence() == v; }
    bool SetSocketListenQueue(DWORD v) { HP_TcpServer_SetSocketListenQueue(h_, v); return GetSocketListenQueue() == v; }
    bool SetAcceptSocketCount(DWORD v) { HP_TcpServer_SetAcceptSocketCount(h_, v); return GetAcceptSocketCount() == v; }
    bool SetSocketBufferSize(DWORD v) { HP_TcpServer_SetSocketBufferSize(h_, v); return GetSocketBufferSize() == v; }
    bool SetKeepAliveTime(DWORD v) { HP_TcpServer_SetKeepAliveTime(h_, v); return GetKeepAliveTime() == v; }
    bool SetKeepAliveInterval(DWORD v) { HP_TcpServer_SetKeepAliveInterval(h_, v); return GetKeepAliveInterval() == v; }
    bool SetNoDelay(bool v) { HP_TcpServer_SetNoDelay(h_, detail::b(v)); return IsNoDelay() == v; }
    bool SetMaxSendQueueBytes(DWORD v) { HPX_Server_SetMaxSendQueueBytes(h_, v); return GetMaxSendQueueBytes() == v; }
    bool SetSendQueueLowWatermark(DWORD v) { HPX_Server_SetSendQueueLowWatermark(h_, v); return GetSendQueueLowWatermark() == v; }
    bool SetSilenceCountsSend(bool v) { HPX_Server_SetSilenceCountsSend(h_, detail::b(v)); return IsSilenceCountsSend() == v; }
    ReuseAddressPolicy GetReuseAddressPolicy() const { return static_cast<ReuseAddressPolicy>(HP_Server_GetReuseAddressPolicy(h_)); }
    SendPolicy GetSendPolicy() const { return static_cast<SendPolicy>(HP_Server_GetSendPolicy(h_)); }
    OnSendSyncPolicy GetOnSendSyncPolicy() const { return static_cast<OnSendSyncPolicy>(HP_Server_GetOnSendSyncPolicy(h_)); }
    DWORD GetFreeSocketObjLockTime() const { return HP_Server_GetFreeSocketObjLockTime(h_); }
    DWORD GetFreeSocketObjPool() const { return HP_Server_GetFreeSocketObjPool(h_); }
    DWORD GetFreeBufferObjPool() const { return HP_Server_GetFreeBufferObjPool(h_); }
    DWORD GetFreeSocketObjHold() const { return HP_Server_GetFreeSocketObjHold(h_); }
    DWORD GetFreeBufferObjHold() const { return HP_Server_GetFreeBufferObjHold(h_); }
    DWORD GetMaxConnectionCount() const { return HP_Server_GetMaxConnectionCount(h_); }
    DWORD GetWorkerThreadCount() const { return HP_Server_GetWorkerThreadCount(h_); }
    bool IsMarkSilence() const { return HP_Server_IsMarkSilence(h_) != 0; }
    DWORD GetSocketListenQueue() const { return HP_TcpServer_GetSocketListenQueue(h_); }
    DWORD GetAcceptSocketCount() const { return HP_TcpServer_GetAcceptSocketCount(h_); }
    DWORD GetSocketBufferSize() const { return HP_TcpServer_GetSocketBufferSize(h_); }
    DWORD GetKeepAliveTime() const { return HP_TcpServer_GetKeepAliveTime(h_); }
    DWORD GetKeepAliveInterval() const { return HP_TcpServer_GetKeepAliveInterval(h_); }
    bool IsNoDelay() const { return HP_TcpServer_IsNoDelay(h_) != 0; }
    DWORD GetMaxSendQueueBytes() const { return HPX_Server_GetMaxSendQueueBytes(h_); }
    DWORD GetSendQueueLowWatermark() const { return HPX_Server_GetSendQueueLowWatermark(h_); }
    bool IsSilenceCountsSend() const { return HPX_Server_IsSilenceCountsSend(h_) != 0; }

protected:
    HP_Server h_;
};

// A PULL server: Fetch/Peek take the buffered bytes.
class PullServer : public Server {
public:
    using Server::Server;
    [[nodiscard]] FetchResult Fetch(ConnId id, void* buffer, int length) {
        return static_cast<FetchResult>(HP_TcpPullServer_Fetch(h_, id, static_cast<BYTE*>(buffer), length));
    }
    [[nodiscard]] FetchResult Peek(ConnId id, void* buffer, int length) {
        return static_cast<FetchResult>(HP_TcpPullServer_Peek(h_, id, static_cast<BYTE*>(buffer), length));
    }
};

// A PACK server: framed messages.
class PackServer : public Server {
public:
    using Server::Server;
    bool SetMaxPackSize(DWORD v) { HP_TcpPackServer_SetMaxPackSize(h_, v); return GetMaxPackSize() == v; }
    bool SetPackHeaderFlag(USHORT v) { HP_TcpPackServer_SetPackHeaderFlag(h_, v); return GetPackHeaderFlag() == v; }
    DWORD GetMaxPackSize() const { return HP_TcpPackServer_GetMaxPackSize(h_); }
    USHORT GetPackHeaderFlag() const { return HP_TcpPackServer_GetPackHeaderFlag(h_); }
};

// The SSL part of a server view (HP_SSLServer_*), over Server, PullServer or PackServer.
// Each connection of an SSL server calls the listener's OnServerName for SNI.
template <class Base>
class SslServerOf : public Base {
public:
    using Base::Base;
    [[nodiscard]] bool SetupSSLContext(int verifyMode, const char* certFile, const char* keyFile,
                                       const char* keyPassword = nullptr, const char* caCertFileOrPath = nullptr);
    [[nodiscard]] bool SetupSSLContextByMemory(int verifyMode, const char* certPem, const char* keyPem,
                                               const char* keyPassword = nullptr, const char* caCertPem = nullptr);
    [[nodiscard]] int AddSSLContext(int verifyMode, const char* certFile, const char* keyFile,
                                    const char* keyPassword = nullptr, const char* caCertFileOrPath = nullptr) {
        return HP_SSLServer_AddSSLContext(this->h_, verifyMode, certFile, keyFile, keyPassword, caCertFileOrPath);
    }
    [[nodiscard]] int AddSSLContextByMemory(int verifyMode, const char* certPem, const char* keyPem,
                                            const char* keyPassword = nullptr, const char* caCertPem = nullptr) {
        return HP_SSLServer_AddSSLContextByMemory(this->h_, verifyMode, certPem, keyPem, keyPassword, caCertPem);
    }
    [[nodiscard]] bool BindSSLServerName(const char* serverName, int contextIndex) {
        return HP_SSLServer_BindSSLServerName(this->h_, serverName, contextIndex) != 0;
    }
    void CleanupSSLContext() { HP_SSLServer_CleanupSSLContext(this->h_); }
    [[nodiscard]] bool StartSSLHandShake(ConnId id) { return HP_SSLServer_StartSSLHandShake(this->h_, id) != 0; }
    bool SetSSLAutoHandShake(bool v) { HP_SSLServer_SetSSLAutoHandShake(this->h_, detail::b(v)); return IsSSLAutoHandShake() == v; }
    bool IsSSLAutoHandShake() const { return HP_SSLServer_IsSSLAutoHandShake(this->h_) != 0; }
    void SetSSLCipherList(const char* list) { HP_SSLServer_SetSSLCipherList(this->h_, list); }
    std::string GetSSLCipherList() const { return detail::str(HP_SSLServer_GetSSLCipherList(this->h_)); }
    [[nodiscard]] bool GetSSLSessionInfo(ConnId id, En_HP_SSLSessionInfo info, void*& value) const {
        return HP_SSLServer_GetSSLSessionInfo(this->h_, id, info, &value) != 0;
    }
    // The negotiated protocol of a connection, e.g. "TLSv1.3" (empty if none).
    std::string GetSSLVersion(ConnId id) const {
        void* v = nullptr;
        return HP_SSLServer_GetSSLSessionInfo(this->h_, id, SSL_SSI_VERSION, &v) ? detail::str(static_cast<const char*>(v)) : std::string();
    }
    bool SetSSLHandShakeTimeout(DWORD ms) { HPX_Server_SetSSLHandShakeTimeout(this->h_, ms); return GetSSLHandShakeTimeout() == ms; }
    DWORD GetSSLHandShakeTimeout() const { return HPX_Server_GetSSLHandShakeTimeout(this->h_); }
};

// Any agent: HP_Agent_* and HP_TcpAgent_*.
class Agent {
public:
    explicit Agent(HP_Agent h = nullptr) noexcept : h_(h) {}
    HP_Agent handle() const noexcept { return h_; }

    [[nodiscard]] bool Start(const char* bindAddress = nullptr, bool asyncConnect = true) {
        return HP_Agent_Start(h_, bindAddress, detail::b(asyncConnect)) != 0;
    }
    [[nodiscard]] bool Stop() { return HP_Agent_Stop(h_) != 0; }
    [[nodiscard]] bool Wait(DWORD milliseconds = static_cast<DWORD>(-1)) { return HP_Agent_Wait(h_, milliseconds) != 0; }
    // Connects to remoteAddress (an IP, a host name or "address^hostname"); the connection ID
    // goes to *id (may be null). extra is attached before the connection's first callback;
    // localPort/localAddress (0/null: any, or the address given to Start) bind the local side.
    [[nodiscard]] bool Connect(const char* remoteAddress, USHORT port, ConnId* id = nullptr, void* extra = nullptr,
                               USHORT localPort = 0, const char* localAddress = nullptr) {
        return HP_Agent_ConnectWithExtraAndLocalAddressPort(h_, remoteAddress, port, id, extra, localPort, localAddress) != 0;
    }
    bool HasStarted() const { return HP_Agent_HasStarted(h_) != 0; }
    ServiceState GetState() const { return static_cast<ServiceState>(HP_Agent_GetState(h_)); }
    bool IsSecure() const { return HP_Agent_IsSecure(h_) != 0; }
    Error last_error() const {
        return Error{static_cast<SocketError>(HP_Agent_GetLastError(h_)), detail::str(HP_Agent_GetLastErrorDesc(h_))};
    }

    [[nodiscard]] bool Send(ConnId id, const void* data, int length) {
        return HP_Agent_Send(h_, id, static_cast<const BYTE*>(data), length) != 0;
    }
    [[nodiscard]] bool Send(ConnId id, std::string_view data) { return Send(id, data.data(), static_cast<int>(data.size())); }
    [[nodiscard]] bool SendPart(ConnId id, const void* data, int length, int offset) {
        return HP_Agent_SendPart(h_, id, static_cast<const BYTE*>(data), length, offset) != 0;
    }
    [[nodiscard]] bool SendPackets(ConnId id, const WSABUF* buffers, int count) { return HP_Agent_SendPackets(h_, id, buffers, count) != 0; }
    [[nodiscard]] bool SendSmallFile(ConnId id, const char* fileName, WSABUF* head = nullptr, WSABUF* tail = nullptr) {
        return HP_TcpAgent_SendSmallFile(h_, id, fileName, head, tail) != 0;
    }

    [[nodiscard]] bool Disconnect(ConnId id, bool force = true) { return HP_Agent_Disconnect(h_, id, detail::b(force)) != 0; }
    [[nodiscard]] bool DisconnectLongConnections(DWORD period, bool force = true) { return HP_Agent_DisconnectLongConnections(h_, period, detail::b(force)) != 0; }
    [[nodiscard]] bool DisconnectSilenceConnections(DWORD period, bool force = true) { return HP_Agent_DisconnectSilenceConnections(h_, period, detail::b(force)) != 0; }
    [[nodiscard]] bool PauseReceive(ConnId id, bool pause = true) { return HP_Agent_PauseReceive(h_, id, detail::b(pause)) != 0; }
    [[nodiscard]] bool IsPauseReceive(ConnId id, bool& paused) const {
        BOOL v = 0;
        bool ok = HP_Agent_IsPauseReceive(h_, id, &v) != 0;
        paused = ok && v != 0;
        return ok;
    }
    bool IsConnected(ConnId id) const { return HP_Agent_IsConnected(h_, id) != 0; }
    [[nodiscard]] bool SetConnectionExtra(ConnId id, void* extra) { return HP_Agent_SetConnectionExtra(h_, id, extra) != 0; }
    [[nodiscard]] bool GetConnectionExtra(ConnId id, void*& extra) const { return HP_Agent_GetConnectionExtra(h_, id, &extra) != 0; }
    DWORD GetConnectionCount() const { return HP_Agent_GetConnectionCount(h_); }
    std::vector<ConnId> GetAllConnectionIDs() const {
        return detail::get_ids([this](HP_CONNID* ids, DWORD* n) { return HP_Agent_GetAllConnectionIDs(h_, ids, n) != 0; });
    }
    [[nodiscard]] bool GetPendingDataLength(ConnId id, int& pending) const { return HP_Agent_GetPendingDataLength(h_, id, &pending) != 0; }
    [[nodiscard]] bool GetConnectPeriod(ConnId id, DWORD& ms) const { return HP_Agent_GetConnectPeriod(h_, id, &ms) != 0; }
    [[nodiscard]] bool GetSilencePeriod(ConnId id, DWORD& ms) const { return HP_Agent_GetSilencePeriod(h_, id, &ms) != 0; }
    [[nodiscard]] bool GetLocalAddress(ConnId id, std::string& address, USHORT& port) const {
        return detail::get_address([this, id](char* b, int* l, USHORT* p) { return HP_Agent_GetLocalAddress(h_, id, b, l, p) != 0; }, address, port);
    }
    [[nodiscard]] bool GetRemoteAddress(ConnId id, std::string& address, USHORT& port) const {
        return detail::get_address([this, id](char* b, int* l, USHORT* p) { return HP_Agent_GetRemoteAddress(h_, id, b, l, p) != 0; }, address, port);
    }
    [[nodiscard]] bool GetRemoteHost(ConnId id, std::string& host, USHORT& port) const {
        return detail::get_address([this, id](char* b, int* l, USHORT* p) { return HP_Agent_GetRemoteHost(h_, id, b, l, p) != 0; }, host, port);
    }

    bool SetReuseAddressPolicy(ReuseAddressPolicy v) { HP_Agent_SetReuseAddressPolicy(h_, static_cast<int>(v)); return GetReuseAddressPolicy() == v; }
    bool SetSendPolicy(SendPolicy v) { HP_Agent_SetSendPolicy(h_, static_cast<int>(v)); return GetSendPolicy() == v; }
    bool SetOnSendSyncPolicy(OnSendSyncPolicy v) { HP_Agent_SetOnSendSyncPolicy(h_, static_cast<int>(v)); return GetOnSendSyncPolicy() == v; }
    bool SetFreeSocketObjLockTime(DWORD v) { HP_Agent_SetFreeSocketObjLockTime(h_, v); return GetFreeSocketObjLockTime() == v; }
    bool SetFreeSocketObjPool(DWORD v) { HP_Agent_SetFreeSocketObjPool(h_, v); return GetFreeSocketObjPool() == v; }
    bool SetFreeBufferObjPool(DWORD v) { HP_Agent_SetFreeBufferObjPool(h_, v); return GetFreeBufferObjPool() == v; }
    bool SetFreeSocketObjHold(DWORD v) { HP_Agent_SetFreeSocketObjHold(h_, v); return GetFreeSocketObjHold() == v; }
    bool SetFreeBufferObjHold(DWORD v) { HP_Agent_SetFreeBufferObjHold(h_, v); return GetFreeBufferObjHold() == v; }
    bool SetMaxConnectionCount(DWORD v) { HP_Agent_SetMaxConnectionCount(h_, v); return GetMaxConnectionCount() == v; }
    bool SetWorkerThreadCount(DWORD v) { HP_Agent_SetWorkerThreadCount(h_, v); return GetWorkerThreadCount() == v; }
    bool SetMarkSilence(bool v) { HP_Agent_SetMarkSilence(h_, detail::b(v)); return IsMarkSilence() == v; }
    bool SetSyncConnectTimeout(DWORD v) { HP_TcpAgent_SetSyncConnectTimeout(h_, v); return GetSyncConnectTimeout() == v; }
    bool SetSocketBufferSize(DWORD v) { HP_TcpAgent_SetSocketBufferSize(h_, v); return GetSocketBufferSize() == v; }
    bool SetKeepAliveTime(DWORD v) { HP_TcpAgent_SetKeepAliveTime(h_, v); return GetKeepAliveTime() == v; }
    bool SetKeepAliveInterval(DWORD v) { HP_TcpAgent_SetKeepAliveInterval(h_, v); return GetKeepAliveInterval() == v; }
    bool SetNoDelay(bool v) { HP_TcpAgent_SetNoDelay(h_, detail::b(v)); return IsNoDelay() == v; }
    bool SetConnectTimeout(DWORD v) { HPX_Agent_SetConnectTimeout(h_, v); return GetConnectTimeout() == v; }
    bool SetMaxSendQueueBytes(DWORD v) { HPX_Agent_SetMaxSendQueueBytes(h_, v); return GetMaxSendQueueBytes() == v; }
    bool SetSendQueueLowWatermark(DWORD v) { HPX_Agent_SetSendQueueLowWatermark(h_, v); return GetSendQueueLowWatermark() == v; }
    bool SetSilenceCountsSend(bool v) { HPX_Agent_SetSilenceCountsSend(h_, detail::b(v)); return IsSilenceCountsSend() == v; }
    ReuseAddressPolicy GetReuseAddressPolicy() const { return static_cast<ReuseAddressPolicy>(HP_Agent_GetReuseAddressPolicy(h_)); }
    SendPolicy GetSendPolicy() const { return static_cast<SendPolicy>(HP_Agent_GetSendPolicy(h_)); }
    OnSendSyncPolicy GetOnSendSyncPolicy() const { return static_cast<OnSendSyncPolicy>(HP_Agent_GetOnSendSyncPolicy(h_)); }
    DWORD GetFreeSocketObjLockTime() const { return HP_Agent_GetFreeSocketObjLockTime(h_); }
    DWORD GetFreeSocketObjPool() const { return HP_Agent_GetFreeSocketObjPool(h_); }
    DWORD GetFreeBufferObjPool() const { return HP_Agent_GetFreeBufferObjPool(h_); }
    DWORD GetFreeSocketObjHold() const { return HP_Agent_GetFreeSocketObjHold(h_); }
    DWORD GetFreeBufferObjHold() const { return HP_Agent_GetFreeBufferObjHold(h_); }
    DWORD GetMaxConnectionCount() const { return HP_Agent_GetMaxConnectionCount(h_); }
    DWORD GetWorkerThreadCount() const { return HP_Agent_GetWorkerThreadCount(h_); }
    bool IsMarkSilence() const { return HP_Agent_IsMarkSilence(h_) != 0; }
    DWORD GetSyncConnectTimeout() const { return HP_TcpAgent_GetSyncConnectTimeout(h_); }
    DWORD GetSocketBufferSize() const { return HP_TcpAgent_GetSocketBufferSize(h_); }
    DWORD GetKeepAliveTime() const { return HP_TcpAgent_GetKeepAliveTime(h_); }
    DWORD GetKeepAliveInterval() const { return HP_TcpAgent_GetKeepAliveInterval(h_); }
    bool IsNoDelay() const { return HP_TcpAgent_IsNoDelay(h_) != 0; }
    DWORD GetConnectTimeout() const { return HPX_Agent_GetConnectTimeout(h_); }
    DWORD GetMaxSendQueueBytes() const { return HPX_Agent_GetMaxSendQueueBytes(h_); }
    DWORD GetSendQueueLowWatermark() const { return HPX_Agent_GetSendQueueLowWatermark(h_); }
    bool IsSilenceCountsSend() const { return HPX_Agent_IsSilenceCountsSend(h_) != 0; }

protected:
    HP_Agent h_;
};

class PullAgent : public Agent {
public:
    using Agent::Agent;
    [[nodiscard]] FetchResult Fetch(ConnId id, void* buffer, int length) {
        return static_cast<FetchResult>(HP_TcpPullAgent_Fetch(h_, id, static_cast<BYTE*>(buffer), length));
    }
    [[nodiscard]] FetchResult Peek(ConnId id, void* buffer, int length) {
        return static_cast<FetchResult>(HP_TcpPullAgent_Peek(h_, id, static_cast<BYTE*>(buffer), length));
    }
};

class PackAgent : public Agent {
public:
    using Agent::Agent;
    bool SetMaxPackSize(DWORD v) { HP_TcpPackAgent_SetMaxPackSize(h_, v); return GetMaxPackSize() == v; }
    bool SetPackHeaderFlag(USHORT v) { HP_TcpPackAgent_SetPackHeaderFlag(h_, v); return GetPackHeaderFlag() == v; }
    DWORD GetMaxPackSize() const { return HP_TcpPackAgent_GetMaxPackSize(h_); }
    USHORT GetPackHeaderFlag() const { return HP_TcpPackAgent_GetPackHeaderFlag(h_); }
};

template <class Base>
class SslAgentOf : public Base {
public:
    using Base::Base;
    [[nodiscard]] bool SetupSSLContext(int verifyMode, const char* certFile = nullptr, const char* keyFile = nullptr,
                                       const char* keyPassword = nullptr, const char* caCertFileOrPath = nullptr) {
        return HP_SSLAgent_SetupSSLContext(this->h_, verifyMode, certFile, keyFile, keyPassword, caCertFileOrPath) != 0;
    }
    [[nodiscard]] bool SetupSSLContextByMemory(int verifyMode, const char* certPem = nullptr, const char* keyPem = nullptr,
                                               const char* keyPassword = nullptr, const char* caCertPem = nullptr) {
        return HP_SSLAgent_SetupSSLContextByMemory(this->h_, verifyMode, certPem, keyPem, keyPassword, caCertPem) != 0;
    }
    void CleanupSSLContext() { HP_SSLAgent_CleanupSSLContext(this->h_); }
    [[nodiscard]] bool StartSSLHandShake(ConnId id) { return HP_SSLAgent_StartSSLHandShake(this->h_, id) != 0; }
    bool SetSSLAutoHandShake(bool v) { HP_SSLAgent_SetSSLAutoHandShake(this->h_, detail::b(v)); return IsSSLAutoHandShake() == v; }
    bool IsSSLAutoHandShake() const { return HP_SSLAgent_IsSSLAutoHandShake(this->h_) != 0; }
    void SetSSLCipherList(const char* list) { HP_SSLAgent_SetSSLCipherList(this->h_, list); }
    std::string GetSSLCipherList() const { return detail::str(HP_SSLAgent_GetSSLCipherList(this->h_)); }
    [[nodiscard]] bool GetSSLSessionInfo(ConnId id, En_HP_SSLSessionInfo info, void*& value) const {
        return HP_SSLAgent_GetSSLSessionInfo(this->h_, id, info, &value) != 0;
    }
    std::string GetSSLVersion(ConnId id) const {
        void* v = nullptr;
        return HP_SSLAgent_GetSSLSessionInfo(this->h_, id, SSL_SSI_VERSION, &v) ? detail::str(static_cast<const char*>(v)) : std::string();
    }
    bool SetSSLHandShakeTimeout(DWORD ms) { HPX_Agent_SetSSLHandShakeTimeout(this->h_, ms); return GetSSLHandShakeTimeout() == ms; }
    DWORD GetSSLHandShakeTimeout() const { return HPX_Agent_GetSSLHandShakeTimeout(this->h_); }
};

// Any client: HP_Client_* and HP_TcpClient_*.
class Client {
public:
    explicit Client(HP_Client h = nullptr) noexcept : h_(h) {}
    HP_Client handle() const noexcept { return h_; }

    // Starts and connects to remoteAddress (an IP, a host name or "address^hostname");
    // synchronous (asyncConnect false) blocks until connected and fails if the connect does.
    [[nodiscard]] bool Start(const char* remoteAddress, USHORT port, bool asyncConnect = true,
                             const char* bindAddress = nullptr, USHORT localPort = 0) {
        return HP_Client_StartWithBindAddressAndLocalPort(h_, remoteAddress, port, detail::b(asyncConnect), bindAddress, localPort) != 0;
    }
    // Allowed in the client's own callbacks (the stop finishes after the callback returns).
    [[nodiscard]] bool Stop() { return HP_Client_Stop(h_) != 0; }
    [[nodiscard]] bool Wait(DWORD milliseconds = static_cast<DWORD>(-1)) { return HP_Client_Wait(h_, milliseconds) != 0; }
    bool HasStarted() const { return HP_Client_HasStarted(h_) != 0; }
    ServiceState GetState() const { return static_cast<ServiceState>(HP_Client_GetState(h_)); }
    bool IsSecure() const { return HP_Client_IsSecure(h_) != 0; }
    bool IsConnected() const { return HP_Client_IsConnected(h_) != 0; }
    ConnId GetConnectionID() const { return HP_Client_GetConnectionID(h_); }
    Error last_error() const {
        return Error{static_cast<SocketError>(HP_Client_GetLastError(h_)), detail::str(HP_Client_GetLastErrorDesc(h_))};
    }

    [[nodiscard]] bool Send(const void* data, int length) { return HP_Client_Send(h_, static_cast<const BYTE*>(data), length) != 0; }
    [[nodiscard]] bool Send(std::string_view data) { return Send(data.data(), static_cast<int>(data.size())); }
    [[nodiscard]] bool SendPart(const void* data, int length, int offset) {
        return HP_Client_SendPart(h_, static_cast<const BYTE*>(data), length, offset) != 0;
    }
    [[nodiscard]] bool SendPackets(const WSABUF* buffers, int count) { return HP_Client_SendPackets(h_, buffers, count) != 0; }
    [[nodiscard]] bool SendSmallFile(const char* fileName, WSABUF* head = nullptr, WSABUF* tail = nullptr) {
        return HP_TcpClient_SendSmallFile(h_, fileName, head, tail) != 0;
    }
    [[nodiscard]] bool PauseReceive(bool pause = true) { return HP_Client_PauseReceive(h_, detail::b(pause)) != 0; }
    [[nodiscard]] bool IsPauseReceive(bool& paused) const {
        BOOL v = 0;
        bool ok = HP_Client_IsPauseReceive(h_, &v) != 0;
        paused = ok && v != 0;
        return ok;
    }
    void SetExtra(void* extra) { HP_Client_SetExtra(h_, extra); }
    void* GetExtra() const { return HP_Client_GetExtra(h_); }
    [[nodiscard]] bool GetPendingDataLength(int& pending) const { return HP_Client_GetPendingDataLength(h_, &pending) != 0; }
    [[nodiscard]] bool GetLocalAddress(std::string& address, USHORT& port) const {
        return detail::get_address([this](char* b, int* l, USHORT* p) { return HP_Client_GetLocalAddress(h_, b, l, p) != 0; }, address, port);
    }
    [[nodiscard]] bool GetRemoteHost(std::string& host, USHORT& port) const {
        return detail::get_address([this](char* b, int* l, USHORT* p) { return HP_Client_GetRemoteHost(h_, b, l, p) != 0; }, host, port);
    }

    bool SetReuseAddressPolicy(ReuseAddressPolicy v) { HP_Client_SetReuseAddressPolicy(h_, static_cast<int>(v)); return GetReuseAddressPolicy() == v; }
    bool SetFreeBufferPoolSize(DWORD v) { HP_Client_SetFreeBufferPoolSize(h_, v); return GetFreeBufferPoolSize() == v; }
    bool SetFreeBufferPoolHold(DWORD v) { HP_Client_SetFreeBufferPoolHold(h_, v); return GetFreeBufferPoolHold() == v; }
    bool SetSyncConnectTimeout(DWORD v) { HP_TcpClient_SetSyncConnectTimeout(h_, v); return GetSyncConnectTimeout() == v; }
    bool SetSocketBufferSize(DWORD v) { HP_TcpClient_SetSocketBufferSize(h_, v); return GetSocketBufferSize() == v; }
    bool SetKeepAliveTime(DWORD v) { HP_TcpClient_SetKeepAliveTime(h_, v); return GetKeepAliveTime() == v; }
    bool SetKeepAliveInterval(DWORD v) { HP_TcpClient_SetKeepAliveInterval(h_, v); return GetKeepAliveInterval() == v; }
    bool SetNoDelay(bool v) { HP_TcpClient_SetNoDelay(h_, detail::b(v)); return IsNoDelay() == v; }
    bool SetConnectTimeout(DWORD v) { HPX_Client_SetConnectTimeout(h_, v); return GetConnectTimeout() == v; }
    bool SetMaxSendQueueBytes(DWORD v) { HPX_Client_SetMaxSendQueueBytes(h_, v); return GetMaxSendQueueBytes() == v; }
    bool SetSendQueueLowWatermark(DWORD v) { HPX_Client_SetSendQueueLowWatermark(h_, v); return GetSendQueueLowWatermark() == v; }
    ReuseAddressPolicy GetReuseAddressPolicy() const { return static_cast<ReuseAddressPolicy>(HP_Client_GetReuseAddressPolicy(h_)); }
    DWORD GetFreeBufferPoolSize() const { return HP_Client_GetFreeBufferPoolSize(h_); }
    DWORD GetFreeBufferPoolHold() const { return HP_Client_GetFreeBufferPoolHold(h_); }
    DWORD GetSyncConnectTimeout() const { return HP_TcpClient_GetSyncConnectTimeout(h_); }
    DWORD GetSocketBufferSize() const { return HP_TcpClient_GetSocketBufferSize(h_); }
    DWORD GetKeepAliveTime() const { return HP_TcpClient_GetKeepAliveTime(h_); }
    DWORD GetKeepAliveInterval() const { return HP_TcpClient_GetKeepAliveInterval(h_); }
    bool IsNoDelay() const { return HP_TcpClient_IsNoDelay(h_) != 0; }
    DWORD GetConnectTimeout() const { return HPX_Client_GetConnectTimeout(h_); }
    DWORD GetMaxSendQueueBytes() const { return HPX_Client_GetMaxSendQueueBytes(h_); }
    DWORD GetSendQueueLowWatermark() const { return HPX_Client_GetSendQueueLowWatermark(h_); }

protected:
    HP_Client h_;
};

class PullClient : public Client {
public:
    using Client::Client;
    [[nodiscard]] FetchResult Fetch(void* buffer, int length) {
        return static_cast<FetchResult>(HP_TcpPullClient_Fetch(h_, static_cast<BYTE*>(buffer), length));
    }
    [[nodiscard]] FetchResult Peek(void* buffer, int length) {
        return static_cast<FetchResult>(HP_TcpPullClient_Peek(h_, static_cast<BYTE*>(buffer), length));
    }
};

class PackClient : public Client {
public:
    using Client::Client;
    bool SetMaxPackSize(DWORD v) { HP_TcpPackClient_SetMaxPackSize(h_, v); return GetMaxPackSize() == v; }
    bool SetPackHeaderFlag(USHORT v) { HP_TcpPackClient_SetPackHeaderFlag(h_, v); return GetPackHeaderFlag() == v; }
    DWORD GetMaxPackSize() const { return HP_TcpPackClient_GetMaxPackSize(h_); }
    USHORT GetPackHeaderFlag() const { return HP_TcpPackClient_GetPackHeaderFlag(h_); }
};

template <class Base>
class SslClientOf : public Base {
public:
    using Base::Base;
    [[nodiscard]] bool SetupSSLContext(int verifyMode, const char* certFile = nullptr, const char* keyFile = nullptr,
                                       const char* keyPassword = nullptr, const char* caCertFileOrPath = nullptr) {
        return HP_SSLClient_SetupSSLContext(this->h_, verifyMode, certFile, keyFile, keyPassword, caCertFileOrPath) != 0;
    }
    [[nodiscard]] bool SetupSSLContextByMemory(int verifyMode, const char* certPem = nullptr, const char* keyPem = nullptr,
                                               const char* keyPassword = nullptr, const char* caCertPem = nullptr) {
        return HP_SSLClient_SetupSSLContextByMemory(this->h_, verifyMode, certPem, keyPem, keyPassword, caCertPem) != 0;
    }
    void CleanupSSLContext() { HP_SSLClient_CleanupSSLContext(this->h_); }
    [[nodiscard]] bool StartSSLHandShake() { return HP_SSLClient_StartSSLHandShake(this->h_) != 0; }
    bool SetSSLAutoHandShake(bool v) { HP_SSLClient_SetSSLAutoHandShake(this->h_, detail::b(v)); return IsSSLAutoHandShake() == v; }
    bool IsSSLAutoHandShake() const { return HP_SSLClient_IsSSLAutoHandShake(this->h_) != 0; }
    void SetSSLCipherList(const char* list) { HP_SSLClient_SetSSLCipherList(this->h_, list); }
    std::string GetSSLCipherList() const { return detail::str(HP_SSLClient_GetSSLCipherList(this->h_)); }
    [[nodiscard]] bool GetSSLSessionInfo(En_HP_SSLSessionInfo info, void*& value) const {
        return HP_SSLClient_GetSSLSessionInfo(this->h_, info, &value) != 0;
    }
    std::string GetSSLVersion() const {
        void* v = nullptr;
        return HP_SSLClient_GetSSLSessionInfo(this->h_, SSL_SSI_VERSION, &v) ? detail::str(static_cast<const char*>(v)) : std::string();
    }
    bool SetSSLHandShakeTimeout(DWORD ms) { HPX_Client_SetSSLHandShakeTimeout(this->h_, ms); return GetSSLHandShakeTimeout() == ms; }
    DWORD GetSSLHandShakeTimeout() const { return HPX_Client_GetSSLHandShakeTimeout(this->h_); }
};

// ============================================================================================
// Listeners: override what you need; the defaults return HandleResult::Ignore.
// Callbacks run on the library's threads (docs/abi.md section 8): the callbacks of one
// connection never overlap, those of different connections do.
// ============================================================================================

// Where an exception a callback threw ends up (after which the library gets HR_ERROR). The
// default writes one line to stderr; override to log or record it. Must not throw.
class ListenerBase {
public:
    virtual ~ListenerBase() = default;
    virtual void OnException(const char* callback, std::exception_ptr error) noexcept {
        try {
            if (error) std::rethrow_exception(error);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "hpsocket: %s threw: %s (connection closed)\n", callback, e.what());
        } catch (...) {
            std::fprintf(stderr, "hpsocket: %s threw a non-std exception (connection closed)\n", callback);
        }
    }

protected:
    ListenerBase() = default;
    ListenerBase(const ListenerBase&) = default;
    ListenerBase& operator=(const ListenerBase&) = default;
};

class ServerListener : public ListenerBase {
public:
    virtual HandleResult OnPrepareListen(Server&, UINT_PTR /*soListen*/) { return HandleResult::Ignore; }
    // HandleResult::Error rejects the connection (no OnClose follows).
    virtual HandleResult OnAccept(Server&, ConnId, UINT_PTR /*client*/) { return HandleResult::Ignore; }
    virtual HandleResult OnHandShake(Server&, ConnId) { return HandleResult::Ignore; }
    virtual HandleResult OnSend(Server&, ConnId, const BYTE*, int) { return HandleResult::Ignore; }
    // PUSH: the bytes that arrived; PACK: one whole message. data is valid during the call.
    virtual HandleResult OnReceive(Server&, ConnId, const BYTE* /*data*/, int /*length*/) { return HandleResult::Ignore; }
    // PULL: length bytes are buffered; take them with sender.Fetch/Peek.
    virtual HandleResult OnPullReceive(PullServer&, ConnId, int /*length*/) { return HandleResult::Ignore; }
    virtual HandleResult OnClose(Server&, ConnId, SocketOperation, int /*errorCode*/) { return HandleResult::Ignore; }
    virtual HandleResult OnShutdown(Server&) { return HandleResult::Ignore; }
    virtual HandleResult OnSendDrained(Server&, ConnId, int /*pending*/) { return HandleResult::Ignore; }
    // SSL servers, SNI: the index of the certificate for serverName (0: the default one, < 0:
    // abort the handshake). The default serves the names bound with BindSSLServerName.
    virtual int OnServerName(Server& sender, const char* serverName) {
        return HP_SSL_DefaultServerNameCallback(serverName, sender.handle());
    }
};

class AgentListener : public ListenerBase {
public:
    virtual HandleResult OnPrepareConnect(Agent&, ConnId, UINT_PTR /*socket*/) { return HandleResult::Ignore; }
    virtual HandleResult OnConnect(Agent&, ConnId) { return HandleResult::Ignore; }
    virtual HandleResult OnHandShake(Agent&, ConnId) { return HandleResult::Ignore; }
    virtual HandleResult OnSend(Agent&, ConnId, const BYTE*, int) { return HandleResult::Ignore; }
    virtual HandleResult OnReceive(Agent&, ConnId, const BYTE* /*data*/, int /*length*/) { return HandleResult::Ignore; }
    virtual HandleResult OnPullReceive(PullAgent&, ConnId, int /*length*/) { return HandleResult::Ignore; }
    virtual HandleResult OnClose(Agent&, ConnId, SocketOperation, int /*errorCode*/) { return HandleResult::Ignore; }
    virtual HandleResult OnShutdown(Agent&) { return HandleResult::Ignore; }
    virtual HandleResult OnSendDrained(Agent&, ConnId, int /*pending*/) { return HandleResult::Ignore; }
};

class ClientListener : public ListenerBase {
public:
    virtual HandleResult OnPrepareConnect(Client&, ConnId, UINT_PTR /*socket*/) { return HandleResult::Ignore; }
    virtual HandleResult OnConnect(Client&, ConnId) { return HandleResult::Ignore; }
    virtual HandleResult OnHandShake(Client&, ConnId) { return HandleResult::Ignore; }
    virtual HandleResult OnSend(Client&, ConnId, const BYTE*, int) { return HandleResult::Ignore; }
    virtual HandleResult OnReceive(Client&, ConnId, const BYTE* /*data*/, int /*length*/) { return HandleResult::Ignore; }
    virtual HandleResult OnPullReceive(PullClient&, ConnId, int /*length*/) { return HandleResult::Ignore; }
    virtual HandleResult OnClose(Client&, ConnId, SocketOperation, int /*errorCode*/) { return HandleResult::Ignore; }
    virtual HandleResult OnSendDrained(Client&, ConnId, int /*pending*/) { return HandleResult::Ignore; }
};

// ============================================================================================
// Trampolines: plain functions the library calls; the listener is the component's user data.
// ============================================================================================

namespace detail {

template <class L>
L* listener_of(HP_Object sender) noexcept {
    return static_cast<L*>(HPX_Object_GetUserData(sender));
}

// Runs f (which returns HandleResult) for the listener of sender; every exception is caught
// and reported, and becomes HR_ERROR.
template <class L, class F>
En_HP_HandleResult dispatch(HP_Object sender, const char* name, F&& f) noexcept {
    L* l = listener_of<L>(sender);
    if (l == nullptr) return HR_IGNORE;
    try {
        return static_cast<En_HP_HandleResult>(f(*l));
    } catch (...) {
        l->OnException(name, std::current_exception());
        return HR_ERROR;
    }
}

struct ServerTrampolines {
    static En_HP_HandleResult prepare_listen(HP_Server s, UINT_PTR so) noexcept {
        return dispatch<ServerListener>(s, "OnPrepareListen", [&](ServerListener& l) { Server v(s); return l.OnPrepareListen(v, so); });
    }
    static En_HP_HandleResult accept(HP_Server s, HP_CONNID id, UINT_PTR c) noexcept {
        return dispatch<ServerListener>(s, "OnAccept", [&](ServerListener& l) { Server v(s); return l.OnAccept(v, id, c); });
    }
    static En_HP_HandleResult hand_shake(HP_Server s, HP_CONNID id) noexcept {
        return dispatch<ServerListener>(s, "OnHandShake", [&](ServerListener& l) { Server v(s); return l.OnHandShake(v, id); });
    }
    static En_HP_HandleResult send(HP_Server s, HP_CONNID id, const BYTE* d, int n) noexcept {
        return dispatch<ServerListener>(s, "OnSend", [&](ServerListener& l) { Server v(s); return l.OnSend(v, id, d, n); });
    }
    static En_HP_HandleResult receive(HP_Server s, HP_CONNID id, const BYTE* d, int n) noexcept {
        return dispatch<ServerListener>(s, "OnReceive", [&](ServerListener& l) { Server v(s); return l.OnReceive(v, id, d, n); });
    }
    static En_HP_HandleResult pull_receive(HP_Server s, HP_CONNID id, int n) noexcept {
        return dispatch<ServerListener>(s, "OnPullReceive", [&](ServerListener& l) { PullServer v(s); return l.OnPullReceive(v, id, n); });
    }
    static En_HP_HandleResult close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) noexcept {
        return dispatch<ServerListener>(s, "OnClose", [&](ServerListener& l) {
            Server v(s);
            return l.OnClose(v, id, static_cast<SocketOperation>(op), err);
        });
    }
    static En_HP_HandleResult shutdown(HP_Server s) noexcept {
        return dispatch<ServerListener>(s, "OnShutdown", [&](ServerListener& l) { Server v(s); return l.OnShutdown(v); });
    }
    static En_HP_HandleResult drained(HP_Server s, HP_CONNID id, int pending) noexcept {
        return dispatch<ServerListener>(s, "OnSendDrained", [&](ServerListener& l) { Server v(s); return l.OnSendDrained(v, id, pending); });
    }
    static int server_name(LPCTSTR name, PVOID context) noexcept {
        ServerListener* l = listener_of<ServerListener>(context);
        if (l == nullptr) return 0;
        try {
            Server v(context);
            return l->OnServerName(v, name);
        } catch (...) {
            l->OnException("OnServerName", std::current_exception());
            return -1;  // abort this handshake
        }
    }
    static void hook(HP_ServerListener l) noexcept {
        HP_Set_FN_Server_OnPrepareListen(l, &prepare_listen);
        HP_Set_FN_Server_OnAccept(l, &accept);
        HP_Set_FN_Server_OnHandShake(l, &hand_shake);
        HP_Set_FN_Server_OnSend(l, &send);
        HP_Set_FN_Server_OnReceive(l, &receive);
        HP_Set_FN_Server_OnPullReceive(l, &pull_receive);
        HP_Set_FN_Server_OnClose(l, &close);
        HP_Set_FN_Server_OnShutdown(l, &shutdown);
        HPX_Set_FN_Server_OnSendDrained(l, &drained);
    }
};

struct AgentTrampolines {
    static En_HP_HandleResult prepare_connect(HP_Agent s, HP_CONNID id, UINT_PTR so) noexcept {
        return dispatch<AgentListener>(s, "OnPrepareConnect", [&](AgentListener& l) { Agent v(s); return l.OnPrepareConnect(v, id, so); });
    }
    static En_HP_HandleResult connect(HP_Agent s, HP_CONNID id) noexcept {
        return dispatch<AgentListener>(s, "OnConnect", [&](AgentListener& l) { Agent v(s); return l.OnConnect(v, id); });
    }
    static En_HP_HandleResult hand_shake(HP_Agent s, HP_CONNID id) noexcept {
        return dispatch<AgentListener>(s, "OnHandShake", [&](AgentListener& l) { Agent v(s); return l.OnHandShake(v, id); });
    }
    static En_HP_HandleResult send(HP_Agent s, HP_CONNID id, const BYTE* d, int n) noexcept {
        return dispatch<AgentListener>(s, "OnSend", [&](AgentListener& l) { Agent v(s); return l.OnSend(v, id, d, n); });
    }
    static En_HP_HandleResult receive(HP_Agent s, HP_CONNID id, const BYTE* d, int n) noexcept {
        return dispatch<AgentListener>(s, "OnReceive", [&](AgentListener& l) { Agent v(s); return l.OnReceive(v, id, d, n); });
    }
    static En_HP_HandleResult pull_receive(HP_Agent s, HP_CONNID id, int n) noexcept {
        return dispatch<AgentListener>(s, "OnPullReceive", [&](AgentListener& l) { PullAgent v(s); return l.OnPullReceive(v, id, n); });
    }
    static En_HP_HandleResult close(HP_Agent s, HP_CONNID id, En_HP_SocketOperation op, int err) noexcept {
        return dispatch<AgentListener>(s, "OnClose", [&](AgentListener& l) {
            Agent v(s);
            return l.OnClose(v, id, static_cast<SocketOperation>(op), err);
        });
    }
    static En_HP_HandleResult shutdown(HP_Agent s) noexcept {
        return dispatch<AgentListener>(s, "OnShutdown", [&](AgentListener& l) { Agent v(s); return l.OnShutdown(v); });
    }
    static En_HP_HandleResult drained(HP_Agent s, HP_CONNID id, int pending) noexcept {
        return dispatch<AgentListener>(s, "OnSendDrained", [&](AgentListener& l) { Agent v(s); return l.OnSendDrained(v, id, pending); });
    }
    static void hook(HP_AgentListener l) noexcept {
        HP_Set_FN_Agent_OnPrepareConnect(l, &prepare_connect);
        HP_Set_FN_Agent_OnConnect(l, &connect);
        HP_Set_FN_Agent_OnHandShake(l, &hand_shake);
        HP_Set_FN_Agent_OnSend(l, &send);
        HP_Set_FN_Agent_OnReceive(l, &receive);
        HP_Set_FN_Agent_OnPullReceive(l, &pull_receive);
        HP_Set_FN_Agent_OnClose(l, &close);
        HP_Set_FN_Agent_OnShutdown(l, &shutdown);
        HPX_Set_FN_Agent_OnSendDrained(l, &drained);
    }
};

struct ClientTrampolines {
    static En_HP_HandleResult prepare_connect(HP_Client s, HP_CONNID id, UINT_PTR so) noexcept {
        return dispatch<ClientListener>(s, "OnPrepareConnect", [&](ClientListener& l) { Client v(s); return l.OnPrepareConnect(v, id, so); });
    }
    static En_HP_HandleResult connect(HP_Client s, HP_CONNID id) noexcept {
        return dispatch<ClientListener>(s, "OnConnect", [&](ClientListener& l) { Client v(s); return l.OnConnect(v, id); });
    }
    static En_HP_HandleResult hand_shake(HP_Client s, HP_CONNID id) noexcept {
        return dispatch<ClientListener>(s, "OnHandShake", [&](ClientListener& l) { Client v(s); return l.OnHandShake(v, id); });
    }
    static En_HP_HandleResult send(HP_Client s, HP_CONNID id, const BYTE* d, int n) noexcept {
        return dispatch<ClientListener>(s, "OnSend", [&](ClientListener& l) { Client v(s); return l.OnSend(v, id, d, n); });
    }
    static En_HP_HandleResult receive(HP_Client s, HP_CONNID id, const BYTE* d, int n) noexcept {
        return dispatch<ClientListener>(s, "OnReceive", [&](ClientListener& l) { Client v(s); return l.OnReceive(v, id, d, n); });
    }
    static En_HP_HandleResult pull_receive(HP_Client s, HP_CONNID id, int n) noexcept {
        return dispatch<ClientListener>(s, "OnPullReceive", [&](ClientListener& l) { PullClient v(s); return l.OnPullReceive(v, id, n); });
    }
    static En_HP_HandleResult close(HP_Client s, HP_CONNID id, En_HP_SocketOperation op, int err) noexcept {
        return dispatch<ClientListener>(s, "OnClose", [&](ClientListener& l) {
            Client v(s);
            return l.OnClose(v, id, static_cast<SocketOperation>(op), err);
        });
    }
    static En_HP_HandleResult drained(HP_Client s, HP_CONNID id, int pending) noexcept {
        return dispatch<ClientListener>(s, "OnSendDrained", [&](ClientListener& l) { Client v(s); return l.OnSendDrained(v, id, pending); });
    }
    static void hook(HP_ClientListener l) noexcept {
        HP_Set_FN_Client_OnPrepareConnect(l, &prepare_connect);
        HP_Set_FN_Client_OnConnect(l, &connect);
        HP_Set_FN_Client_OnHandShake(l, &hand_shake);
        HP_Set_FN_Client_OnSend(l, &send);
        HP_Set_FN_Client_OnReceive(l, &receive);
        HP_Set_FN_Client_OnPullReceive(l, &pull_receive);
        HP_Set_FN_Client_OnClose(l, &close);
        HPX_Set_FN_Client_OnSendDrained(l, &drained);
    }
};

}  // namespace detail

template <class Base>
bool SslServerOf<Base>::SetupSSLContext(int verifyMode, const char* certFile, const char* keyFile,
                                        const char* keyPassword, const char* caCertFileOrPath) {
    return HP_SSLServer_SetupSSLContext(this->h_, verifyMode, certFile, keyFile, keyPassword, caCertFileOrPath,
                                        &detail::ServerTrampolines::server_name) != 0;
}

template <class Base>
bool SslServerOf<Base>::SetupSSLContextByMemory(int verifyMode, const char* certPem, const char* keyPem,
                                                const char* keyPassword, const char* caCertPem) {
    return HP_SSLServer_SetupSSLContextByMemory(this->h_, verifyMode, certPem, keyPem, keyPassword, caCertPem,
                                                &detail::ServerTrampolines::server_name) != 0;
}

// ============================================================================================
// Owners: move-only RAII over one component and its native listener.
// ============================================================================================

template <class View, class Listener, class Trampolines, HP_Object (*CreateListener)(), void (*DestroyListener)(HP_Object),
          HP_Object (*Create)(HP_Object), void (*Destroy)(HP_Object)>
class Owner : public View {
public:
    // Creates the component reporting to `listener`, which must outlive it. On failure the
    // owner is invalid (IsValid() false) and thread_last_error() says why.
    explicit Owner(Listener& listener) noexcept : View(nullptr), listener_(&listener) {
        listenerHandle_ = CreateListener();
        if (listenerHandle_ == nullptr) return;
        Trampolines::hook(listenerHandle_);
        HP_Object h = Create(listenerHandle_);
        if (h == nullptr) return;
        if (!HPX_Object_SetUserData(h, static_cast<void*>(listener_), nullptr)) {
            Destroy(h);
            return;
        }
        this->h_ = h;
    }

    Owner(const Owner&) = delete;
    Owner& operator=(const Owner&) = delete;

    Owner(Owner&& o) noexcept : View(o.h_), listener_(o.listener_), listenerHandle_(o.listenerHandle_) {
        o.h_ = nullptr;
        o.listenerHandle_ = nullptr;
    }

    Owner& operator=(Owner&& o) noexcept {
        if (this != &o) {
            reset();
            this->h_ = o.h_;
            listener_ = o.listener_;
            listenerHandle_ = o.listenerHandle_;
            o.h_ = nullptr;
            o.listenerHandle_ = nullptr;
        }
        return *this;
    }

    // Stops (if running) and destroys the component; every callback has returned afterwards.
    // Must not run inside one of the component's own callbacks (the library refuses: the
    // component would then live on).
    ~Owner() { reset(); }

    // Destroys now (as the destructor does); the owner becomes invalid.
    void reset() noexcept {
        if (this->h_ != nullptr) Destroy(this->h_);
        if (listenerHandle_ != nullptr) DestroyListener(listenerHandle_);
        this->h_ = nullptr;
        listenerHandle_ = nullptr;
    }

    bool IsValid() const noexcept { return this->h_ != nullptr; }
    explicit operator bool() const noexcept { return IsValid(); }
    Listener& listener() const noexcept { return *listener_; }

private:
    Listener* listener_;
    HP_Object listenerHandle_ = nullptr;
};

using TcpServer = Owner<Server, ServerListener, detail::ServerTrampolines, &Create_HP_TcpServerListener,
                        &Destroy_HP_TcpServerListener, &Create_HP_TcpServer, &Destroy_HP_TcpServer>;
using TcpPullServer = Owner<PullServer, ServerListener, detail::ServerTrampolines, &Create_HP_TcpPullServerListener,
                            &Destroy_HP_TcpPullServerListener, &Create_HP_TcpPullServer, &Destroy_HP_TcpPullServer>;
using TcpPackServer = Owner<PackServer, ServerListener, detail::ServerTrampolines, &Create_HP_TcpPackServerListener,
                            &Destroy_HP_TcpPackServerListener, &Create_HP_TcpPackServer, &Destroy_HP_TcpPackServer>;
using SslServer = Owner<SslServerOf<Server>, ServerListener, detail::ServerTrampolines, &Create_HP_TcpServerListener,
                        &Destroy_HP_TcpServerListener, &Create_HP_SSLServer, &Destroy_HP_SSLServer>;
using SslPullServer = Owner<SslServerOf<PullServer>, ServerListener, detail::ServerTrampolines, &Create_HP_TcpPullServerListener,
                            &Destroy_HP_TcpPullServerListener, &Create_HP_SSLPullServer, &Destroy_HP_SSLPullServer>;
using SslPackServer = Owner<SslServerOf<PackServer>, ServerListener, detail::ServerTrampolines, &Create_HP_TcpPackServerListener,
                            &Destroy_HP_TcpPackServerListener, &Create_HP_SSLPackServer, &Destroy_HP_SSLPackServer>;

using TcpAgent = Owner<Agent, AgentListener, detail::AgentTrampolines, &Create_HP_TcpAgentListener,
                       &Destroy_HP_TcpAgentListener, &Create_HP_TcpAgent, &Destroy_HP_TcpAgent>;
using TcpPullAgent = Owner<PullAgent, AgentListener, detail::AgentTrampolines, &Create_HP_TcpPullAgentListener,
                           &Destroy_HP_TcpPullAgentListener, &Create_HP_TcpPullAgent, &Destroy_HP_TcpPullAgent>;
using TcpPackAgent = Owner<PackAgent, AgentListener, detail::AgentTrampolines, &Create_HP_TcpPackAgentListener,
                           &Destroy_HP_TcpPackAgentListener, &Create_HP_TcpPackAgent, &Destroy_HP_TcpPackAgent>;
using SslAgent = Owner<SslAgentOf<Agent>, AgentListener, detail::AgentTrampolines, &Create_HP_TcpAgentListener,
                       &Destroy_HP_TcpAgentListener, &Create_HP_SSLAgent, &Destroy_HP_SSLAgent>;
using SslPullAgent = Owner<SslAgentOf<PullAgent>, AgentListener, detail::AgentTrampolines, &Create_HP_TcpPullAgentListener,
                           &Destroy_HP_TcpPullAgentListener, &Create_HP_SSLPullAgent, &Destroy_HP_SSLPullAgent>;
using SslPackAgent = Owner<SslAgentOf<PackAgent>, AgentListener, detail::AgentTrampolines, &Create_HP_TcpPackAgentListener,
                           &Destroy_HP_TcpPackAgentListener, &Create_HP_SSLPackAgent, &Destroy_HP_SSLPackAgent>;

using TcpClient = Owner<Client, ClientListener, detail::ClientTrampolines, &Create_HP_TcpClientListener,
                        &Destroy_HP_TcpClientListener, &Create_HP_TcpClient, &Destroy_HP_TcpClient>;
using TcpPullClient = Owner<PullClient, ClientListener, detail::ClientTrampolines, &Create_HP_TcpPullClientListener,
                            &Destroy_HP_TcpPullClientListener, &Create_HP_TcpPullClient, &Destroy_HP_TcpPullClient>;
using TcpPackClient = Owner<PackClient, ClientListener, detail::ClientTrampolines, &Create_HP_TcpPackClientListener,
                            &Destroy_HP_TcpPackClientListener, &Create_HP_TcpPackClient, &Destroy_HP_TcpPackClient>;
using SslClient = Owner<SslClientOf<Client>, ClientListener, detail::ClientTrampolines, &Create_HP_TcpClientListener,
                        &Destroy_HP_TcpClientListener, &Create_HP_SSLClient, &Destroy_HP_SSLClient>;
using SslPullClient = Owner<SslClientOf<PullClient>, ClientListener, detail::ClientTrampolines, &Create_HP_TcpPullClientListener,
                            &Destroy_HP_TcpPullClientListener, &Create_HP_SSLPullClient, &Destroy_HP_SSLPullClient>;
using SslPackClient = Owner<SslClientOf<PackClient>, ClientListener, detail::ClientTrampolines, &Create_HP_TcpPackClientListener,
                            &Destroy_HP_TcpPackClientListener, &Create_HP_SSLPackClient, &Destroy_HP_SSLPackClient>;

}  // namespace hpsocket

#endif  // HPSOCKET_HPP
