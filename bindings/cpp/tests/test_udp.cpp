// UDP through hpsocket.hpp: UdpServer and UdpClient on loopback. Datagrams of 1 and
// MaxDatagramSize bytes echo whole, OnAccept's sockaddr reads as the client's address, an
// oversize send fails (EMSGSIZE) and sends nothing, SendPackets is one datagram, a client's
// Stop closes its server connection, and the UDP settings have HP-Socket's defaults. Every
// wait is bounded; no sleeps to synchronise.
#include "test_util.hpp"

#include <atomic>
#include <cerrno>
#include <deque>
#include <string>

using namespace hptest;
using hpsocket::ConnId;
using hpsocket::HandleResult;
using hpsocket::SocketError;
using hpsocket::SocketOperation;

namespace {

// The datagrams a listener received, in order; waits are bounded.
class Inbox {
public:
    void push(const BYTE* d, int n) {
        std::lock_guard<std::mutex> g(mu_);
        items_.emplace_back(reinterpret_cast<const char*>(d), static_cast<std::size_t>(n));
        cv_.notify_all();
    }
    [[nodiscard]] bool pop(std::string& out, std::chrono::milliseconds limit = 10s) {
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

// A UDP echo server that records its peers, datagrams and closes.
struct UdpEcho : EchoFns {
    std::mutex peer_mu;
    std::string peer_address;
    USHORT peer_port = 0;
    Latch accepted{1};
    Latch closed{1};
    Inbox received;
    std::atomic<int> close_op{-1}, close_error{-1};

    UdpEcho() {
        accept = [this](hpsocket::Server&, ConnId, UINT_PTR client) {
            std::lock_guard<std::mutex> g(peer_mu);
            if (!hpsocket::PeerAddress(client, peer_address, peer_port)) return HandleResult::Error;
            accepted.count_down();
            return HandleResult::Ok;
        };
        receive = [this](hpsocket::Server& s, ConnId id, const BYTE* d, int n) {
            received.push(d, n);
            return s.Send(id, d, n) ? HandleResult::Ok : HandleResult::Error;
        };
        close = [this](hpsocket::Server&, ConnId, SocketOperation op, int e) {
            close_op = static_cast<int>(op);
            close_error = e;
            closed.count_down();
            return HandleResult::Ok;
        };
    }
};

struct UdpCollect : ClientFns {
    Inbox received;
    Latch ready{1};
    Latch closed{1};
    UdpCollect() {
        hand_shake = [this](hpsocket::Client&, ConnId) {
            ready.count_down();
            return HandleResult::Ok;
        };
        receive = [this](hpsocket::Client&, ConnId, const BYTE* d, int n) {
            received.push(d, n);
            return HandleResult::Ok;
        };
        close = [this](hpsocket::Client&, ConnId, SocketOperation, int) {
            closed.count_down();
            return HandleResult::Ok;
        };
    }
};

// A started UDP echo server and a client whose heartbeat made its connection.
struct UdpPair {
    UdpEcho sl;
    UdpCollect cl;
    hpsocket::UdpServer server{sl};
    hpsocket::UdpClient client{cl};
    USHORT port = 0;

    bool start() {
        if (!server.IsValid() || !client.IsValid() || !server.SetWorkerThreadCount(2)) return false;
        port = hptest::start(server);
        if (port == 0) return false;
        if (!client.Start("127.0.0.1", port, true)) {
            ADD_FAILURE() << "client Start: " << client.last_error().message;
            return false;
        }
        return cl.ready.wait() && sl.accepted.wait();
    }
};

std::string bytes(int n, int seed) {
    std::vector<BYTE> b = fill(seed, 0, n);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace

TEST(Udp, DatagramsEchoWholeAndOnAcceptGetsThePeer) {
    UdpPair p;
    ASSERT_TRUE(p.start());
    for (int size : {1, 1432}) {
        std::string m = bytes(size, size);
        ASSERT_TRUE(p.client.Send(m)) << p.client.last_error().message;
        std::string got;
        ASSERT_TRUE(p.cl.received.pop(got)) << "no echo of " << size;
        EXPECT_EQ(got, m) << size;
    }
    std::string local;
    USHORT local_port = 0;
    ASSERT_TRUE(p.client.GetLocalAddress(local, local_port));
    {
        std::lock_guard<std::mutex> g(p.sl.peer_mu);
        EXPECT_EQ(p.sl.peer_address, "127.0.0.1");
        EXPECT_EQ(p.sl.peer_port, local_port);
    }
    std::vector<ConnId> ids = p.server.GetAllConnectionIDs();
    ASSERT_EQ(ids.size(), 1u);
    std::string remote;
    USHORT remote_port = 0;
    ASSERT_TRUE(p.server.GetRemoteAddress(ids[0], remote, remote_port));
    EXPECT_EQ(remote_port, local_port);
    EXPECT_TRUE(p.sl.exceptions.empty());
}

TEST(Udp, OversizeSendFailsAndSendsNothing) {
    UdpPair p;
    ASSERT_TRUE(p.start());
    std::string big(1433, 'x');
    EXPECT_FALSE(p.client.Send(big));
    EXPECT_EQ(hpsocket::last_errno(), EMSGSIZE);
    EXPECT_EQ(p.client.last_error().code, SocketError::InvalidParam);
    std::vector<ConnId> ids = p.server.GetAllConnectionIDs();
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_FALSE(p.server.Send(ids[0], big));
    EXPECT_EQ(hpsocket::last_errno(), EMSGSIZE);
    // Nothing went out either way: the next datagram is the next one sent.
    ASSERT_TRUE(p.client.Send("after"));
    std::string got;
    ASSERT_TRUE(p.cl.received.pop(got));
    EXPECT_EQ(got, "after");
    ASSERT_TRUE(p.sl.received.pop(got));
    EXPECT_EQ(got, "after");
    EXPECT_EQ(p.sl.received.size(), 0u);
    EXPECT_TRUE(p.client.IsConnected());
}

TEST(Udp, MaxDatagramSizeBoundsSends) {
    UdpEcho sl;
    hpsocket::UdpServer server(sl);
    USHORT port = start(server);
    ASSERT_NE(port, 0);
    UdpCollect cl;
    hpsocket::UdpClient client(cl);
    ASSERT_TRUE(client.SetMaxDatagramSize(100));
    ASSERT_TRUE(client.Start("127.0.0.1", port, false)) << client.last_error().message;
    ASSERT_TRUE(client.Send(std::string(100, 'm')));
    std::string got;
    ASSERT_TRUE(cl.received.pop(got));
    EXPECT_EQ(got.size(), 100u);
    EXPECT_FALSE(client.Send(std::string(101, 'm')));
    EXPECT_EQ(hpsocket::last_errno(), EMSGSIZE);
}

TEST(Udp, SendPacketsIsOneDatagram) {
    UdpPair p;
    ASSERT_TRUE(p.start());
    BYTE ab[] = {'a', 'b'}, cde[] = {'c', 'd', 'e'};
    WSABUF parts[3] = {{2, ab}, {0, nullptr}, {3, cde}};
    ASSERT_TRUE(p.client.SendPackets(parts, 3)) << p.client.last_error().message;
    std::string got;
    ASSERT_TRUE(p.sl.received.pop(got));
    EXPECT_EQ(got, "abcde");
    ASSERT_TRUE(p.cl.received.pop(got));
    EXPECT_EQ(got, "abcde");
    std::vector<ConnId> ids = p.server.GetAllConnectionIDs();
    ASSERT_EQ(ids.size(), 1u);
    BYTE one[] = {'1', '2'}, two[] = {'3', '4', '5'};
    WSABUF back[2] = {{2, one}, {3, two}};
    ASSERT_TRUE(p.server.SendPackets(ids[0], back, 2));
    ASSERT_TRUE(p.cl.received.pop(got));
    EXPECT_EQ(got, "12345");
}

TEST(Udp, ClientStopClosesTheServerConnection) {
    UdpPair p;
    ASSERT_TRUE(p.start());
    ASSERT_EQ(p.server.GetConnectionCount(), 1u);
    ASSERT_TRUE(p.client.Stop());
    ASSERT_TRUE(p.cl.closed.wait());
    ASSERT_TRUE(p.sl.closed.wait());
    EXPECT_EQ(p.sl.close_op.load(), static_cast<int>(SocketOperation::Close));
    EXPECT_EQ(p.sl.close_error.load(), 0);
    EXPECT_EQ(p.client.GetState(), hpsocket::ServiceState::Stopped);
}

TEST(Udp, SettingsDefaultsAndTcpOnesRefused) {
    ServerFns sl;
    ClientFns cl;
    hpsocket::UdpServer server(sl);
    hpsocket::UdpClient client(cl);
    ASSERT_TRUE(server.IsValid());
    ASSERT_TRUE(client.IsValid());
    EXPECT_EQ(server.GetMaxDatagramSize(), 1432u);
    EXPECT_EQ(server.GetPostReceiveCount(), 64u);
    EXPECT_EQ(server.GetDetectAttempts(), 3u);
    EXPECT_EQ(server.GetDetectInterval(), 60000u);
    EXPECT_EQ(client.GetMaxDatagramSize(), 1432u);
    EXPECT_EQ(client.GetDetectAttempts(), 3u);
    EXPECT_EQ(client.GetDetectInterval(), 60000u);
    EXPECT_EQ(server.GetMaxConnectionCount(), 10000u);
    EXPECT_EQ(client.GetFreeBufferPoolSize(), 60u);
    EXPECT_FALSE(server.IsSecure());
    // Setters take while stopped.
    EXPECT_TRUE(server.SetMaxDatagramSize(2000));
    EXPECT_TRUE(server.SetPostReceiveCount(8));
    EXPECT_TRUE(server.SetDetectAttempts(0));
    EXPECT_TRUE(server.SetDetectInterval(500));
    EXPECT_TRUE(client.SetDetectInterval(1000));
    EXPECT_EQ(server.GetMaxDatagramSize(), 2000u);
    EXPECT_EQ(client.GetDetectInterval(), 1000u);
    // A TCP view of a UDP server: the HP_TcpServer_* settings refuse it.
    hpsocket::Server tcp_view(server.handle());
    EXPECT_EQ(tcp_view.GetSocketListenQueue(), 0u);
    EXPECT_NE(hpsocket::thread_last_error().message.find("TCP server"), std::string::npos);
    // The UDP settings refuse a TCP server (its getters return 0).
    hpsocket::TcpServer tcp(sl);
    EXPECT_EQ(hpsocket::UdpServerView(tcp.handle()).GetMaxDatagramSize(), 0u);
}
