//! H1: the hpsocket HTTP server under test, written on the core as a user would: a
//! `TcpServer` in the HTTP receive model answering every request, in `MessageComplete`, with
//! `200 OK`, `Content-Type: text/plain` and the 13-byte body `Hello, World!` (keep-alive;
//! a request that is not keep-alive is released after its answer).
//!
//! `hps_http [--port 0] [--workers 1] [--max-conns 20000]` prints `listening <addr>`, runs
//! until killed.

use std::sync::Arc;

use hpsocket_bench::{announce, die, raise_nofile, Args};
use hpsocket_core::http::{HttpEvent, HttpParseResult};
use hpsocket_core::{ConnId, ReceiveModel, ServerListener, TcpServer};

const BODY: &[u8] = b"Hello, World!";

struct Hello;

impl ServerListener for Hello {
    // It answers at MessageComplete only: the head events need not be dispatched.
    fn wants_http_head(&self) -> bool {
        false
    }
    fn on_http(&self, s: &TcpServer, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        if event != HttpEvent::MessageComplete {
            return HttpParseResult::Ok;
        }
        if s.send_response(id, 200, None, &[("Content-Type", "text/plain")], BODY)
            .is_err()
        {
            return HttpParseResult::Error;
        }
        if !s.http_message(id).is_ok_and(|m| m.is_keep_alive()) {
            let _ = s.release(id);
        }
        HttpParseResult::Ok
    }
}

fn main() {
    let args = Args::parse("hps_http [--port 0] [--workers 1] [--max-conns 20000]");
    raise_nofile();
    let server = TcpServer::with_model(Arc::new(Hello), ReceiveModel::Http);
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
