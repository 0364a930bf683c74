// Owned listeners and empty objects (issue #14 item 6).
//
// Every owner family (TCP, SSL, UDP, ARQ, HTTP(S), sync clients, ThreadPool) takes its listener
// as std::unique_ptr or std::shared_ptr: the listener lives until the component is destroyed
// and its last callback returned, exactly once, whatever happened to the caller's references;
// an owned listener whose creator's scope ended keeps serving traffic; a null one gives an
// invalid owner. An empty object (moved from, reset, never created, a default view) refuses
// every call, and last_error() names the refused call, not the getter.
#include "test_util.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace hptest;
using hpsocket::ConnId;
using hpsocket::HandleResult;
using hpsocket::SocketError;

namespace {

using Deaths = std::shared_ptr<std::atomic<int>>;

// A listener of kind Base that counts its destruction.
template <class Base>
struct Counted : Base {
    Deaths dead;
    explicit Counted(Deaths d) : dead(std::move(d)) {}
    ~Counted() override { ++*dead; }
};

Deaths deaths() { return std::make_shared<std::atomic<int>>(0); }

// One owner type with an owned listener of type L: created valid, survives moves, destroyed
// once with the owner (unique_ptr); with a shared_ptr the caller's reference outlives it.
template <class OwnerT, class L>
void owns(const char* name) {
    SCOPED_TRACE(name);
    Deaths dead = deaths();
    {
        OwnerT first(std::make_unique<Counted<L>>(dead));
        EXPECT_TRUE(first.IsValid());
        OwnerT second(std::move(first));
        EXPECT_FALSE(first.IsValid());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
        EXPECT_THROW((void)first.listener(), std::logic_error);
        OwnerT third(std::move(second));
        EXPECT_EQ(dead->load(), 0);
        EXPECT_EQ(static_cast<Counted<L>&>(third.listener()).dead, dead);
    }
    EXPECT_EQ(dead->load(), 1);

    Deaths shared_dead = deaths();
    auto mine = std::make_shared<Counted<L>>(shared_dead);
    {
        OwnerT owner(mine);
        EXPECT_TRUE(owner.IsValid());
        EXPECT_GE(mine.use_count(), 2);
        EXPECT_EQ(&owner.listener(), mine.get());
        owner.reset();
        EXPECT_FALSE(owner.IsValid());
        EXPECT_THROW((void)owner.listener(), std::logic_error);
    }
    EXPECT_EQ(mine.use_count(), 1);  // only the caller's: the owner and the component let go
    EXPECT_EQ(shared_dead->load(), 0);
    mine.reset();
    EXPECT_EQ(shared_dead->load(), 1);
}

}  // namespace

