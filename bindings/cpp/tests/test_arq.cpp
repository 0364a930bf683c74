// UDP ARQ through hpsocket.hpp: UdpArqServer and UdpArqClient on loopback. After OnHandShake
// on both sides, messages of 1 B to MaxMessageSize echo whole and in order; an oversize or
// empty send fails (EMSGSIZE) and sends nothing; a send before the handshake fails
// (ENOTCONN); GetWaitingSendMessageCount drains to 0; the ARQ settings have HP-Socket's
// defaults, take while stopped, and Start refuses bad ones. Every wait is bounded.
#include "test_util.hpp"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

using namespace hptest;
using hpsocket::ConnId;
using hpsocket::HandleResult;
using hpsocket::SocketError;
using hpsocket::SocketOperation;

namespace {

class Messages {
public:
    void push(const BYTE* d, int n) {
        std::lock_guard<std::mutex> g(mu_);
        items_.emplace_back(reinterpret_cast<const char*>(d), static_cast<std::size_t>(n));
        cv_.notify_all();
    }
    [[nodiscard]] bool pop(std::string& out, std::chrono::milliseconds limit = 20s) {
        std::unique_lock<std::mutex> g(mu_);
        if (!cv_.wait_for(g, limit, [this] { return !items_.empty(); })) return false;
        out = std::move(items_.front());
        items_.pop_front();
        return true;
    }
    std::size_t size() {
        std::lock_guard<std::mutex> g(mu_);
        return items_.size();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> items_;
};

// An ARQ echo server: echoes each message once its connection's handshake completed.
struct ArqEcho : ServerFns {
    Latch handshaken{1};
    Latch closed{1};
    Messages received;
    std::atomic<ConnId> conn{0};
    std::atomic<bool> early{false};

    ArqEcho() {
        hand_shake = [this](hpsocket::Server&, ConnId id) {
            conn = id;
            handshaken.count_down();
            return HandleResult::Ok;
        };
        receive = [this](hpsocket::Server& s, ConnId id, const BYTE* d, int n) {
            if (handshaken.count() > 0) early = true;
            received.push(d, n);
            return s.Send(id, d, n) ? HandleResult::Ok : HandleResult::Error;
        };
        close = [this](hpsocket::Server&, ConnId, SocketOperation, int) {
            closed.count_down();
            return HandleResult::Ok;
        };
    }
};

struct ArqCollect : ClientFns {
    Messages received;
    Latch ready{1};
    Latch closed{1};
    std::atomic<int> close_op{-1}, close_error{-1};
    ArqCollect() {
        hand_shake = [this](hpsocket::Client&, ConnId) {
            ready.count_down();
            return HandleResult::Ok;
        };
        receive = [this](hpsocket::Client&, ConnId, const BYTE* d, int n) {
            received.push(d, n);
            return HandleResult::Ok;
        };
        close = [this](hpsocket::Client&, ConnId, SocketOperation op, int e) {
            close_op = static_cast<int>(op);
            close_error = e;
            closed.count_down();
            return HandleResult::Ok;
        };
    }
};

// Quick ticks for tests (HP-Socket's defaults are FlushInterval 60, MinRto 30).
template <class View>
bool fast(View& v) {
    return v.SetNoDelay(true) && v.SetFlushInterval(10) && v.SetResendByAcks(2) && v.SetTurnoffCongestCtrl(true);
}

// A started ARQ echo server and a client whose handshake completed on both sides.
struct ArqPair {
    ArqEcho sl;
    ArqCollect cl;
    hpsocket::UdpArqServer server{sl};
    hpsocket::UdpArqClient client{cl};
    USHORT port = 0;

