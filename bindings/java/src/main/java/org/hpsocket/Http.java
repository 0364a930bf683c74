package org.hpsocket;

import static org.hpsocket.Component.EV_HTTP_BODY;
import static org.hpsocket.Component.EV_HTTP_CHUNK_COMPLETE;
import static org.hpsocket.Component.EV_HTTP_CHUNK_HEADER;
import static org.hpsocket.Component.EV_HTTP_HEADER;
import static org.hpsocket.Component.EV_HTTP_HEADERS_COMPLETE;
import static org.hpsocket.Component.EV_HTTP_MESSAGE_BEGIN;
import static org.hpsocket.Component.EV_HTTP_MESSAGE_COMPLETE;
import static org.hpsocket.Component.EV_HTTP_PARSE_ERROR;
import static org.hpsocket.Component.EV_HTTP_REQUEST_LINE;
import static org.hpsocket.Component.EV_HTTP_STATUS_LINE;
import static org.hpsocket.Component.EV_HTTP_UPGRADE;
import static org.hpsocket.Component.EV_HTTP_WS_MESSAGE;
import static org.hpsocket.Component.bit;
import static org.hpsocket.Component.overrides;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the HTTP components share: event masks, delivery, and the native calls. */
final class Http {
    // httpGetSetting/httpSetSetting keys (http.rs).
    static final int H_LOCAL_VERSION = 0;
    static final int H_RELEASE_DELAY = 1;
    static final int H_AUTO_START = 2;
    static final int H_USE_COOKIE = 3;
    static final int H_WS_MODE = 4;
    static final int H_WS_MAX_MESSAGE = 5;
    static final int H_CONNECT_TIMEOUT = 10;
    static final int H_REQUEST_TIMEOUT = 11;

    private Http() {}

    /** The HTTP events {@code l} overrides; null listeners (sync clients) want none. */
    static int mask(Object l) {
        if (!(l instanceof HttpListener)) {
            return 0;
        }
        Class<?> i = HttpListener.class;
        Class<?> c = Component.class;
        return bit(overrides(l, i, "onMessageBegin", c, long.class), EV_HTTP_MESSAGE_BEGIN)
                | bit(overrides(l, i, "onRequestLine", c, long.class, String.class, String.class),
                        EV_HTTP_REQUEST_LINE)
                | bit(overrides(l, i, "onStatusLine", c, long.class, int.class, String.class),
                        EV_HTTP_STATUS_LINE)
                | bit(overrides(l, i, "onHeader", c, long.class, String.class, String.class), EV_HTTP_HEADER)
                | bit(overrides(l, i, "onHeadersComplete", c, long.class), EV_HTTP_HEADERS_COMPLETE)
                | bit(overrides(l, i, "onBody", c, long.class, ByteBuffer.class), EV_HTTP_BODY)
                | bit(overrides(l, i, "onChunkHeader", c, long.class, long.class), EV_HTTP_CHUNK_HEADER)
                | bit(overrides(l, i, "onChunkComplete", c, long.class), EV_HTTP_CHUNK_COMPLETE)
                | bit(overrides(l, i, "onMessageComplete", c, long.class), EV_HTTP_MESSAGE_COMPLETE)
                | bit(overrides(l, i, "onUpgrade", c, long.class, UpgradeType.class), EV_HTTP_UPGRADE)
                | bit(overrides(l, i, "onParseError", c, long.class, int.class, String.class),
                        EV_HTTP_PARSE_ERROR)
                | bit(overrides(l, i, "onWsMessage", c, long.class, int.class, ByteBuffer.class)
                        || overrides(l, i, "onWsMessage", c, long.class, int.class, byte[].class),
                        EV_HTTP_WS_MESSAGE);
    }