TEST(Owned, EveryOwnerFamilyOwnsItsListener) {
    using hpsocket::AgentListener;
    using hpsocket::ClientListener;
    using hpsocket::HttpAgentListener;
    using hpsocket::HttpClientListener;
    using hpsocket::HttpServerListener;
    using hpsocket::ServerListener;
    owns<hpsocket::TcpServer, ServerListener>("TcpServer");
    owns<hpsocket::TcpPullServer, ServerListener>("TcpPullServer");
    owns<hpsocket::TcpPackServer, ServerListener>("TcpPackServer");
    owns<hpsocket::SslServer, ServerListener>("SslServer");
    owns<hpsocket::SslPullServer, ServerListener>("SslPullServer");
    owns<hpsocket::SslPackServer, ServerListener>("SslPackServer");
    owns<hpsocket::TcpAgent, AgentListener>("TcpAgent");
    owns<hpsocket::TcpPullAgent, AgentListener>("TcpPullAgent");
    owns<hpsocket::TcpPackAgent, AgentListener>("TcpPackAgent");
    owns<hpsocket::SslAgent, AgentListener>("SslAgent");
    owns<hpsocket::SslPullAgent, AgentListener>("SslPullAgent");
    owns<hpsocket::SslPackAgent, AgentListener>("SslPackAgent");
    owns<hpsocket::TcpClient, ClientListener>("TcpClient");
    owns<hpsocket::TcpPullClient, ClientListener>("TcpPullClient");
    owns<hpsocket::TcpPackClient, ClientListener>("TcpPackClient");
    owns<hpsocket::SslClient, ClientListener>("SslClient");
    owns<hpsocket::SslPullClient, ClientListener>("SslPullClient");
    owns<hpsocket::SslPackClient, ClientListener>("SslPackClient");
    owns<hpsocket::UdpServer, ServerListener>("UdpServer");
    owns<hpsocket::UdpClient, ClientListener>("UdpClient");
    owns<hpsocket::UdpArqServer, ServerListener>("UdpArqServer");
    owns<hpsocket::UdpArqClient, ClientListener>("UdpArqClient");
    owns<hpsocket::UdpArqAgent, AgentListener>("UdpArqAgent");
    owns<hpsocket::HttpServer, HttpServerListener>("HttpServer");
    owns<hpsocket::HttpsServer, HttpServerListener>("HttpsServer");
    owns<hpsocket::HttpAgent, HttpAgentListener>("HttpAgent");
    owns<hpsocket::HttpsAgent, HttpAgentListener>("HttpsAgent");
    owns<hpsocket::HttpClient, HttpClientListener>("HttpClient");
    owns<hpsocket::HttpsClient, HttpClientListener>("HttpsClient");
    owns<hpsocket::HttpSyncClient, HttpClientListener>("HttpSyncClient");
    owns<hpsocket::HttpsSyncClient, HttpClientListener>("HttpsSyncClient");
    owns<hpsocket::ThreadPool, hpsocket::ThreadPoolListener>("ThreadPool");
}

namespace {

// An echo listener that counts its callbacks and its destruction.
struct CountingEcho : hpsocket::ServerListener {
    Deaths dead;
    std::atomic<int> closes{0};
    explicit CountingEcho(Deaths d) : dead(std::move(d)) {}
    ~CountingEcho() override { ++*dead; }
    HandleResult OnReceive(hpsocket::Server& s, ConnId id, const BYTE* d, int n) override {
        return s.Send(id, d, n) ? HandleResult::Ok : HandleResult::Error;
    }
    HandleResult OnClose(hpsocket::Server&, ConnId, hpsocket::SocketOperation, int) override {
        closes++;
        return HandleResult::Ok;
    }
};

// A server whose listener lived only in this function's scope: with a reference it would
// dangle as soon as this returns (the crash the README used to warn about).
hpsocket::TcpServer make_echo_server(const Deaths& dead) {
    hpsocket::TcpServer server(std::make_unique<CountingEcho>(dead));
    EXPECT_TRUE(server.SetWorkerThreadCount(2));
    return server;
}

}  // namespace

// The owned listener serves traffic after its creator's scope ended and while the owner
// moves; destroying the owner mid-traffic destroys the listener once, after the last callback
// (the sanitized build checks that no callback touches it afterwards).
TEST(Owned, ListenerOutlivesItsCreatorAndDiesAfterTheLastCallback) {
    constexpr int kClients = 8;
    Deaths dead = deaths();
    std::optional<hpsocket::TcpServer> server(make_echo_server(dead));
    ASSERT_TRUE(server->IsValid());
    USHORT port = start(*server);
    ASSERT_NE(port, 0);

    std::atomic<long> echoed{0};
    Latch flowing(1), closed(kClients);
    ClientFns cl;
    cl.receive = [&](hpsocket::Client& c, ConnId, const BYTE* d, int n) {
        long before = echoed.fetch_add(n);
        if (before < 1000000 && before + n >= 1000000) flowing.count_down();
        (void)c.Send(d, n);  // keeps the ball rolling until the server is gone
        return HandleResult::Ok;
    };
    cl.close = [&](hpsocket::Client&, ConnId, hpsocket::SocketOperation, int) {
        closed.count_down();
        return HandleResult::Ok;
    };
    std::vector<hpsocket::TcpClient> clients;
    auto msg = fill(11, 0, 3000);
    for (int i = 0; i < kClients; i++) {
        clients.emplace_back(cl);
        ASSERT_TRUE(clients.back().Start("127.0.0.1", port, false)) << clients.back().last_error().message;
        ASSERT_TRUE(clients.back().Send(msg.data(), static_cast<int>(msg.size())));
    }
    hpsocket::TcpServer moved(std::move(*server));  // while callbacks run
    server.reset();                                  // the moved-from owner goes: nothing happens
    EXPECT_EQ(dead->load(), 0);
    ASSERT_TRUE(flowing.wait());
    auto& listener = static_cast<CountingEcho&>(moved.listener());
    EXPECT_EQ(listener.closes.load(), 0);
    moved.reset();  // stops mid-traffic: every callback returned, then the listener goes
    EXPECT_EQ(dead->load(), 1);
    ASSERT_TRUE(closed.wait());
    clients.clear();
    EXPECT_EQ(dead->load(), 1);
    EXPECT_TRUE(cl.exceptions.empty());
}

