// HTTP in the C++ wrapper: an HttpServer answering the sync client (GET with query, POST,
// keep-alive reuse, a chunked answer), a raw socket (a request by hand, a parse error), an
// HttpAgent/HttpClient against the server, and HTTPS (HttpsServer + HttpsSyncClient).
#include "test_util.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>

using namespace hptest;
using hpsocket::ConnId;
using hpsocket::HttpParseResult;

namespace {

// Records the events and answers each request with "METHOD path q=query body=N".
struct Answerer : hpsocket::HttpServerListener {
    std::mutex mu;
    std::map<ConnId, std::string> bodies;
    std::vector<std::string> events;
    std::vector<hpsocket::Request> requests;
    std::vector<ConnId> ids;
    std::vector<std::string> errors;
    Latch parse_error{1};
    Latch closed{1};

    HttpParseResult OnMessageBegin(hpsocket::HttpServerView&, ConnId id) override {
        std::lock_guard<std::mutex> g(mu);
        bodies[id].clear();
        events.push_back("begin");
        return HttpParseResult::Ok;
    }
    HttpParseResult OnRequestLine(hpsocket::HttpServerView&, ConnId, const char* method, const char* url) override {
        std::lock_guard<std::mutex> g(mu);
        events.push_back(std::string("line ") + method + " " + url);
        return HttpParseResult::Ok;
    }
    HttpParseResult OnHeader(hpsocket::HttpServerView&, ConnId, const char* n, const char* v) override {
        std::lock_guard<std::mutex> g(mu);
        events.push_back(std::string("header ") + n + "=" + v);
        return HttpParseResult::Ok;
    }
    HttpParseResult OnChunkHeader(hpsocket::HttpServerView&, ConnId, int n) override {
        std::lock_guard<std::mutex> g(mu);
        events.push_back("chunk " + std::to_string(n));
        return HttpParseResult::Ok;
    }
    HttpParseResult OnBody(hpsocket::HttpServerView&, ConnId id, const BYTE* d, int n) override {
        std::lock_guard<std::mutex> g(mu);
        bodies[id].append(reinterpret_cast<const char*>(d), static_cast<std::size_t>(n));
        return HttpParseResult::Ok;
    }
    HttpParseResult OnMessageComplete(hpsocket::HttpServerView& s, ConnId id) override {
        hpsocket::Request r;
        if (!s.GetRequest(id, r)) return HttpParseResult::Error;
        std::string body;
        {
            std::lock_guard<std::mutex> g(mu);
            body = bodies[id];
            events.push_back("complete");
            requests.push_back(r);
            ids.push_back(id);
        }
        if (r.path == "/chunked") {
            bool ok = s.SendResponse(id, 200, {}, {{"Transfer-Encoding", "chunked"}}) && s.SendChunkData(id, "part1,") &&
                      s.SendChunkData(id, "part2", "x=y") && s.SendChunkData(id, {});
            return ok ? HttpParseResult::Ok : HttpParseResult::Error;
        }
        std::string text = r.method + " " + r.path + " q=" + r.query + " body=" + body;
        if (!s.SendResponse(id, 200, text, {{"X-Test", "yes"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}))
            return HttpParseResult::Error;
        if (!r.keepAlive && !s.Release(id)) return HttpParseResult::Error;
        return HttpParseResult::Ok;
    }
    HttpParseResult OnParseError(hpsocket::HttpServerView&, ConnId, int code, const char* desc) override {
        {
            std::lock_guard<std::mutex> g(mu);
            errors.push_back(std::to_string(code) + " " + (desc ? desc : ""));
        }
        parse_error.count_down();
        return HttpParseResult::Ok;
    }
    HandleResult OnClose(hpsocket::Server&, ConnId, hpsocket::SocketOperation, int) override {
        closed.count_down();
        return HandleResult::Ok;
    }
};

// A blocking loopback socket with a receive timeout.
struct RawSocket {
    int fd = -1;
    explicit RawSocket(USHORT port) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "connect";
    }
    ~RawSocket() { close(fd); }
    void send_all(const std::string& s) { ASSERT_EQ(::send(fd, s.data(), s.size(), 0), static_cast<ssize_t>(s.size())); }
    // Reads until `done` or EOF/timeout.
    template <class F>
    std::string read_until(F&& done) {
        std::string all;
        char buf[4096];
        while (!done(all)) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            all.append(buf, static_cast<std::size_t>(n));
        }
        return all;
    }
};

}  // namespace

