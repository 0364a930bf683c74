package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket mode: our server and client (and agent) in the mode, a raw socket breaking
 * the protocol, the settings' bounds, and the JDK's own WebSocket client
 * ({@code java.net.http.WebSocket}) against our server.
 */
class WebSocketTest {
    static final String HOST = TestSupport.HOST;
    static final int EPROTO = 71;

    /** One event a listener saw: a message (opcode, payload), an upgrade or a close. */
    record Ev(String kind, int opcode, byte[] data, SocketOperation op, int errno) {
        static Ev msg(int opcode, byte[] data) {
            return new Ev("message", opcode, data, null, 0);
        }

        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            if (kind.equals("message") && opcode == WsFrame.CLOSE) {
                return "message CLOSE " + WsFrame.closeCode(data) + " '" + WsFrame.closeReason(data) + "'";
            }
            return kind + (kind.equals("message") ? " " + WsFrame.name(opcode) + " " + data.length
                    : kind.equals("close") ? " " + op + " " + errno : "");
        }
    }

    static Ev next(BlockingQueue<Ev> q, String what) throws InterruptedException {
        Ev e = q.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(e, "timed out waiting for " + what);
        return e;
    }

    /** The next event that is not an upgrade (which the mode reports on both sides). */
    static Ev nextMessageOrClose(BlockingQueue<Ev> q, String what) throws InterruptedException {
        Ev e;
        do {
            e = next(q, what);
        } while (e.kind.equals("upgrade"));
        return e;
    }

    /*
     * wsClose is called from the closing side's own callbacks here: from another thread, a
     * peer that answers the close at once can close the connection before wsClose returns,
     * which then throws although the close went out (a core race, reported; the callback's
     * sends leave only after it returns, so there the race cannot happen).
     */

    /**
     * A server in the mode that echoes text and binary messages (from the buffer itself); the
     * text {@code close:CODE:REASON} makes it close instead.
     */
    static final class EchoServer implements HttpServerListener<HttpServer> {
        final BlockingQueue<Ev> events = new LinkedBlockingQueue<>();

        @Override
        public HttpParseResult onUpgrade(HttpServer s, long connId, UpgradeType type) {
            events.add(new Ev("upgrade", 0, null, null, 0));
            return HttpParseResult.OK;
        }

        @Override
        public HttpParseResult onWsMessage(HttpServer s, long connId, int opcode, ByteBuffer data) {
            byte[] copy = new byte[data.remaining()];
            data.duplicate().get(copy);
            events.add(Ev.msg(opcode, copy));
            String text = opcode == WsFrame.TEXT ? new String(copy, StandardCharsets.UTF_8) : "";
            if (text.startsWith("close:")) {
                String[] w = text.split(":", 3);
                s.wsClose(connId, Integer.parseInt(w[1]), w[2]);
            } else if (opcode == WsFrame.TEXT || opcode == WsFrame.BINARY) {
                s.sendWsMessage(connId, opcode, data);
            }
            return HttpParseResult.OK;
        }

        @Override
        public HandleResult onClose(HttpServer s, long connId, SocketOperation op, int errno) {
            events.add(new Ev("close", 0, null, op, errno));
            return HandleResult.OK;
        }

        HttpServer start() {
            HttpServer server = new HttpServer(this);
            assertFalse(server.isWebSocketMode());
            server.setWebSocketMode(true);
            assertTrue(server.isWebSocketMode());
            server.start(HOST, 0);
            return server;
        }
    }

    /** A client recording what it gets (the byte[] variant of onWsMessage). */
    static final class Recorder implements HttpClientListener<HttpClient> {
        final BlockingQueue<Ev> events = new LinkedBlockingQueue<>();
        /** When set, the next pong makes the client close with this code and reason. */
        volatile int closeOnPong;
        volatile String closeReason;

        @Override
        public HttpParseResult onUpgrade(HttpClient c, long connId, UpgradeType type) {
            events.add(new Ev("upgrade", type.ordinal(), null, null, 0));
            return HttpParseResult.OK;
        }

        @Override
        public HttpParseResult onWsMessage(HttpClient c, long connId, int opcode, byte[] data) {
            events.add(Ev.msg(opcode, data));
            if (opcode == WsFrame.PONG && closeOnPong != 0) {
                c.wsClose(closeOnPong, closeReason);
            }
            return HttpParseResult.OK;
        }

        @Override
        public HandleResult onClose(HttpClient c, long connId, SocketOperation op, int errno) {
            events.add(new Ev("close", 0, null, op, errno));
            return HandleResult.OK;
        }

        /** A client in the mode, connected to {@code port} and upgraded. */
        HttpClient connect(int port) throws InterruptedException {
            HttpClient client = new HttpClient(this);
            client.setWebSocketMode(true);
            client.start(HOST, port);
            client.sendWsUpgrade("/chat", java.util.Map.of("Origin", "http://test"));
            Ev up = next(events, "the upgrade");
            assertEquals("upgrade", up.kind);
            assertEquals(UpgradeType.WEB_SOCKET.ordinal(), up.opcode);
            assertEquals(101, client.getMessage().status());
            return client;
        }
    }

    @Test
    void fragmentsLargeMessagesPingAndTheClosingHandshake() throws Exception {
        EchoServer es = new EchoServer();
        Recorder rc = new Recorder();
        try (HttpServer server = es.start(); HttpClient client = rc.connect(TestSupport.port(server))) {
            // A text message in three fragments, a two-byte character split between two of them.
            byte[] text = "hello w\u00f6rld".getBytes(StandardCharsets.UTF_8);
            int split = 8; // inside the two bytes of the o-umlaut
            assertEquals((byte) 0xC3, text[split - 1]);
            client.sendWsMessage(false, 0, WsFrame.TEXT, Arrays.copyOfRange(text, 0, 3));
            client.sendWsMessage(false, 0, WsFrame.CONTINUATION, Arrays.copyOfRange(text, 3, split));
            client.sendWsMessage(true, 0, WsFrame.CONTINUATION, Arrays.copyOfRange(text, split, text.length));
            Ev echoed = nextMessageOrClose(rc.events, "the text echo");
            assertEquals(WsFrame.TEXT, echoed.opcode);
            assertEquals("hello w\u00f6rld", echoed.text());
            Ev atServer = nextMessageOrClose(es.events, "the server's text");
            assertEquals(WsFrame.TEXT, atServer.opcode);
            assertArrayEquals(text, atServer.data);

            // 1 MiB of binary in one message, from a direct buffer.
            byte[] big = TestSupport.randomBytes(new Random(6455), 1 << 20);
            ByteBuffer direct = ByteBuffer.allocateDirect(big.length).put(big).flip();
            client.sendWsMessage(WsFrame.BINARY, direct);
            assertEquals(0, direct.remaining());
            echoed = next(rc.events, "the 1 MiB echo");
            assertEquals(WsFrame.BINARY, echoed.opcode);
            assertArrayEquals(big, echoed.data);
            assertEquals(big.length, next(es.events, "the server's binary").data.length);

            // A ping is answered by the library with a pong carrying its payload.
            client.sendWsMessage(WsFrame.PING, "are you there".getBytes(StandardCharsets.UTF_8));
            Ev pong = next(rc.events, "the pong");
            assertEquals(WsFrame.PONG, pong.opcode);
            assertEquals("are you there", pong.text());
            Ev ping = next(es.events, "the server's ping");
            assertEquals(WsFrame.PING, ping.opcode);
            assertEquals("are you there", ping.text());

            // The closing handshake: our code and reason reach the server, its answer comes back.
            rc.closeReason = "bye now";
            rc.closeOnPong = 4000;
            client.sendWsMessage(WsFrame.PING, new byte[0]);
            assertEquals(WsFrame.PONG, next(rc.events, "the second pong").opcode);
            assertEquals(WsFrame.PING, next(es.events, "the second ping").opcode);
            Ev close = next(es.events, "the server's close message");
            assertEquals(WsFrame.CLOSE, close.opcode);
            assertEquals(4000, WsFrame.closeCode(close.data));
            assertEquals("bye now", WsFrame.closeReason(close.data));
            Ev answer = next(rc.events, "the answering close");
            assertEquals(WsFrame.CLOSE, answer.opcode);
            assertEquals(4000, WsFrame.closeCode(answer.data));
            Ev clientClosed = next(rc.events, "the client's close");
            assertEquals("close", clientClosed.kind);
            assertEquals(SocketOperation.CLOSE, clientClosed.op);
            assertEquals(0, clientClosed.errno);
            Ev serverClosed = next(es.events, "the server's close");
            assertEquals("close", serverClosed.kind);
            assertEquals(SocketOperation.CLOSE, serverClosed.op);
            assertEquals(0, serverClosed.errno);
        }
    }

    @Test
    void theServerClosesWithCodeAndReason() throws Exception {
        EchoServer es = new EchoServer();
        Recorder rc = new Recorder();
        try (HttpServer server = es.start(); HttpClient client = rc.connect(TestSupport.port(server))) {
            client.sendWsMessage("first");
            assertEquals("first", next(rc.events, "the echo").text());
            client.sendWsMessage("close:" + WsFrame.CLOSE_GOING_AWAY + ":server going down");
            Ev close = next(rc.events, "the client's close message");
            assertEquals(WsFrame.CLOSE, close.opcode);
            assertEquals(WsFrame.CLOSE_GOING_AWAY, WsFrame.closeCode(close.data));
            assertEquals("server going down", WsFrame.closeReason(close.data));
            Ev closed = next(rc.events, "the client's close");
            assertEquals(SocketOperation.CLOSE, closed.op);
            assertEquals(0, closed.errno);
            Ev e = nextMessageOrClose(es.events, "the server's text");
            assertEquals("first", e.text());
            assertEquals(WsFrame.TEXT, next(es.events, "the close command").opcode);
            Ev answer = next(es.events, "the client's answer");
            assertEquals(WsFrame.CLOSE, answer.opcode);
            assertEquals(WsFrame.CLOSE_GOING_AWAY, WsFrame.closeCode(answer.data));
            Ev serverClosed = next(es.events, "the server's close");
            assertEquals(SocketOperation.CLOSE, serverClosed.op);
            assertEquals(0, serverClosed.errno);
        }
    }

    @Test
    void anAgentInTheModeToo() throws Exception {
        EchoServer es = new EchoServer();
        BlockingQueue<Ev> got = new LinkedBlockingQueue<>();
        BlockingQueue<Long> connected = new LinkedBlockingQueue<>();
        HttpAgentListener<HttpAgent> l = new HttpAgentListener<>() {
            @Override
            public HandleResult onConnect(HttpAgent a, long connId) {
                connected.add(connId);
                return HandleResult.OK;
            }

            @Override
            public HttpParseResult onUpgrade(HttpAgent a, long connId, UpgradeType type) {
                got.add(new Ev("upgrade", 0, null, null, 0));
                return HttpParseResult.OK;
            }

            @Override
            public HttpParseResult onWsMessage(HttpAgent a, long connId, int opcode, ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                got.add(Ev.msg(opcode, b));
                return HttpParseResult.OK;
            }
        };
        try (HttpServer server = es.start(); HttpAgent agent = new HttpAgent(l)) {
            agent.setWebSocketMode(true);
            agent.start();
            long[] ids = new long[2];
            for (int i = 0; i < 2; i++) {
                ids[i] = agent.connect(HOST, TestSupport.port(server));
            }
            for (int i = 0; i < 2; i++) {
                assertNotNull(connected.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS), "connect " + i);
            }
            for (int i = 0; i < 2; i++) {
                agent.sendWsUpgrade(ids[i], "/a" + i, null);
                assertEquals("upgrade", next(got, "upgrade " + i).kind);
                agent.sendWsMessage(ids[i], WsFrame.BINARY, new byte[] {(byte) i, 42});
                Ev e = next(got, "echo " + i);
                assertEquals(WsFrame.BINARY, e.opcode);
                assertArrayEquals(new byte[] {(byte) i, 42}, e.data);
            }
        }
    }

    @Test
    void aMessageOverTheMaximumGets1009() throws Exception {
        EchoServer es = new EchoServer();
        try (HttpServer server = es.start()) {
            server.setWsMaxMessageSize(1000); // while running: later upgrades see it
            assertEquals(1000, server.getWsMaxMessageSize());
            Recorder rc2 = new Recorder();
            try (HttpClient c2 = rc2.connect(TestSupport.port(server))) {
                c2.sendWsMessage(WsFrame.BINARY, new byte[1000]);
                assertEquals(1000, next(rc2.events, "the 1000-byte echo").data.length);
                c2.sendWsMessage(WsFrame.BINARY, new byte[1001]);
                Ev close = next(rc2.events, "the 1009 close");
                assertEquals(WsFrame.CLOSE, close.opcode);
                assertEquals(WsFrame.CLOSE_TOO_BIG, WsFrame.closeCode(close.data));
                assertEquals("close", next(rc2.events, "the close").kind);
            }
            // The server's onClose is (RECEIVE, EMSGSIZE) only when its close timer (100 ms
            // after the 1009) beats our client, which answers the close and hangs up at once;
            // then it is (CLOSE, 0). Only the message sizes are checked there.
            Ev e;
            do {
                e = next(es.events, "the server's close");
                assertTrue(!e.kind.equals("message") || e.data.length <= 1000, e.toString());
            } while (!e.kind.equals("close"));
        }
    }

    // ---- a raw peer --------------------------------------------------------------------------

    static String accept(String key) throws Exception {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        byte[] d = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(d);
    }

    /** Reads an HTTP head (up to the blank line). */
    static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            b.write(c);
            byte[] s = b.toByteArray();
            int n = s.length;
            if (n >= 4 && s[n - 4] == '\r' && s[n - 3] == '\n' && s[n - 2] == '\r' && s[n - 1] == '\n') {
                break;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aRawPeersUnmaskedFrameGets1002() throws Exception {
        EchoServer es = new EchoServer();
        try (HttpServer server = es.start(); Socket s = new Socket(HOST, TestSupport.port(server))) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestSupport.WAIT_SECONDS));
            String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            out.write(("GET /raw HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
            assertTrue(head.contains("Sec-WebSocket-Accept: " + accept(key) + "\r\n"), head);
            // A client's frame must be masked: this text frame is not.
            out.write(new byte[] {(byte) 0x81, 0x02, 'h', 'i'});
            byte[] rest = in.readAllBytes(); // the close frame, then the end of the stream
            assertTrue(rest.length >= 4, Arrays.toString(rest));
            assertEquals((byte) 0x88, rest[0]);
            assertEquals(0, rest[1] & 0x80, "a server's frame is never masked");
            assertEquals(WsFrame.CLOSE_PROTOCOL_ERROR, ((rest[2] & 0xff) << 8) | (rest[3] & 0xff));
            Ev e = nextMessageOrClose(es.events, "the server's close");
            assertEquals("close", e.kind, "the unmasked frame must not be delivered: " + e);
            assertEquals(SocketOperation.RECEIVE, e.op);
            assertEquals(EPROTO, e.errno);
        }
    }

    @Test
    void anUpgradeWithoutAKeyGets400() throws Exception {
        EchoServer es = new EchoServer();
        try (HttpServer server = es.start(); Socket s = new Socket(HOST, TestSupport.port(server))) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestSupport.WAIT_SECONDS));
            s.getOutputStream().write(("GET /raw HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
            assertTrue(answer.contains("Sec-WebSocket-Version: 13\r\n"), answer);
        }
    }

    // ---- settings and arguments out of range ---------------------------------------------

    static void invalid(Runnable r) {
        HPSocketException e = assertThrows(HPSocketException.class, r::run);
        assertEquals(SocketError.INVALID_PARAM, e.getError(), e.getMessage());
    }

    @Test
    void outOfRangeSettingsAndArgumentsAreRefused() throws Exception {
        EchoServer es = new EchoServer();
        Recorder rc = new Recorder();
        try (HttpServer server = es.start(); HttpClient client = rc.connect(TestSupport.port(server))) {
            assertEquals(16 << 20, server.getWsMaxMessageSize());
            invalid(() -> server.setWsMaxMessageSize(0));
            invalid(() -> server.setWsMaxMessageSize(-1));
            invalid(() -> client.setWsMaxMessageSize(Integer.MIN_VALUE));
            assertEquals(16 << 20, server.getWsMaxMessageSize());
            server.setWsMaxMessageSize(1);
            assertEquals(1, server.getWsMaxMessageSize());
            client.setWsMaxMessageSize(Integer.MAX_VALUE);
            assertEquals(Integer.MAX_VALUE, client.getWsMaxMessageSize());

            for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65536 + 1000, -1}) {
                invalid(() -> client.wsClose(code, null));
            }
            invalid(() -> client.wsClose(1000, "x".repeat(124)));
            invalid(() -> client.sendWsMessage(true, 8, WsFrame.TEXT, new byte[1]));
            invalid(() -> client.sendWsMessage(true, -1, WsFrame.TEXT, new byte[1]));
            invalid(() -> client.sendWsMessage(true, 0, 16, new byte[1]));
            // None of those sent anything: the connection still echoes, and a 123-byte reason
            // is still a valid close.
            client.sendWsMessage("still here");
            assertEquals("still here", next(rc.events, "the echo").text());
            rc.closeReason = "y".repeat(123);
            rc.closeOnPong = 1000;
            client.sendWsMessage(WsFrame.PING, new byte[0]);
            assertEquals(WsFrame.PONG, next(rc.events, "the pong").opcode);
            Ev close = next(rc.events, "the answering close");
            assertEquals(WsFrame.CLOSE, close.opcode);
            assertEquals("close", next(rc.events, "the close").kind);
        }
        HttpServer closed = new HttpServer(new EchoServer());
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.setWebSocketMode(true));
        assertThrows(IllegalStateException.class, () -> closed.wsClose(1, 1000, null));
    }

    // ---- the JDK's WebSocket client against our server -----------------------------------

    /** Collects the JDK client's messages, whole (it may hand them over in parts). */
    static final class JdkListener implements java.net.http.WebSocket.Listener {
        final BlockingQueue<Ev> events = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add(Ev.msg(WsFrame.TEXT, text.toString().getBytes(StandardCharsets.UTF_8)));
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(java.net.http.WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                events.add(Ev.msg(WsFrame.BINARY, binary.toByteArray()));
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(java.net.http.WebSocket ws, ByteBuffer message) {
            byte[] b = new byte[message.remaining()];
            message.get(b);
            events.add(Ev.msg(WsFrame.PONG, b));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(java.net.http.WebSocket ws, int statusCode, String reason) {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            byte[] payload = new byte[2 + r.length];
            payload[0] = (byte) (statusCode >> 8);
            payload[1] = (byte) statusCode;
            System.arraycopy(r, 0, payload, 2, r.length);
            events.add(Ev.msg(WsFrame.CLOSE, payload));
            return null;
        }

        @Override
        public void onError(java.net.http.WebSocket ws, Throwable error) {
            events.add(new Ev("error " + error, 0, null, null, 0));
        }
    }

    static java.net.http.WebSocket jdkConnect(int port, JdkListener l) throws Exception {
        return java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(TestSupport.WAIT_SECONDS))
                .buildAsync(URI.create("ws://" + HOST + ":" + port + "/jdk"), l)
                .get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    static void done(CompletableFuture<?> f) throws Exception {
        f.get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void theJdkWebSocketClientEchoesTextAndBinaryAndCloses() throws Exception {
        EchoServer es = new EchoServer();
        JdkListener jl = new JdkListener();
        try (HttpServer server = es.start()) {
            java.net.http.WebSocket ws = jdkConnect(TestSupport.port(server), jl);
            // The JDK sends a text in two parts: two frames, one message for our listener.
            done(ws.sendText("hello from ", false));
            done(ws.sendText("the JDK \u2713", true));
            Ev e = next(jl.events, "the JDK's text echo");
            assertEquals(WsFrame.TEXT, e.opcode, e.toString());
            assertEquals("hello from the JDK \u2713", e.text());
            Ev atServer = nextMessageOrClose(es.events, "the server's text");
            assertEquals("hello from the JDK \u2713", atServer.text());

            byte[] big = TestSupport.randomBytes(new Random(17), 300_000);
            done(ws.sendBinary(ByteBuffer.wrap(big), true));
            e = next(jl.events, "the JDK's binary echo");
            assertEquals(WsFrame.BINARY, e.opcode, e.toString());
            assertArrayEquals(big, e.data);
            assertEquals(big.length, next(es.events, "the server's binary").data.length);

            done(ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})));
            e = next(jl.events, "the pong");
            assertEquals(WsFrame.PONG, e.opcode, e.toString());
            assertArrayEquals(new byte[] {1, 2, 3}, e.data);
            assertEquals(WsFrame.PING, next(es.events, "the server's ping").opcode);

            done(ws.sendClose(WsFrame.CLOSE_NORMAL, "done"));
            Ev close = next(es.events, "the server's close message");
            assertEquals(WsFrame.CLOSE, close.opcode, close.toString());
            assertEquals(WsFrame.CLOSE_NORMAL, WsFrame.closeCode(close.data));
            assertEquals("done", WsFrame.closeReason(close.data));
            e = next(jl.events, "the JDK's close");
            assertEquals(WsFrame.CLOSE, e.opcode, e.toString());
            assertEquals(WsFrame.CLOSE_NORMAL, WsFrame.closeCode(e.data));
            Ev closed = next(es.events, "the server's close");
            assertEquals(SocketOperation.CLOSE, closed.op);
            assertEquals(0, closed.errno);
        }
    }

    @Test
    void ourServerClosesTheJdkClient() throws Exception {
        EchoServer es = new EchoServer();
        JdkListener jl = new JdkListener();
        try (HttpServer server = es.start()) {
            java.net.http.WebSocket ws = jdkConnect(TestSupport.port(server), jl);
            done(ws.sendText("close:4321:we are done", true));
            Ev e = next(jl.events, "the JDK's close");
            assertEquals(WsFrame.CLOSE, e.opcode, e.toString());
            assertEquals(4321, WsFrame.closeCode(e.data));
            assertEquals("we are done", WsFrame.closeReason(e.data));
            assertEquals(WsFrame.TEXT, nextMessageOrClose(es.events, "the close command").opcode);
            // The JDK answers once onClose's stage completes (null: at once).
            Ev answer = next(es.events, "the JDK's answer");
            assertEquals(WsFrame.CLOSE, answer.opcode, answer.toString());
            assertEquals(4321, WsFrame.closeCode(answer.data));
            Ev closed = next(es.events, "the server's close");
            assertEquals(SocketOperation.CLOSE, closed.op);
            assertEquals(0, closed.errno);
            assertTrue(ws.isInputClosed());
        }
    }
}
