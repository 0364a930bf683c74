//! Datagrams a UDP server's worker sends from inside its own callbacks while it reads a batch
//! (the echo case): collected here and written with one `sendmmsg` when the batch is done,
//! before the worker polls again, instead of one `sendmsg` each.
//!
//! Each send stays one datagram, in order per peer (a connection with anything queued sends
//! through its queue as before; what is collected goes out before that queue is flushed),
//! and `OnSend` reports each one once it is written. A send the socket refuses for lack of
//! room goes to the front of its connection's queue; one that fails closes its connection
//! with `(SO_SEND, errno)`, as a direct send did (the `Send` call itself returned success,
//! since the write came later). Sends from other threads, and outside a read batch, take the
//! usual path.

use std::cell::RefCell;
use std::io::IoSlice;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use rustix::io::Errno;
use rustix::net::{sendmmsg, MMsgHdr, SendAncillaryBuffer, SendFlags, SocketAddrAny};

use crate::conn::{Conn, FLUSH_REQUESTED};
use crate::reactor::events::guarded_unit;
use crate::reactor::Running;
use crate::sock::MMSG_BATCH;
use crate::types::{ConnId, SocketOperation};

/// Bytes collected before the outbox is written early (a callback sending a lot).
const FLUSH_BYTES: usize = 256 * 1024;

enum Outcome {
    Sent,
    Requeued,
    Failed(i32),
}

/// One collected datagram. The connection is named by its ID, not held: it cannot close
/// before the outbox is written (its close writes the outbox first).
struct Item {
    id: ConnId,
    peer: SocketAddr,
    start: usize,
    len: usize,
    outcome: Outcome,
}

pub(crate) struct Outbox {
    /// The socket being read (`fd`, compared by `collect`); sends to its peers are collected.
    socket: Option<Arc<mio::net::UdpSocket>>,
    fd: RawFd,
    data: Vec<u8>,
    items: Vec<Item>,
    /// The destinations of one `sendmmsg` (a peer's address is converted when it is written,
    /// not when it is collected); the allocation is reused.
    addrs: Vec<SocketAddrAny>,
    /// One empty ancillary buffer per message (`MMsgHdr` borrows one each), made once.
    controls: Vec<SendAncillaryBuffer<'static, 'static, 'static>>,
}

thread_local! {
    /// The worker's outbox while it reads a UDP server socket (`None` otherwise, and while
    /// it is being written). A thread-local: `send` reaches it without the worker.
    static OUTBOX: RefCell<Option<Box<Outbox>>> = const { RefCell::new(None) };
}

/// The worker starts a read batch of `socket`: collect its peers' sends.
pub(super) fn open(socket: &Arc<mio::net::UdpSocket>) {
    let fd = socket.as_raw_fd();
    OUTBOX.with_borrow_mut(|o| match o {
        Some(o) => {
            o.fd = fd;
            o.socket = Some(socket.clone());
        }
        None => {
            *o = Some(Box::new(Outbox {
                socket: Some(socket.clone()),
                fd,
                data: Vec::new(),
                items: Vec::with_capacity(MMSG_BATCH),
                addrs: Vec::with_capacity(MMSG_BATCH),
                controls: (0..MMSG_BATCH)
                    .map(|_| SendAncillaryBuffer::default())
                    .collect(),
            }))
        }
    });
}

/// The batch is done: write what was collected and stop collecting.
pub(super) fn close(run: &Running) {
    flush(run);
    OUTBOX.with_borrow_mut(|o| {
        if let Some(o) = o {
            o.fd = -1;
            o.socket = None;
        }
    });
}