TEST(Http, ServerAnswersSyncClient) {
    Answerer l;
    hpsocket::HttpServer server(l);
    ASSERT_TRUE(server);
    EXPECT_TRUE(server.SetWorkerThreadCount(2));
    EXPECT_TRUE(server.SetReleaseDelay(500));
    EXPECT_EQ(server.GetLocalVersion(), hpsocket::HttpVersion::V1_1);
    USHORT port = start(server);
    std::string base = "http://127.0.0.1:" + std::to_string(port);

    hpsocket::HttpSyncClient client;
    ASSERT_TRUE(client);
    EXPECT_TRUE(client.SetRequestTimeout(5000));
    hpsocket::Response r;
    ASSERT_TRUE(client.OpenUrl("GET", (base + "/hello/world?x=1&y=two").c_str(), r, {{"X-Multi", "one"}, {"x-multi", "two"}, {"Cookie", "sid=abc"}}))
        << client.last_error().message;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "GET /hello/world q=x=1&y=two body=");
    ASSERT_NE(r.Header("x-test"), nullptr);
    EXPECT_EQ(*r.Header("X-TEST"), "yes");
    EXPECT_EQ(r.Headers("set-cookie"), (std::vector<std::string>{"a=1", "b=2"}));
    EXPECT_EQ(r.version, 0x0101);
    EXPECT_TRUE(r.keepAlive);
    ConnId first = client.GetConnectionID();

    ASSERT_TRUE(client.OpenUrl("POST", (base + "/submit").c_str(), r, {{"Content-Type", "text/plain"}}, "k=v"));
    EXPECT_EQ(r.body, "POST /submit q= body=k=v");
    EXPECT_EQ(client.GetConnectionID(), first);  // keep-alive: the same connection
    EXPECT_EQ(client.GetResponseBody(), r.body);

    ASSERT_TRUE(client.OpenUrl("GET", (base + "/chunked").c_str(), r));
    EXPECT_EQ(r.body, "part1,part2");
    EXPECT_EQ(r.HeaderOr("transfer-encoding"), "chunked");

    std::lock_guard<std::mutex> g(l.mu);
    ASSERT_EQ(l.requests.size(), 3u);
    const hpsocket::Request& q = l.requests[0];
    EXPECT_EQ(q.method, "GET");
    EXPECT_EQ(q.url, "/hello/world?x=1&y=two");
    EXPECT_EQ(q.Headers("X-MULTI"), (std::vector<std::string>{"one", "two"}));
    EXPECT_EQ(q.host, "127.0.0.1:" + std::to_string(port));
    ASSERT_NE(q.Cookie("sid"), nullptr);
    EXPECT_EQ(*q.Cookie("sid"), "abc");
    EXPECT_EQ(l.ids[0], l.ids[1]);
    EXPECT_EQ(l.events[0], "begin");
    EXPECT_EQ(l.events[1], "line GET /hello/world?x=1&y=two");
}

