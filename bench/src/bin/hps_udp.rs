//! U1: the hpsocket UDP server under test, written on the core as a user would: a `UdpServer`
//! (one pseudo-connection per peer address, made by its first datagram) whose listener sends
//! every datagram it receives back to its peer.
//!
//! `hps_udp [--port 0] [--workers 1] [--max-conns 20000] [--max-datagram 1500] [--rcvbuf B]`
//! prints `listening <addr>`, runs until killed. `--max-datagram` is HP-Socket's
//! MaxDatagramSize (the library's default, 1432, is below U1's 1,500-byte datagrams);
//! `--rcvbuf` sets `SO_RCVBUF` of the server's socket in `on_prepare_listen`, as an application
//! expecting bursts from many peers would (the library has no setting for it, nor has
//! HP-Socket).

use std::os::fd::{BorrowedFd, RawFd};
use std::sync::Arc;

use hpsocket_bench::{announce, die, raise_nofile, Args};
use hpsocket_core::{ConnId, HandleResult, ServerListener, TcpServer, UdpServer};
use socket2::SockRef;

struct Echo {
    /// `SO_RCVBUF` for the server's socket; 0: the kernel's default.
    rcvbuf: usize,
}

impl ServerListener for Echo {
    fn on_prepare_listen(&self, _server: &TcpServer, fd: RawFd) -> HandleResult {
        if self.rcvbuf == 0 {
            return HandleResult::Ok;
        }
        // SAFETY: the library hands us its open socket for the length of this call.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        match SockRef::from(&fd).set_recv_buffer_size(self.rcvbuf) {
            Ok(()) => HandleResult::Ok,
            Err(e) => {
                eprintln!("SO_RCVBUF: {e}");
                HandleResult::Error
            }
        }
    }

    fn on_receive(&self, server: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        match server.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }
}

fn main() {
    let args = Args::parse(
        "hps_udp [--port 0] [--workers 1] [--max-conns 20000] [--max-datagram 1500] \
         [--rcvbuf BYTES]",
    );
    raise_nofile();
    let server = UdpServer::new(Arc::new(Echo {
        rcvbuf: args.num("rcvbuf", 0),
    }));
    let workers: u32 = args.num("workers", 1);
    let max_conns: u32 = args.num("max-conns", 20_000);
    server
        .update_config(|c| {
            c.worker_thread_count = workers;
            c.max_connection_count = max_conns;
        })
        .unwrap_or_else(|e| die(&format!("config: {e}")));
    server
        .update_udp_config(|u| u.max_datagram_size = args.num("max-datagram", 1500))
        .unwrap_or_else(|e| die(&format!("udp config: {e}")));
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
