//! W1: the hpsocket WebSocket server under test, written on the core as a user would: a
//! `TcpServer` in the HTTP receive model with the WebSocket mode on (the library answers the
//! opening handshake, reassembles fragments, answers pings and closes), echoing every text or
//! binary message whole from `HttpEvent::WsMessage` with `send_ws_message`.
//!
//! `hps_ws [--port 0] [--workers 1] [--max-conns 20000]` prints `listening <addr>`, runs until
//! killed.

use std::sync::Arc;

use hpsocket_bench::{announce, die, raise_nofile, Args};
use hpsocket_core::http::ws_mode::{OP_BINARY, OP_TEXT};
use hpsocket_core::http::{HttpEvent, HttpParseResult};
use hpsocket_core::{ConnId, ReceiveModel, ServerListener, TcpServer};

struct Echo;

impl ServerListener for Echo {
    fn on_http(&self, s: &TcpServer, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        if let HttpEvent::WsMessage { opcode, data } = event {
            if (opcode == OP_TEXT || opcode == OP_BINARY)
                && s.send_ws_message(id, true, 0, opcode, data, 0).is_err()
            {
                return HttpParseResult::Error;
            }
        }
        HttpParseResult::Ok
    }
}

fn main() {
    let args = Args::parse("hps_ws [--port 0] [--workers 1] [--max-conns 20000]");
    raise_nofile();
    let server = TcpServer::with_model(Arc::new(Echo), ReceiveModel::Http);
    let workers: u32 = args.num("workers", 1);
    let max_conns: u32 = args.num("max-conns", 20_000);
    server
        .update_config(|c| {
            c.worker_thread_count = workers;
            c.max_connection_count = max_conns;
            c.socket.no_delay = true;
        })
        .unwrap_or_else(|e| die(&format!("config: {e}")));
    server
        .update_http_config(|c| c.ws_mode = true)
        .unwrap_or_else(|e| die(&format!("http config: {e}")));
    server
        .start("127.0.0.1", args.num("port", 0))
        .unwrap_or_else(|e| die(&format!("start: {e}")));
    announce(
        server
            .listen_address()
            .unwrap_or_else(|e| die(&format!("{e}"))),
    );
    // The worker serves; this thread only waits to be killed.
    loop {
        std::thread::park();
    }
}
