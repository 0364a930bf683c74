package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14: the TLS client checks the server's name (against a real {@code openssl s_server}
 * whose certificate is for "localhost" only), stop of a stopped component does nothing, and
 * one rule for use after close.
 */
class SafeDefaultsTest {
    private static final int EKEYREJECTED = 129;
    private static String certPem;

    /** Connects an SSL client as {@code remote}; returns 0 after a handshake, else the close code. */
    private static int connect(int port, String remote, boolean check, AtomicReference<String> error)
            throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger result = new AtomicInteger(-1);
        try (SslClient client = new SslClient(new ClientListener<SslClient>() {
            @Override
            public HandleResult onHandshake(SslClient c, long id) {
                result.set(0);
                done.countDown();
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(SslClient c, long id, SocketOperation op, int err) {
                if (result.get() != 0) {
                    result.set(err);
                    HPSocketException e = c.getLastError();
                    error.set(e == null ? "" : e.getMessage());
                }
                done.countDown();
                return HandleResult.OK;
            }
        })) {
            assertTrue(client.isSslVerifyHostName(), "on by default");
            client.setSslVerifyHostName(check);
            assertEquals(check, client.isSslVerifyHostName());
            client.setupSslContext(SslConfig.builder().verifyMode(SslConfig.VERIFY_PEER)
                    .caPem(certPem).build());
            client.start(remote, port, false);
            TestSupport.await(done, "handshake or close");
            client.stop(); // may have stopped by itself: a no-op then
            return result.get();
        }
    }

    @TempDir
    Path dir;

    @Test
    void sslClientChecksTheServerNameAgainstOpensslSServer() throws Exception {
        // A self-signed certificate for localhost and 127.0.0.1, trusted by the client.
        Process req = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        req.getInputStream().readAllBytes();
        assertTrue(req.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, req.exitValue());
        certPem = Files.readString(dir.resolve("cert.pem"));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-quiet",
                "-cert", dir.resolve("cert.pem").toString(), "-key", dir.resolve("key.pem").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            final int p = port;
            TestSupport.waitUntil(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", p), 1000);
                    return true;
                } catch (Exception e) {
                    return false;
                }
            }, "s_server listening");
            AtomicReference<String> error = new AtomicReference<>("");
            assertEquals(EKEYREJECTED, connect(port, "127.0.0.1^evil.example", true, error));
            assertTrue(error.get().contains("certificate is for localhost, 127.0.0.1, not evil.example"),
                    error.get());
            assertEquals(0, connect(port, "127.0.0.1^localhost", true, error));
            assertEquals(0, connect(port, "127.0.0.1^evil.example", false, error));
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    @Test
    void stopOfAStoppedComponentDoesNothing() throws Exception {
        try (TcpServer server = new TcpServer(TestSupport.echo());
                TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {});
                TcpClient client = new TcpClient(new ClientListener<TcpClient>() {})) {
            server.stop(); // never started
            agent.stop();
            client.stop();
            TestSupport.echoServer(server);
            client.start(TestSupport.HOST, TestSupport.port(server), false);
            server.stop(); // the peer hangs up: the client stops by itself
            assertTrue(client.await(10, TimeUnit.SECONDS));
            client.stop();
            server.stop();
        }
    }

    @Test
    void stopFromAServersOwnCallbackStillFails() throws Exception {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch accepted = new CountDownLatch(1);
        try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onAccept(TcpServer s, long id, int fd) {
                try {
                    s.stop();
                } catch (Throwable t) {
                    seen.set(t);
                }
                accepted.countDown();
                return HandleResult.OK;
            }
        })) {
            server.start(TestSupport.HOST, 0);
            try (Socket s = new Socket(TestSupport.HOST, TestSupport.port(server))) {
                TestSupport.await(accepted, "accept");
                assertTrue(s.isConnected());
            }
            assertTrue(seen.get() instanceof HPSocketException, String.valueOf(seen.get()));
            assertEquals(SocketError.ILLEGAL_STATE, ((HPSocketException) seen.get()).getError());
            assertEquals(ServiceState.STARTED, server.getState());
        }
    }

    @Test
    void useAfterCloseIsOneRule() throws Exception {
        TcpServer server = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
        TcpClient client = new TcpClient(new ClientListener<TcpClient>() {});
        client.start(TestSupport.HOST, TestSupport.port(server), false);
        client.close();
        server.close();
        assertThrows(IllegalStateException.class, () -> server.start(TestSupport.HOST, 0));
        assertThrows(IllegalStateException.class, () -> server.send(1, new byte[] {1}));
        assertThrows(IllegalStateException.class, () -> server.disconnect(1));
        assertThrows(IllegalStateException.class, () -> server.setWorkerThreadCount(2));
        assertThrows(IllegalStateException.class, () -> client.send(new byte[] {1}));
        assertThrows(IllegalStateException.class, () -> client.start(TestSupport.HOST, 1, false));
        // Getters answer, and stop/close do nothing.
        assertEquals(ServiceState.STOPPED, server.getState());
        assertFalse(client.isConnected());
        server.stop();
        server.close();
        client.stop();
    }
}
