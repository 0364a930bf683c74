//! The bare mio echo loop: the ceiling a mio reactor reaches, so hpsocket's overhead over it
//! is visible. One thread, edge-triggered, one 64 KiB read buffer, writes straight back, keeps
//! only what the socket refuses (and reads nothing more from that connection until it drains).
//!
//! `mio_echo [--port 0] [--max-conns 20000]` prints `listening <addr>`, runs until killed.

use std::io::{self, Read, Write};

use hpsocket_bench::edge::{serve_forever, Peer};
use hpsocket_bench::{raise_nofile, Args};
use mio::net::TcpStream;

struct Conn {
    stream: TcpStream,
    out: Vec<u8>,
    /// A readable edge came and the socket has not been read dry since.
    readable: bool,
}

impl Peer for Conn {
    fn stream(&mut self) -> &mut TcpStream {
        &mut self.stream
    }

    fn serve(&mut self, readable: bool, buf: &mut [u8]) -> bool {
        self.readable |= readable;
        serve(self, buf).is_ok()
    }
}

fn main() {
    let args = Args::parse("mio_echo [--port 0]");
    raise_nofile();
    serve_forever(args.num("port", 0), 64 * 1024, |stream| {
        Some(Conn {
            stream,
            out: Vec::new(),
            readable: false,
        })
    })
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
