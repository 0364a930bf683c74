// Helpers of the C++ wrapper tests: a countdown latch with timeouts, deterministic streams and
// checksums, a test PKI made with the openssl tool.
#ifndef HPSOCKET_TEST_UTIL_HPP
#define HPSOCKET_TEST_UTIL_HPP

#include <hpsocket.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace hptest {

using namespace std::chrono_literals;

// Counts down to zero; waits are bounded.
class Latch {
public:
    explicit Latch(int count = 1) : count_(count) {}
    void count_down(int n = 1) {
        std::lock_guard<std::mutex> g(mu_);
        count_ -= n;
        if (count_ <= 0) cv_.notify_all();
    }
    [[nodiscard]] bool wait(std::chrono::milliseconds limit = 30s) {
        std::unique_lock<std::mutex> g(mu_);
        return cv_.wait_for(g, limit, [this] { return count_ <= 0; });
    }
    int count() {
        std::lock_guard<std::mutex> g(mu_);
        return count_;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    int count_;
};

inline constexpr std::uint64_t kFnvInit = 14695981039346656037ULL;

inline std::uint64_t fnv(std::uint64_t h, const BYTE* d, int n) {
    for (int i = 0; i < n; i++) {
        h ^= d[i];
        h *= 1099511628211ULL;
    }
    return h;
}

inline BYTE pattern(int seed, std::uint64_t pos) {
    std::uint64_t x = (pos + 1) * 0x9E3779B97F4A7C15ULL ^ static_cast<std::uint64_t>(seed) * 0xC2B2AE3D27D4EB4FULL;
    x ^= x >> 29;
    return static_cast<BYTE>((x * 0xBF58476D1CE4E5B9ULL) >> 56);
}

inline std::vector<BYTE> fill(int seed, std::uint64_t pos, int n) {
    std::vector<BYTE> b(static_cast<std::size_t>(n));
    for (int i = 0; i < n; i++) b[static_cast<std::size_t>(i)] = pattern(seed, pos + static_cast<std::uint64_t>(i));
    return b;
}

// One checked stream: what was sent and what came back.
struct Stream {
    explicit Stream(int s = 0) : seed(s) {}
    int seed;
    std::uint64_t sent = 0, received = 0;
    std::uint64_t sent_sum = kFnvInit, received_sum = kFnvInit;
    int messages = 0;
    std::string error;
    std::mutex mu;

    std::vector<BYTE> next(int n) {
        std::vector<BYTE> b = fill(seed, sent, n);
        sent += static_cast<std::uint64_t>(n);
        sent_sum = fnv(sent_sum, b.data(), n);
        messages++;
        return b;
    }
    void take(const BYTE* d, int n) {
        for (int i = 0; i < n && error.empty(); i++)
            if (d[i] != pattern(seed, received + static_cast<std::uint64_t>(i)))
                error = "stream " + std::to_string(seed) + ": byte " + std::to_string(received + static_cast<std::uint64_t>(i)) + " differs";
        received += static_cast<std::uint64_t>(n);
        received_sum = fnv(received_sum, d, n);
    }
    bool echoed() const { return received == sent; }
};

// Starts a server on 127.0.0.1 and any free port; returns the port (0 on failure).
inline USHORT start(hpsocket::BasicServer& s) {
    if (!s.Start("127.0.0.1", 0)) {
        ADD_FAILURE() << "server Start: " << s.last_error().message;
        return 0;
    }
    std::string address;
    USHORT port = 0;
    EXPECT_TRUE(s.GetListenAddress(address, port));
    EXPECT_EQ(address, "127.0.0.1");
    return port;
}

inline std::string temp_dir(const std::string& name) {
    std::string d = "/tmp/hpsocket-cpp-" + std::to_string(getpid()) + "-" + name;
    std::string cmd = "mkdir -p '" + d + "'";
    if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "mkdir " << d;
    return d;
}

inline std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

struct Pki {
    std::string dir, ca_cert, server_cert, server_key;
};

// A CA and a certificate for "localhost" signed by it (openssl tool), made once per process.
inline const Pki& pki() {
    static Pki k = [] {
        Pki p;
        p.dir = temp_dir("pki");
        p.ca_cert = p.dir + "/ca.pem";
        p.server_cert = p.dir + "/server.pem";
        p.server_key = p.dir + "/server.key";
        std::string d = p.dir;
        std::string cmd =
            "cd '" + d + "' && "
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=hpsocket-test-ca && "
            "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext && "
            "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost && "
            "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext";
        cmd = "(" + cmd + ") >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "openssl failed making the test PKI";
        return p;
    }();
    return k;
}

}  // namespace hptest