/// Collects a send of `bufs` (`len` bytes) to `peer` of socket `fd` by its owner, if a batch
/// of that socket is being read; false: send it the usual way.
pub(crate) fn collect(
    run: &Running,
    conn: &Arc<Conn>,
    fd: RawFd,
    peer: SocketAddr,
    bufs: &[&[u8]],
    len: usize,
) -> bool {
    let full = OUTBOX.with_borrow_mut(|o| {
        let o = o.as_mut().filter(|o| o.fd == fd)?;
        let start = o.data.len();
        for b in bufs {
            o.data.extend_from_slice(b);
        }
        o.items.push(Item {
            id: conn.id,
            peer,
            start,
            len,
            outcome: Outcome::Sent,
        });
        Some(o.items.len() >= MMSG_BATCH || o.data.len() >= FLUSH_BYTES)
    });
    match full {
        None => false,
        Some(full) => {
            if full {
                flush(run);
            }
            true
        }
    }
}

/// Writes what was collected, then reports it. The outbox is out of its slot meanwhile, so
/// a send from `OnSend` goes the usual way (everything collected is written by then).
pub(crate) fn flush(run: &Running) {
    let Some(mut o) = OUTBOX.with_borrow_mut(|o| {
        if o.as_ref().is_some_and(|o| !o.items.is_empty()) {
            o.take()
        } else {
            None
        }
    }) else {
        return;
    };
    o.write(run);
    let report = run.events.wants_send();
    for item in o.items.drain(..) {
        match item.outcome {
            Outcome::Sent if report => {
                let data = &o.data[item.start..item.start + item.len];
                guarded_unit(|| run.events.send(item.id, data));
            }
            Outcome::Sent | Outcome::Requeued => {}
            Outcome::Failed(code) => {
                if let Some(conn) = run.table.get(item.id) {
                    run.request_close(&conn, SocketOperation::Send, code, Some(conn.worker()));
                }
            }
        }
    }
    o.data.clear();
    OUTBOX.with_borrow_mut(|slot| *slot = Some(o));
}

impl Outbox {
    fn write(&mut self, run: &Running) {
        let Outbox {
            socket,
            data,
            items,
            addrs,
            controls,
            ..
        } = self;
        let Some(socket) = socket.as_ref() else {
            return;
        };
        let mut i = 0;
        while i < items.len() {
            let end = (i + MMSG_BATCH).min(items.len());
            addrs.clear();
            addrs.extend(
                items[i..end]
                    .iter()
                    .map(|item| SocketAddrAny::from(item.peer)),
            );
            let iovs: [[IoSlice<'_>; 1]; MMSG_BATCH] = std::array::from_fn(|k| {
                let slice = items
                    .get(i + k)
                    .filter(|_| i + k < end)
                    .map_or(&[][..], |it| &data[it.start..it.start + it.len]);
                [IoSlice::new(slice)]
            });
            // The one allocation of a batch: the headers borrow this batch's data.
            let mut msgs: Vec<MMsgHdr<'_>> = iovs[..end - i]
                .iter()
                .zip(addrs.iter())
                .zip(controls.iter_mut())
                .map(|((iov, addr), control)| MMsgHdr::new_with_addr(addr, iov, control))
                .collect();
            match sendmmsg(socket, &mut msgs, SendFlags::DONTWAIT) {
                Ok(0) | Err(Errno::AGAIN) => return requeue(run, data, &mut items[i..]),
                Ok(n) => i += n,
                Err(Errno::INTR) => {}
                Err(e) => {
                    items[i].outcome = Outcome::Failed(e.raw_os_error());
                    i += 1;
                }
            }
        }
    }
}

/// The socket is full: the rest goes to the front of each connection's queue (before
/// anything queued after it, in order), for the owner's flush.
fn requeue(run: &Running, data: &[u8], rest: &mut [Item]) {
    for item in rest.iter_mut().rev() {
        item.outcome = Outcome::Requeued;
        let Some(conn) = run.table.get(item.id) else {
            continue;
        };
        let conn = &conn;
        let mut queue = conn.queue();
        queue.push_front_message(&data[item.start..item.start + item.len], &run.pool);
        conn.pending.store(queue.len(), Ordering::Release);
        drop(queue);
        if !conn.swap_flag(FLUSH_REQUESTED, true) {
            super::defer_flush(conn.clone());
        }
    }
}
