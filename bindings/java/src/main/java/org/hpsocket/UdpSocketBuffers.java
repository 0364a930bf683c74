package org.hpsocket;

import static org.hpsocket.Component.S_SOCKET_RECV_BUFFER_SIZE;
import static org.hpsocket.Component.S_SOCKET_SEND_BUFFER_SIZE;
import static org.hpsocket.Component.nonNegative;

/**
 * Extension: the {@code SO_RCVBUF} and {@code SO_SNDBUF} sizes of a UDP component's sockets,
 * the same members on {@link UdpServer} (and so {@link UdpArqServer}), {@link UdpClient} (and
 * so {@link UdpArqClient}) and {@link UdpArqAgent}.
 */
public sealed interface UdpSocketBuffers permits UdpServer, UdpClient, UdpArqAgent {
    /**
     * Extension: {@code SO_RCVBUF} of every UDP socket the component opens (a server's
     * per-worker sockets, a client's or an agent session's socket), in bytes. Default 0: the
     * system's default.
     *
     * @return the value
     */
    default int getSocketRecvBufferSize() {
        return (int) component().getSetting(S_SOCKET_RECV_BUFFER_SIZE);
    }

    /**
     * Sets {@code SO_RCVBUF} of the component's UDP sockets, applied at {@code start} (an
     * agent: at each {@code connect}) before {@code onPrepareListen}/{@code onPrepareConnect},
     * which may still change it. 0: the system's default; else 1024 to 1073741824, checked
     * by {@code start}. The kernel doubles the value and caps it at
     * {@code net.core.rmem_max}: {@code getsockopt} tells what it took.
     *
     * @param bytes the value
     */
    default void setSocketRecvBufferSize(int bytes) {
        component().setSetting(S_SOCKET_RECV_BUFFER_SIZE,
                nonNegative("socketRecvBufferSize", bytes));
    }

    /**
     * Extension: {@code SO_SNDBUF} of every UDP socket the component opens, in bytes.
     * Default 0: the system's default.
     *
     * @return the value
     */
    default int getSocketSendBufferSize() {
        return (int) component().getSetting(S_SOCKET_SEND_BUFFER_SIZE);
    }

    /**
     * Sets {@code SO_SNDBUF} of the component's UDP sockets, as
     * {@link #setSocketRecvBufferSize} (capped at {@code net.core.wmem_max}). 0: the system's
     * default; else 1024 to 1073741824, checked by {@code start}.
     *
     * @param bytes the value
     */
    default void setSocketSendBufferSize(int bytes) {
        component().setSetting(S_SOCKET_SEND_BUFFER_SIZE,
                nonNegative("socketSendBufferSize", bytes));
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
