// ARQ partial reliability and UDP socket buffers through hpsocket.hpp, on 127.0.0.1:
// - negotiation: with SetPartialReliability on both sides SendEx with a limit sends (ids 1, 2,
//   ... per connection, 0 without a limit) from the client, the server and the agent; with one
//   side off a limit fails (SocketError::IllegalState, errno EOPNOTSUPP) and no limit sends;
// - a message given up during a blackout: a relay thread between client and server swallows
//   the client's KCP datagrams while a 200 ms deadline passes; OnMessageDropped reports that
//   message once (its id and size) and the server receives every other message whole and in
//   order;
// - socket buffers: 0 by default, 1023 refused by Start (SE_INVALID_PARAM), a value taken
//   while stopped and ignored while started, and applied (getsockopt in OnPrepareListen /
//   OnPrepareConnect reads twice the value: the kernel doubles it).
#include "test_util.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace hptest;
using hpsocket::ConnId;
using hpsocket::HandleResult;
using hpsocket::SocketError;

namespace {

// Fast ticks, and heartbeats off so a blackout cannot close the connection.
template <class View>
bool fast(View& v) {
    return v.SetNoDelay(true) && v.SetFlushInterval(10) && v.SetResendByAcks(2);
}

std::string message(int i, int size) {
    std::vector<BYTE> b = fill(i, 0, size);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Every message the server received, in order.
struct Received : ServerFns {
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> items;
    std::vector<ConnId> ids;  // in the order of their handshakes
    Received() {
        hand_shake = [this](hpsocket::Server&, ConnId id) {
            std::lock_guard<std::mutex> g(m);
            ids.push_back(id);
            cv.notify_all();
            return HandleResult::Ok;
        };
        receive = [this](hpsocket::Server&, ConnId, const BYTE* d, int n) {
            std::lock_guard<std::mutex> g(m);
            items.emplace_back(reinterpret_cast<const char*>(d), static_cast<std::size_t>(n));
            cv.notify_all();
            return HandleResult::Ok;
        };
    }
    bool wait_count(std::size_t n) {
        std::unique_lock<std::mutex> g(m);
        return cv.wait_for(g, 30s, [&] { return items.size() >= n; });
    }
    std::vector<std::string> snapshot() {
        std::lock_guard<std::mutex> g(m);
        return items;
    }
    // The id of the n-th connection (1-based) once its handshake completed; 0 after 30 s.
    ConnId handshaken(std::size_t n) {
        std::unique_lock<std::mutex> g(m);
        return cv.wait_for(g, 30s, [&] { return ids.size() >= n; }) ? ids[n - 1] : 0;
    }
};

struct Dropped {
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::pair<DWORD, int>> items;
    void push(DWORD id, int n) {
        std::lock_guard<std::mutex> g(m);
        items.emplace_back(id, n);
        cv.notify_all();
    }
    bool wait_count(std::size_t n) {
        std::unique_lock<std::mutex> g(m);
        return cv.wait_for(g, 30s, [&] { return items.size() >= n; });
    }
    std::vector<std::pair<DWORD, int>> snapshot() {
        std::lock_guard<std::mutex> g(m);
        return items;
    }
};

struct DropClient : ClientFns {
    Latch ready{1};
    Dropped dropped;
    Received got;
    DropClient() {
        hand_shake = [this](hpsocket::Client&, ConnId) {
            ready.count_down();
            return HandleResult::Ok;
        };
        message_dropped = [this](hpsocket::Client&, ConnId, DWORD id, int n) {
            dropped.push(id, n);
            return HandleResult::Ok;
        };
        receive = [this](hpsocket::Client&, ConnId, const BYTE* d, int n) {
            std::lock_guard<std::mutex> g(got.m);
            got.items.emplace_back(reinterpret_cast<const char*>(d), static_cast<std::size_t>(n));
            got.cv.notify_all();
            return HandleResult::Ok;
        };
    }
};

// A UDP relay on 127.0.0.1 between one client and the server; while `blackout` is set it
// swallows the client's KCP datagrams (24 bytes and more: the 12-byte handshake and the empty
// heartbeats pass).
class Relay {
public:
    explicit Relay(USHORT serverPort) {
        fd_ = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        server_ = a;
        server_.sin_port = htons(serverPort);
        socklen_t len = sizeof a;
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            ADD_FAILURE() << "relay socket: " << std::strerror(errno);
            return;
        }
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~Relay() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }
    USHORT port() const { return port_; }
    std::atomic<bool> blackout{false};
    std::atomic<int> swallowed{0};

private:
    void run() {
        std::vector<unsigned char> buf(65536);
        sockaddr_in client{};
        bool haveClient = false;
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 20) <= 0) continue;
            sockaddr_in from{};
            socklen_t flen = sizeof from;
            ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &flen);
            if (n < 0) continue;
            bool fromServer = from.sin_port == server_.sin_port;
            if (!fromServer) {
                client = from;
                haveClient = true;
                if (n >= 24 && blackout) {
                    swallowed++;
                    continue;
                }
            } else if (!haveClient) {
                continue;
            }
            const sockaddr_in& to = fromServer ? client : server_;
            (void)sendto(fd_, buf.data(), static_cast<std::size_t>(n), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
        }
    }
    int fd_ = -1;
    sockaddr_in server_{};
    USHORT port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