    bool start() {
        if (!server.IsValid() || !client.IsValid() || !server.SetWorkerThreadCount(2)) return false;
        if (!fast(server) || !fast(client)) return false;
        port = hptest::start(server);
        if (port == 0) return false;
        if (!client.Start("127.0.0.1", port, true)) {
            ADD_FAILURE() << "client Start: " << client.last_error().message;
            return false;
        }
        return cl.ready.wait() && sl.handshaken.wait();
    }
};

std::string message(int i, int size) {
    std::vector<BYTE> b = fill(i, 0, size);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

template <class F>
bool eventually(F&& f, std::chrono::milliseconds limit = 20s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (f()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return f();
}

}  // namespace

TEST(Arq, MessagesUpToMaxMessageSizeEchoWholeAndInOrder) {
    ArqPair p;
    ASSERT_TRUE(p.start());
    std::vector<int> sizes = {1, 2, 23, 24, 25, 1000, 1407, 1408, 1409, 1432, 1433, 2816, 2817, 4095, 4096};
    for (int i = 0; i < 60; ++i) sizes.push_back(1 + (i * 131) % 4096);
    std::vector<std::string> sent;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        sent.push_back(message(static_cast<int>(i), sizes[i]));
        ASSERT_TRUE(p.client.Send(sent.back())) << i << ": " << p.client.last_error().message;
    }
    for (std::size_t i = 0; i < sent.size(); ++i) {
        std::string got;
        ASSERT_TRUE(p.cl.received.pop(got)) << "no echo of message " << i;
        ASSERT_EQ(got.size(), sent[i].size()) << i;
        EXPECT_EQ(got, sent[i]) << i;
        ASSERT_TRUE(p.sl.received.pop(got));
        EXPECT_EQ(got, sent[i]) << i;
    }
    EXPECT_FALSE(p.sl.early.load());
    EXPECT_EQ(p.cl.received.size(), 0u);
    int waiting = -1;
    EXPECT_TRUE(eventually([&] { return p.client.GetWaitingSendMessageCount(waiting) && waiting == 0; }));
    ConnId id = p.sl.conn.load();
    EXPECT_TRUE(eventually([&] { return p.server.GetWaitingSendMessageCount(id, waiting) && waiting == 0; }));
    // SendPackets is one message.
    BYTE ab[] = {'a', 'b'}, cde[] = {'c', 'd', 'e'};
    WSABUF parts[2] = {{2, ab}, {3, cde}};
    ASSERT_TRUE(p.client.SendPackets(parts, 2));
    std::string got;
    ASSERT_TRUE(p.cl.received.pop(got));
    EXPECT_EQ(got, "abcde");
    EXPECT_TRUE(p.sl.exceptions.empty());
    EXPECT_TRUE(p.cl.exceptions.empty());
}

TEST(Arq, OversizeAndEmptyMessagesAreRefused) {
    ArqPair p;
    ASSERT_TRUE(p.start());
    ConnId id = p.sl.conn.load();
    std::string big(4097, 'x');
    EXPECT_FALSE(p.client.Send(big));
    EXPECT_EQ(hpsocket::last_errno(), EMSGSIZE);
    EXPECT_EQ(p.client.last_error().code, SocketError::InvalidParam);
    EXPECT_FALSE(p.client.Send("", 0));
    EXPECT_EQ(hpsocket::last_errno(), EMSGSIZE);
    EXPECT_FALSE(p.server.Send(id, big));
    EXPECT_EQ(hpsocket::last_errno(), EMSGSIZE);
    EXPECT_EQ(p.server.last_error().code, SocketError::InvalidParam);
    int waiting = -1;
    ASSERT_TRUE(p.client.GetWaitingSendMessageCount(waiting));
    EXPECT_EQ(waiting, 0);
    // Nothing went out: the next message is the next one sent.
    ASSERT_TRUE(p.client.Send("after"));
    std::string got;
    ASSERT_TRUE(p.cl.received.pop(got));
    EXPECT_EQ(got, "after");
    ASSERT_TRUE(p.sl.received.pop(got));
    EXPECT_EQ(got, "after");
    EXPECT_EQ(p.sl.received.size(), 0u);
}

TEST(Arq, MaxMessageSizeBoundsMessages) {
    ArqEcho sl;
    hpsocket::UdpArqServer server(sl);
    ASSERT_TRUE(fast(server));
    USHORT port = start(server);
    ASSERT_NE(port, 0);
    ArqCollect cl;
    hpsocket::UdpArqClient client(cl);
    ASSERT_TRUE(fast(client));
    ASSERT_TRUE(client.SetMaxMessageSize(100));
    ASSERT_TRUE(client.Start("127.0.0.1", port, true)) << client.last_error().message;
    ASSERT_TRUE(cl.ready.wait());
    ASSERT_TRUE(client.Send(std::string(100, 'm')));
    std::string got;
    ASSERT_TRUE(cl.received.pop(got));
    EXPECT_EQ(got, std::string(100, 'm'));
    EXPECT_FALSE(client.Send(std::string(101, 'm')));
    EXPECT_EQ(hpsocket::last_errno(), EMSGSIZE);
}

TEST(Arq, SendBeforeTheHandshakeFailsAndTheHandshakeTimesOut) {
    // A UDP socket that never answers.
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    {
        ArqCollect cl;
        hpsocket::UdpArqClient client(cl);
        ASSERT_TRUE(client.SetHandShakeTimeout(300));
        // Synchronous: connected, handshake pending (right after an asynchronous Start the
        // connection is still connecting: InvalidParam, ENOTCONN).
        ASSERT_TRUE(client.Start("127.0.0.1", ntohs(a.sin_port), false)) << client.last_error().message;
        EXPECT_FALSE(client.Send("too early"));
        EXPECT_EQ(hpsocket::last_errno(), ENOTCONN);
        EXPECT_EQ(client.last_error().code, SocketError::IllegalState);
        ASSERT_TRUE(cl.closed.wait());
        EXPECT_EQ(cl.close_op.load(), static_cast<int>(SocketOperation::Close));
        EXPECT_EQ(cl.close_error.load(), ETIMEDOUT);
        EXPECT_EQ(cl.ready.count(), 1);
    }
    ::close(fd);
}

TEST(Arq, SettingsDefaultsAndRanges) {
    ServerFns sl;
    ClientFns cl;
    hpsocket::UdpArqServer server(sl);
    hpsocket::UdpArqClient client(cl);
    ASSERT_TRUE(server.IsValid());
    ASSERT_TRUE(client.IsValid());
    auto defaults = [](auto& v) {
        EXPECT_FALSE(v.IsNoDelay());
        EXPECT_FALSE(v.IsTurnoffCongestCtrl());
        EXPECT_EQ(v.GetFlushInterval(), 60u);
        EXPECT_EQ(v.GetResendByAcks(), 0u);
        EXPECT_EQ(v.GetSendWndSize(), 128u);
        EXPECT_EQ(v.GetRecvWndSize(), 512u);
        EXPECT_EQ(v.GetMinRto(), 30u);
        EXPECT_EQ(v.GetFastLimit(), 5u);
        EXPECT_EQ(v.GetMaxTransUnit(), 0u);
        EXPECT_EQ(v.GetMaxMessageSize(), 4096u);
        EXPECT_EQ(v.GetHandShakeTimeout(), 5000u);
        EXPECT_EQ(v.GetMaxDatagramSize(), 1432u);
        EXPECT_EQ(v.GetDetectInterval(), 60000u);
    };
    defaults(server);
    defaults(client);
    EXPECT_EQ(server.GetPostReceiveCount(), 64u);
    EXPECT_FALSE(server.IsSecure());
    auto set_all = [](auto& v) {
        EXPECT_TRUE(v.SetNoDelay(true));
        EXPECT_TRUE(v.SetTurnoffCongestCtrl(true));
        EXPECT_TRUE(v.SetFlushInterval(20));
        EXPECT_TRUE(v.SetResendByAcks(2));
        EXPECT_TRUE(v.SetSendWndSize(64));
        EXPECT_TRUE(v.SetRecvWndSize(256));
        EXPECT_TRUE(v.SetMinRto(10));
        EXPECT_TRUE(v.SetFastLimit(0));
        EXPECT_TRUE(v.SetMaxTransUnit(1200));
        EXPECT_TRUE(v.SetMaxMessageSize(1000));
        EXPECT_TRUE(v.SetHandShakeTimeout(1000));
    };
    set_all(server);
    set_all(client);
    EXPECT_TRUE(server.IsNoDelay());
    EXPECT_EQ(client.GetMaxTransUnit(), 1200u);
    EXPECT_EQ(client.GetHandShakeTimeout(), 1000u);
    // The ARQ settings refuse a plain UDP server (its getters return 0).
    hpsocket::UdpServer udp(sl);
    EXPECT_EQ(hpsocket::UdpArqServerView(udp.handle()).GetMaxMessageSize(), 0u);
}

TEST(Arq, StartRefusesBadSettings) {
    struct Case {
        const char* what;
        void (*apply)(hpsocket::UdpArqServerView&);
    };
    const Case cases[] = {
        {"HandShakeTimeout == 2 * MinRto", [](hpsocket::UdpArqServerView& v) { (void)v.SetHandShakeTimeout(60); }},
        {"FlushInterval 0", [](hpsocket::UdpArqServerView& v) { (void)v.SetFlushInterval(0); }},
        {"SendWndSize 0", [](hpsocket::UdpArqServerView& v) { (void)v.SetSendWndSize(0); }},
        {"RecvWndSize 0", [](hpsocket::UdpArqServerView& v) { (void)v.SetRecvWndSize(0); }},
        {"MinRto 0", [](hpsocket::UdpArqServerView& v) { (void)v.SetMinRto(0); }},
        {"MaxTransUnit 71", [](hpsocket::UdpArqServerView& v) { (void)v.SetMaxTransUnit(71); }},
        {"MaxMessageSize 0", [](hpsocket::UdpArqServerView& v) { (void)v.SetMaxMessageSize(0); }},
        {"MaxMessageSize 127 * (MTU - 24)", [](hpsocket::UdpArqServerView& v) {
             (void)v.SetMaxTransUnit(100);
             (void)v.SetMaxMessageSize(127 * 76);
         }},
    };
    ServerFns sl;
    for (const Case& c : cases) {
        hpsocket::UdpArqServer server(sl);
        c.apply(server);
        EXPECT_FALSE(server.Start("127.0.0.1", 0)) << c.what;
        EXPECT_EQ(server.last_error().code, SocketError::InvalidParam) << c.what;
        EXPECT_EQ(server.GetState(), hpsocket::ServiceState::Stopped) << c.what;
    }
    ClientFns cl;
    hpsocket::UdpArqClient client(cl);
    ASSERT_TRUE(client.SetHandShakeTimeout(60));
    EXPECT_FALSE(client.Start("127.0.0.1", 9, true));
    EXPECT_EQ(client.last_error().code, SocketError::InvalidParam);
    // Just above 2 * MinRto starts; settings are then frozen until Stop.
    hpsocket::UdpArqServer ok(sl);
    ASSERT_TRUE(ok.SetHandShakeTimeout(61));
    ASSERT_NE(start(ok), 0);
    EXPECT_FALSE(ok.SetMaxMessageSize(10));
    EXPECT_EQ(ok.GetMaxMessageSize(), 4096u);
    ASSERT_TRUE(ok.Stop());
    EXPECT_TRUE(ok.SetMaxMessageSize(10));
}

TEST(Arq, ClientStopClosesTheServerConnection) {
    ArqPair p;
    ASSERT_TRUE(p.start());
    ASSERT_EQ(p.server.GetConnectionCount(), 1u);
    ASSERT_TRUE(p.client.Stop());
    ASSERT_TRUE(p.sl.closed.wait());
    EXPECT_TRUE(eventually([&] { return p.server.GetConnectionCount() == 0; }));
    int waiting = -1;
    EXPECT_FALSE(p.server.GetWaitingSendMessageCount(p.sl.conn.load(), waiting));
}

namespace {

// HP-Socket's 12-byte ARQ handshake, little-endian.
std::string handshake(std::uint32_t self_id, std::uint32_t peer_id, std::uint8_t flag) {
    unsigned char b[12] = {0x4F, 0xBB, 1, flag};
    for (int i = 0; i < 4; ++i) {
        b[4 + i] = static_cast<unsigned char>(self_id >> (8 * i));
        b[8 + i] = static_cast<unsigned char>(peer_id >> (8 * i));
    }
    return std::string(reinterpret_cast<const char*>(b), sizeof b);
}

}  // namespace

// A peer that completes the handshake and never acknowledges: what the server sent stays in
// flight, counted in KCP segments (ikcp_waitsnd, as HP-Socket counts).
TEST(Arq, WaitingSendMessageCountCountsUnacknowledgedSegments) {
    ArqEcho sl;
    hpsocket::UdpArqServer server(sl);
    USHORT port = start(server);
    ASSERT_NE(port, 0);
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    timeval tv{10, 0};
    ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    std::string hs = handshake(0x4321, 0, 0);
    ASSERT_EQ(::send(fd, hs.data(), hs.size(), 0), 12);
    std::uint32_t server_id = 0;
    unsigned char buf[65536];
    while (server_id == 0) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        ASSERT_GT(n, 0) << "no handshake from the server";
        if (n == 12) server_id = buf[4] | buf[5] << 8 | buf[6] << 16 | static_cast<std::uint32_t>(buf[7]) << 24;
    }
    hs = handshake(0x4321, server_id, 1);
    ASSERT_EQ(::send(fd, hs.data(), hs.size(), 0), 12);
    ASSERT_TRUE(sl.handshaken.wait());
    ConnId id = sl.conn.load();
    int waiting = -1;
    ASSERT_TRUE(server.GetWaitingSendMessageCount(id, waiting));
    EXPECT_EQ(waiting, 0);
    ASSERT_TRUE(server.Send(id, std::string(100, 's')));   // one segment
    ASSERT_TRUE(server.Send(id, std::string(4000, 'm')));  // three of at most 1432 - 24 bytes
    ASSERT_TRUE(server.GetWaitingSendMessageCount(id, waiting));
    EXPECT_EQ(waiting, 4);
    ::close(fd);
}
