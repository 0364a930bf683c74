package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** The jar carries its native library and loads it in a fresh JVM with no library path. */
class JarTest {
    private static Path jar() {
        String p = System.getProperty("hpsocket.test.jar");
        assertNotNull(p, "the build passes -Dhpsocket.test.jar");
        Path jar = Path.of(p);
        assertTrue(Files.isRegularFile(jar), "jar " + jar);
        return jar;
    }

    private static String run(List<String> jvmArgs, int expectExit) throws IOException, InterruptedException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = System.getProperty("hpsocket.test.classes");
        assertNotNull(classes, "the build passes -Dhpsocket.test.classes");
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.addAll(jvmArgs);
        // Only JarProbe's own class directory besides the jar: no JUnit, no library path.
        cmd.add("-cp");
        cmd.add(jar() + File.pathSeparator + classes);
        cmd.add("org.hpsocket.JarProbe");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(expectExit, p.exitValue(), out);
        return out;
    }

    @Test
    void jarContainsTheNativeLibrary() throws IOException {
        try (ZipFile zip = new ZipFile(jar().toFile())) {
            assertNotNull(zip.getEntry(Native.RESOURCE.substring(1)), "entry " + Native.RESOURCE);
        }
    }

    @Test
    void freshJvmLoadsTheLibraryFromTheJar() throws Exception {
        String out = run(List.of(), 0);
        assertTrue(out.contains("LOADED jar:" + Native.RESOURCE), out);
        assertTrue(out.contains("ECHO OK"), out);
    }

    @Test
    void overridePropertyNamesTheLibrary() throws Exception {
        String out = run(List.of("-D" + Native.LIBRARY_PATH_PROPERTY + "=/nonexistent/libhpsocket_jni.so"), 1);
        assertTrue(out.contains("UnsatisfiedLinkError") && out.contains("/nonexistent/libhpsocket_jni.so"), out);
    }
}
