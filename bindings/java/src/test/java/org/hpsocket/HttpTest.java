package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP components against the JDK's own HTTP client ({@code java.net.http}), raw sockets, and
 * the JDK's {@code com.sun.net.httpserver} server.
 */
class HttpTest {
    static final String HOST = TestSupport.HOST;

    @TempDir
    static Path dir;
    static Path certFile;
    static Path keyFile;

    /** The JDK server the agent/client tests talk to. */
    static com.sun.net.httpserver.HttpServer jdk;
    static final List<String> jdkSeen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        jdk = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress(HOST, 0), 16);
        jdk.createContext("/", ex -> {
            byte[] in = ex.getRequestBody().readAllBytes();
            String q = ex.getRequestURI().getRawQuery();
            jdkSeen.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + (q == null ? "" : "?" + q)
                    + " x-test=" + ex.getRequestHeaders().getFirst("X-Test") + " body=" + in.length);
            byte[] out = ("you sent " + ex.getRequestMethod() + " " + new String(in, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("X-Reply", "one");
            ex.getResponseHeaders().add("X-Reply", "two");
            ex.getResponseHeaders().add("Set-Cookie", "sid=abc; Path=/");
            if (ex.getRequestURI().getPath().equals("/chunked")) {
                ex.sendResponseHeaders(201, 0); // 0: chunked
            } else {
                ex.sendResponseHeaders(200, out.length);
            }
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        });
        jdk.start();
    }

    @AfterAll
    static void tearDown() {
        jdk.stop(0);
    }

    static int jdkPort() {
        return jdk.getAddress().getPort();
    }

    static java.net.http.HttpClient jdkClient() {
        // HTTP/1.1 only: the JDK client otherwise asks for an h2c upgrade on http:// URLs.
        return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** An HTTP server that answers every request with what it saw, and records its events. */
    static final class Recorder implements HttpServerListener<HttpServer> {
        final List<String> events = new CopyOnWriteArrayList<>();
        final Map<Long, ByteArrayOutputStream> bodies = new ConcurrentHashMap<>();
        final Set<Long> accepted = ConcurrentHashMap.newKeySet();
        final AtomicInteger chunks = new AtomicInteger();
        final CountDownLatch parseError = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicReference<String> error = new AtomicReference<>();

        @Override
        public HandleResult onAccept(HttpServer s, long connId, int fd) {
            accepted.add(connId);
            return HandleResult.OK;
        }

        @Override
        public HttpParseResult onMessageBegin(HttpServer s, long connId) {
            events.add("begin");
            bodies.put(connId, new ByteArrayOutputStream());
            return HttpParseResult.OK;
        }

        @Override
        public HttpParseResult onRequestLine(HttpServer s, long connId, String method, String url) {
            events.add("line " + method + " " + url);
            return HttpParseResult.OK;
        }

        @Override
        public HttpParseResult onHeader(HttpServer s, long connId, String name, String value) {
            if (name.equalsIgnoreCase("x-test")) {
                events.add("header " + name + "=" + value);
            }
            return HttpParseResult.OK;
        }

        @Override
        public HttpParseResult onHeadersComplete(HttpServer s, long connId) {
            events.add("headers");
            return HttpParseResult.OK;
        }

        @Override
        public HttpParseResult onBody(HttpServer s, long connId, ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bodies.get(connId).writeBytes(b);
            return HttpParseResult.OK;
        }

        @Override
        public HttpParseResult onChunkHeader(HttpServer s, long connId, long length) {
            chunks.incrementAndGet();
            return HttpParseResult.OK;
        }

        @Override
        public HttpParseResult onMessageComplete(HttpServer s, long connId) {
            events.add("complete");
            HttpMessage m = s.getMessage(connId);
            byte[] body = bodies.get(connId).toByteArray();
            String text = m.method() + " path=" + m.path() + " query=" + m.query() + " x-test="
                    + m.header("X-TEST") + " cookies=" + m.cookies() + " ka=" + m.keepAlive() + " len="
                    + m.contentLength() + " version=" + m.version() + " body=" + new String(body, StandardCharsets.UTF_8);
            s.sendResponse(connId, 200, null, Map.of("Content-Type", "text/plain", "X-Conn", Long.toString(connId),
                    "Set-Cookie", List.of("a=1", "b=2")), text.getBytes(StandardCharsets.UTF_8));
            if (!m.keepAlive()) {
                s.release(connId);
            }
            return HttpParseResult.OK;
        }

        @Override
        public HttpParseResult onParseError(HttpServer s, long connId, int code, String description) {
            error.set(code + " " + description);
            parseError.countDown();
            return HttpParseResult.OK;
        }

        @Override
        public HandleResult onClose(HttpServer s, long connId, SocketOperation op, int errorCode) {
            closed.countDown();
            return HandleResult.OK;
        }
    }

    @Test
    void getWithQueryAndPostFromTheJdkClient() throws Exception {
        Recorder rec = new Recorder();
        try (HttpServer server = new HttpServer(rec)) {
            server.start(HOST, 0);
            int port = TestSupport.port(server);
            java.net.http.HttpClient c = jdkClient();
            var get = c.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + "/a/b?x=1&y=two"))
                    .header("X-Test", "hello").header("Cookie", "k=v; k2=v2").GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, get.statusCode());
            assertTrue(get.body().startsWith("GET path=/a/b query=x=1&y=two x-test=hello cookies={k=v, k2=v2} ka=true"),
                    get.body());
            assertEquals(List.of("a=1", "b=2"), get.headers().allValues("set-cookie"));
            assertEquals("text/plain", get.headers().firstValue("content-type").orElse(null));
            assertEquals(List.of("begin", "line GET /a/b?x=1&y=two", "header X-Test=hello", "headers", "complete"),
                    rec.events);

            var post = c.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + "/submit"))
                    .POST(HttpRequest.BodyPublishers.ofString("name=value")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, post.statusCode());
            assertTrue(post.body().startsWith("POST path=/submit query= "), post.body());
            assertTrue(post.body().endsWith("len=10 version=1.1 body=name=value"), post.body());
            // keep-alive: both requests came over one connection
            assertEquals(get.headers().firstValue("x-conn"), post.headers().firstValue("x-conn"));
            assertEquals(1, rec.accepted.size());
        }
    }

    @Test
    void chunkedUploadFromTheJdkClient() throws Exception {
        Recorder rec = new Recorder();
        try (HttpServer server = new HttpServer(rec)) {
            server.start(HOST, 0);
            byte[] big = new byte[100_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) ('a' + i % 26);
            }
            // An InputStream publisher has no length: the JDK client sends it chunked.
            var r = jdkClient().send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + TestSupport.port(server)
                    + "/up")).POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().endsWith("len=0 version=1.1 body=" + new String(big, StandardCharsets.US_ASCII)));
            assertTrue(rec.chunks.get() >= 2, "chunks: " + rec.chunks.get());
        }
    }

    @Test
    void badRequestFromARawSocketIsAParseError() throws Exception {
        Recorder rec = new Recorder();
        try (HttpServer server = new HttpServer(rec)) {
            server.start(HOST, 0);
            try (Socket s = new Socket(HOST, TestSupport.port(server))) {
                s.getOutputStream().write("GET / HTTP/1.1\r\nBad Header\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                TestSupport.await(rec.parseError, "onParseError");
                TestSupport.await(rec.closed, "onClose");
                assertEquals(-1, s.getInputStream().read());
            }
            assertNotNull(rec.error.get());
            long id = rec.accepted.iterator().next();
            // The connection is gone, so its parse error is too.
            assertThrows(HPSocketException.class, () -> server.getParseError(id));
        }
    }

    @Test
    void errorFromAListenerClosesTheConnection() throws Exception {
        CountDownLatch error = new CountDownLatch(1);
        try (HttpServer server = new HttpServer(new HttpServerListener<HttpServer>() {
            @Override
            public HttpParseResult onHeadersComplete(HttpServer s, long connId) {
                return s.getMessage(connId).path().equals("/deny") ? HttpParseResult.ERROR : HttpParseResult.OK;
            }

            @Override
            public HttpParseResult onParseError(HttpServer s, long connId, int code, String description) {
                error.countDown();
                return HttpParseResult.OK;
            }
        })) {
            server.start(HOST, 0);
            try (Socket s = new Socket(HOST, TestSupport.port(server))) {
                s.getOutputStream().write("GET /deny HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                TestSupport.await(error, "onParseError");
                assertEquals(-1, s.getInputStream().read());
            }
        }
    }

    @Test
    void exceptionFromAnHttpCallbackIsReportedAndClosesTheConnection() throws Exception {
        CountDownLatch error = new CountDownLatch(1);
        try (TestSupport.CapturedExceptions captured = new TestSupport.CapturedExceptions();
                HttpServer server = new HttpServer(new HttpServerListener<HttpServer>() {
                    @Override
                    public HttpParseResult onRequestLine(HttpServer s, long connId, String method, String url) {
                        throw new IllegalStateException("boom " + url);
                    }

                    @Override
                    public HttpParseResult onParseError(HttpServer s, long connId, int code, String description) {
                        error.countDown();
                        return HttpParseResult.OK;
                    }
                })) {
            server.start(HOST, 0);
            try (Socket s = new Socket(HOST, TestSupport.port(server))) {
                s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                TestSupport.await(error, "onParseError");
                assertEquals(-1, s.getInputStream().read());
            }
            TestSupport.waitUntil(() -> !captured.exceptions.isEmpty(), "the reported exception");
            assertEquals("boom /x", captured.exceptions.get(0).getMessage());
        }
    }

    @Test
    void chunkedResponseAndSettings() throws Exception {
        try (HttpServer server = new HttpServer(new HttpServerListener<HttpServer>() {
            @Override
            public HttpParseResult onMessageComplete(HttpServer s, long connId) {
                s.sendResponse(connId, 200, null, Map.of("Transfer-Encoding", "chunked"), null);
                s.sendChunk(connId, "hello ".getBytes(StandardCharsets.US_ASCII));
                s.sendChunk(connId, "world".getBytes(StandardCharsets.US_ASCII), "ext=1");
                s.sendLastChunk(connId);
                return HttpParseResult.OK;
            }
        })) {
            assertEquals(HttpVersion.HTTP_1_1, server.getLocalVersion());
            assertEquals(3000, server.getReleaseDelay());
            assertTrue(server.isAutoStart());
            server.setReleaseDelay(10);
            assertEquals(100, server.getReleaseDelay());
            server.start(HOST, 0);
            server.setLocalVersion(HttpVersion.HTTP_1_0); // allowed while running
            assertEquals(HttpVersion.HTTP_1_0, server.getLocalVersion());
            try (HttpSyncClient client = new HttpSyncClient()) {
                HttpResponse r = client.openUrl("GET", "http://" + HOST + ":" + TestSupport.port(server) + "/");
                assertEquals(200, r.status());
                assertEquals("1.0", r.message().version());
                assertEquals("hello world", r.bodyText());
                assertEquals("chunked", r.header("transfer-encoding"));
            }
            assertThrows(HPSocketException.class, () -> server.sendResponse(12345, 200, "gone"));
        }
    }

    @Test
    void syncClientAgainstTheJdkServer() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (HttpSyncClient client = new HttpSyncClient(new HttpClientListener<HttpSyncClient>() {
            @Override
            public HttpParseResult onStatusLine(HttpSyncClient c, long connId, int status, String reason) {
                events.add(status + " " + reason);
                return HttpParseResult.OK;
            }
        })) {
            assertEquals(5000, client.getConnectTimeout());
            assertEquals(10000, client.getRequestTimeout());
            client.setRequestTimeout(20000);
            String base = "http://" + HOST + ":" + jdkPort();
            HttpResponse get = client.openUrl("GET", base + "/sync?q=1", Map.of("X-Test", "t1"), null, false);
            assertEquals(200, get.status());
            assertEquals("you sent GET ", get.bodyText());
            assertEquals(List.of("one", "two"), get.headers().get("x-reply"));
            assertEquals("abc", get.message().cookies().get("sid"));
            assertTrue(jdkSeen.contains("GET /sync?q=1 x-test=t1 body=0"), jdkSeen.toString());
            long conn = client.getConnectionId();

            byte[] payload = "p".repeat(5000).getBytes(StandardCharsets.US_ASCII);
            HttpResponse post = client.openUrl("POST", base + "/post", null, payload, false);
            assertEquals(200, post.status());
            assertEquals("you sent POST " + "p".repeat(5000), post.bodyText());
            assertEquals(conn, client.getConnectionId(), "the connection is reused");
            assertArrayEquals(post.body(), client.getResponseBody());

            HttpResponse chunked = client.openUrl("PUT", base + "/chunked", null, "x".getBytes(StandardCharsets.US_ASCII),
                    true);
            assertEquals(201, chunked.status());
            assertEquals("you sent PUT x", chunked.bodyText());
            assertEquals(List.of("200 OK", "200 OK", "201 Created"), events);

            HPSocketException e = assertThrows(HPSocketException.class, () -> client.openUrl("GET", "ftp://x/"));
            assertEquals(SocketError.INVALID_PARAM, e.getError());
        }
    }

    @Test
    void syncClientTimesOut() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 8, java.net.InetAddress.getByName(HOST));
                HttpSyncClient client = new HttpSyncClient()) {
            client.setRequestTimeout(300);
            HPSocketException e = assertThrows(HPSocketException.class,
                    () -> client.openUrl("GET", "http://" + HOST + ":" + silent.getLocalPort() + "/"));
            assertEquals(110, e.getErrno()); // ETIMEDOUT
        }
    }

    @Test
    void asyncClientAndAgentAgainstTheJdkServer() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<String> seen = new AtomicReference<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (HttpClient client = new HttpClient(new HttpClientListener<HttpClient>() {
            @Override
            public HandleResult onConnect(HttpClient c, long connId) {
                c.sendPost("/from-client?z=9", Map.of("X-Test", "c"), "abc".getBytes(StandardCharsets.US_ASCII));
                return HandleResult.OK;
            }

            @Override
            public HttpParseResult onBody(HttpClient c, long connId, ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                synchronized (body) {
                    body.writeBytes(b);
                }
                return HttpParseResult.OK;
            }

            @Override
            public HttpParseResult onMessageComplete(HttpClient c, long connId) {
                HttpMessage m = c.getMessage();
                seen.set(m.status() + " " + m.header("x-reply") + " " + m.headerValues("X-Reply"));
                done.countDown();
                return HttpParseResult.OK;
            }
        })) {
            client.start(HOST, jdkPort());
            TestSupport.await(done, "the response");
            assertEquals("200 one [one, two]", seen.get());
            synchronized (body) {
                assertEquals("you sent POST abc", body.toString(StandardCharsets.UTF_8));
            }
            assertTrue(jdkSeen.contains("POST /from-client?z=9 x-test=c body=3"), jdkSeen.toString());
            // readable from this thread too, after the callbacks
            assertEquals(200, client.getMessage().status());
            assertTrue(client.isUseCookie());
        }

        CountDownLatch two = new CountDownLatch(2);
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        try (HttpAgent agent = new HttpAgent(new HttpAgentListener<HttpAgent>() {
            @Override
            public HttpParseResult onMessageComplete(HttpAgent a, long connId) {
                statuses.add(a.getMessage(connId).status());
                two.countDown();
                return HttpParseResult.OK;
            }
        })) {
            agent.start(null, false);
            long a = agent.connect(HOST, jdkPort());
            long b = agent.connect(HOST, jdkPort());
            agent.sendGet(a, "/agent-a", null);
            agent.sendDelete(b, "/agent-b", Map.of("X-Test", "b"));
            TestSupport.await(two, "two responses");
            assertEquals(List.of(200, 200), statuses);
            assertTrue(jdkSeen.contains("DELETE /agent-b x-test=b body=0"), jdkSeen.toString());
        }
    }

    @Test
    void autoStartOffDeliversBytesUntilStartHttp() throws Exception {
        CountDownLatch complete = new CountDownLatch(1);
        List<String> received = new CopyOnWriteArrayList<>();
        try (HttpServer server = new HttpServer(new HttpServerListener<HttpServer>() {
            @Override
            public HandleResult onReceive(HttpServer s, long connId, byte[] data) {
                received.add(new String(data, StandardCharsets.US_ASCII));
                s.startHttp(connId);
                return HandleResult.OK;
            }

            @Override
            public HttpParseResult onMessageComplete(HttpServer s, long connId) {
                s.sendResponse(connId, 204, null, null, null);
                complete.countDown();
                return HttpParseResult.OK;
            }
        })) {
            server.setAutoStart(false);
            server.start(HOST, 0);
            try (Socket s = new Socket(HOST, TestSupport.port(server))) {
                OutputStream out = s.getOutputStream();
                out.write("PROXY x\r\n".getBytes(StandardCharsets.US_ASCII));
                TestSupport.waitUntil(() -> !received.isEmpty(), "onReceive");
                out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                TestSupport.await(complete, "the request");
                byte[] head = new byte[12];
                int n = s.getInputStream().readNBytes(head, 0, 12);
                assertEquals("HTTP/1.1 204", new String(head, 0, n, StandardCharsets.US_ASCII));
            }
            assertEquals(List.of("PROXY x\r\n"), received);
        }
    }

    @Test
    void messageBeforeTheFirstRequestThrows() throws Exception {
        CountDownLatch accepted = new CountDownLatch(1);
        AtomicReference<Long> id = new AtomicReference<>();
        try (HttpServer server = new HttpServer(new HttpServerListener<HttpServer>() {
            @Override
            public HandleResult onAccept(HttpServer s, long connId, int fd) {
                id.set(connId);
                accepted.countDown();
                return HandleResult.OK;
            }
        })) {
            server.start(HOST, 0);
            try (Socket s = new Socket(HOST, TestSupport.port(server))) {
                assertTrue(s.isConnected());
                TestSupport.await(accepted, "accept");
                assertThrows(HPSocketException.class, () -> server.getMessage(id.get()));
                assertNull(server.getParseError(id.get()));
            }
        }
    }

    @Test
    void syncClientReadsAResponseWhoseServerCloses() throws Exception {
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 8, java.net.InetAddress.getByName(HOST));
                HttpSyncClient client = new HttpSyncClient()) {
            Thread t = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    InputStream in = s.getInputStream();
                    int state = 0;
                    while (state < 4) { // up to the blank line
                        int b = in.read();
                        if (b < 0) {
                            return;
                        }
                        state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
                    }
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // the test fails on its own
                }
            });
            t.start();
            HttpResponse r = client.openUrl("GET", "http://" + HOST + ":" + ss.getLocalPort() + "/close");
            assertEquals(200, r.status());
            assertEquals("hi", r.bodyText());
            assertTrue(!r.message().keepAlive());
            t.join();
        }
    }

    // ---- HTTPS (the certificate pattern of SslTest) ----

    @Test
    void httpsServerAndSyncClient() throws Exception {
        makeCertificate();
        try (HttpsServer server = new HttpsServer(new HttpServerListener<HttpsServer>() {
            @Override
            public HttpParseResult onMessageComplete(HttpsServer s, long connId) {
                s.sendResponse(connId, 200, "secure " + s.getMessage(connId).path() + " "
                        + s.getSslSession(connId).protocol());
                return HttpParseResult.OK;
            }
        })) {
            server.setupSslContext(SslConfig.builder().certificateFile(certFile).privateKeyFile(keyFile).build());
            server.start(HOST, 0);
            assertTrue(server.isSecure());
            try (HttpsSyncClient client = new HttpsSyncClient()) {
                client.setupSslContext(SslConfig.builder().build());
                HttpResponse r = client.openUrl("GET", "https://" + HOST + ":" + TestSupport.port(server) + "/tls");
                assertEquals(200, r.status());
                assertTrue(r.bodyText().startsWith("secure /tls TLSv1."), r.bodyText());
                assertThrows(HPSocketException.class, () -> client.openUrl("GET", "http://" + HOST + ":1/"));
            }
        }
    }

    private static synchronized void makeCertificate() throws Exception {
        if (certFile != null) {
            return;
        }
        Path keystore = dir.resolve("http.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "3650",
                "-ext", "san=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("server", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("server");
        certFile = Files.writeString(dir.resolve("http.crt"), pem("CERTIFICATE", cert.getEncoded()));
        keyFile = Files.writeString(dir.resolve("http.key"), pem("PRIVATE KEY", key.getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
