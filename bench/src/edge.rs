//! The loop under the bare peer echo servers (`mio_echo`, `ossl_echo`): one thread, a
//! non-blocking loopback listener with the protocol's backlog, every accepted connection with
//! TCP_NODELAY, registered edge-triggered for reading and writing, its state in a slot that is
//! reused once it closes.

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

use crate::{announce, die, LISTEN_BACKLOG};

const LISTENER: Token = Token(usize::MAX);

/// One connection of a peer server.
pub trait Peer {
    /// Its socket, to register and deregister.
    fn stream(&mut self) -> &mut TcpStream;
    /// Serves one event on it; `readable`: the event brought a readable edge (or the peer's
    /// close). `buf` is the loop's one read buffer. False ends the connection.
    fn serve(&mut self, readable: bool, buf: &mut [u8]) -> bool;
}

/// Listens on 127.0.0.1:`port`, announces the address and serves until killed: `open` makes
/// each accepted socket a connection (`None` drops it), with one `buf_len` read buffer shared
/// by all.
pub fn serve_forever<C: Peer>(
    port: u16,
    buf_len: usize,
    mut open: impl FnMut(TcpStream) -> Option<C>,
) -> ! {
    let mut listener = TcpListener::from_std(listen(port));
    let mut poll = Poll::new().unwrap_or_else(|e| die(&format!("epoll: {e}")));
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap_or_else(|e| die(&format!("register: {e}")));
    announce(
        listener
            .local_addr()
            .unwrap_or_else(|e| die(&format!("{e}"))),
    );
    let mut conns: Vec<Option<C>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut buf = vec![0u8; buf_len];
    let mut events = Events::with_capacity(1024);
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() != std::io::ErrorKind::Interrupted {
                die(&format!("epoll_wait: {e}"));
            }
        }
        for ev in events.iter() {
            if ev.token() == LISTENER {
                while let Ok((stream, _)) = listener.accept() {
                    let _ = stream.set_nodelay(true);
                    let Some(mut c) = open(stream) else {
                        continue;
                    };
                    let key = free.pop().unwrap_or_else(|| {
                        conns.push(None);
                        conns.len() - 1
                    });
                    let interest = Interest::READABLE | Interest::WRITABLE;
                    if poll
                        .registry()
                        .register(c.stream(), Token(key), interest)
                        .is_ok()
                    {
                        conns[key] = Some(c);
                    } else {
                        free.push(key);
                    }
                }
                continue;
            }
            let key = ev.token().0;
            let Some(c) = conns.get_mut(key).and_then(Option::as_mut) else {
                continue;
            };
            if !c.serve(ev.is_readable() || ev.is_read_closed(), &mut buf) {
                let mut c = conns[key].take().expect("checked above");
                let _ = poll.registry().deregister(c.stream());
                free.push(key);
            }
        }
    }
}

/// A non-blocking listener on 127.0.0.1 with the protocol's backlog, SOMAXCONN (mio's own
/// `bind` uses 1024, and the libc crate's `SOMAXCONN` is the old 128).
fn listen(port: u16) -> std::net::TcpListener {
    use socket2::{Domain, Socket, Type};
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let s = Socket::new(Domain::IPV4, Type::STREAM, None)
        .unwrap_or_else(|e| die(&format!("socket: {e}")));
    let _ = s.set_reuse_address(true);
    s.bind(&addr.into())
        .unwrap_or_else(|e| die(&format!("bind: {e}")));
    s.listen(LISTEN_BACKLOG)
        .unwrap_or_else(|e| die(&format!("listen: {e}")));
    s.set_nonblocking(true)
        .unwrap_or_else(|e| die(&format!("nonblocking: {e}")));
    s.into()
}