    /** The two NUL-separated UTF-8 texts of a string event. */
    private static String[] pair(ByteBuffer data) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        int nul = 0;
        while (nul < b.length && b[nul] != 0) {
            nul++;
        }
        String a = new String(b, 0, nul, StandardCharsets.UTF_8);
        String z = nul < b.length ? new String(b, nul + 1, b.length - nul - 1, StandardCharsets.UTF_8) : "";
        return new String[] {a, z};
    }

    @SuppressWarnings("unchecked")
    static <C extends Component> int deliver(HttpListener<?> listener, C sender, int event, long id, long arg,
            ByteBuffer data) {
        if (listener == null) {
            return 0;
        }
        HttpListener<C> l = (HttpListener<C>) listener;
        HttpParseResult r;
        String[] p;
        switch (event) {
            case EV_HTTP_MESSAGE_BEGIN:
                r = l.onMessageBegin(sender, id);
                break;
            case EV_HTTP_REQUEST_LINE:
                p = pair(data);
                r = l.onRequestLine(sender, id, p[0], p[1]);
                break;
            case EV_HTTP_STATUS_LINE:
                p = pair(data);
                r = l.onStatusLine(sender, id, Integer.parseInt(p[0]), p[1]);
                break;
            case EV_HTTP_HEADER:
                p = pair(data);
                r = l.onHeader(sender, id, p[0], p[1]);
                break;
            case EV_HTTP_HEADERS_COMPLETE:
                r = l.onHeadersComplete(sender, id);
                break;
            case EV_HTTP_BODY:
                r = l.onBody(sender, id, data);
                break;
            case EV_HTTP_CHUNK_HEADER:
                r = l.onChunkHeader(sender, id, arg);
                break;
            case EV_HTTP_CHUNK_COMPLETE:
                r = l.onChunkComplete(sender, id);
                break;
            case EV_HTTP_MESSAGE_COMPLETE:
                r = l.onMessageComplete(sender, id);
                break;
            case EV_HTTP_UPGRADE:
                r = l.onUpgrade(sender, id, UpgradeType.of((int) arg));
                break;
            case EV_HTTP_PARSE_ERROR:
                p = pair(data);
                r = l.onParseError(sender, id, Integer.parseInt(p[0]), p[1]);
                break;
            case EV_HTTP_WS_MESSAGE:
                r = l.onWsMessage(sender, id, (int) (arg >>> 32), data);
                break;
            default:
                r = HttpParseResult.OK;
        }
        return r == null ? 0 : r.code();
    }

    /**
     * Flat name, value pairs. A value may be a String, or an Iterable of values (one header
     * line each, e.g. several {@code Set-Cookie}); anything else goes by {@code toString()}.
     */
    static String[] flatten(Map<String, ?> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>(headers.size() * 2);
        for (Map.Entry<String, ?> e : headers.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Iterable) {
                for (Object x : (Iterable<?>) v) {
                    out.add(e.getKey());
                    out.add(String.valueOf(x));
                }
            } else {
                out.add(e.getKey());
                out.add(v == null ? "" : v.toString());
            }
        }
        return out.toArray(new String[0]);
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- native calls (the component stays reachable for each) ----

    static HttpMessage message(Component c, long connId) {
        try {
            return HttpMessage.of(Native.httpMessage(c.queryHandle(), connId));
        } finally {
            Reference.reachabilityFence(c);
        }
    }

    static HttpParseError parseError(Component c, long connId) {
        String[] e;
        try {
            e = Native.httpParseError(c.queryHandle(), connId);
        } finally {
            Reference.reachabilityFence(c);
        }
        return e == null ? null : new HttpParseError(Integer.parseInt(e[0]), e[1]);
    }

    static void startHttp(Component c, long connId) {
        try {
            Native.httpStart(c.handle(), connId);
        } finally {
            Reference.reachabilityFence(c);
        }
    }

    static void sendChunk(Component c, long connId, byte[] data, String extensions) {
        try {
            Native.httpSendChunk(c.handle(), connId, data, extensions);
        } finally {
            Reference.reachabilityFence(c);
        }
    }

    static void sendRequest(Component c, long connId, String method, String path, Map<String, ?> headers,
            byte[] body) {
        try {
            Native.httpSendRequest(c.handle(), connId, method, path, flatten(headers), body);
        } finally {
            Reference.reachabilityFence(c);
        }
    }

    static void sendWs(Component c, long connId, boolean fin, int reserved, int opcode, byte[] data, int offset,
            int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        try {
            Native.httpSendWs(c.handle(), connId, fin, reserved, opcode, data, offset, length);
        } finally {
            Reference.reachabilityFence(c);
        }
    }

    /** Sends {@code data}'s remaining bytes as one frame and consumes them. */
    static void sendWs(Component c, long connId, boolean fin, int reserved, int opcode, ByteBuffer data) {
        int pos = data.position();
        int len = data.remaining();
        if (data.isDirect()) {
            try {
                Native.httpSendWsDirect(c.handle(), connId, fin, reserved, opcode, data, pos, len);
            } finally {
                Reference.reachabilityFence(c);
                Reference.reachabilityFence(data);
            }
        } else if (data.hasArray()) {
            sendWs(c, connId, fin, reserved, opcode, data.array(), data.arrayOffset() + pos, len);
        } else {
            byte[] copy = new byte[len];
            data.duplicate().get(copy);
            sendWs(c, connId, fin, reserved, opcode, copy, 0, len);
        }
        data.position(pos + len);
    }

    static void wsUpgrade(Component c, long connId, String path, Map<String, ?> headers) {
        try {
            Native.httpWsUpgrade(c.handle(), connId, path, flatten(headers));
        } finally {
            Reference.reachabilityFence(c);
        }
    }

    static void wsClose(Component c, long connId, int code, String reason) {
        try {
            Native.httpWsClose(c.handle(), connId, code, reason);
        } finally {
            Reference.reachabilityFence(c);
        }
    }

    static long get(Component c, int key) {
        try {
            return Native.httpGetSetting(c.queryHandle(), key);
        } finally {
            Reference.reachabilityFence(c);
        }
    }

    static void set(Component c, int key, long value) {
        try {
            Native.httpSetSetting(c.handle(), key, value);
        } finally {
            Reference.reachabilityFence(c);
        }
    }
}
