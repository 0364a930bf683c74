//! W1's load generator: WebSocket echo round trips, one thread, one mio poll, edge-triggered,
//! 64 KiB reads.
//!
//! ```text
//! wsload --addr 127.0.0.1:P --conns N --size S [--text] [--warmup s] [--duration s]
//!        [--server-pid PID]
//! ```
//!
//! Opens `N` connections one after the other and performs each opening handshake with
//! tungstenite's client (blocking, before any load: it checks the `101` and its
//! `Sec-WebSocket-Accept`), then drives them all from one mio loop: every connection keeps
//! one `S`-byte message in flight (a binary frame, or text with `--text`, masked with a fresh
//! key as RFC 6455 requires of a client), waits for the whole echo, checks its opcode, length
//! and every byte, and sends the next. Each message's bytes differ from the previous one's
//! (a pattern shifted by a per-connection sequence number), so an echo of a stale or wrong
//! message is caught. The server's frames may come fragmented; a masked server frame, a close,
//! a wrong byte or a dead connection counts as an error and closes that connection.
//!
//! Reports messages/s over the measured window, payload MiB/s (one direction), p50 and p99
//! round-trip latency (send to whole echo) of the messages completed in the window, the
//! server's and this process's CPU time. Loopback only; every phase bounded; every
//! connection closed with `SO_LINGER 0` (no `TIME_WAIT` left for the next run). Output: one
//! JSON line.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hpsocket_bench::{
    die, loopback_addr, proc_cpu_secs, raise_nofile, self_cpu_secs, Args, JsonLine,
};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use socket2::SockRef;
use tokio_tungstenite::tungstenite::client::{client, IntoClientRequest};

const USAGE: &str = "wsload --addr 127.0.0.1:PORT --conns N --size S [--text] [--warmup s] \
                     [--duration s] [--server-pid PID]";
/// One read takes up to this much, as the servers under test do.
const READ_BUF: usize = 64 * 1024;
/// Longest the handshake phase may take in all.
const CONNECT_PHASE: Duration = Duration::from_secs(30);
/// Poll timeout: the loop re-checks its deadline at least this often.
const TICK: Duration = Duration::from_millis(5);
/// The message pattern repeats every this many bytes (a prime, so it never lines up with
/// frame or buffer boundaries).
const PERIOD: usize = 251;

/// Where one connection is in reading the server's frames.
#[derive(Default)]
struct Rx {
    /// The frame head read so far (2..=14 bytes: a server frame has no mask, but one with a
    /// mask is read whole before it is refused).
    head: [u8; 14],
    have: usize,
    /// Payload bytes of the current frame still to come; `None` while reading a head.
    left: Option<u64>,
    fin: bool,
    /// The current frame is a control frame (its payload is skipped).
    control: bool,
    /// Payload bytes of the current message checked so far.
    got: usize,
}

struct Conn {
    stream: TcpStream,
    /// The frame being sent and how much of it is written.
    out: Vec<u8>,
    sent: usize,
    /// Messages sent on this connection: the pattern offset of the one in flight.
    seq: usize,
    sent_at: Instant,
    rx: Rx,
}

#[derive(Default)]
struct Stats {
    msgs: u64,
    errors: u64,
    /// Round trips of the messages completed while `measuring`, in nanoseconds.
    rtt_ns: Vec<u32>,
    measuring: bool,
}

struct Gen {
    conns: Vec<Option<Conn>>,
    pattern: Vec<u8>,
    size: usize,
    opcode: u8,
    rng: u64,
    st: Stats,
}

/// XORs `buf` with the 4-byte `mask`, 8 bytes at a time (`buf` starts at mask phase 0).
fn apply_mask(buf: &mut [u8], mask: [u8; 4]) {
    let m = u64::from_ne_bytes([
        mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3],
    ]);
    let mut chunks = buf.chunks_exact_mut(8);
    for c in &mut chunks {
        let v = u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) ^ m;
        c.copy_from_slice(&v.to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= mask[i & 3];
    }
}

