//! How a worker writes its connections' send queues: only the owner writes a socket, on a
//! `Flush` command, on a writable edge, or once a callback that queued sends returns (the
//! deferred list, so sends made inside a callback go out together). Streams are written
//! here with one gather write per turn; datagrams (`datagram.rs`) and file bodies
//! (`file.rs`) have their own writers.

use std::cell::RefCell;
use std::io::{self, IoSlice};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{file, Worker};
use crate::buffer::Front;
use crate::conn::{Conn, FLUSH_REQUESTED};
use crate::reactor::events::guarded_unit;
use crate::sock::{self, MAX_IOV};
use crate::types::SocketOperation;

thread_local! {
    /// Connections of this worker with sends queued inside the callback now running; the
    /// worker writes them when it returns.
    static DEFERRED: RefCell<Vec<Arc<Conn>>> = const { RefCell::new(Vec::new()) };
}

/// Asks the current worker to flush `conn` once the running callback returns.
pub(in crate::reactor) fn defer_flush(conn: Arc<Conn>) {
    DEFERRED.with_borrow_mut(|d| d.push(conn));
}

impl Worker {
    /// Writes what callbacks queued on this worker's connections.
    pub(super) fn flush_deferred(&mut self) {
        loop {
            let Some(conn) = DEFERRED.with_borrow_mut(|d| d.pop()) else {
                return;
            };
            if let Some(key) = self.key_of(&conn) {
                self.flush(key);
            } else {
                conn.swap_flag(FLUSH_REQUESTED, false);
            }
        }
    }

    /// Writes queued data until the queue is empty or the socket is full.
    pub(super) fn flush(&mut self, key: usize) {
        // The list of written blocks is kept between calls: no allocation per flush.
        let mut done = std::mem::take(&mut self.written_blocks);
        let wrote = self.flush_with(key, &mut done);
        done.clear();
        self.written_blocks = done;
        if !self.drains.is_empty() && self.drain_of(key).is_some() {
            self.drain_progress(key, wrote);
        }
    }

    /// Writes the queue of the connection at `key`; true if anything was written.
    fn flush_with(&mut self, key: usize, done: &mut Vec<Vec<u8>>) -> bool {
        let conn = self.locals[key].conn.clone();
        if conn.transport.is_datagram() {
            return self.flush_messages(key, &conn, done);
        }
        conn.swap_flag(FLUSH_REQUESTED, false);
        let mut wrote = false;
        loop {
            let mut queue = conn.queue();
            let front = queue.front();
            if front != Front::Bytes {
                let step = match front {
                    Front::Empty => return wrote,
                    Front::File => self.write_file(key, &conn, queue),
                    _ => {
                        drop(queue);
                        self.pump_backlog(key, &conn)
                    }
                };
                match step {
                    file::Step::More => {
                        wrote = true;
                        continue;
                    }
                    _ => return wrote,
                }
            }
            let mut iov = [IoSlice::new(&[]); MAX_IOV];
            let count = queue.fill_slices(&mut iov);
            let offered: usize = iov[..count].iter().map(|s| s.len()).sum();
            match conn.transport.send_slices(&iov[..count]) {
                Ok(n) => {
                    wrote |= n > 0;
                    queue.advance(n, done);
                    let pending = queue.len();
                    conn.pending.store(pending, Ordering::Release);
                    drop(queue);
                    // SSL components reported the plaintext when it was sent.
                    let report = conn.tls().is_none() && self.run.events.wants_send();
                    for block in done.drain(..) {
                        if report {
                            guarded_unit(|| self.run.events.send(conn.id, &block));
                        }
                        self.run.pool.put(block);
                    }
                    self.sent_to_watermark(&conn, pending);
                    if n < offered {
                        return wrote; // socket full: the next writable event continues
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return wrote,
                Err(e) => {
                    drop(queue);
                    self.close(key, SocketOperation::Send, sock::errno(&e));
                    return wrote;
                }
            }
        }
    }
}
