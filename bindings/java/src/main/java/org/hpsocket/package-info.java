/**
 * HP-Socket's TCP components for Java, over hpsocket-core (HP-Socket rebuilt in Rust).
 *
 * <ul>
 * <li>{@link org.hpsocket.TcpServer}, {@link org.hpsocket.TcpAgent} (many outgoing
 * connections) and {@link org.hpsocket.TcpClient} (one connection), each in the PUSH model
 * (bytes as read), the PULL model ({@code TcpPull*}: fetch what you need) and the PACK model
 * ({@code TcpPack*}: whole length-prefixed messages), and over TLS ({@code Ssl*}).</li>
 * <li>Listeners ({@link org.hpsocket.ServerListener}, {@link org.hpsocket.AgentListener},
 * {@link org.hpsocket.ClientListener}) have a default for every event; override what you
 * need. They run on native worker threads.</li>
 * <li>Failures throw the unchecked {@link org.hpsocket.HPSocketException}, which carries
 * HP-Socket's {@link org.hpsocket.SocketError} code and the {@code errno}.</li>
 * <li>Components are {@link java.lang.AutoCloseable}; see {@link org.hpsocket.Component} for
 * threads, exceptions in listeners and resources.</li>
 * </ul>
 *
 * <p>The native library for linux-x86_64 is inside the jar and loads from there; the system
 * property {@code org.hpsocket.library.path} names another file to load instead.
 */
package org.hpsocket;