int sockopt(UINT_PTR so, int opt) {
    int v = -1;
    socklen_t len = sizeof v;
    if (getsockopt(static_cast<int>(so), SOL_SOCKET, opt, &v, &len) != 0) return -1;
    return v;
}

}  // namespace

TEST(ArqPartial, NegotiationClientServerAgent) {
    Received sl;
    DropClient on, off;
    hpsocket::UdpArqServer server(sl);
    hpsocket::UdpArqClient client(on);
    hpsocket::UdpArqClient plain(off);
    ASSERT_TRUE(server.IsValid() && client.IsValid() && plain.IsValid());
    EXPECT_FALSE(server.IsPartialReliability());
    EXPECT_FALSE(client.IsPartialReliability());
    ASSERT_TRUE(server.SetPartialReliability(true));
    ASSERT_TRUE(client.SetPartialReliability(true));
    EXPECT_TRUE(server.IsPartialReliability());
    ASSERT_TRUE(fast(server) && fast(client) && fast(plain));
    USHORT port = start(server);
    ASSERT_NE(port, 0);
    EXPECT_FALSE(server.SetPartialReliability(false));  // ignored while started
    EXPECT_TRUE(server.IsPartialReliability());

    ASSERT_TRUE(client.Start("127.0.0.1", port, true)) << client.last_error().message;
    ASSERT_TRUE(on.ready.wait());
    std::string m1 = message(1, 100), m2 = message(2, 200), m3 = message(3, 300);
    DWORD id = 99;
    ASSERT_TRUE(client.SendEx(m1.data(), static_cast<int>(m1.size()), 60000, -1, &id)) << client.last_error().message;
    EXPECT_EQ(id, 1u);
    ASSERT_TRUE(client.SendEx(m2.data(), static_cast<int>(m2.size()), 0, 50, &id));
    EXPECT_EQ(id, 2u);
    ASSERT_TRUE(client.SendEx(m3.data(), static_cast<int>(m3.size()), 0, -1, &id));
    EXPECT_EQ(id, 0u);  // no limit: a plain Send
    ASSERT_TRUE(sl.wait_count(3));
    EXPECT_EQ(sl.snapshot(), (std::vector<std::string>{m1, m2, m3}));

    // The server's side of the same connection.
    ConnId toClient = sl.handshaken(1);
    ASSERT_NE(toClient, 0u);
    ASSERT_TRUE(server.SendEx(toClient, m1.data(), static_cast<int>(m1.size()), 60000, 100, &id)) << server.last_error().message;
    EXPECT_EQ(id, 1u);
    ASSERT_TRUE(on.got.wait_count(1));

    // A client that does not offer it: a limit is refused either way, no limit sends.
    ASSERT_TRUE(plain.Start("127.0.0.1", port, true));
    ASSERT_TRUE(off.ready.wait());
    EXPECT_FALSE(plain.SendEx(m1.data(), static_cast<int>(m1.size()), 100, -1, &id));
    EXPECT_EQ(plain.last_error().code, SocketError::IllegalState);
    EXPECT_EQ(hpsocket::last_errno(), EOPNOTSUPP);
    EXPECT_FALSE(plain.SendEx(m1.data(), static_cast<int>(m1.size()), 0, 3, &id));
    EXPECT_EQ(plain.last_error().code, SocketError::IllegalState);
    ConnId toPlain = sl.handshaken(2);
    ASSERT_NE(toPlain, 0u);
    EXPECT_NE(toPlain, toClient);
    EXPECT_FALSE(server.SendEx(toPlain, m1.data(), static_cast<int>(m1.size()), 100, -1, &id));
    EXPECT_EQ(server.last_error().code, SocketError::IllegalState);
    EXPECT_EQ(hpsocket::last_errno(), EOPNOTSUPP);
    ASSERT_TRUE(plain.SendEx(m2.data(), static_cast<int>(m2.size()), 0, -1, &id));
    EXPECT_EQ(id, 0u);
    ASSERT_TRUE(sl.wait_count(4));
    EXPECT_EQ(sl.snapshot().back(), m2);

    // The agent: offered on it too, SendEx with a limit on its connection.
    AgentFns al;
    Latch agentReady{1};
    al.hand_shake = [&](hpsocket::Agent&, ConnId) {
        agentReady.count_down();
        return HandleResult::Ok;
    };
    hpsocket::UdpArqAgent agent(al);
    ASSERT_TRUE(agent.IsValid());
    EXPECT_FALSE(agent.IsPartialReliability());
    ASSERT_TRUE(agent.SetPartialReliability(true));
    ASSERT_TRUE(fast(agent));
    ASSERT_TRUE(agent.Start(nullptr, false)) << agent.last_error().message;
    ConnId aid = 0;
    ASSERT_TRUE(agent.Connect("127.0.0.1", port, &aid)) << agent.last_error().message;
    ASSERT_TRUE(agentReady.wait());
    ASSERT_TRUE(agent.SendEx(aid, m3.data(), static_cast<int>(m3.size()), 60000, -1, &id)) << agent.last_error().message;
    EXPECT_EQ(id, 1u);
    ASSERT_TRUE(sl.wait_count(5));
    EXPECT_EQ(sl.snapshot().back(), m3);

    EXPECT_TRUE(agent.Stop());
    EXPECT_TRUE(plain.Stop());
    EXPECT_TRUE(client.Stop());
    EXPECT_TRUE(server.Stop());
}

