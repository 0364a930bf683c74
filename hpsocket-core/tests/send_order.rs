//! Sends from a connection's own callback (written straight to the socket, without the queue
//! lock, when nothing is queued) racing sends from another thread on the same connection:
//! every message must arrive whole, with the part the socket did not take first queued ahead
//! of what the other thread queued meanwhile.

mod util;

use std::io::Read;
use std::net::TcpStream;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use hpsocket_core::{ConnId, HandleResult, ServerListener, TcpServer};

/// A message: kind, length, then `len` bytes of `kind` — small ones from the other thread,
/// large ones (larger than the socket buffer, so the write is partial) from the callback.
fn message(kind: u8, len: usize) -> Vec<u8> {
    let mut m = Vec::with_capacity(5 + len);
    m.push(kind);
    m.extend_from_slice(&(len as u32).to_le_bytes());
    m.resize(5 + len, kind);
    m
}

const LARGE: usize = 600_000;
const TRIGGERS: usize = 32;
const BURST: usize = 16;

/// Fixes a socket buffer at 64 KiB (no autotuning), so each large send is written only in
/// part and the rest queued.
fn small_buffer(fd: RawFd, which: libc::c_int) {
    let size: libc::c_int = 64 * 1024;
    // SAFETY: `fd` is an open socket; the option value points to a live c_int of the size
    // given.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            which,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0);
}

#[derive(Default)]
struct Owner {
    conn: Mutex<Option<ConnId>>,
    sent_large: AtomicU64,
    /// Set just before each large send: the other thread then sends a burst at once, so
    /// its sends land while the large one is being written.
    go: Arc<AtomicBool>,
}

impl ServerListener for Owner {
    fn on_accept(&self, _: &TcpServer, id: ConnId, fd: RawFd) -> HandleResult {
        small_buffer(fd, libc::SO_SNDBUF);
        *self.conn.lock().unwrap() = Some(id);
        HandleResult::Ok
    }
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        // One large message per trigger byte, from the owning worker.
        let large = message(b'L', LARGE);
        for _ in data {
            self.go.store(true, Ordering::SeqCst);
            s.send(id, &large).unwrap();
            self.sent_large.fetch_add(1, Ordering::SeqCst);
        }
        HandleResult::Ok
    }
}

#[test]
fn a_partly_written_send_keeps_its_place_against_other_threads() {
    let owner = Arc::new(Owner::default());
    let server = TcpServer::new(owner.clone());
    server
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.socket.no_delay = true;
        })
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let mut peer = TcpStream::connect(server.listen_address().unwrap()).unwrap();
    peer.set_read_timeout(Some(util::DEADLINE)).unwrap();
    small_buffer(std::os::fd::AsRawFd::as_raw_fd(&peer), libc::SO_RCVBUF);
    util::eventually("accepted", || owner.conn.lock().unwrap().is_some());
    let id = owner.conn.lock().unwrap().unwrap();

    // Another thread sends a burst of small messages each time the callback is about to
    // send a large one.
    let stop = Arc::new(AtomicBool::new(false));
    // Stops the other thread however this test ends, so a failure ends it too.
    let _stopper = Stopper(stop.clone());
    let small_sent = Arc::new(AtomicU64::new(0));
    let other = {
        let (server, stop, go) = (server.clone(), stop.clone(), owner.go.clone());
        let small_sent = small_sent.clone();
        thread::spawn(move || {
            let mut n = 0usize;
            while !stop.load(Ordering::SeqCst) {
                if !go.swap(false, Ordering::SeqCst) {
                    std::hint::spin_loop();
                    continue;
                }
                // Lands at a different point of the large send each round: before its
                // write, during it (the case under test), or after.
                let delay = Duration::from_micros(10 * (n / BURST % 16) as u64);
                let start = Instant::now();
                while start.elapsed() < delay {
                    std::hint::spin_loop();
                }
                for _ in 0..BURST {
                    let len = 1 + (n * 37) % 3000;
                    server.send(id, &message(b's', len)).unwrap();
                    small_sent.fetch_add(1, Ordering::SeqCst);
                    n += 1;
                }
            }
        })
    };

    // One trigger at a time, everything read before the next, so the queue is empty when
    // the callback sends.
    let mut reader = Reader::default();
    for sent in 1..=TRIGGERS as u64 {
        std::io::Write::write_all(&mut peer, b"t").unwrap();
        while reader.large < sent || reader.small < sent * BURST as u64 {
            reader.read_from(&mut peer);
        }
    }
    stop.store(true, Ordering::SeqCst);
    other.join().unwrap();
    let small = small_sent.load(Ordering::SeqCst);
    assert_eq!(small, (TRIGGERS * BURST) as u64);
    assert_eq!(owner.sent_large.load(Ordering::SeqCst), TRIGGERS as u64);
    assert_eq!(reader.large, TRIGGERS as u64);
    assert_eq!(reader.small, small);
    assert!(
        reader.buf.is_empty(),
        "no stray bytes after the last message"
    );
    server.stop().unwrap();
}

struct Stopper(Arc<AtomicBool>);

impl Drop for Stopper {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Parses the stream as it comes, checking every message whole.
#[derive(Default)]
struct Reader {
    buf: Vec<u8>,
    large: u64,
    small: u64,
}

impl Reader {
    fn read_from(&mut self, peer: &mut TcpStream) {
        let mut chunk = [0u8; 65536];
        let n = peer.read(&mut chunk).expect("the stream stays open");
        assert!(n > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..n]);
        let mut at = 0;
        while self.buf.len() - at >= 5 {
            let kind = self.buf[at];
            let len = u32::from_le_bytes(self.buf[at + 1..at + 5].try_into().unwrap()) as usize;
            assert!(
                kind == b'L' && len == LARGE || kind == b's' && (1..=3000).contains(&len),
                "a message header where one was due: kind {kind}, length {len}"
            );
            if self.buf.len() - at - 5 < len {
                break;
            }
            let body = &self.buf[at + 5..at + 5 + len];
            assert!(
                body.iter().all(|&b| b == kind),
                "a message interleaved with another"
            );
            if kind == b'L' {
                self.large += 1;
            } else {
                self.small += 1;
            }
            at += 5 + len;
        }
        self.buf.drain(..at);
    }
}