// The pool's listener, owned: its worker events run, and it goes with the pool.
TEST(Owned, ThreadPoolOwnsItsListener) {
    struct Workers : hpsocket::ThreadPoolListener {
        Deaths dead;
        std::atomic<int> started{0}, ended{0};
        explicit Workers(Deaths d) : dead(std::move(d)) {}
        ~Workers() override { ++*dead; }
        void OnWorkerThreadStart(hpsocket::ThreadPoolView&, THR_ID) override { started++; }
        void OnWorkerThreadEnd(hpsocket::ThreadPoolView&, THR_ID) override { ended++; }
    };
    Deaths dead = deaths();
    std::optional<hpsocket::ThreadPool> pool(std::in_place, std::make_unique<Workers>(dead));
    ASSERT_TRUE(pool->IsValid());
    ASSERT_TRUE(pool->Start(3)) << pool->last_error().message;
    Latch ran(20);
    for (int i = 0; i < 20; i++) ASSERT_TRUE(pool->Submit([&] { ran.count_down(); }));
    ASSERT_TRUE(ran.wait());
    auto& w = static_cast<Workers&>(pool->listener());
    EXPECT_GE(w.started.load(), 1);  // a worker ran the tasks: its start event came first
    hpsocket::ThreadPool moved(std::move(*pool));
    pool.reset();
    EXPECT_EQ(dead->load(), 0);
    EXPECT_EQ(w.ended.load(), 0);
    moved.reset();  // stops: the workers end (OnWorkerThreadEnd), then the listener goes
    EXPECT_EQ(dead->load(), 1);
}

TEST(Owned, NullListenerGivesAnInvalidOwner) {
    hpsocket::TcpServer server(std::unique_ptr<hpsocket::ServerListener>{});
    EXPECT_FALSE(server.IsValid());
    EXPECT_EQ(hpsocket::thread_last_error().code, SocketError::InvalidParam);
    EXPECT_EQ(hpsocket::thread_last_error().message.rfind("Create_HP_TcpServer", 0), 0u) << hpsocket::thread_last_error().message;
    // Right after the failed creation, last_error() says why it failed.
    EXPECT_EQ(server.last_error().message.rfind("Create_HP_TcpServer", 0), 0u) << server.last_error().message;
    EXPECT_THROW((void)server.listener(), std::logic_error);

    hpsocket::UdpArqAgent agent(std::shared_ptr<hpsocket::AgentListener>{});
    EXPECT_FALSE(agent.IsValid());
    EXPECT_EQ(hpsocket::thread_last_error().message.rfind("Create_HPX_UdpArqAgent", 0), 0u) << hpsocket::thread_last_error().message;

    // A pool takes a null listener as none (Create_HP_ThreadPool(NULL): no callbacks).
    hpsocket::ThreadPool pool(std::unique_ptr<hpsocket::ThreadPoolListener>{});
    ASSERT_TRUE(pool.IsValid());
    ASSERT_TRUE(pool.Start(1));
    Latch ran(1);
    ASSERT_TRUE(pool.Submit([&] { ran.count_down(); }));
    EXPECT_TRUE(ran.wait());
}

