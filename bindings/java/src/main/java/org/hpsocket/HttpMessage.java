package org.hpsocket;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one HTTP message said: a request's line (servers) or a response's status (agents,
 * clients), its headers and cookies. An immutable snapshot, taken by
 * {@code getMessage(connId)} from any thread, inside a callback or not: it is the message the
 * connection parses now or parsed last (the first values are there from
 * {@code onRequestLine}/{@code onStatusLine} on).
 */
public final class HttpMessage {
    private final String method;
    private final String url;
    private final String path;
    private final String query;
    private final String reason;
    private final int status;
    private final int version;
    private final boolean keepAlive;
    private final UpgradeType upgradeType;
    private final long contentLength;
    private final String host;
    private final List<Map.Entry<String, String>> headerLines;
    private final Map<String, List<String>> headers;
    private final Map<String, String> cookies;

    private HttpMessage(String[] f) {
        method = f[0];
        url = f[1];
        path = f[2];
        query = f[3];
        reason = f[4];
        status = Integer.parseInt(f[5]);
        version = Integer.parseInt(f[6]);
        keepAlive = !"0".equals(f[7]);
        upgradeType = UpgradeType.of(Integer.parseInt(f[8]));
        contentLength = Long.parseLong(f[9]);
        host = f[10];
        int at = 11;
        int n = Integer.parseInt(f[at++]);
        List<Map.Entry<String, String>> lines = new ArrayList<>(n);
        TreeMap<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < n; i++, at += 2) {
            lines.add(new AbstractMap.SimpleImmutableEntry<>(f[at], f[at + 1]));
            map.computeIfAbsent(f[at], k -> new ArrayList<>()).add(f[at + 1]);
        }
        map.replaceAll((k, v) -> Collections.unmodifiableList(v));
        headerLines = Collections.unmodifiableList(lines);
        headers = Collections.unmodifiableMap(map);
        int c = Integer.parseInt(f[at++]);
        Map<String, String> jar = new LinkedHashMap<>();
        for (int i = 0; i < c; i++, at += 2) {
            jar.putIfAbsent(f[at], f[at + 1]);
        }
        cookies = Collections.unmodifiableMap(jar);
    }

    static HttpMessage of(String[] fields) {
        return new HttpMessage(fields);
    }

    /**
     * The request method, verbatim (empty for a response).
     *
     * @return the method
     */
    public String method() {
        return method;
    }

    /**
     * The request target as sent (empty for a response).
     *
     * @return the URL
     */
    public String url() {
        return url;
    }

    /**
     * The request target's path (empty when absent, and for a response).
     *
     * @return the path
     */
    public String path() {
        return path;
    }

    /**
     * The request target's query, without the {@code ?} (empty when absent).
     *
     * @return the query
     */
    public String query() {
        return query;
    }

    /**
     * The response's status code (0 for a request).
     *
     * @return the status
     */
    public int status() {
        return status;
    }

    /**
     * The response's reason phrase (may be empty).
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }

    /**
     * The version, {@code "1.1"} or {@code "1.0"}.
     *
     * @return major.minor
     */
    public String version() {
        return (version & 0xff) + "." + ((version >> 8) & 0xff);
    }

    /**
     * Whether the connection stays open after this message (llhttp's rule).
     *
     * @return keep-alive
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * What the message upgrades the connection to ({@link UpgradeType#NONE} if nothing).
     *
     * @return the upgrade type
     */
    public UpgradeType upgradeType() {
        return upgradeType;
    }

    /**
     * Whether the message upgrades the connection.
     *
     * @return true for an upgrade
     */
    public boolean isUpgrade() {
        return upgradeType != UpgradeType.NONE;
    }

    /**
     * The {@code Content-Length}; 0 when absent or chunked.
     *
     * @return the content length
     */
    public long contentLength() {
        return contentLength;
    }

    /**
     * The {@code Host} header, else the URL's host (empty when neither).
     *
     * @return the host
     */
    public String host() {
        return host;
    }

    /**
     * Every header by name, case-insensitive, each name's values in wire order.
     *
     * @return an unmodifiable multi-map
     */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * Every header line in wire order, names as sent.
     *
     * @return an unmodifiable list of (name, value)
     */
    public List<Map.Entry<String, String>> headerLines() {
        return headerLines;
    }

    /**
     * The first value of a header, any case.
     *
     * @param name the header name
     * @return its first value, or null
     */
    public String header(String name) {
        List<String> v = headers.get(name);
        return v == null ? null : v.get(0);
    }

    /**
     * Every value of a header, any case.
     *
     * @param name the header name
     * @return its values (empty when absent)
     */
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /**
     * The cookies: a request's {@code Cookie} pairs, a response's {@code Set-Cookie} names and
     * values (the first of each name).
     *
     * @return an unmodifiable map in wire order
     */
    public Map<String, String> cookies() {
        return cookies;
    }

    @Override
    public String toString() {
        return status == 0 ? method + " " + url + " HTTP/" + version() : "HTTP/" + version() + " " + status
                + " " + reason;
    }
}
