package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS: a self-signed certificate made with keytool at test time. */
class SslTest {
    @TempDir
    static Path dir;
    static String certPem;
    static String keyPem;
    static Path certFile;
    static Path keyFile;

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path keystore = dir.resolve("server.p12");
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
        certPem = pem("CERTIFICATE", cert.getEncoded());
        keyPem = pem("PRIVATE KEY", key.getEncoded());
        certFile = Files.writeString(dir.resolve("server.crt"), certPem);
        keyFile = Files.writeString(dir.resolve("server.key"), keyPem);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    void sslEchoWithVerifiedServer() throws Exception {
        List<String> serverNames = new CopyOnWriteArrayList<>();
        try (SslServer server = new SslServer(TestSupport.echo())) {
            assertTrue(server.isSecure());
            server.setupSslContext(SslConfig.builder().certificateFile(certFile).privateKeyFile(keyFile).build(),
                    name -> {
                        serverNames.add(name);
                        return 0;
                    });
            server.start(TestSupport.HOST, 0);
            CountDownLatch handshake = new CountDownLatch(1);
            StringBuilder echo = new StringBuilder();
            CountDownLatch got = new CountDownLatch(1);
            try (SslClient client = new SslClient(new ClientListener<SslClient>() {
                @Override
                public HandleResult onHandshake(SslClient c, long id) {
                    handshake.countDown();
                    return HandleResult.OK;
                }

                @Override
                public HandleResult onReceive(SslClient c, long id, byte[] data) {
                    synchronized (echo) {
                        echo.append(new String(data, StandardCharsets.UTF_8));
                        if (echo.length() >= 11) {
                            got.countDown();
                        }
                    }
                    return HandleResult.OK;
                }
            })) {
                client.setupSslContext(SslConfig.builder().verifyMode(SslConfig.VERIFY_PEER).caPem(certPem).build());
                client.start("127.0.0.1^localhost", TestSupport.port(server));
                TestSupport.await(handshake, "TLS handshake");
                client.send("hello world".getBytes(StandardCharsets.UTF_8));
                TestSupport.await(got, "TLS echo");
                assertEquals("hello world", echo.toString());
                SslSession session = client.getSslSession();
                assertTrue(session.protocol().startsWith("TLS"), session.protocol());
                assertTrue(!session.cipher().isEmpty());
                assertNotNull(session.peerCertificate());
                assertEquals("CN=localhost", session.peerCertificate().getSubjectX500Principal().getName());
            }
            assertEquals(List.of("localhost"), serverNames);
        }
    }

    @Test
    void sslPackAgentWithPemInMemory() throws Exception {
        try (SslPackServer server = new SslPackServer(TestSupport.echo())) {
            server.setupSslContext(SslConfig.builder().certificatePem(certPem).privateKeyPem(keyPem).build());
            server.start(TestSupport.HOST, 0);
            List<byte[]> got = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(3);
            try (SslPackAgent agent = new SslPackAgent(new AgentListener<SslPackAgent>() {
                @Override
                public HandleResult onHandshake(SslPackAgent a, long id) {
                    a.send(id, new byte[100_000]);
                    a.send(id, new byte[] {1});
                    a.send(id, ByteBuffer.wrap(new byte[] {2, 3}));
                    return HandleResult.OK;
                }

                @Override
                public HandleResult onReceive(SslPackAgent a, long id, byte[] data) {
                    got.add(data);
                    done.countDown();
                    return HandleResult.OK;
                }
            })) {
                agent.setupSslContext(SslConfig.builder().build());
                agent.start();
                agent.connect(TestSupport.HOST, TestSupport.port(server));
                TestSupport.await(done, "TLS PACK echoes");
                assertEquals(100_000, got.get(0).length);
                assertArrayEquals(new byte[] {1}, got.get(1));
                assertArrayEquals(new byte[] {2, 3}, got.get(2));
            }
        }
    }

    @Test
    void badCertificateIsReported() {
        try (SslServer server = new SslServer(TestSupport.echo())) {
            HPSocketException e = assertThrows(HPSocketException.class, () -> server.setupSslContext(
                    SslConfig.builder().certificateFile(dir.resolve("missing.crt")).privateKeyFile(keyFile).build()));
            assertEquals(SocketError.SSL_ENV_NOT_READY, e.getError());
            HPSocketException notReady = assertThrows(HPSocketException.class, () -> server.start(TestSupport.HOST, 0));
            assertEquals(SocketError.SSL_ENV_NOT_READY, notReady.getError());
        }
    }
}
