package org.hpsocket;

/**
 * The listener of an HTTP agent ({@link HttpAgent}, {@link HttpsAgent}): the TCP
 * events of {@link AgentListener} and the HTTP events of {@link HttpListener}, every one a default.
 *
 * @param <S> the agent type the callbacks receive as their sender
 */
public interface HttpAgentListener<S extends TcpAgent> extends AgentListener<S>, HttpListener<S> {}
