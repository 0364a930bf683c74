//! The bare mio echo loop: the ceiling a mio reactor reaches, so hpsocket's overhead over it
//! is visible. One thread, edge-triggered, one 64 KiB read buffer, writes straight back, keeps
//! only what the socket refuses (and reads nothing more from that connection until it drains).
//!
//! `mio_echo [--port 0] [--max-conns 20000]` prints `listening <addr>`, runs until killed.

use std::io::{self, Read, Write};

use hpsocket_bench::{announce, die, raise_nofile, Args};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

const LISTENER: Token = Token(usize::MAX);

struct Conn {
    stream: TcpStream,
    out: Vec<u8>,
    /// A readable edge came and the socket has not been read dry since.
    readable: bool,
}

fn main() {
    let args = Args::parse("mio_echo [--port 0]");
    raise_nofile();
    let mut listener = TcpListener::from_std(listen(args.num("port", 0)));
    let mut poll = Poll::new().unwrap_or_else(|e| die(&format!("epoll: {e}")));
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap_or_else(|e| die(&format!("register: {e}")));
    announce(
        listener
            .local_addr()
            .unwrap_or_else(|e| die(&format!("{e}"))),
    );
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut events = Events::with_capacity(1024);
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() != io::ErrorKind::Interrupted {
                die(&format!("epoll_wait: {e}"));
            }
        }
        for ev in events.iter() {
            if ev.token() == LISTENER {
                while let Ok((mut stream, _)) = listener.accept() {
                    let _ = stream.set_nodelay(true);
                    let key = free.pop().unwrap_or_else(|| {
                        conns.push(None);
                        conns.len() - 1
                    });
                    let interest = Interest::READABLE | Interest::WRITABLE;
                    if poll
                        .registry()
                        .register(&mut stream, Token(key), interest)
                        .is_ok()
                    {
                        conns[key] = Some(Conn {
                            stream,
                            out: Vec::new(),
                            readable: false,
                        });
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
            c.readable |= ev.is_readable() || ev.is_read_closed();
            if serve(c, &mut buf).is_err() {
                let mut c = conns[key].take().expect("checked above");
                let _ = poll.registry().deregister(&mut c.stream);
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
    s.listen(hpsocket_bench::LISTEN_BACKLOG)
        .unwrap_or_else(|e| die(&format!("listen: {e}")));
    s.set_nonblocking(true)
        .unwrap_or_else(|e| die(&format!("nonblocking: {e}")));
    s.into()
}

/// Flushes what is owed, then (when readable) echoes until the socket has nothing more or
/// refuses writes. An error (or end of stream) means the connection is done.
fn serve(c: &mut Conn, buf: &mut [u8]) -> io::Result<()> {
    while !c.out.is_empty() {
        match c.stream.write(&c.out) {
            Ok(n) => drop(c.out.drain(..n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    // Only read after a readable edge (not on the first writable-only event of a connection).
    if !c.readable {
        return Ok(());
    }
    loop {
        let n = match c.stream.read(buf) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                c.readable = false;
                return Ok(());
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let written = match c.stream.write(&buf[..n]) {
            Ok(w) => w,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            Err(e) => return Err(e),
        };
        if written < n {
            // The socket is full: keep the rest, read no more until it drains.
            c.out.extend_from_slice(&buf[written..n]);
            return Ok(());
        }
        // A short read took everything; the next bytes bring a new edge.
        if n < buf.len() {
            c.readable = false;
            return Ok(());
        }
    }
}
