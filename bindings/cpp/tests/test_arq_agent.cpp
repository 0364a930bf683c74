// The UDP ARQ agent through hpsocket.hpp (UdpArqAgent over Create_HPX_UdpArqAgent) against a
// UdpArqServer echo on 127.0.0.1: several sessions from one agent each get OnHandShake, then
// every message back whole and in order on their own connection ID; the waiting counts drain
// to 0; a bad connection ID, an oversize or empty message, a send before the handshake and a
// TCP-agent call give the documented errors; the settings keep HP-Socket's ARQ defaults, are
// frozen while running and checked by Start; Disconnect closes one session. Every wait is
// bounded and waits for an event.
#include "test_util.hpp"

#include <atomic>
#include <cerrno>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace hptest;
using hpsocket::ConnId;
using hpsocket::HandleResult;
using hpsocket::SocketError;
using hpsocket::SocketOperation;

namespace {

constexpr int kSessions = 4;
constexpr int kMessages = 50;

// Message m of session s: 1..=4096 bytes, its first bytes naming (s, m).
std::string message(int s, int m) {
    int size = 1 + (m * 397 + s * 31) % 4096;
    std::vector<BYTE> b = fill(s * 1000 + m, 0, size);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// An ARQ echo server counting handshakes and closes.
struct Echo : ServerFns {
    Latch handshaken;
    Latch closed;
    explicit Echo(int sessions) : handshaken(sessions), closed(sessions) {
        hand_shake = [this](hpsocket::Server&, ConnId) {
            handshaken.count_down();
            return HandleResult::Ok;
        };
        receive = [](hpsocket::Server& s, ConnId id, const BYTE* d, int n) {
            return s.Send(id, d, n) ? HandleResult::Ok : HandleResult::Error;
        };
        close = [this](hpsocket::Server&, ConnId, SocketOperation, int) {
            closed.count_down();
            return HandleResult::Ok;
        };
    }
};

// The agent's side: what came back, per connection ID.
struct Collect : AgentFns {
    Latch handshaken;
    std::mutex got_mu;
    std::map<ConnId, std::vector<std::string>> got;
    std::atomic<int> total{0};
    Latch all;
    Latch closed{1};
    std::atomic<int> close_op{-1}, close_error{-1};
    Collect(int sessions, int messages) : handshaken(sessions), all(sessions * messages) {
        hand_shake = [this](hpsocket::Agent&, ConnId) {
            handshaken.count_down();
            return HandleResult::Ok;
        };
        receive = [this](hpsocket::Agent&, ConnId id, const BYTE* d, int n) {
            {
                std::lock_guard<std::mutex> g(got_mu);
                got[id].emplace_back(reinterpret_cast<const char*>(d), static_cast<std::size_t>(n));
            }
            all.count_down();
            return HandleResult::Ok;
        };
        close = [this](hpsocket::Agent&, ConnId, SocketOperation op, int e) {
            close_op = static_cast<int>(op);
            close_error = e;
            closed.count_down();
            return HandleResult::Ok;
        };
    }
};

template <class View>
bool fast(View& v) {
    return v.SetNoDelay(true) && v.SetFlushInterval(10) && v.SetResendByAcks(2) && v.SetTurnoffCongestCtrl(true);
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

// A started echo server and an agent whose `sessions` sessions completed their handshakes.
struct AgentPair {
    Echo sl;
    std::shared_ptr<Collect> al;
    hpsocket::UdpArqServer server{sl};
    hpsocket::UdpArqAgent agent;
    std::vector<ConnId> ids;
    USHORT port = 0;
    int sessions;

    explicit AgentPair(int n = kSessions, int messages = kMessages)
        : sl(n), al(std::make_shared<Collect>(n, messages)), agent(al), sessions(n) {}

    bool start() {
        if (!server.IsValid() || !agent.IsValid()) return false;
        if (!server.SetWorkerThreadCount(2) || !fast(server) || !fast(agent)) return false;
        port = hptest::start(server);
        if (port == 0) return false;
        if (!agent.Start(nullptr, false)) {
            ADD_FAILURE() << "agent Start: " << agent.last_error().message;
            return false;
        }
        for (int s = 0; s < sessions; s++) {
            ConnId id = 0;
            if (!agent.Connect("127.0.0.1", port, &id)) {
                ADD_FAILURE() << "Connect: " << agent.last_error().message;
                return false;
            }
            ids.push_back(id);
        }
        return al->handshaken.wait() && sl.handshaken.wait();
    }
};

}  // namespace

TEST(ArqAgent, SessionsEchoWholeAndInOrder) {
    AgentPair p;
    ASSERT_TRUE(p.start());
    ASSERT_EQ(p.ids.size(), static_cast<std::size_t>(kSessions));
    EXPECT_EQ(p.agent.GetConnectionCount(), static_cast<DWORD>(kSessions));
    EXPECT_EQ(p.server.GetConnectionCount(), static_cast<DWORD>(kSessions));
    for (int m = 0; m < kMessages; m++)
        for (int s = 0; s < kSessions; s++)
            ASSERT_TRUE(p.agent.Send(p.ids[static_cast<std::size_t>(s)], message(s, m))) << s << "/" << m << ": " << p.agent.last_error().message;
    ASSERT_TRUE(p.al->all.wait()) << p.al->all.count() << " messages missing";
    {
        std::lock_guard<std::mutex> g(p.al->got_mu);
        ASSERT_EQ(p.al->got.size(), static_cast<std::size_t>(kSessions));
        for (int s = 0; s < kSessions; s++) {
            const auto& got = p.al->got[p.ids[static_cast<std::size_t>(s)]];
            ASSERT_EQ(got.size(), static_cast<std::size_t>(kMessages)) << "session " << s;
            for (int m = 0; m < kMessages; m++) {
                const std::string want = message(s, m);
                ASSERT_EQ(got[static_cast<std::size_t>(m)].size(), want.size()) << s << "/" << m;
                EXPECT_EQ(got[static_cast<std::size_t>(m)], want) << s << "/" << m;
            }
        }
    }
    for (ConnId id : p.ids) {
        int waiting = -1;
        EXPECT_TRUE(eventually([&] { return p.agent.GetWaitingSendMessageCount(id, waiting) && waiting == 0; })) << waiting;
    }
    // SendPackets is one message.
    BYTE ab[] = {'a', 'b'}, cde[] = {'c', 'd', 'e'};
    WSABUF parts[2] = {{2, ab}, {3, cde}};
    ASSERT_TRUE(p.agent.SendPackets(p.ids[1], parts, 2));
    EXPECT_TRUE(eventually([&] {
        std::lock_guard<std::mutex> g(p.al->got_mu);
        const auto& got = p.al->got[p.ids[1]];
        return got.size() == kMessages + 1u && got.back() == "abcde";
    }));
    EXPECT_TRUE(p.sl.exceptions.empty());
    EXPECT_TRUE(p.al->exceptions.empty());
}

TEST(ArqAgent, MisuseGivesTheDocumentedErrors) {
    AgentPair p(1, 1);
    ASSERT_TRUE(p.start());
    ConnId id = p.ids[0];
    constexpr ConnId kBad = 999999;

    // An unknown connection ID: InvalidParam, EBADSLT, the ID in the text.
    int waiting = -1;
    EXPECT_FALSE(p.agent.GetWaitingSendMessageCount(kBad, waiting));
    EXPECT_EQ(hpsocket::last_errno(), EBADSLT);
    EXPECT_EQ(p.agent.last_error().code, SocketError::InvalidParam);
    EXPECT_FALSE(p.agent.Send(kBad, "x"));
    EXPECT_EQ(hpsocket::last_errno(), EBADSLT);
    EXPECT_EQ(p.agent.last_error().code, SocketError::InvalidParam);
    EXPECT_NE(p.agent.last_error().message.find("999999"), std::string::npos) << p.agent.last_error().message;
    EXPECT_FALSE(p.agent.Disconnect(kBad));
    EXPECT_EQ(p.agent.last_error().code, SocketError::InvalidParam);

    // Oversize and empty messages: InvalidParam, EMSGSIZE, nothing sent.
    EXPECT_FALSE(p.agent.Send(id, std::string(4097, 'x')));
    EXPECT_EQ(hpsocket::last_errno(), EMSGSIZE);
    EXPECT_EQ(p.agent.last_error().code, SocketError::InvalidParam);
    EXPECT_FALSE(p.agent.Send(id, "", 0));
    EXPECT_EQ(hpsocket::last_errno(), EMSGSIZE);
    ASSERT_TRUE(p.agent.GetWaitingSendMessageCount(id, waiting));
    EXPECT_EQ(waiting, 0);

    // A TCP-agent call on the ARQ agent is a wrong kind; the agent's own record is untouched.
    hpsocket::Agent tcp(p.agent.handle());
    EXPECT_FALSE(tcp.SetSocketBufferSize(4096));
    EXPECT_EQ(hpsocket::thread_last_error().code, SocketError::InvalidParam);
    EXPECT_NE(hpsocket::thread_last_error().message.find("HP_TcpAgent_"), std::string::npos)
        << hpsocket::thread_last_error().message;

    // The next real message is the one that arrives.
    ASSERT_TRUE(p.agent.Send(id, "after"));
    ASSERT_TRUE(p.al->all.wait());
    std::lock_guard<std::mutex> g(p.al->got_mu);
    EXPECT_EQ(p.al->got[id], std::vector<std::string>{"after"});
}

TEST(ArqAgent, SendBeforeTheHandshakeFailsAndTheHandshakeTimesOut) {
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
        Collect al(1, 1);
        hpsocket::UdpArqAgent agent(al);
        ASSERT_TRUE(agent.SetHandShakeTimeout(300));
        ASSERT_TRUE(agent.Start(nullptr, false)) << agent.last_error().message;
        ConnId id = 0;
        ASSERT_TRUE(agent.Connect("127.0.0.1", ntohs(a.sin_port), &id)) << agent.last_error().message;
        EXPECT_FALSE(agent.Send(id, "too early"));
        EXPECT_EQ(hpsocket::last_errno(), ENOTCONN);
        EXPECT_EQ(agent.last_error().code, SocketError::IllegalState);
        ASSERT_TRUE(al.closed.wait());
        EXPECT_EQ(al.close_op.load(), static_cast<int>(SocketOperation::Close));
        EXPECT_EQ(al.close_error.load(), ETIMEDOUT);
        EXPECT_EQ(al.handshaken.count(), 1);
    }
    ::close(fd);
}

TEST(ArqAgent, SettingsDefaultsFrozenWhileRunningAndCheckedByStart) {
    AgentFns al;
    hpsocket::UdpArqAgent agent(al);
    ASSERT_TRUE(agent.IsValid());
    EXPECT_FALSE(agent.IsNoDelay());
    EXPECT_FALSE(agent.IsTurnoffCongestCtrl());
    EXPECT_EQ(agent.GetFlushInterval(), 60u);
    EXPECT_EQ(agent.GetResendByAcks(), 0u);
    EXPECT_EQ(agent.GetSendWndSize(), 128u);
    EXPECT_EQ(agent.GetRecvWndSize(), 512u);
    EXPECT_EQ(agent.GetMinRto(), 30u);
    EXPECT_EQ(agent.GetFastLimit(), 5u);
    EXPECT_EQ(agent.GetMaxTransUnit(), 0u);
    EXPECT_EQ(agent.GetMaxMessageSize(), 4096u);
    EXPECT_EQ(agent.GetHandShakeTimeout(), 5000u);
    EXPECT_FALSE(agent.IsSecure());

    EXPECT_TRUE(agent.SetNoDelay(true));
    EXPECT_TRUE(agent.SetTurnoffCongestCtrl(true));
    EXPECT_TRUE(agent.SetFlushInterval(20));
    EXPECT_TRUE(agent.SetResendByAcks(2));
    EXPECT_TRUE(agent.SetSendWndSize(64));
    EXPECT_TRUE(agent.SetRecvWndSize(256));
    EXPECT_TRUE(agent.SetMinRto(10));
    EXPECT_TRUE(agent.SetFastLimit(0));
    EXPECT_TRUE(agent.SetMaxTransUnit(1200));
    EXPECT_TRUE(agent.SetMaxMessageSize(1000));
    EXPECT_TRUE(agent.SetHandShakeTimeout(1000));
    EXPECT_EQ(agent.GetMaxTransUnit(), 1200u);

    // Start checks them: HandShakeTimeout must be above 2 x MinRto.
    ASSERT_TRUE(agent.SetHandShakeTimeout(20));
    EXPECT_FALSE(agent.Start(nullptr, false));
    EXPECT_EQ(agent.last_error().code, SocketError::InvalidParam);
    EXPECT_EQ(agent.GetState(), hpsocket::ServiceState::Stopped);
    ASSERT_TRUE(agent.SetHandShakeTimeout(21));
    ASSERT_TRUE(agent.Start(nullptr, false)) << agent.last_error().message;
    EXPECT_FALSE(agent.SetFlushInterval(30));  // frozen while running
    EXPECT_EQ(agent.last_error().code, SocketError::IllegalState);
    EXPECT_EQ(agent.GetFlushInterval(), 20u);
    ASSERT_TRUE(agent.Stop());
    EXPECT_TRUE(agent.SetFlushInterval(30));

    // The ARQ calls refuse a TCP agent (its getters return 0).
    hpsocket::TcpAgent tcp(al);
    EXPECT_EQ(hpsocket::UdpArqAgentView(tcp.handle()).GetMaxMessageSize(), 0u);
}

TEST(ArqAgent, DisconnectClosesOneSessionStopClosesTheRest) {
    AgentPair p(3, 1);
    ASSERT_TRUE(p.start());
    ASSERT_TRUE(p.agent.Disconnect(p.ids[0]));
    ASSERT_TRUE(p.al->closed.wait());
    EXPECT_TRUE(eventually([&] { return p.sl.closed.count() == 2; }));
    EXPECT_TRUE(eventually([&] { return p.server.GetConnectionCount() == 2 && p.agent.GetConnectionCount() == 2; }));
    int waiting = -1;
    EXPECT_FALSE(p.agent.GetWaitingSendMessageCount(p.ids[0], waiting));
    EXPECT_TRUE(p.agent.GetWaitingSendMessageCount(p.ids[1], waiting));
    ASSERT_TRUE(p.agent.Stop());
    EXPECT_TRUE(p.sl.closed.wait());
    EXPECT_EQ(p.agent.GetConnectionCount(), 0u);
}