/// A client frame (FIN set, masked) carrying `payload` into `out`.
fn client_frame(out: &mut Vec<u8>, opcode: u8, payload: &[u8], mask: [u8; 4]) {
    out.clear();
    out.push(0x80 | opcode);
    let n = payload.len();
    if n < 126 {
        out.push(0x80 | n as u8);
    } else if n <= 0xFFFF {
        out.push(0x80 | 126);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(n as u64).to_be_bytes());
    }
    out.extend_from_slice(&mask);
    let start = out.len();
    out.extend_from_slice(payload);
    apply_mask(&mut out[start..], mask);
}

/// What a chunk of received bytes did to a connection.
enum Fed {
    /// More bytes are needed for the message in flight.
    More,
    /// The echo is whole and right.
    Done,
    /// A protocol or content error.
    Bad,
}

impl Rx {
    /// Consumes `data` (the server sends nothing after the echo of the message in flight, so
    /// `data` never reaches past it).
    fn feed(&mut self, mut data: &[u8], expect: &[u8], opcode: u8) -> Fed {
        while !data.is_empty() {
            let Some(left) = self.left else {
                // A frame head: 2 bytes, then the extended length (and a mask, refused below).
                let need = |h: &[u8; 14], have: usize| -> usize {
                    if have < 2 {
                        return 2;
                    }
                    2 + match h[1] & 0x7F {
                        126 => 2,
                        127 => 8,
                        _ => 0,
                    } + if h[1] & 0x80 != 0 { 4 } else { 0 }
                };
                let mut want = need(&self.head, self.have);
                while self.have < want && !data.is_empty() {
                    let k = (want - self.have).min(data.len());
                    self.head[self.have..self.have + k].copy_from_slice(&data[..k]);
                    self.have += k;
                    data = &data[k..];
                    want = need(&self.head, self.have);
                }
                if self.have < want {
                    return Fed::More;
                }
                let h = &self.head;
                if h[1] & 0x80 != 0 || h[0] & 0x70 != 0 {
                    return Fed::Bad; // a masked server frame, or RSV bits without an extension
                }
                let op = h[0] & 0x0F;
                let len = match h[1] & 0x7F {
                    126 => u64::from(u16::from_be_bytes([h[2], h[3]])),
                    127 => u64::from_be_bytes([h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]]),
                    n => u64::from(n),
                };
                self.fin = h[0] & 0x80 != 0;
                self.control = op & 0x08 != 0;
                // A close ends the run for this connection; a pong is skipped; a ping is
                // never sent by these servers unasked, so it is an error as well.
                if op == 0x8 || op == 0x9 {
                    return Fed::Bad;
                }
                let first = self.got == 0;
                if !self.control && ((first && op != opcode) || (!first && op != 0)) {
                    return Fed::Bad;
                }
                self.have = 0;
                self.left = Some(len);
                if len == 0 {
                    if let Some(f) = self.end_frame(expect.len()) {
                        return f;
                    }
                }
                continue;
            };
            let k = (left.min(data.len() as u64)) as usize;
            if !self.control {
                if self.got + k > expect.len() || data[..k] != expect[self.got..self.got + k] {
                    return Fed::Bad;
                }
                self.got += k;
            }
            data = &data[k..];
            self.left = Some(left - k as u64);
            if left == k as u64 {
                if let Some(f) = self.end_frame(expect.len()) {
                    return f;
                }
            }
        }
        Fed::More
    }

    /// A frame's payload is all in: the message is whole when it was the final data frame.
    fn end_frame(&mut self, size: usize) -> Option<Fed> {
        self.left = None;
        if self.control || !self.fin {
            return None;
        }
        let whole = self.got == size;
        self.got = 0;
        Some(if whole { Fed::Done } else { Fed::Bad })
    }
}

