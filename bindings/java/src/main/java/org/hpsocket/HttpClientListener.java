package org.hpsocket;

/**
 * The listener of an HTTP client ({@link HttpClient}, {@link HttpsClient}, {@link HttpSyncClient}): the TCP
 * events of {@link ClientListener} and the HTTP events of {@link HttpListener}, every one a default.
 *
 * @param <S> the client type the callbacks receive as their sender
 */
public interface HttpClientListener<S extends Client> extends ClientListener<S>, HttpListener<S> {}
