//! File bodies in the send queue (`send_local_file`): a plain stream sends them with
//! `sendfile(2)`, page cache to socket; an SSL connection reads them a chunk at a time into
//! its backlog's encryption as the ciphertext drains, so its memory stays bounded whatever
//! the file's size.

use std::io::IoSlice;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use rustix::io::Errno;

use super::Worker;
use crate::buffer::SendQueue;
use crate::conn::{Conn, QueueGuard, Transport, SEND_REFUSED};
use crate::error::ErrorKind;
use crate::reactor::events::guarded_unit;
use crate::ssl::session::TlsState;
use crate::sync::lock;
use crate::types::SocketOperation;

/// Most bytes one `sendfile` call is asked for (Linux moves at most 0x7ffff000 a call).
const SENDFILE_STEP: u64 = 1 << 30;
/// Plaintext encrypted per step of an SSL file body or backlog: the ciphertext queued at a
/// time, so about this much (plus the chunk buffer) is in memory per connection.
pub(super) const CHUNK: usize = 64 * 1024;

/// How a step of writing the queue ended.
pub(super) enum Step {
    /// Progress: keep writing.
    More,
    /// The socket is full (a writable edge continues) or the session is not ready.
    Blocked,
    /// The connection was closed.
    Closed,
}

impl Worker {
    /// Writes the file body at the front of the plain queue.
    pub(super) fn write_file(
        &mut self,
        key: usize,
        conn: &Arc<Conn>,
        mut queue: QueueGuard<'_>,
    ) -> Step {
        let Transport::Stream(stream) = &conn.transport else {
            return Step::Blocked; // only HTTP streams queue files
        };
        // sendfile(2) takes no MSG_NOSIGNAL: on a peer that reset it raises SIGPIPE (even the
        // first call after an RST that came in CLOSE_WAIT), which kills a program keeping the
        // default action. Rust, Python, the JVM and .NET ignore SIGPIPE; the C library blocks it
        // on its worker threads (hpsocket-ffi `listener.rs`), so the call fails with EPIPE.
        let Some(body) = queue.front_file() else {
            return Step::More;
        };
        let count = body.left.min(SENDFILE_STEP) as usize;
        let mut offset = body.offset;
        let sent = match rustix::fs::sendfile(stream, &body.file, Some(&mut offset), count) {
            Err(Errno::INVAL | Errno::NOSYS | Errno::OVERFLOW | Errno::PERM) => {
                // A file sendfile cannot read (or a sandbox without it): copy through memory.
                self.copy_file(stream, &mut queue)
            }
            other => other.map(|n| (n, count)).map_err(std::io::Error::from),
        };
        match sent {
            Ok((0, _)) => {
                drop(queue);
                self.file_failed(key, conn, libc::EIO, "the file is shorter than when queued");
                Step::Closed
            }
            Ok((n, count)) => {
                queue.advance_file(n as u64);
                let pending = queue.len();
                conn.pending.store(pending, Ordering::Release);
                drop(queue);
                self.sent_to_watermark(conn, pending);
                if n < count {
                    Step::Blocked // socket full: the next writable edge continues
                } else {
                    Step::More
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Step::Blocked,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Step::More,
            Err(e) => {
                drop(queue);
                let code = crate::sock::errno(&e);
                self.close(key, SocketOperation::Send, code);
                Step::Closed
            }
        }
    }

    /// Reads the front file body's next bytes at its offset and writes what the socket
    /// takes: bytes it refuses are read again next time, so none is lost. Returns the bytes
    /// written and offered.
    fn copy_file(
        &mut self,
        stream: &mio::net::TcpStream,
        queue: &mut SendQueue,
    ) -> std::io::Result<(usize, usize)> {
        use std::os::unix::fs::FileExt;
        let Some(body) = queue.front_file() else {
            return Ok((0, 0));
        };
        let buf = &mut self.file_buf;
        buf.resize(body.left.min(CHUNK as u64) as usize, 0);
        let n = body.file.read_at(buf, body.offset)?;
        if n == 0 {
            return Ok((0, 0));
        }
        let sent = crate::sock::send_vectored(stream, &[IoSlice::new(&buf[..n])])?;
        Ok((sent, n))
    }

    /// SSL: encrypts the next chunk of the backlog (a file body's bytes read from the file,
    /// or plaintext sent after one) into the queue.
    pub(super) fn pump_backlog(&mut self, key: usize, conn: &Arc<Conn>) -> Step {
        let Some(tls) = conn.tls() else {
            return Step::Blocked;
        };
        let mut session = lock(tls);
        if session.state() != TlsState::Established {
            return Step::Blocked; // the end of the handshake flushes
        }
        let mut queue = conn.queue();
        let Some(backlog) = queue.backlog() else {
            return Step::More;
        };
        let mut buf = std::mem::take(&mut self.file_buf);
        let taken = backlog.take_chunk(&mut buf, CHUNK, &self.run.pool);
        queue.trim_backlog(&self.run.pool);
        let from_file = match taken {
            Ok(from_file) => from_file,
            Err(e) => {
                drop(queue);
                drop(session);
                self.file_buf = buf;
                let code = crate::sock::errno(&e);
                self.file_failed(key, conn, code, &e.to_string());
                return Step::Closed;
            }
        };
        if let Err(f) = session.encrypt(std::iter::once(&buf[..])) {
            drop(queue);
            drop(session);
            self.file_buf = buf;
            self.run.report(
                ErrorKind::DataSend,
                f.code,
                format!("connection {}: {}", conn.id, f.message),
            );
            self.close(key, SocketOperation::Send, f.code);
            return Step::Closed;
        }
        queue.push(session.output(), &self.run.pool);
        session.clear_output();
        conn.pending.store(queue.len(), Ordering::Release);
        drop(queue);
        drop(session);
        if !from_file && self.run.events.wants_send() {
            // Plaintext sent behind a file: reported once encrypted, as every SSL send is.
            guarded_unit(|| self.run.events.send(conn.id, &buf));
        }
        self.file_buf = buf;
        Step::More
    }

    /// `on_send_drained` when the queue is down to the low watermark after a refusal.
    pub(super) fn sent_to_watermark(&self, conn: &Conn, pending: usize) {
        if pending <= self.run.config.socket.send_queue_low_watermark as usize
            && conn.swap_flag(SEND_REFUSED, false)
        {
            guarded_unit(|| self.run.events.send_drained(conn.id, pending));
        }
    }

    /// A file body could not be read to its end: the promised length cannot be kept, so the
    /// connection closes.
    fn file_failed(&mut self, key: usize, conn: &Conn, code: i32, why: &str) {
        self.run.report(
            ErrorKind::DataSend,
            code,
            format!("connection {}: reading a file body: {why}", conn.id),
        );
        self.close(key, SocketOperation::Send, code);
    }
}
