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
}

fn main() {
    let args = Args::parse("mio_echo [--port 0]");
    raise_nofile();
    let addr = format!("127.0.0.1:{}", args.num::<u16>("port", 0));
    let mut listener = TcpListener::bind(addr.parse().unwrap_or_else(|_| die("bad address")))
        .unwrap_or_else(|e| die(&format!("bind: {e}")));
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
            if serve(c, &mut buf).is_err() {
                let mut c = conns[key].take().expect("checked above");
                let _ = poll.registry().deregister(&mut c.stream);
                free.push(key);
            }
        }
    }
}

/// Flushes what is owed, then echoes until the socket has nothing more (or refuses writes).
/// An error (or end of stream) means the connection is done.
fn serve(c: &mut Conn, buf: &mut [u8]) -> io::Result<()> {
    while !c.out.is_empty() {
        match c.stream.write(&c.out) {
            Ok(n) => drop(c.out.drain(..n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    loop {
        let n = match c.stream.read(buf) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
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
            return Ok(());
        }
    }
}