namespace hptest {

using hpsocket::HandleResult;
using hpsocket::ConnId;

// Listeners driven by std::function members, so a test can write its callbacks inline. An unset
// member returns Ignore. `exceptions` collects what OnException received.
struct ServerFns : hpsocket::ServerListener {
    std::function<HandleResult(hpsocket::Server&, UINT_PTR)> prepare_listen;
    std::function<HandleResult(hpsocket::Server&, ConnId, UINT_PTR)> accept;
    std::function<HandleResult(hpsocket::Server&, ConnId)> hand_shake;
    std::function<HandleResult(hpsocket::Server&, ConnId, const BYTE*, int)> receive;
    std::function<HandleResult(hpsocket::PullServer&, ConnId, int)> pull_receive;
    std::function<HandleResult(hpsocket::Server&, ConnId, hpsocket::SocketOperation, int)> close;
    std::function<HandleResult(hpsocket::Server&)> shutdown;
    std::function<int(hpsocket::Server&, const char*)> server_name;
    std::function<HandleResult(hpsocket::Server&, ConnId, DWORD, int)> message_dropped;
    std::mutex mu;
    std::vector<std::string> exceptions;

    HandleResult OnPrepareListen(hpsocket::Server& s, UINT_PTR so) override { return prepare_listen ? prepare_listen(s, so) : HandleResult::Ignore; }
    HandleResult OnAccept(hpsocket::Server& s, ConnId id, UINT_PTR c) override { return accept ? accept(s, id, c) : HandleResult::Ignore; }
    HandleResult OnHandShake(hpsocket::Server& s, ConnId id) override { return hand_shake ? hand_shake(s, id) : HandleResult::Ignore; }
    HandleResult OnReceive(hpsocket::Server& s, ConnId id, const BYTE* d, int n) override { return receive ? receive(s, id, d, n) : HandleResult::Ignore; }
    HandleResult OnPullReceive(hpsocket::PullServer& s, ConnId id, int n) override { return pull_receive ? pull_receive(s, id, n) : HandleResult::Ignore; }
    HandleResult OnClose(hpsocket::Server& s, ConnId id, hpsocket::SocketOperation op, int e) override { return close ? close(s, id, op, e) : HandleResult::Ignore; }
    HandleResult OnShutdown(hpsocket::Server& s) override { return shutdown ? shutdown(s) : HandleResult::Ignore; }
    int OnServerName(hpsocket::Server& s, const char* name) override { return server_name ? server_name(s, name) : hpsocket::ServerListener::OnServerName(s, name); }
    HandleResult OnMessageDropped(hpsocket::Server& s, ConnId id, DWORD msg, int n) override { return message_dropped ? message_dropped(s, id, msg, n) : HandleResult::Ignore; }
    void OnException(const char* cb, std::exception_ptr e) noexcept override { record(cb, e); }

    void record(const char* cb, std::exception_ptr e) noexcept {
        std::string what = cb;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            what += std::string(":") + x.what();
        } catch (...) {
            what += ":non-std";
        }
        std::lock_guard<std::mutex> g(mu);
        exceptions.push_back(what);
    }
    bool saw(const std::string& what) {
        std::lock_guard<std::mutex> g(mu);
        for (auto& e : exceptions)
            if (e == what) return true;
        return false;
    }
};

// An echo server listener.
struct EchoFns : ServerFns {
    EchoFns() {
        receive = [](hpsocket::Server& s, ConnId id, const BYTE* d, int n) {
            return s.Send(id, d, n) ? HandleResult::Ok : HandleResult::Error;
        };
    }
};

struct AgentFns : hpsocket::AgentListener {
    std::function<HandleResult(hpsocket::Agent&, ConnId, UINT_PTR)> prepare_connect;
    std::function<HandleResult(hpsocket::Agent&, ConnId)> connect;
    std::function<HandleResult(hpsocket::Agent&, ConnId)> hand_shake;
    std::function<HandleResult(hpsocket::Agent&, ConnId, const BYTE*, int)> receive;
    std::function<HandleResult(hpsocket::PullAgent&, ConnId, int)> pull_receive;
    std::function<HandleResult(hpsocket::Agent&, ConnId, hpsocket::SocketOperation, int)> close;
    std::function<HandleResult(hpsocket::Agent&)> shutdown;
    std::function<HandleResult(hpsocket::Agent&, ConnId, DWORD, int)> message_dropped;
    std::mutex mu;
    std::vector<std::string> exceptions;

