// Packaging test consumer, C++: the hpsocket.hpp wrapper from an installed hpsocket, found by
// CMake's find_package(hpsocket) outside the source tree. A server on 127.0.0.1 (a free port),
// one client, one message echoed and compared; exits 0 on success.
//
//   echo_cpp EXPECTED_VERSION     EXPECTED_VERSION: the version find_package reported
#include <hpsocket.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>

namespace {

class EchoServer : public hpsocket::ServerListener {
public:
    hpsocket::HandleResult OnReceive(hpsocket::Server& sender, hpsocket::ConnId id, const BYTE* data,
                                     int length) override {
        return sender.Send(id, data, length) ? hpsocket::HandleResult::Ok : hpsocket::HandleResult::Error;
    }
};

class Collector : public hpsocket::ClientListener {
public:
    hpsocket::HandleResult OnReceive(hpsocket::Client&, hpsocket::ConnId, const BYTE* data, int length) override {
        std::lock_guard<std::mutex> g(mu_);
        got_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
        cv_.notify_all();
        return hpsocket::HandleResult::Ok;
    }
    // A generous bound: the echo normally takes well under a millisecond.
    std::string wait_for(std::size_t size) {
        std::unique_lock<std::mutex> g(mu_);
        cv_.wait_for(g, std::chrono::seconds(30), [&] { return got_.size() >= size; });
        return got_;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::string got_;
};

}  // namespace

int main(int argc, char** argv) {
    DWORD v = hpsocket::version();
    std::printf("echo_cpp: package %s, HP-Socket version %u.%u.%u.%u\n", argc > 1 ? argv[1] : "?",
                static_cast<unsigned>(v >> 24), static_cast<unsigned>(v >> 16 & 0xff),
                static_cast<unsigned>(v >> 8 & 0xff), static_cast<unsigned>(v & 0xff));
    EchoServer server_listener;
    hpsocket::TcpServer server(server_listener);
    std::string address;
    USHORT port = 0;
    if (!server.Start("127.0.0.1", 0) || !server.GetListenAddress(address, port)) {
        std::fprintf(stderr, "echo_cpp: server: %s\n", server.last_error().message.c_str());
        return 1;
    }
    Collector collector;
    hpsocket::TcpClient client(collector);
    if (!client.Start(address.c_str(), port, false)) {
        std::fprintf(stderr, "echo_cpp: connect: %s\n", client.last_error().message.c_str());
        return 1;
    }
    const std::string msg = "hello from find_package(hpsocket)";
    if (!client.Send(msg.data(), static_cast<int>(msg.size()))) return 1;
    std::string got = collector.wait_for(msg.size());
    bool same = got == msg;
    std::printf("echo_cpp: %s:%u echoed %zu of %zu bytes%s\n", address.c_str(), port, got.size(), msg.size(),
                same ? ", equal" : " - MISMATCH");
    return same ? 0 : 1;
}
