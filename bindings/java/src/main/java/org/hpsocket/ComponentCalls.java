package org.hpsocket;

import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * The native calls the component classes share, each keeping the component reachable while
 * native code runs: settings by key, sends, fetches, connection queries and the TLS context.
 * The public members of the classes and sealed interfaces call them; {@link Component}, the
 * one subclass, gives the handles and the rule for use after {@code close()}.
 */
abstract class ComponentCalls {
    /** An SSL server's SNI callback, from {@code setupSslContext}; null: the bound names. */
    private volatile ToIntFunction<String> serverNameCallback;

    ComponentCalls() {}

    /** The handle for an act; throws once closed (see {@link Component#handle()}). */
    abstract long handle();

    /** The handle for a query, which answers after {@code close()} too. */
    abstract long queryHandle();

    // ---- settings by key (Component.S_*) ----

    long getSetting(int key) {
        try {
            return Native.getSetting(queryHandle(), key);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    void setSetting(int key, long value) {
        try {
            Native.setSetting(handle(), key, value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    static long nonNegative(String name, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + v);
        }
        return v;
    }

    static long millis(Duration d) {
        return Math.max(0, d.toMillis());
    }

    // ---- data and connections ----

    void send0(long connId, byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        try {
            Native.send(handle(), connId, data, offset, length);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    void send0(long connId, ByteBuffer data) {
        int pos = data.position();
        int len = data.remaining();
        try {
            long address;
            if (data.isDirect() && (address = ReceiveBuffer.addressOf(data)) != 0) {
                // The buffer this thread's callback got: its bytes lie within its capacity
                // (position + remaining <= limit <= capacity), so no JVM lookup is needed.
                Native.sendAddress(handle(), connId, address, len);
            } else if (data.isDirect()) {
                Native.sendDirect(handle(), connId, data, pos, len);
            } else if (data.hasArray()) {
                Native.send(handle(), connId, data.array(), data.arrayOffset() + pos, len);
            } else {
                byte[] copy = new byte[len];
                data.duplicate().get(copy);
                Native.send(handle(), connId, copy, 0, len);
            }
        } finally {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(data);
        }
        data.position(pos + len);
    }

    void sendPackets0(long connId, ByteBuffer[] buffers) {
        byte[][] arrays = new byte[buffers.length][];
        int[] offs = new int[buffers.length];
        int[] lens = new int[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            ByteBuffer b = buffers[i];
            lens[i] = b.remaining();
            if (b.hasArray()) {
                arrays[i] = b.array();
                offs[i] = b.arrayOffset() + b.position();
            } else {
                arrays[i] = new byte[lens[i]];
                b.duplicate().get(arrays[i]);
            }
        }
        try {
            Native.sendPackets(handle(), connId, arrays, offs, lens);
        } finally {
            Reference.reachabilityFence(this);
        }
        for (ByteBuffer b : buffers) {
            b.position(b.limit());
        }
    }

    void sendSmallFile0(long connId, Path file, byte[] head, byte[] tail) {
        try {
            Native.sendSmallFile(handle(), connId, file.toString(), head, tail);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    FetchResult fetch0(long connId, byte[] dst, int offset, int length, boolean peek) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        try {
            return FetchResult.of(Native.fetch(handle(), connId, dst, offset, length, peek));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    FetchResult fetch0(long connId, ByteBuffer dst, boolean peek) {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        int pos = dst.position();
        int len = dst.remaining();
        FetchResult r;
        try {
            if (dst.isDirect()) {
                r = FetchResult.of(Native.fetchDirect(handle(), connId, dst, pos, len, peek));
            } else {
                r = FetchResult.of(Native.fetch(handle(), connId, dst.array(),
                        dst.arrayOffset() + pos, len, peek));
            }
        } finally {
            Reference.reachabilityFence(this);
        }
        if (r == FetchResult.OK) {
            dst.position(pos + len);
        }
        return r;
    }

    InetSocketAddress address0(long connId, int which) {
        byte[] raw;
        try {
            raw = Native.address(queryHandle(), connId, which);
        } finally {
            Reference.reachabilityFence(this);
        }
        return decodeAddress(raw);
    }

    static InetSocketAddress decodeAddress(byte[] raw) {
        int n = raw.length - 2;
        byte[] ip = java.util.Arrays.copyOf(raw, n);
        int port = ((raw[n] & 0xff) << 8) | (raw[n + 1] & 0xff);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    InetSocketAddress remoteHost0(long connId) {
        String s;
        try {
            s = Native.remoteHost(queryHandle(), connId);
        } finally {
            Reference.reachabilityFence(this);
        }
        int colon = s.indexOf(':');
        return InetSocketAddress.createUnresolved(s.substring(colon + 1),
                Integer.parseInt(s.substring(0, colon)));
    }

    void pauseReceive0(long connId, boolean pause) {
        try {
            Native.pauseReceive(handle(), connId, pause);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    boolean isPauseReceive0(long connId) {
        try {
            return Native.isPauseReceive(queryHandle(), connId);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    boolean isConnected0(long connId) {
        try {
            return Native.isConnected(queryHandle(), connId);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    long pendingDataLength0(long connId) {
        try {
            return Native.pendingDataLength(queryHandle(), connId);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    long sendEx0(long connId, byte[] data, int offset, int length, int deadlineMs,
            int maxRetransmits) {
        Objects.checkFromIndexSize(offset, length, data.length);
        nonNegative("deadlineMs", deadlineMs);
        try {
            return Native.sendEx(handle(), connId, data, offset, length, deadlineMs,
                    maxRetransmits);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    long waitingSendMessageCount0(long connId) {
        try {
            return Native.waitingSendMessageCount(queryHandle(), connId);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    // ---- TLS (public in the Ssl* classes and interfaces) ----

    /**
     * Builds the TLS context; a server's SNI asks {@code serverNames} (null: the names bound
     * with {@code bindSslServerName}).
     */
    void setupSsl0(SslConfig c, ToIntFunction<String> serverNames) {
        this.serverNameCallback = serverNames;
        Objects.requireNonNull(c, "config");
        try {
            Native.setupSsl(handle(), c.verifyMode(), c.certificate(), c.privateKey(),
                    c.keyPassword(), c.ca(), c.cipherList(), c.memoryMask(), serverNames != null);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    int addSslContext0(SslConfig c) {
        Objects.requireNonNull(c, "config");
        try {
            return Native.addSslContext(handle(), c.verifyMode(), c.certificate(), c.privateKey(),
                    c.keyPassword(), c.ca(), c.cipherList(), c.memoryMask());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    void bindSslServerName0(String name, int index) {
        try {
            Native.bindSslServerName(handle(), Objects.requireNonNull(name), index);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    void cleanupSsl0() {
        try {
            Native.cleanupSsl(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    void startSslHandshake0(long connId) {
        try {
            Native.startSslHandshake(handle(), connId);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    SslSession sslSession0(long connId) {
        String[] info;
        byte[] der;
        try {
            info = Native.sslInfo(queryHandle(), connId);
            der = Native.sslPeerCertificate(queryHandle(), connId);
        } finally {
            Reference.reachabilityFence(this);
        }
        return new SslSession(info[0], info[1], der);
    }

    /**
     * The SNI decision of an SSL server (see {@link SslServerComponent}); called by native
     * code (jvm.rs looks it up on {@code Component}, which inherits it). Without a callback:
     * 0, the default certificate.
     */
    int dispatchServerName(String name) {
        ToIntFunction<String> f = serverNameCallback;
        if (f == null) {
            return 0;
        }
        try {
            return f.applyAsInt(name);
        } catch (Throwable t) {
            Native.reportException(t);
            return -1;
        }
    }
}
