package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Issue #14: close reasons as names plus text ({@link Errno}). */
class ErrnoTest {
    @Test
    void namesAndTexts() {
        assertEquals("ECONNRESET", Errno.name(104));
        assertEquals("Connection reset by peer", Errno.text(104));
        assertEquals("Connection reset by peer (104)", Errno.describe(104));
        assertEquals("Receive: Connection reset by peer (104)", Errno.describe(SocketOperation.RECEIVE, 104));
        assertEquals("Close: no error", Errno.describe(SocketOperation.CLOSE, 0));
        assertEquals("Connect: Connection refused (111)", Errno.describe(SocketOperation.CONNECT, 111));
        assertEquals("Unknown: Operation canceled (125)", Errno.describe(null, 125));
        assertEquals("EAGAIN", Errno.name(11), "EAGAIN, not EWOULDBLOCK");
        assertEquals("EHWPOISON", Errno.name(133), "the last");
        assertNull(Errno.name(41), "a hole in Linux's numbering");
        assertNull(Errno.name(0));
        assertNull(Errno.name(134));
        assertNull(Errno.name(-1));
        assertEquals("no error", Errno.text(0));
        assertEquals("Unknown error 134", Errno.text(134));
        assertEquals("Unknown error -1", Errno.text(-1));
        assertEquals("no error", Errno.describe(0));
    }

    @Test
    void constantsAreNamedByTheirOwnName() throws Exception {
        int n = 0;
        for (Field f : Errno.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                assertEquals(f.getName(), Errno.name(f.getInt(null)));
                n++;
            }
        }
        assertTrue(n >= 8, n + " constants");
    }

    /** Whether the C library's messages are its untranslated English ones in this process. */
    static boolean untranslatedMessages() {
        String locale = "C";
        for (String v : new String[] {"LC_ALL", "LC_MESSAGES", "LANG"}) {
            String s = System.getenv(v);
            if (s != null && !s.isEmpty()) {
                locale = s;
                break;
            }
        }
        if (locale.equals("C") || locale.startsWith("C.") || locale.equals("POSIX")) {
            return true; // glibc ignores LANGUAGE in the C locale
        }
        String language = System.getenv("LANGUAGE");
        return locale.startsWith("en") && (language == null || language.isEmpty() || language.startsWith("en"));
    }

    /**
     * The fixed table says what the library says (its texts, as in its log records), where the
     * C library does not translate them (it does under, say, de_DE.UTF-8: the point of the table).
     */
    @Test
    void tableAgreesWithTheLibrarysOwnTexts() {
        assumeTrue(untranslatedMessages(), "the C library's messages are translated in this locale");
        List<String> differ = new ArrayList<>();
        for (int code = 1; code <= Errno.MAX + 2; code++) {
            String ours = Errno.text(code);
            String library = Native.errnoText(code);
            if (!ours.equals(library)) {
                differ.add(code + ": \"" + ours + "\" vs the library's \"" + library + "\"");
            }
        }
        assertEquals(List.of(), differ);
    }

    /**
     * A peer that resets its connection: onClose(CLOSE, ECONNRESET) (a reset is the peer
     * closing, as HP-Socket reports it), named and described.
     */
    @Test
    void aResetConnectionIsDescribed() throws Exception {
        CountDownLatch accepted = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger code = new AtomicInteger(-1);
        AtomicReference<String> line = new AtomicReference<>();
        try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onAccept(TcpServer s, long connId, int fd) {
                accepted.countDown();
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpServer s, long connId, SocketOperation op, int err) {
                code.set(err);
                line.set(Errno.describe(op, err));
                closed.countDown();
                return HandleResult.OK;
            }
        })) {
            server.start(TestSupport.HOST, 0);
            try (Socket peer = new Socket(TestSupport.HOST, TestSupport.port(server))) {
                TestSupport.await(accepted, "accept");
                peer.setSoLinger(true, 0); // close() sends a RST
            }
            TestSupport.await(closed, "onClose");
            assertEquals(Errno.ECONNRESET, code.get());
            assertEquals("ECONNRESET", Errno.name(code.get()));
            assertEquals("Close: Connection reset by peer (104)", line.get());
        }
    }
}