namespace {

// last_error() of an empty object: the refused call, named, and the empty object.
void expect_refused(const hpsocket::Error& e, const std::string& function, const std::string& kind) {
    EXPECT_EQ(e.code, SocketError::InvalidParam) << e.message;
    EXPECT_EQ(e.message, function + ": called on an empty " + kind + " (moved from, reset, or never created)");
}

}  // namespace

TEST(Empty, LastErrorNamesTheRefusedCall) {
    ServerFns sl;
    hpsocket::TcpServer live(sl);
    hpsocket::TcpServer server(std::move(live));
    // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is specified
    EXPECT_FALSE(live.Start("127.0.0.1", 0));
    expect_refused(live.last_error(), "HP_Server_Start", "server");
    EXPECT_FALSE(live.Send(1, "x"));
    // A success elsewhere on this thread does not hide it (the record is only written by failures).
    EXPECT_EQ(server.GetState(), hpsocket::ServiceState::Stopped);
    expect_refused(live.last_error(), "HP_Server_Send", "server");
    expect_refused(live.last_error(), "HP_Server_Send", "server");  // asking twice changes nothing
    EXPECT_EQ(live.GetState(), hpsocket::ServiceState::Stopped);
    EXPECT_EQ(live.GetConnectionCount(), 0u);
    expect_refused(live.last_error(), "HP_Server_GetConnectionCount", "server");
    EXPECT_THROW((void)live.listener(), std::logic_error);
    // NOLINTEND(bugprone-use-after-move)

    AgentFns al;
    hpsocket::TcpAgent agent(al);
    agent.reset();
    ConnId id = 0;
    EXPECT_FALSE(agent.Connect("127.0.0.1", 9, &id));
    expect_refused(agent.last_error(), "HP_Agent_ConnectWithExtraAndLocalAddressPort", "agent");

    hpsocket::UdpArqAgent arq(al);
    hpsocket::UdpArqAgent arq2(std::move(arq));
    int waiting = 0;
    EXPECT_FALSE(arq.GetWaitingSendMessageCount(1, waiting));  // NOLINT(bugprone-use-after-move)
    expect_refused(arq.last_error(), "HPX_UdpArqAgent_GetWaitingSendMessageCount", "agent");  // NOLINT(bugprone-use-after-move)

    ClientFns cl;
    hpsocket::TcpClient client(cl);
    client.reset();
    EXPECT_FALSE(client.Send("x"));
    expect_refused(client.last_error(), "HP_Client_Send", "client");

    hpsocket::HttpServerListener hl;
    hpsocket::HttpServer http(hl);
    http.reset();
    EXPECT_FALSE(http.SendResponse(1, 200, "x"));
    expect_refused(http.last_error(), "HP_HttpServer_SendResponse", "server");

    hpsocket::HttpSyncClient sync;
    sync.reset();
    EXPECT_FALSE(sync.OpenUrl("GET", "http://127.0.0.1:9/"));
    expect_refused(sync.last_error(), "HP_HttpSyncClient_OpenUrl", "client");

    hpsocket::ThreadPool pool;
    pool.reset();
    EXPECT_FALSE(pool.Start(1));
    expect_refused(pool.last_error(), "HP_ThreadPool_Start", "thread pool");
    EXPECT_FALSE(pool.Submit([] {}));
    expect_refused(pool.last_error(), "HP_ThreadPool_Submit", "thread pool");
    EXPECT_THROW((void)pool.listener(), std::logic_error);

    auto gz = hpsocket::Compressor::GZip([](std::string_view) { return true; });
    auto gz2 = std::move(gz);
    EXPECT_FALSE(gz.Process("abc", true));  // NOLINT(bugprone-use-after-move)
    expect_refused(gz.last_error(), "HP_Compressor_ProcessEx", "compressor");  // NOLINT(bugprone-use-after-move)
    auto un = hpsocket::Decompressor::GZip([](std::string_view) { return true; });
    un.reset();
    EXPECT_FALSE(un.Process("abc"));
    expect_refused(un.last_error(), "HP_Decompressor_Process", "decompressor");

    hpsocket::Server view;  // a default view: the same rule
    EXPECT_FALSE(view.Stop());
    expect_refused(view.last_error(), "HP_Server_Stop", "server");
}
