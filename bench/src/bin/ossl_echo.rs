//! S1's bare TLS echo: the ceiling OpenSSL reaches under a mio loop, so what hpsocket's TLS
//! path adds over OpenSSL itself is visible. The shape of `mio_echo` (one thread,
//! edge-triggered, one read buffer, writes straight back, keeps only what the socket refuses
//! and reads nothing more from that connection until it drains) with an `SslStream` over each
//! socket: the `openssl` crate's BIO reads and writes the socket itself, no copy in between.
//!
//! The TLS settings are those of `hps_echo --tls` (hpsocket-core's `ssl::context`): the same
//! throw-away RSA-2048 certificate (`self_signed`), TLS 1.2 at least (so OpenSSL's default TLS
//! 1.3 suite), renegotiation refused, no client certificate. Two I/O settings a C programmer
//! would make and that change nothing on the wire: read-ahead (one `recv` per record, not one
//! for its header and one for its body) and a moving write buffer (a refused record is retried
//! from the copy kept for it).
//!
//! `ossl_echo [--port 0]` prints `listening <addr>`, runs until killed.

use std::ffi::{c_int, c_void};
use std::io::{self, Read, Write};

use foreign_types::ForeignTypeRef;
use hpsocket_bench::edge::{serve_forever, Peer};
use hpsocket_bench::{die, raise_nofile, self_signed, Args};
use mio::net::TcpStream;
use openssl::pkey::PKey;
use openssl::ssl::{
    ErrorCode, Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslRef,
    SslStream, SslVerifyMode, SslVersion,
};
use openssl::x509::X509;

/// The largest plaintext of one TLS record: `SSL_read` never returns more at once.
const RECORD: usize = 16 * 1024;

extern "C" {
    /// OpenSSL 1.1.0+: whether the session holds bytes read from the socket and not yet
    /// returned (whole records read ahead, or the rest of one). The `openssl` crate lacks it.
    fn SSL_has_pending(ssl: *const c_void) -> c_int;
}

/// The socket under OpenSSL, remembering whether its last read took everything there was (a
/// short read or none): then new bytes bring a new edge.
struct Sock {
    stream: TcpStream,
    drained: bool,
}

impl Read for Sock {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.stream.read(buf);
        self.drained = match &read {
            Ok(n) => *n < buf.len(),
            Err(e) => e.kind() == io::ErrorKind::WouldBlock,
        };
        read
    }
}

impl Write for Sock {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Conn {
    tls: SslStream<Sock>,
    /// Plaintext `SSL_write` has not taken: its record may be half in the socket, and the
    /// next `SSL_write` must offer the same bytes again.
    out: Vec<u8>,
    /// A readable edge came and the socket has not been read dry since.
    readable: bool,
}

impl Peer for Conn {
    fn stream(&mut self) -> &mut TcpStream {
        &mut self.tls.get_mut().stream
    }

    fn serve(&mut self, readable: bool, buf: &mut [u8]) -> bool {
        self.readable |= readable;
        serve(self, buf).is_ok()
    }
}

fn main() {
    let args = Args::parse("ossl_echo [--port 0]");
    raise_nofile();
    let ctx = context();
    serve_forever(args.num("port", 0), RECORD, |stream| {
        // The handshake runs inside the first reads (the session accepts).
        let sock = Sock {
            stream,
            drained: false,
        };
        Some(Conn {
            tls: accepting(&ctx, sock)?,
            out: Vec::new(),
            readable: false,
        })
    })
}

/// The server context, with `hps_echo --tls`'s settings (see the module's text).
fn context() -> SslContext {
    let (cert, key) = self_signed();
    let made = (|| -> Result<SslContext, openssl::error::ErrorStack> {
        let mut b = SslContextBuilder::new(SslMethod::tls_server())?;
        b.set_min_proto_version(Some(SslVersion::TLS1_2))?;
        b.set_options(SslOptions::NO_RENEGOTIATION);
        b.set_verify(SslVerifyMode::NONE);
        let cert = X509::from_pem(cert.as_bytes())?;
        let key = PKey::private_key_from_pem(key.as_bytes())?;
        b.set_certificate(&cert)?;
        b.set_private_key(&key)?;
        b.check_private_key()?;
        b.set_read_ahead(true);
        b.set_mode(SslMode::ACCEPT_MOVING_WRITE_BUFFER);
        Ok(b.build())
    })();
    made.unwrap_or_else(|e| die(&format!("TLS context: {e}")))
}

/// A session in the accept state over `sock`; `None` if OpenSSL cannot make one.
fn accepting(ctx: &SslContext, sock: Sock) -> Option<SslStream<Sock>> {
    let mut ssl = Ssl::new(ctx).ok()?;
    ssl.set_accept_state();
    SslStream::new(ssl, sock).ok()
}

/// Whether the session holds bytes it read and has not returned yet.
fn has_pending(ssl: &SslRef) -> bool {
    // SAFETY: `ssl` is a live SSL object (borrowed for the call), and SSL_has_pending only
    // reads its record layer's buffer state.
    unsafe { SSL_has_pending(ssl.as_ptr().cast_const().cast()) != 0 }
}

/// Whether OpenSSL waits on the socket (it reports which way; either way the next event
/// on this connection retries).
fn blocked(e: &openssl::ssl::Error) -> bool {
    matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE)
}

/// Finishes the refused record, then (when readable) echoes record by record until the
/// socket has nothing more or refuses writes. An error, a close_notify or the end of the
/// stream means the connection is done.
fn serve(c: &mut Conn, buf: &mut [u8]) -> Result<(), openssl::ssl::Error> {
    while !c.out.is_empty() {
        match c.tls.ssl_write(&c.out) {
            Ok(n) => drop(c.out.drain(..n)),
            Err(e) if blocked(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    // Only read after a readable edge (not on the first writable-only event of a connection).
    if !c.readable {
        return Ok(());
    }
    loop {
        let n = match c.tls.ssl_read(buf) {
            Ok(n) => n,
            Err(e) if e.code() == ErrorCode::WANT_READ => {
                // The socket is dry (the BIO met EAGAIN): the next bytes bring a new edge.
                c.readable = false;
                return Ok(());
            }
            // The handshake (or a ticket) waits for the socket to take its bytes: the
            // writable edge retries this read.
            Err(e) if e.code() == ErrorCode::WANT_WRITE => return Ok(()),
            Err(e) => return Err(e),
        };
        match c.tls.ssl_write(&buf[..n]) {
            Ok(w) if w == n => {}
            // A part of the plaintext (partial writes) or none of it (the record is made and
            // waits in OpenSSL): keep what is owed, read no more until it is written.
            Ok(w) => {
                c.out.extend_from_slice(&buf[w..n]);
                return Ok(());
            }
            Err(e) if blocked(&e) => {
                c.out.extend_from_slice(&buf[..n]);
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        // The socket was read dry and OpenSSL holds nothing more of it: wait for the edge.
        if c.tls.get_ref().drained && !has_pending(c.tls.ssl()) {
            c.readable = false;
            return Ok(());
        }
    }
}