    HandleResult OnPrepareConnect(hpsocket::Agent& a, ConnId id, UINT_PTR so) override { return prepare_connect ? prepare_connect(a, id, so) : HandleResult::Ignore; }
    HandleResult OnConnect(hpsocket::Agent& a, ConnId id) override { return connect ? connect(a, id) : HandleResult::Ignore; }
    HandleResult OnHandShake(hpsocket::Agent& a, ConnId id) override { return hand_shake ? hand_shake(a, id) : HandleResult::Ignore; }
    HandleResult OnReceive(hpsocket::Agent& a, ConnId id, const BYTE* d, int n) override { return receive ? receive(a, id, d, n) : HandleResult::Ignore; }
    HandleResult OnPullReceive(hpsocket::PullAgent& a, ConnId id, int n) override { return pull_receive ? pull_receive(a, id, n) : HandleResult::Ignore; }
    HandleResult OnClose(hpsocket::Agent& a, ConnId id, hpsocket::SocketOperation op, int e) override { return close ? close(a, id, op, e) : HandleResult::Ignore; }
    HandleResult OnShutdown(hpsocket::Agent& a) override { return shutdown ? shutdown(a) : HandleResult::Ignore; }
    HandleResult OnMessageDropped(hpsocket::Agent& a, ConnId id, DWORD msg, int n) override { return message_dropped ? message_dropped(a, id, msg, n) : HandleResult::Ignore; }
    void OnException(const char* cb, std::exception_ptr) noexcept override {
        std::lock_guard<std::mutex> g(mu);
        exceptions.emplace_back(cb);
    }
};

struct ClientFns : hpsocket::ClientListener {
    std::function<HandleResult(hpsocket::Client&, ConnId, UINT_PTR)> prepare_connect;
    std::function<HandleResult(hpsocket::Client&, ConnId)> connect;
    std::function<HandleResult(hpsocket::Client&, ConnId)> hand_shake;
    std::function<HandleResult(hpsocket::Client&, ConnId, const BYTE*, int)> receive;
    std::function<HandleResult(hpsocket::PullClient&, ConnId, int)> pull_receive;
    std::function<HandleResult(hpsocket::Client&, ConnId, hpsocket::SocketOperation, int)> close;
    std::function<HandleResult(hpsocket::Client&, ConnId, DWORD, int)> message_dropped;
    std::mutex mu;
    std::vector<std::string> exceptions;

    HandleResult OnPrepareConnect(hpsocket::Client& c, ConnId id, UINT_PTR so) override { return prepare_connect ? prepare_connect(c, id, so) : HandleResult::Ignore; }
    HandleResult OnConnect(hpsocket::Client& c, ConnId id) override { return connect ? connect(c, id) : HandleResult::Ignore; }
    HandleResult OnHandShake(hpsocket::Client& c, ConnId id) override { return hand_shake ? hand_shake(c, id) : HandleResult::Ignore; }
    HandleResult OnReceive(hpsocket::Client& c, ConnId id, const BYTE* d, int n) override { return receive ? receive(c, id, d, n) : HandleResult::Ignore; }
    HandleResult OnPullReceive(hpsocket::PullClient& c, ConnId id, int n) override { return pull_receive ? pull_receive(c, id, n) : HandleResult::Ignore; }
    HandleResult OnClose(hpsocket::Client& c, ConnId id, hpsocket::SocketOperation op, int e) override { return close ? close(c, id, op, e) : HandleResult::Ignore; }
    HandleResult OnMessageDropped(hpsocket::Client& c, ConnId id, DWORD msg, int n) override { return message_dropped ? message_dropped(c, id, msg, n) : HandleResult::Ignore; }
    void OnException(const char* cb, std::exception_ptr) noexcept override {
        std::lock_guard<std::mutex> g(mu);
        exceptions.emplace_back(cb);
    }
};

}  // namespace hptest

#endif  // HPSOCKET_TEST_UTIL_HPP
