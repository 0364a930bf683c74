package org.hpsocket;

/**
 * The listener of an HTTP server ({@link HttpServer}, {@link HttpsServer}): the TCP
 * events of {@link ServerListener} and the HTTP events of {@link HttpListener}, every one a default.
 *
 * @param <S> the server type the callbacks receive as their sender
 */
public interface HttpServerListener<S extends Server> extends ServerListener<S>, HttpListener<S> {}
