//! Running out of file descriptors: accept errors are reported, existing connections keep
//! working, and the server accepts the waiting peers once descriptors free up. A test binary
//! of its own, since it lowers the process's descriptor limit.

mod util;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use hpsocket_core::{ConnId, HandleResult, ServerListener, TcpServer};

struct Echo;
impl ServerListener for Echo {
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        let _ = s.send(id, data);
        HandleResult::Ok
    }
}

fn open_fds() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count() as u64)
        .unwrap_or(0)
}

fn echo_once(s: &mut TcpStream) {
    s.write_all(b"ping").unwrap();
    let mut b = [0u8; 4];
    s.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"ping");
}

#[test]
fn accept_survives_descriptor_exhaustion() {
    let server = TcpServer::new(Arc::new(Echo));
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let addr = server.listen_address().unwrap();

    // The clients' sockets exist before the limit drops, so only the server runs short.
    let sockets: Vec<socket2::Socket> = (0..30)
        .map(|_| socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap())
        .collect();
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read/write the struct passed in.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    let saved = limit;
    limit.rlim_cur = open_fds() + 10;
    // SAFETY: as above; lowering the soft limit is always allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);

    // 30 peers, room for about 10 more descriptors in the server: it runs out.
    let mut clients: Vec<TcpStream> = sockets
        .into_iter()
        .map(|s| {
            s.connect(&addr.into()).unwrap();
            let s: TcpStream = s.into();
            s.set_read_timeout(Some(util::DEADLINE)).unwrap();
            s
        })
        .collect();
    util::eventually("descriptors exhausted", || {
        server
            .last_error()
            .is_some_and(|(_, e)| e.errno() == libc::EMFILE)
    });
    let accepted = server.connection_count();
    assert!(
        accepted < 30,
        "some peers must wait in the backlog ({accepted} accepted)"
    );
    assert!(accepted > 0);
    // The accepted ones keep working.
    echo_once(&mut clients[0]);

    // Free descriptors: close the first 20 clients; the server closes their sockets and the
    // peers still waiting get accepted without any new connection arriving.
    let waiting: Vec<TcpStream> = clients.split_off(20);
    drop(clients);
    util::eventually("waiting peers accepted", || {
        server.connection_count() == waiting.len()
    });
    for mut c in waiting {
        echo_once(&mut c);
    }
    // SAFETY: restores the limit read above.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &saved) };
    server.stop().unwrap();
}
