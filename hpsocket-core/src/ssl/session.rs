//! One connection's TLS state, sans-IO: ciphertext goes in with `feed`, plaintext comes out of
//! `read_plain`; `encrypt` turns plaintext into records collected in the output, which the
//! reactor moves to the send queue. OpenSSL never touches the socket.

use std::io::{self, Read, Write};
use std::sync::Arc;

use openssl::error::ErrorStack;
use openssl::ssl::{ErrorCode, Ssl, SslStream, SslVerifyMode};
use openssl::x509::verify::X509CheckFlags;
use openssl::x509::X509VerifyResult;

use super::context::{Side, SslContexts};

/// The most plaintext one TLS record carries.
const RECORD: usize = 16 * 1024;

thread_local! {
    /// Where `encrypt` joins the parts of one send, per thread: every thread that sends
    /// encrypts (under the session's lock), and one buffer a thread reuses costs no
    /// allocation per message and no memory per connection.
    static JOIN: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Memory "socket" under OpenSSL: bytes received and not yet read, and records produced and
/// not yet sent.
#[derive(Default)]
pub(crate) struct MemIo {
    input: Vec<u8>,
    read_pos: usize,
    output: Vec<u8>,
}

impl Read for MemIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = &self.input[self.read_pos..];
        if available.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.read_pos += n;
        if self.read_pos == self.input.len() {
            self.input.clear();
            self.read_pos = 0;
        }
        Ok(n)
    }
}

impl Write for MemIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Where a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsState {
    /// Manual handshake not started yet: bytes pass through as plaintext.
    Plain,
    Handshaking,
    Established,
}

/// Why TLS failed: an errno for `OnClose` and a sentence for the last error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsFailure {
    pub(crate) code: i32,
    pub(crate) message: String,
}

/// What `read_plain` found.
pub(crate) enum Plain {
    /// `n` bytes of plaintext.
    Data(usize),
    /// Nothing more until more ciphertext arrives.
    NeedInput,
    /// The peer sent close_notify.
    Closed,
}

pub(crate) struct TlsSession {
    stream: SslStream<MemIo>,
    state: TlsState,
    /// Plaintext sent before the handshake completed, encrypted when it does.
    held: Vec<u8>,
    /// The name a client checks the server's certificate against, for the failure's text.
    expected: Option<String>,
}

/// X509_V_ERR_CERT_HAS_EXPIRED.
const CERT_HAS_EXPIRED: i32 = 10;
/// X509_V_ERR_HOSTNAME_MISMATCH.
const HOSTNAME_MISMATCH: i32 = 62;
/// X509_V_ERR_IP_ADDRESS_MISMATCH.
const IP_ADDRESS_MISMATCH: i32 = 64;

impl TlsSession {
    /// A session for one connection; `host` is the name a client connected to: sent as SNI
    /// when it is not an IP literal and, with `verify_host` and `SSL_VM_PEER`, the name the
    /// server's certificate must be for (OpenSSL's host or IP check).
    pub(crate) fn new(
        contexts: &Arc<SslContexts>,
        host: Option<&str>,
        auto: bool,
        verify_host: bool,
    ) -> Result<TlsSession, TlsFailure> {
        let setup = |e: ErrorStack| TlsFailure {
            code: libc::EPROTO,
            message: format!("TLS session: {e}"),
        };
        let mut ssl = Ssl::new(&contexts.default).map_err(setup)?;
        let mut expected = None;
        match contexts.side {
            Side::Server => ssl.set_accept_state(),
            Side::Client => {
                if let Some(host) = host {
                    let bare = host.trim_start_matches('[').trim_end_matches(']');
                    let ip = bare.parse::<std::net::IpAddr>().ok();
                    if ip.is_none() {
                        ssl.set_hostname(host).map_err(setup)?;
                    }
                    if verify_host && ssl.verify_mode().contains(SslVerifyMode::PEER) {
                        let param = ssl.param_mut();
                        param.set_hostflags(
                            X509CheckFlags::NO_PARTIAL_WILDCARDS
                                | X509CheckFlags::NEVER_CHECK_SUBJECT,
                        );
                        match ip {
                            Some(ip) => param.set_ip(ip).map_err(setup)?,
                            None => param.set_host(bare).map_err(setup)?,
                        }
                        expected = Some(bare.to_string());
                    }
                }
                ssl.set_connect_state();
            }
        }
        let stream = SslStream::new(ssl, MemIo::default()).map_err(setup)?;
        let mut session = TlsSession {
            stream,
            state: TlsState::Plain,
            held: Vec::new(),
            expected,
        };
        if auto {
            session.start();
        }
        Ok(session)
    }