TEST(ArqPartial, MessageDroppedDuringBlackout) {
    constexpr int kMessages = 30, kBig = 3000;
    Received sl;
    DropClient cl;
    hpsocket::UdpArqServer server(sl);
    hpsocket::UdpArqClient client(cl);
    ASSERT_TRUE(server.SetPartialReliability(true) && client.SetPartialReliability(true));
    ASSERT_TRUE(fast(server) && fast(client));
    ASSERT_TRUE(server.SetDetectAttempts(0) && client.SetDetectAttempts(0));
    USHORT port = start(server);
    ASSERT_NE(port, 0);
    Relay relay(port);
    ASSERT_NE(relay.port(), 0);
    ASSERT_TRUE(client.Start("127.0.0.1", relay.port(), true)) << client.last_error().message;
    ASSERT_TRUE(cl.ready.wait());
    ASSERT_NE(sl.handshaken(1), 0u);

    std::vector<std::string> msgs;
    for (int i = 0; i < kMessages; i++) msgs.push_back(message(i, i == 1 ? kBig : 1 + (i * 397) % kBig));

    // Nothing of the client's reaches the server while the deadline of message 1 passes.
    relay.blackout = true;
    DWORD id = 99;
    ASSERT_TRUE(client.SendEx(msgs[0].data(), static_cast<int>(msgs[0].size()), 0, -1, &id));
    EXPECT_EQ(id, 0u);
    ASSERT_TRUE(client.SendEx(msgs[1].data(), kBig, 200, -1, &id)) << client.last_error().message;
    EXPECT_EQ(id, 1u);
    ASSERT_TRUE(client.SendEx(msgs[2].data(), static_cast<int>(msgs[2].size()), 0, -1, nullptr));
    ASSERT_TRUE(cl.dropped.wait_count(1));
    EXPECT_GT(relay.swallowed.load(), 0);
    relay.blackout = false;

    for (int i = 3; i < kMessages; i++) {
        if (i % 2)
            ASSERT_TRUE(client.SendEx(msgs[i].data(), static_cast<int>(msgs[i].size()), 60000, -1, nullptr));
        else
            ASSERT_TRUE(client.Send(msgs[i].data(), static_cast<int>(msgs[i].size())));
    }
    ASSERT_TRUE(sl.wait_count(kMessages - 1));
    int waiting = -1;
    auto end = std::chrono::steady_clock::now() + 30s;
    while ((!client.GetWaitingSendMessageCount(waiting) || waiting != 0) && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(waiting, 0);

    std::vector<std::string> expect = msgs;
    expect.erase(expect.begin() + 1);
    EXPECT_EQ(sl.snapshot(), expect);
    auto dropped = cl.dropped.snapshot();
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].first, 1u);
    EXPECT_EQ(dropped[0].second, kBig);
    EXPECT_TRUE(client.Stop());
    EXPECT_TRUE(server.Stop());
}

