// Echo with the hpsocket C++ wrapper (bindings/cpp/include/hpsocket.hpp), HP-Socket style: a
// listener subclass overrides the callbacks it needs; the owner runs the component.
//
//   echo                       self test: a server and a client in this process
//   echo server [PORT]         an echo server on 0.0.0.0 (default 5555) until Enter
//   echo client HOST PORT [N]  sends N lines (default 10) and prints the echoes
//
// Build: c++ -std=c++17 -Iinclude -Ibindings/cpp/include echo.cpp -Ltarget/debug -lhpsocket
#include <hpsocket.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

using hpsocket::ConnId;
using hpsocket::HandleResult;

class EchoServerListener : public hpsocket::ServerListener {
public:
    HandleResult OnAccept(hpsocket::Server& sender, ConnId id, UINT_PTR) override {
        std::string address;
        USHORT port = 0;
        if (sender.GetRemoteAddress(id, address, port))
            std::printf("[server] #%lu connected from %s:%u\n", id, address.c_str(), port);
        return HandleResult::Ok;
    }
    HandleResult OnReceive(hpsocket::Server& sender, ConnId id, const BYTE* data, int length) override {
        return sender.Send(id, data, length) ? HandleResult::Ok : HandleResult::Error;
    }
    HandleResult OnClose(hpsocket::Server&, ConnId id, hpsocket::SocketOperation op, int error) override {
        std::printf("[server] #%lu closed (operation %d, error %d)\n", id, static_cast<int>(op), error);
        return HandleResult::Ok;
    }
};

// Collects what comes back and wakes the waiting thread.
class CollectingClientListener : public hpsocket::ClientListener {
public:
    HandleResult OnReceive(hpsocket::Client&, ConnId, const BYTE* data, int length) override {
        std::lock_guard<std::mutex> g(mu_);
        received_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
        cv_.notify_all();
        return HandleResult::Ok;
    }
    // Waits (at most 30 s) until `size` bytes arrived; returns what arrived.
    std::string wait_for(std::size_t size) {
        std::unique_lock<std::mutex> g(mu_);
        cv_.wait_for(g, std::chrono::seconds(30), [&] { return received_.size() >= size; });
        return received_;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::string received_;
};

int server_main(USHORT port) {
    hpsocket::TcpServer server(std::make_unique<EchoServerListener>());  // owns its listener
    if (!server.Start("0.0.0.0", port)) {
        std::fprintf(stderr, "start failed: %s\n", server.last_error().message.c_str());
        return 1;
    }
    std::printf("echo server on port %u; press Enter to stop\n", port);
    std::string line;
    std::getline(std::cin, line);
    return 0;
}

int client_main(const char* host, USHORT port, int count) {
    CollectingClientListener listener;
    hpsocket::TcpClient client(listener);
    if (!client.Start(host, port, false)) {
        std::fprintf(stderr, "connect failed: %s\n", client.last_error().message.c_str());
        return 1;
    }
    std::size_t total = 0;
    for (int i = 0; i < count; i++) {
        std::string line = "hello #" + std::to_string(i) + " \xE2\x80\x94 h\xC3\xA9llo";
        if (!client.Send(line)) return 1;
        total += line.size();
        std::string got = listener.wait_for(total);
        if (got.size() < total) return 1;
        std::printf("[client] echo: %s\n", got.substr(total - line.size()).c_str());
    }
    return 0;
}

int self_test() {
    hpsocket::TcpServer server(std::make_unique<EchoServerListener>());
    if (!server.Start("127.0.0.1", 0)) {
        std::fprintf(stderr, "server: %s\n", server.last_error().message.c_str());
        return 1;
    }
    std::string address;
    USHORT port = 0;
    if (!server.GetListenAddress(address, port)) return 1;

    CollectingClientListener client_listener;  // by reference: it outlives the client
    hpsocket::TcpClient client(client_listener);
    if (!client.Start(address.c_str(), port, false)) {
        std::fprintf(stderr, "client: %s\n", client.last_error().message.c_str());
        return 1;
    }
    std::string sent;
    for (int i = 0; i < 100; i++) sent += std::string(static_cast<std::size_t>(1 + i * 37 % 1000), static_cast<char>('a' + i % 26)) + "|\xC3\xBC|";
    for (std::size_t off = 0, i = 0; off < sent.size(); i++) {
        std::size_t n = std::min(sent.size() - off, 1 + i * 101 % 2000);
        if (!client.Send(sent.data() + off, static_cast<int>(n))) return 1;
        off += n;
    }
    bool same = client_listener.wait_for(sent.size()) == sent;
    std::printf("echo self test: %zu bytes through %s:%u, %s\n", sent.size(), address.c_str(), port,
                same ? "all echoed intact" : "MISMATCH");
    return same ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "self";
    if (mode == "server") return server_main(static_cast<USHORT>(argc > 2 ? std::atoi(argv[2]) : 5555));
    if (mode == "client" && argc > 3) return client_main(argv[2], static_cast<USHORT>(std::atoi(argv[3])), argc > 4 ? std::atoi(argv[4]) : 10);
    if (mode == "self") return self_test();
    std::fprintf(stderr, "usage: echo [server [PORT] | client HOST PORT [N]]\n");
    return 2;
}