impl Gen {
    fn next_mask(&mut self) -> [u8; 4] {
        // xorshift64*: unpredictable enough for a mask key, and cheap.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        ((self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32).to_ne_bytes()
    }

    /// Frames the connection's next message and starts writing it.
    fn send_next(&mut self, key: usize) {
        let mask = self.next_mask();
        let (size, opcode) = (self.size, self.opcode);
        let Some(conn) = self.conns[key].as_mut() else {
            return;
        };
        let off = conn.seq % PERIOD;
        client_frame(&mut conn.out, opcode, &self.pattern[off..off + size], mask);
        conn.sent = 0;
        conn.sent_at = Instant::now();
        self.flush(key);
    }

    fn flush(&mut self, key: usize) {
        let Some(conn) = self.conns[key].as_mut() else {
            return;
        };
        while conn.sent < conn.out.len() {
            match conn.stream.write(&conn.out[conn.sent..]) {
                Ok(w) => conn.sent += w,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return self.fail(key),
            }
        }
    }

    fn fail(&mut self, key: usize) {
        self.st.errors += 1;
        if let Some(conn) = self.conns[key].take() {
            let _ = SockRef::from(&conn.stream).set_linger(Some(Duration::ZERO));
        }
    }

    fn on_readable(&mut self, key: usize, buf: &mut [u8]) {
        loop {
            let Some(conn) = self.conns[key].as_mut() else {
                return;
            };
            let n = match conn.stream.read(buf) {
                Ok(0) => return self.fail(key),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return self.fail(key),
            };
            let off = conn.seq % PERIOD;
            let expect = &self.pattern[off..off + self.size];
            match conn.rx.feed(&buf[..n], expect, self.opcode) {
                Fed::More => {}
                Fed::Bad => return self.fail(key),
                Fed::Done => {
                    let rtt = conn.sent_at.elapsed();
                    conn.seq += 1;
                    self.st.msgs += 1;
                    if self.st.measuring {
                        self.st
                            .rtt_ns
                            .push(rtt.as_nanos().min(u128::from(u32::MAX)) as u32);
                    }
                    self.send_next(key);
                }
            }
            // A short read took all there was; the next bytes raise a new edge.
            if n < buf.len() {
                return;
            }
        }
    }

    fn turn(&mut self, poll: &mut Poll, events: &mut Events, buf: &mut [u8], timeout: Duration) {
        if let Err(e) = poll.poll(events, Some(timeout)) {
            if e.kind() != io::ErrorKind::Interrupted {
                die(&format!("epoll_wait: {e}"));
            }
        }
        for ev in events.iter() {
            let key = ev.token().0;
            if !matches!(self.conns.get(key), Some(Some(_))) {
                continue;
            }
            if ev.is_error() {
                self.fail(key);
                continue;
            }
            if ev.is_readable() || ev.is_read_closed() {
                self.on_readable(key, buf);
            }
            if ev.is_writable() {
                self.flush(key);
            }
        }
    }

    fn live(&self) -> usize {
        self.conns.iter().filter(|c| c.is_some()).count()
    }
}

/// One blocking connect and opening handshake; the socket comes back non-blocking.
fn handshake(addr: SocketAddr, deadline: Instant) -> Option<std::net::TcpStream> {
    let wait = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(1));
    let mut s = std::net::TcpStream::connect_timeout(&addr, wait).ok()?;
    s.set_nodelay(true).ok()?;
    s.set_read_timeout(Some(wait)).ok()?;
    s.set_write_timeout(Some(wait)).ok()?;
    let request = format!("ws://{addr}/echo").into_client_request().ok()?;
    // tungstenite checks the 101 and its Sec-WebSocket-Accept. Dropping its WebSocket sends
    // nothing; the socket, borrowed, stays open for the mio loop.
    let ok = client(request, &mut s).is_ok();
    let _ = SockRef::from(&s).set_linger(Some(Duration::ZERO));
    if !ok {
        return None;
    }
    s.set_read_timeout(None).ok()?;
    s.set_write_timeout(None).ok()?;
    s.set_nonblocking(true).ok()?;
    Some(s)
}