    pub(crate) fn state(&self) -> TlsState {
        self.state
    }

    /// Begins the handshake (a client queues its hello).
    pub(crate) fn start(&mut self) {
        if self.state == TlsState::Plain {
            self.state = TlsState::Handshaking;
        }
    }

    /// Ciphertext received from the peer.
    pub(crate) fn feed(&mut self, ciphertext: &[u8]) {
        self.stream.get_mut().input.extend_from_slice(ciphertext);
    }

    /// Keeps plaintext sent during the handshake.
    pub(crate) fn hold<'a>(&mut self, parts: impl Iterator<Item = &'a [u8]>) {
        for part in parts {
            self.held.extend_from_slice(part);
        }
    }

    /// Bytes held since before the handshake completed.
    pub(crate) fn held_len(&self) -> usize {
        self.held.len()
    }

    /// Drives the handshake with what was fed; true once it completed (now or before). On
    /// completion the held plaintext is encrypted into the output.
    pub(crate) fn handshake(&mut self) -> Result<bool, TlsFailure> {
        match self.state {
            TlsState::Established => return Ok(true),
            TlsState::Plain => return Ok(false),
            TlsState::Handshaking => {}
        }
        match self.stream.do_handshake() {
            Ok(()) => {
                self.state = TlsState::Established;
                let held = std::mem::take(&mut self.held);
                self.encrypt(std::iter::once(&held[..]))?;
                Ok(true)
            }
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => Ok(false),
            Err(e) => Err(self.failure("TLS handshake failed", &e)),
        }
    }

    /// Decrypts into `out`.
    pub(crate) fn read_plain(&mut self, out: &mut [u8]) -> Result<Plain, TlsFailure> {
        match self.stream.ssl_read(out) {
            Ok(0) => Ok(Plain::NeedInput),
            Ok(n) => Ok(Plain::Data(n)),
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => Ok(Plain::Closed),
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => {
                Ok(Plain::NeedInput)
            }
            Err(e) => Err(self.failure("TLS read failed", &e)),
        }
    }

    /// Whether another `read_plain` could only say `NeedInput`: every byte fed was taken by
    /// OpenSSL and no decrypted plaintext waits inside it. Exact because read-ahead is off
    /// (the default, never changed in `context.rs`): OpenSSL then takes from the input only
    /// the record it is working on, so a record not yet processed (application data, a
    /// close_notify, a post-handshake message such as a session ticket or KeyUpdate) or the
    /// start of one is still in `input`, and the rest of a record read in part shows in
    /// `SSL_pending`. A record OpenSSL holds incomplete needs more ciphertext, which a
    /// readable event announces.
    pub(crate) fn drained(&self) -> bool {
        let io = self.stream.get_ref();
        io.read_pos == io.input.len() && self.stream.ssl().pending() == 0
    }

    /// Encrypts `parts` in order into records in the output, as few as cheaply possible: a
    /// record costs its own MAC, padding and header (and `SSL_write` call), so the parts of
    /// one send (a PACK header and its body, an HTTP head and its body) share records.
    /// Bytes are copied only to join parts: a part's whole records are written from the
    /// part itself, so at most one record's worth of each part is copied.
    pub(crate) fn encrypt<'a>(
        &mut self,
        parts: impl Iterator<Item = &'a [u8]>,
    ) -> Result<(), TlsFailure> {
        let mut parts = parts.filter(|p| !p.is_empty());
        let Some(first) = parts.next() else {
            return Ok(());
        };
        let Some(second) = parts.next() else {
            // One part: nothing to join.
            return self.write_all(first);
        };
        JOIN.with(|join| {
            // Taken rather than borrowed: nothing here runs application code, but a panic
            // must not leave the buffer borrowed for the thread's later sends.
            let mut join = join.take();
            join.clear();
            let mut result = Ok(());
            for part in [first, second].into_iter().chain(parts) {
                result = self.join_part(&mut join, part);
                if result.is_err() {
                    break;
                }
            }
            if result.is_ok() && !join.is_empty() {
                result = self.write_all(&join);
            }
            JOIN.set(join);
            result
        })
    }

    /// Adds `part` to the bytes `join` holds for the next record (always fewer than
    /// `RECORD`), writing the records that fill up.
    fn join_part(&mut self, join: &mut Vec<u8>, part: &[u8]) -> Result<(), TlsFailure> {
        if join.len() + part.len() <= RECORD {
            join.extend_from_slice(part);
            return Ok(());
        }
        // The part's bytes beyond whole records: its head if they fit with what is held (the
        // rest then goes out as whole records), else its tail (kept for the parts after it).
        let odd = part.len() % RECORD;
        if join.len() + odd <= RECORD {
            join.extend_from_slice(&part[..odd]);
            self.write_all(join)?;
            join.clear();
            self.write_all(&part[odd..])
        } else {
            self.write_all(join)?;
            join.clear();
            let whole = part.len() - odd;
            self.write_all(&part[..whole])?;
            join.extend_from_slice(&part[whole..]);
            Ok(())
        }
    }

    fn write_all(&mut self, mut data: &[u8]) -> Result<(), TlsFailure> {
        while !data.is_empty() {
            match self.stream.ssl_write(data) {
                Ok(n) => data = &data[n..],
                Err(e) => return Err(self.failure("TLS write failed", &e)),
            }
        }
        Ok(())
    }

    /// Queues a close_notify alert.
    pub(crate) fn close_notify(&mut self) {
        if self.state == TlsState::Established {
            let _ = self.stream.shutdown();
        }
    }

    /// Records produced and not yet sent.
    pub(crate) fn output(&self) -> &[u8] {
        &self.stream.get_ref().output
    }

    pub(crate) fn clear_output(&mut self) {
        self.stream.get_mut().output.clear();
    }

    /// Takes the records produced; give the vector back with `restore_output` to keep its
    /// capacity (no allocation per send).
    pub(crate) fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.stream.get_mut().output)
    }

    pub(crate) fn restore_output(&mut self, mut records: Vec<u8>) {
        let out = &mut self.stream.get_mut().output;
        if out.is_empty() {
            records.clear();
            *out = records;
        }
    }

    /// The OpenSSL session, for `GetSSLSessionInfo`.
    pub fn ssl(&self) -> &openssl::ssl::SslRef {
        self.stream.ssl()
    }

    /// The names the peer's certificate is for (its subjectAltName DNS and IP entries), as
    /// text: "a.test, 10.0.0.1", or "no name (no subjectAltName)".
    fn peer_names(&self) -> String {
        let ssl = self.stream.ssl();
        let leaf = ssl.peer_certificate().or_else(|| {
            ssl.peer_cert_chain()
                .and_then(|c| c.get(0).map(|c| c.to_owned()))
        });
        let names: Vec<String> = leaf
            .and_then(|c| c.subject_alt_names())
            .map(|sans| {
                sans.iter()
                    .filter_map(|n| {
                        n.dnsname().map(str::to_string).or_else(|| {
                            n.ipaddress()
                                .and_then(|b| match b.len() {
                                    4 => Some(std::net::IpAddr::from(<[u8; 4]>::try_from(b).ok()?)),
                                    16 => {
                                        Some(std::net::IpAddr::from(<[u8; 16]>::try_from(b).ok()?))
                                    }
                                    _ => None,
                                })
                                .map(|ip| ip.to_string())
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        if names.is_empty() {
            "no name (no subjectAltName)".to_string()
        } else {
            names.join(", ")
        }
    }

    fn failure(&self, what: &str, e: &openssl::ssl::Error) -> TlsFailure {
        let verify = self.stream.ssl().verify_result();
        if verify != X509VerifyResult::OK {
            let code = if verify.as_raw() == CERT_HAS_EXPIRED {
                libc::EKEYEXPIRED
            } else {
                libc::EKEYREJECTED
            };
            let raw = verify.as_raw();
            if let (true, Some(expected)) = (
                raw == HOSTNAME_MISMATCH || raw == IP_ADDRESS_MISMATCH,
                &self.expected,
            ) {
                return TlsFailure {
                    code,
                    message: format!(
                        "{what}: certificate verify failed: certificate is for {}, not {expected}",
                        self.peer_names()
                    ),
                };
            }
            return TlsFailure {
                code,
                message: format!(
                    "{what}: certificate verify failed: {}",
                    verify.error_string()
                ),
            };
        }
        let detail = match e.ssl_error() {
            Some(stack) => stack.to_string(),
            None => e.to_string(),
        };
        TlsFailure {
            code: libc::EPROTO,
            message: format!("{what}: {detail}"),
        }
    }
}