TEST(Http, RawSocketChunkedUploadAndAnswer) {
    Answerer l;
    hpsocket::HttpServer server(l);
    USHORT port = start(server);
    RawSocket s(port);
    s.send_all("PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    std::string got = s.read_until([](const std::string& a) { return a.find("body=hello world") != std::string::npos; });
    EXPECT_EQ(got.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << got;
    EXPECT_NE(got.find("Content-Length: 27\r\n"), std::string::npos) << got;
    s.send_all("GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n");
    got = s.read_until([](const std::string& a) { return a.find("0\r\n\r\n") != std::string::npos; });
    EXPECT_NE(got.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << got;
    EXPECT_NE(got.find("6\r\npart1,\r\n5;x=y\r\npart2\r\n0\r\n\r\n"), std::string::npos) << got;
    std::lock_guard<std::mutex> g(l.mu);
    std::vector<std::string> chunks;
    for (auto& e : l.events)
        if (e.rfind("chunk ", 0) == 0) chunks.push_back(e);
    EXPECT_EQ(chunks, (std::vector<std::string>{"chunk 5", "chunk 6", "chunk 0"}));
}

TEST(Http, BadRequestIsAParseError) {
    Answerer l;
    hpsocket::HttpServer server(l);
    USHORT port = start(server);
    RawSocket s(port);
    s.send_all("GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n");
    ASSERT_TRUE(l.parse_error.wait(10s));
    std::string rest = s.read_until([](const std::string&) { return false; });
    EXPECT_EQ(rest, "");  // closed without an answer
    ASSERT_TRUE(l.closed.wait(10s));
    std::lock_guard<std::mutex> g(l.mu);
    ASSERT_EQ(l.errors.size(), 1u);
    EXPECT_TRUE(l.requests.empty());
}

TEST(Http, ListenerErrorAndExceptionFailTheParse) {
    struct Refuser : Answerer {
        HttpParseResult OnHeadersComplete(hpsocket::HttpServerView&, ConnId) override { throw std::runtime_error("no"); }
        std::atomic<int> exceptions{0};
        void OnException(const char*, std::exception_ptr) noexcept override { exceptions++; }
    } l;
    hpsocket::HttpServer server(l);
    USHORT port = start(server);
    RawSocket s(port);
    s.send_all("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(l.parse_error.wait(10s));
    EXPECT_EQ(s.read_until([](const std::string&) { return false; }), "");
    EXPECT_EQ(l.exceptions.load(), 1);
}

TEST(Http, AgentAndClientAgainstServer) {
    Answerer l;
    hpsocket::HttpServer server(l);
    USHORT port = start(server);

    struct AgentL : hpsocket::HttpAgentListener {
        std::string body;
        USHORT status = 0;
        Latch done{1};
        HttpParseResult OnStatusLine(hpsocket::HttpAgentView&, ConnId, USHORT st, const char*) override {
            status = st;
            return HttpParseResult::Ok;
        }
        HttpParseResult OnBody(hpsocket::HttpAgentView&, ConnId, const BYTE* d, int n) override {
            body.append(reinterpret_cast<const char*>(d), static_cast<std::size_t>(n));
            return HttpParseResult::Ok;
        }
        HttpParseResult OnMessageComplete(hpsocket::HttpAgentView&, ConnId) override {
            done.count_down();
            return HttpParseResult::Ok;
        }
    } al;
    hpsocket::HttpAgent agent(al);
    ASSERT_TRUE(agent.Start(nullptr, false)) << agent.last_error().message;
    ConnId id = 0;
    ASSERT_TRUE(agent.Connect("127.0.0.1", port, &id)) << agent.last_error().message;
    ASSERT_TRUE(agent.SendPost(id, "/agent?a=b", "xyz"));
    ASSERT_TRUE(al.done.wait(10s));
    EXPECT_EQ(al.status, 200);
    EXPECT_EQ(al.body, "POST /agent q=a=b body=xyz");
    hpsocket::Response r;
    ASSERT_TRUE(agent.GetResponse(id, r));
    EXPECT_EQ(r.HeaderOr("X-Test"), "yes");

    struct ClientL : hpsocket::HttpClientListener {
        std::string body;
        Latch done{1};
        HttpParseResult OnBody(hpsocket::HttpClientView&, ConnId, const BYTE* d, int n) override {
            body.append(reinterpret_cast<const char*>(d), static_cast<std::size_t>(n));
            return HttpParseResult::Ok;
        }
        HttpParseResult OnMessageComplete(hpsocket::HttpClientView&, ConnId) override {
            done.count_down();
            return HttpParseResult::Ok;
        }
    } cl;
    hpsocket::HttpClient client(cl);
    ASSERT_TRUE(client.Start("127.0.0.1", port, false)) << client.last_error().message;
    ASSERT_TRUE(client.SendGet("/client", {{"X-A", "b"}}));
    ASSERT_TRUE(cl.done.wait(10s));
    EXPECT_EQ(cl.body, "GET /client q= body=");
    EXPECT_EQ(client.GetStatusCode(), 200);
}

TEST(Http, SyncClientErrors) {
    hpsocket::HttpSyncClient client;
    EXPECT_FALSE(client.OpenUrl("GET", "ftp://127.0.0.1/"));
    EXPECT_EQ(client.last_error().code, hpsocket::SocketError::InvalidParam);
    EXPECT_FALSE(client.OpenUrl("GET", "https://127.0.0.1:1/"));  // scheme of the other kind
    EXPECT_EQ(client.last_error().code, hpsocket::SocketError::InvalidParam);
}

TEST(Http, HttpsServerAndSyncClient) {
    const Pki& k = pki();
    Answerer l;
    hpsocket::HttpsServer server(l);
    ASSERT_TRUE(server.SetupSSLContext(hpsocket::SslVerifyNone, k.server_cert.c_str(), k.server_key.c_str()))
        << server.last_error().message;
    USHORT port = start(server);
    hpsocket::HttpsSyncClient client;
    ASSERT_TRUE(client.SetupSSLContext(hpsocket::SslVerifyPeer, nullptr, nullptr, nullptr, k.ca_cert.c_str()))
        << client.last_error().message;
    hpsocket::Response r;
    std::string url = "https://127.0.0.1:" + std::to_string(port) + "/tls?s=1";
    ASSERT_TRUE(client.OpenUrl("GET", url.c_str(), r)) << client.last_error().message;
    EXPECT_EQ(r.body, "GET /tls q=s=1 body=");
    EXPECT_TRUE(client.IsSecure());
}