fn main() {
    let args = Args::parse(USAGE);
    raise_nofile();
    let addr = loopback_addr(&args.str("addr", "127.0.0.1:8080"));
    let conns: usize = args.num("conns", 100);
    let size: usize = args.num("size", 64);
    let text = args.flag("text");
    let warmup = args.secs("warmup", 0.5);
    let duration = args.secs("duration", 3.0);
    let server_pid: u32 = args.num("server-pid", 0);
    if size == 0 || size > 16 << 20 {
        die("--size must be 1..=16 MiB");
    }
    let mut poll = Poll::new().unwrap_or_else(|e| die(&format!("epoll: {e}")));
    // Printable ASCII for --text (valid UTF-8, so a server's check passes), else every byte.
    let pattern: Vec<u8> = (0..size + PERIOD)
        .map(|i| {
            if text {
                b' ' + (i % PERIOD % 95) as u8
            } else {
                (i % PERIOD) as u8
            }
        })
        .collect();
    let mut g = Gen {
        conns: Vec::with_capacity(conns),
        pattern,
        size,
        opcode: if text { 0x1 } else { 0x2 },
        rng: 0x9E37_79B9_7F4A_7C15 ^ u64::from(std::process::id()),
        st: Stats::default(),
    };
    let t0 = Instant::now();
    let deadline = t0 + CONNECT_PHASE;
    let mut setup_errors = 0u64;
    for key in 0..conns {
        if Instant::now() >= deadline {
            setup_errors += (conns - key) as u64;
            break;
        }
        let Some(s) = handshake(addr, deadline) else {
            setup_errors += 1;
            continue;
        };
        let mut stream = TcpStream::from_std(s);
        let interest = Interest::READABLE | Interest::WRITABLE;
        if poll
            .registry()
            .register(&mut stream, Token(g.conns.len()), interest)
            .is_err()
        {
            setup_errors += 1;
            continue;
        }
        g.conns.push(Some(Conn {
            stream,
            out: Vec::with_capacity(size + 14),
            sent: 0,
            seq: 0,
            sent_at: Instant::now(),
            rx: Rx::default(),
        }));
    }
    let handshake_s = t0.elapsed().as_secs_f64();
    let connected = g.live();
    if connected == 0 {
        die(&format!(
            "no connection completed its handshake with {addr}"
        ));
    }
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; READ_BUF];
    for key in 0..g.conns.len() {
        g.send_next(key);
    }
    let until = Instant::now() + warmup;
    while Instant::now() < until {
        g.turn(&mut poll, &mut events, &mut buf, TICK);
    }
    let (m0, e0, cpu0, scpu0) = (
        g.st.msgs,
        g.st.errors,
        self_cpu_secs(),
        proc_cpu_secs(server_pid).unwrap_or(0.0),
    );
    g.st.measuring = true;
    g.st.rtt_ns.reserve(1 << 20);
    let start = Instant::now();
    let end = start + duration;
    while Instant::now() < end {
        let wait = TICK.min(end.saturating_duration_since(Instant::now()));
        g.turn(&mut poll, &mut events, &mut buf, wait);
    }
    let secs = start.elapsed().as_secs_f64();
    let scpu = proc_cpu_secs(server_pid).unwrap_or(0.0) - scpu0;
    let ccpu = self_cpu_secs() - cpu0;
    let msgs = (g.st.msgs - m0) as f64;
    let mut rtt = std::mem::take(&mut g.st.rtt_ns);
    let pct = |rtt: &mut Vec<u32>, p: f64| -> f64 {
        if rtt.is_empty() {
            return f64::NAN;
        }
        let i = ((rtt.len() as f64 * p).ceil() as usize).clamp(1, rtt.len()) - 1;
        f64::from(*rtt.select_nth_unstable(i).1) / 1e6
    };
    let (p50, p99) = (pct(&mut rtt, 0.50), pct(&mut rtt, 0.99));
    JsonLine::new()
        .str("mode", "ws-echo")
        .num("conns", conns as f64)
        .num("connected", connected as f64)
        .num("alive", g.live() as f64)
        .num("size", size as f64)
        .num("handshake_s", handshake_s)
        .num("secs", secs)
        .num("msgs", msgs)
        .num("msgs_s", msgs / secs)
        .num("mib_s", msgs * size as f64 / secs / 1048576.0)
        .num("p50_ms", p50)
        .num("p99_ms", p99)
        .num("server_cpu_s", scpu)
        .num("client_cpu_s", ccpu)
        .num("errors", (g.st.errors - e0) as f64)
        .num("setup_errors", (setup_errors + e0) as f64)
        .print();
    for conn in g.conns.iter().flatten() {
        let _ = SockRef::from(&conn.stream).set_linger(Some(Duration::ZERO));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_frame(op: u8, fin: bool, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![if fin { 0x80 } else { 0 } | op];
        match payload.len() {
            n if n < 126 => f.push(n as u8),
            n if n <= 0xFFFF => {
                f.push(126);
                f.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                f.push(127);
                f.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn masking_round_trips_at_every_length() {
        for n in [0, 1, 7, 8, 9, 125, 126, 65535, 65536, 70000] {
            let payload: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            let mut f = Vec::new();
            client_frame(&mut f, 2, &payload, [1, 2, 3, 4]);
            let (len, at) = match f[1] & 0x7F {
                126 => (u16::from_be_bytes([f[2], f[3]]) as usize, 4),
                127 => (
                    u64::from_be_bytes(f[2..10].try_into().unwrap()) as usize,
                    10,
                ),
                l => (l as usize, 2),
            };
            assert_eq!((f[0], f[1] & 0x80, len), (0x82, 0x80, n));
            let mask: [u8; 4] = f[at..at + 4].try_into().unwrap();
            let body: Vec<u8> = f[at + 4..]
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ mask[i % 4])
                .collect();
            assert_eq!(body, payload);
        }
    }

    #[test]
    fn an_echo_is_whole_in_any_split_and_in_fragments() {
        let msg: Vec<u8> = (0..300).map(|i| (i % 251) as u8).collect();
        let one = server_frame(2, true, &msg);
        for cut in 0..one.len() {
            let mut rx = Rx::default();
            assert!(matches!(rx.feed(&one[..cut], &msg, 2), Fed::More));
            assert!(matches!(rx.feed(&one[cut..], &msg, 2), Fed::Done));
        }
        let mut frags = server_frame(2, false, &msg[..100]);
        frags.extend(server_frame(0xA, true, b"pong"));
        frags.extend(server_frame(0, false, &msg[100..101]));
        frags.extend(server_frame(0, true, &msg[101..]));
        let mut rx = Rx::default();
        assert!(matches!(rx.feed(&frags, &msg, 2), Fed::Done));
    }

    #[test]
    fn wrong_echoes_are_refused() {
        let msg = vec![5u8; 64];
        let mut other = msg.clone();
        other[63] = 6;
        for bad in [
            server_frame(2, true, &other),
            server_frame(2, true, &msg[..63]),
            server_frame(1, true, &msg),
            server_frame(8, true, &[3, 232]),
            server_frame(0, true, &msg),
        ] {
            assert!(matches!(Rx::default().feed(&bad, &msg, 2), Fed::Bad));
        }
        let mut masked = server_frame(2, true, &msg);
        masked[1] |= 0x80;
        assert!(matches!(Rx::default().feed(&masked, &msg, 2), Fed::Bad));
    }
}
