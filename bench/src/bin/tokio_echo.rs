//! The idiomatic Rust peer: a tokio echo server on the current-thread runtime (one event-loop
//! thread, as the topology wants), one task per connection, 64 KiB reads like every server here.
//!
//! `tokio_echo [--port 0]` prints `listening <addr>`, runs until killed.

use hpsocket_bench::{announce, die, raise_nofile, Args};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn main() {
    let args = Args::parse("tokio_echo [--port 0]");
    raise_nofile();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap_or_else(|e| die(&format!("runtime: {e}")));
    rt.block_on(async move {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.num::<u16>("port", 0)));
        // The protocol's backlog (tokio's `TcpListener::bind` uses 1024).
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
            tokio::spawn(echo(stream));
        }
    });
}

async fn echo(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if stream.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}
