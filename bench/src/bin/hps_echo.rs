//! The hpsocket server under test, written on the core as a user would: a `TcpServer` whose
//! listener echoes what it receives, in the PUSH, PULL or PACK receive model.
//!
//! `hps_echo [--port 0] [--model push|pull|pack] [--workers 1] [--max-conns 20000] [--tls]`
//! prints `listening <addr>`, runs until killed.

use std::cell::RefCell;
use std::sync::Arc;

use hpsocket_bench::{announce, die, raise_nofile, self_signed, Args};
use hpsocket_core::{
    ConnId, FetchResult, HandleResult, Pem, ReceiveModel, ServerListener, SslSetup, TcpServer,
};

struct Echo;

thread_local! {
    /// PULL: where fetched bytes land before they are sent back (one per worker thread).
    static FETCH_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl ServerListener for Echo {
    fn on_receive(&self, server: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        match server.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }

    fn on_pull_receive(&self, server: &TcpServer, id: ConnId, total: usize) -> HandleResult {
        FETCH_BUF.with_borrow_mut(|buf| {
            buf.resize(total, 0);
            match server.fetch(id, buf) {
                FetchResult::Ok if server.send(id, buf).is_ok() => HandleResult::Ok,
                _ => HandleResult::Error,
            }
        })
    }
}

fn main() {
    let args = Args::parse("hps_echo [--port 0] [--model push|pull|pack] [--workers 1]");
    raise_nofile();
    let model = match args.str("model", "push").as_str() {
        "push" => ReceiveModel::Push,
        "pull" => ReceiveModel::Pull,
        "pack" => ReceiveModel::Pack,
        m => die(&format!("unknown model {m:?}")),
    };
    let server = if args.flag("tls") {
        // S1: the same echo over TLS, with a certificate made for this run.
        let server = TcpServer::new_ssl(Arc::new(Echo), model);
        let (cert, key) = self_signed();
        let setup = SslSetup {
            certificate: Some(Pem::Memory(cert)),
            private_key: Some(Pem::Memory(key)),
            ..SslSetup::default()
        };
        server
            .setup_ssl_context(&setup, None)
            .unwrap_or_else(|e| die(&format!("TLS setup: {e}")));
        server
    } else {
        TcpServer::with_model(Arc::new(Echo), model)
    };
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
    // The workers serve; this thread only waits to be killed.
    loop {
        std::thread::park();
    }
}
