package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** examples/java/EchoServer.java and EchoClient.java, run from source against the jar. */
class ExamplesTest {
    @Test
    void echoServerAndClientExamples() throws Exception {
        String examples = System.getProperty("hpsocket.test.examples");
        Assumptions.assumeTrue(examples != null && Files.isDirectory(Path.of(examples)), "examples dir");
        String jar = System.getProperty("hpsocket.test.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process server = new ProcessBuilder(java, "-cp", jar, examples + "/EchoServer.java", String.valueOf(port))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("echo server on"), "server said: " + first);
            Process client = new ProcessBuilder(java, "-cp", jar, examples + "/EchoClient.java", "127.0.0.1",
                    String.valueOf(port)).redirectErrorStream(true).start();
            client.getOutputStream().write("hello example\n".getBytes(StandardCharsets.UTF_8));
            client.getOutputStream().close();
            String text = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(client.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, client.exitValue(), text);
            assertTrue(text.contains("echo: hello example"), text);
        } finally {
            server.destroy(); // SIGTERM: its shutdown hook closes the server
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        }
    }
}
