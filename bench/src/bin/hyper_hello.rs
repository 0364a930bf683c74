//! H1's idiomatic Rust peer: a hyper 1.x HTTP/1.1 server on tokio's current-thread runtime
//! (one event-loop thread), one task per connection, keep-alive, answering every request
//! with `200 OK`, `Content-Type: text/plain` and the 13-byte body `Hello, World!` (hyper adds
//! `Content-Length` and `Date`).
//!
//! `hyper_hello [--port 0]` prints `listening <addr>`, runs until killed.

use std::convert::Infallible;

use bytes::Bytes;
use hpsocket_bench::{announce, die, raise_nofile, Args};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpSocket;

async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut resp = Response::new(Full::new(Bytes::from_static(b"Hello, World!")));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(resp)
}

fn main() {
    let args = Args::parse("hyper_hello [--port 0]");
    raise_nofile();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap_or_else(|e| die(&format!("runtime: {e}")));
    rt.block_on(async move {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.num::<u16>("port", 0)));
        let listener = TcpSocket::new_v4()
            .and_then(|s| {
                s.set_reuseaddr(true)?;
                s.bind(addr)?;
                s.listen(hpsocket_bench::LISTEN_BACKLOG as u32)
            })
            .unwrap_or_else(|e| die(&format!("listen: {e}")));
        announce(
            listener
                .local_addr()
                .unwrap_or_else(|e| die(&format!("{e}"))),
        );
        loop {
            // Accept errors (out of descriptors, a reset before accept) are not fatal.
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service_fn(hello))
                    .await;
            });
        }
    });
}
