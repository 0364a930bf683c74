//! W1's idiomatic Rust peer: a tokio-tungstenite WebSocket echo on tokio's current-thread
//! runtime (one event-loop thread), one task per connection: `accept_async`, then every text
//! or binary message sent back as it came (tungstenite answers pings and closes itself).
//! 64 KiB read buffer like every server here (tungstenite's default is 128 KiB).
//!
//! `tungstenite_echo [--port 0]` prints `listening <addr>`, runs until killed.

use futures_util::{SinkExt, StreamExt};
use hpsocket_bench::{announce, die, raise_nofile, Args};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

fn main() {
    let args = Args::parse("tungstenite_echo [--port 0]");
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

async fn echo(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let config = WebSocketConfig::default().read_buffer_size(64 * 1024);
    let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    while let Some(Ok(msg)) = ws.next().await {
        // A close or a ping is answered by tungstenite on the next poll (after a close the
        // stream then ends); a pong needs nothing: only data messages are echoed.
        if matches!(msg, Message::Text(_) | Message::Binary(_)) && ws.send(msg).await.is_err() {
            return;
        }
    }
}