TEST(UdpSocketBuffers, ServerClientAgent) {
    std::atomic<int> listenRcv{-1}, listenSnd{-1}, connectRcv{-1}, connectSnd{-1}, agentRcv{-1}, agentSnd{-1};
    Received sl;
    sl.prepare_listen = [&](hpsocket::Server&, UINT_PTR so) {
        listenRcv = sockopt(so, SO_RCVBUF);
        listenSnd = sockopt(so, SO_SNDBUF);
        return HandleResult::Ok;
    };
    hpsocket::UdpArqServer server(sl);
    EXPECT_EQ(server.GetSocketRecvBufferSize(), 0u);
    EXPECT_EQ(server.GetSocketSendBufferSize(), 0u);
    ASSERT_TRUE(server.SetSocketRecvBufferSize(1023));
    EXPECT_FALSE(server.Start("127.0.0.1", 0));
    EXPECT_EQ(server.last_error().code, SocketError::InvalidParam);
    ASSERT_TRUE(server.SetSocketRecvBufferSize(96 * 1024));
    ASSERT_TRUE(server.SetSocketSendBufferSize(80 * 1024));
    EXPECT_EQ(server.GetSocketRecvBufferSize(), 96u * 1024);
    ASSERT_TRUE(fast(server));
    USHORT port = start(server);
    ASSERT_NE(port, 0);
    EXPECT_EQ(listenRcv.load(), 2 * 96 * 1024);
    EXPECT_EQ(listenSnd.load(), 2 * 80 * 1024);
    EXPECT_FALSE(server.SetSocketRecvBufferSize(4096));  // ignored while started
    EXPECT_EQ(server.GetSocketRecvBufferSize(), 96u * 1024);

    DropClient cl;
    cl.prepare_connect = [&](hpsocket::Client&, ConnId, UINT_PTR so) {
        connectRcv = sockopt(so, SO_RCVBUF);
        connectSnd = sockopt(so, SO_SNDBUF);
        return HandleResult::Ok;
    };
    hpsocket::UdpArqClient client(cl);
    EXPECT_EQ(client.GetSocketRecvBufferSize(), 0u);
    ASSERT_TRUE(client.SetSocketSendBufferSize(1000));
    EXPECT_FALSE(client.Start("127.0.0.1", port, true));
    EXPECT_EQ(client.last_error().code, SocketError::InvalidParam);
    ASSERT_TRUE(client.SetSocketSendBufferSize(48 * 1024));
    ASSERT_TRUE(client.SetSocketRecvBufferSize(64 * 1024));
    ASSERT_TRUE(fast(client));
    ASSERT_TRUE(client.Start("127.0.0.1", port, true)) << client.last_error().message;
    ASSERT_TRUE(cl.ready.wait());
    EXPECT_EQ(connectRcv.load(), 2 * 64 * 1024);
    EXPECT_EQ(connectSnd.load(), 2 * 48 * 1024);
    std::string m = message(7, 1000);
    ASSERT_TRUE(client.Send(m.data(), static_cast<int>(m.size())));
    ASSERT_TRUE(sl.wait_count(1));

    AgentFns al;
    Latch agentReady{1};
    al.prepare_connect = [&](hpsocket::Agent&, ConnId, UINT_PTR so) {
        agentRcv = sockopt(so, SO_RCVBUF);
        agentSnd = sockopt(so, SO_SNDBUF);
        return HandleResult::Ok;
    };
    al.hand_shake = [&](hpsocket::Agent&, ConnId) {
        agentReady.count_down();
        return HandleResult::Ok;
    };
    hpsocket::UdpArqAgent agent(al);
    EXPECT_EQ(agent.GetSocketRecvBufferSize(), 0u);
    EXPECT_EQ(agent.GetSocketSendBufferSize(), 0u);
    ASSERT_TRUE(agent.SetSocketRecvBufferSize(2000000000u));
    EXPECT_FALSE(agent.Start(nullptr, false));
    EXPECT_EQ(agent.last_error().code, SocketError::InvalidParam);
    ASSERT_TRUE(agent.SetSocketRecvBufferSize(100 * 1024));
    ASSERT_TRUE(agent.SetSocketSendBufferSize(32 * 1024));
    ASSERT_TRUE(fast(agent));
    ASSERT_TRUE(agent.Start(nullptr, false)) << agent.last_error().message;
    ConnId aid = 0;
    ASSERT_TRUE(agent.Connect("127.0.0.1", port, &aid));
    ASSERT_TRUE(agentReady.wait());
    EXPECT_EQ(agentRcv.load(), 2 * 100 * 1024);
    EXPECT_EQ(agentSnd.load(), 2 * 32 * 1024);
    EXPECT_FALSE(agent.SetSocketSendBufferSize(4096));
    EXPECT_TRUE(agent.Stop());
    EXPECT_TRUE(client.Stop());
    EXPECT_TRUE(server.Stop());

    // The plain UDP server and client take them too.
    std::atomic<int> udpRcv{-1}, udpCliSnd{-1};
    ServerFns us;
    us.prepare_listen = [&](hpsocket::Server&, UINT_PTR so) {
        udpRcv = sockopt(so, SO_RCVBUF);
        return HandleResult::Ok;
    };
    hpsocket::UdpServer udp(us);
    EXPECT_EQ(udp.GetSocketSendBufferSize(), 0u);
    ASSERT_TRUE(udp.SetSocketRecvBufferSize(40 * 1024));
    USHORT uport = start(udp);
    ASSERT_NE(uport, 0);
    EXPECT_EQ(udpRcv.load(), 2 * 40 * 1024);
    ClientFns uc;
    Latch ucReady{1};
    uc.prepare_connect = [&](hpsocket::Client&, ConnId, UINT_PTR so) {
        udpCliSnd = sockopt(so, SO_SNDBUF);
        return HandleResult::Ok;
    };
    uc.connect = [&](hpsocket::Client&, ConnId) {
        ucReady.count_down();
        return HandleResult::Ok;
    };
    hpsocket::UdpClient udpClient(uc);
    ASSERT_TRUE(udpClient.SetSocketSendBufferSize(24 * 1024));
    EXPECT_EQ(udpClient.GetSocketSendBufferSize(), 24u * 1024);
    ASSERT_TRUE(udpClient.Start("127.0.0.1", uport, true)) << udpClient.last_error().message;
    ASSERT_TRUE(ucReady.wait());
    EXPECT_EQ(udpCliSnd.load(), 2 * 24 * 1024);
    EXPECT_TRUE(udpClient.Stop());
    EXPECT_TRUE(udp.Stop());
}
