//! K1: the hpsocket ARQ server under test, written on the core as a user would: a
//! `UdpArqServer` (HP-Socket's 12-byte handshake, then KCP) whose listener sends every
//! message it receives back whole.
//!
//! `hps_arq [--port 0] [--workers 1] [--max-conns 20000] [--nodelay 1] [--interval 10]
//! [--resend 2] [--nc 1] [--sndwnd 128] [--rcvwnd 128] [--mtu 1400] [--max-message 131072]
//! [--rcvbuf BYTES]`
//! prints `listening <addr>`, runs until killed. The KCP defaults are K1's, the same as the
//! kcp-go peer's and the load generator's. `--rcvbuf` sets the library's
//! `SocketRecvBufferSize` (`SO_RCVBUF` of the server's UDP sockets).

use std::sync::Arc;

use hpsocket_bench::{announce, die, raise_nofile, Args};
use hpsocket_core::{ConnId, HandleResult, ServerListener, TcpServer, UdpArqServer};

struct Echo;

impl ServerListener for Echo {
    fn on_receive(&self, server: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        match server.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }
}

fn main() {
    let args = Args::parse(
        "hps_arq [--port 0] [--workers 1] [--max-conns 20000] [--nodelay 1] [--interval 10] \
         [--resend 2] [--nc 1] [--sndwnd 128] [--rcvwnd 128] [--mtu 1400] \
         [--max-message 131072] [--rcvbuf BYTES]",
    );
    raise_nofile();
    let server = UdpArqServer::new(Arc::new(Echo));
    let workers: u32 = args.num("workers", 1);
    let max_conns: u32 = args.num("max-conns", 20_000);
    server
        .update_config(|c| {
            c.worker_thread_count = workers;
            c.max_connection_count = max_conns;
            c.udp.recv_buffer_size = args.num("rcvbuf", 0);
        })
        .unwrap_or_else(|e| die(&format!("config: {e}")));
    server
        .update_arq_config(|a| {
            a.no_delay = args.num::<u32>("nodelay", 1) != 0;
            a.flush_interval = args.num("interval", 10);
            a.resend_by_acks = args.num("resend", 2);
            a.turnoff_congest_ctrl = args.num::<u32>("nc", 1) != 0;
            a.send_wnd_size = args.num("sndwnd", 128);
            a.recv_wnd_size = args.num("rcvwnd", 128);
            a.max_trans_unit = args.num("mtu", 1400);
            a.max_message_size = args.num("max-message", 131_072);
        })
        .unwrap_or_else(|e| die(&format!("arq config: {e}")));
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
