//! U1's load generator: UDP datagram echo round trips, one thread, one mio poll.
//!
//! ```text
//! uload --addr 127.0.0.1:P --peers N --size S [--window W] [--timeout-ms T] [--warmup s]
//!       [--duration s] [--server-pid PID]
//! ```
//!
//! Every peer is its own UDP socket (its own source port, so a UDP server sees N peers),
//! connected to the server, keeping at most `W` datagrams of `S` bytes in flight. A datagram
//! carries the peer's index and a sequence number in its first 8 bytes and a pattern that
//! depends on both after them; every echo is checked whole (length and every byte). An echo
//! ends its datagram's round trip and the peer sends the next one. A datagram whose echo has
//! not come back `T` ms after it was sent is counted lost and its slot goes to the next
//! datagram, so a loss costs the peer `T` ms of one slot and never stalls it; an echo that
//! comes back after that is counted late, not echoed.
//!
//! Peers open at most 64 at a time (each sends one datagram and waits for its echo; the
//! servers make a connection per new peer, which is not the subject here), and a peer whose
//! first echo came back waits for the others; then every peer fills its window, and warm-up
//! and the measured window follow. Reports datagrams echoed per second over the measured
//! window, payload MiB/s one way, p50 and p99 round trip of the datagrams echoed in it, the
//! loss (datagrams of the window timed out / sent), the kernel's UDP receive-buffer drops
//! (`/proc/net/snmp`, host-wide), the server's and this process's CPU time. Loopback only;
//! every phase bounded. Output: one JSON line.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hpsocket_bench::{
    die, loopback_addr, proc_cpu_secs, raise_nofile, self_cpu_secs, Args, JsonLine,
};
use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token};
use socket2::SockRef;

const USAGE: &str = "uload --addr 127.0.0.1:PORT --peers N --size S [--window W] \
                     [--timeout-ms T] [--warmup s] [--duration s] [--server-pid PID]";
/// Peers opening at once.
const OPENING_MAX: usize = 64;
/// Longest the opening phase may take.
const OPEN_PHASE: Duration = Duration::from_secs(30);
/// The header of every datagram: peer index and sequence number, little-endian u32s.
const HEADER: usize = 8;
/// The pattern after the header repeats every this many bytes (a prime).
const PERIOD: usize = 251;
/// Reads take up to this much: a longer echo than sent is noticed, not cut to size.
const READ_BUF: usize = 64 * 1024;
/// The client's socket buffers, so that its own kernel buffers never drop a burst (the
/// servers keep the kernel's defaults, all the same).
const CLIENT_SOCKBUF: usize = 1 << 20;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    /// The first datagram sent, its echo not yet back.
    Opening,
    /// First echo back, the opening phase not over: the window stays empty.
    Parked,
    Running,
}

struct Peer {
    sock: UdpSocket,
    phase: Phase,
    next_seq: u32,
    /// Datagrams in flight, oldest first: sequence number and when it went out.
    inflight: VecDeque<(u32, Instant)>,
}

#[derive(Default, Clone, Copy)]
struct Counters {
    sent: u64,
    echoed: u64,
    lost: u64,
    late: u64,
    /// Echoes whose length or bytes differ from what was sent.
    errors: u64,
    /// Sends the client's own socket refused (full, or an ICMP error pending): counted lost.
    send_errors: u64,
}

struct Gen {
    peers: Vec<Peer>,
    c: Counters,
    size: usize,
    window: usize,
    timeout: Duration,
    pattern: Vec<u8>,
    out: Vec<u8>,
    rtt_us: Vec<u32>,
    measuring: bool,
    opening: usize,
    next_idle: usize,
    last_sweep: Instant,
}

impl Gen {
    fn fill(&mut self, i: usize, seq: u32) {
        self.out[..4].copy_from_slice(&(i as u32).to_le_bytes());
        self.out[4..HEADER].copy_from_slice(&seq.to_le_bytes());
        let off = (i + seq as usize) % PERIOD;
        let body = self.size - HEADER;
        self.out[HEADER..self.size].copy_from_slice(&self.pattern[off..off + body]);
    }

    /// Peer `i` sends its next datagram.
    fn send(&mut self, i: usize) {
        let seq = self.peers[i].next_seq;
        self.peers[i].next_seq = seq.wrapping_add(1);
        self.fill(i, seq);
        self.c.sent += 1;
        let p = &mut self.peers[i];
        p.inflight.push_back((seq, Instant::now()));
        if p.sock.send(&self.out[..self.size]).is_err() {
            // Left in flight: the sweep counts it lost, as any other datagram that never came
            // back.
            self.c.send_errors += 1;
        }
    }

    fn refill(&mut self, i: usize) {
        while self.peers[i].phase == Phase::Running && self.peers[i].inflight.len() < self.window {
            self.send(i);
        }
    }

    fn start(&mut self, i: usize) {
        self.peers[i].phase = Phase::Opening;
        self.opening += 1;
        self.send(i);
    }

    /// One datagram of `n` bytes from the server to peer `i`.
    fn datagram(&mut self, i: usize, buf: &[u8]) {
        let ok_shape = buf.len() == self.size
            && u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize == i;
        if !ok_shape {
            self.c.errors += 1;
            return;
        }
        let seq = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
        let off = (i + seq as usize) % PERIOD;
        if buf[HEADER..] != self.pattern[off..off + self.size - HEADER] {
            self.c.errors += 1;
            return;
        }
        let p = &mut self.peers[i];
        let Some(at) = p.inflight.iter().position(|&(s, _)| s == seq) else {
            self.c.late += 1;
            return;
        };
        let (_, sent_at) = p.inflight.remove(at).unwrap_or((seq, Instant::now()));
        self.c.echoed += 1;
        if self.measuring {
            self.rtt_us
                .push(sent_at.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        }
        match p.phase {
            Phase::Opening => {
                p.phase = Phase::Parked;
                self.opening -= 1;
            }
            Phase::Running => self.refill(i),
            _ => {}
        }
    }

    /// Datagrams out longer than the timeout are lost; their slots go to the next ones. An
    /// opening peer's lost first datagram is sent again.
    fn sweep(&mut self, now: Instant) {
        for i in 0..self.peers.len() {
            let p = &mut self.peers[i];
            let mut freed = false;
            while let Some(&(_, at)) = p.inflight.front() {
                if now.duration_since(at) < self.timeout {
                    break;
                }
                p.inflight.pop_front();
                self.c.lost += 1;
                freed = true;
            }
            if freed {
                match self.peers[i].phase {
                    Phase::Opening => self.send(i),
                    Phase::Running => self.refill(i),
                    _ => {}
                }
            }
        }
    }

    fn turn(&mut self, poll: &mut Poll, events: &mut Events, buf: &mut [u8]) {
        if let Err(e) = poll.poll(events, Some(Duration::from_millis(1))) {
            if e.kind() != io::ErrorKind::Interrupted {
                die(&format!("epoll_wait: {e}"));
            }
        }
        for ev in events.iter() {
            let i = ev.token().0;
            loop {
                let n = match self.peers[i].sock.recv(buf) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    // WouldBlock: drained; anything else (ICMP refusals): nothing to take.
                    Err(_) => break,
                };
                self.datagram(i, &buf[..n]);
            }
        }
        let now = Instant::now();
        // The timeout is coarse on purpose (tens of ms): a sweep every millisecond is enough.
        if now.duration_since(self.last_sweep) >= Duration::from_millis(1) {
            self.last_sweep = now;
            self.sweep(now);
            while self.opening < OPENING_MAX && self.next_idle < self.peers.len() {
                let i = self.next_idle;
                self.next_idle += 1;
                self.start(i);
            }
        }
    }

    fn run_until(&mut self, poll: &mut Poll, events: &mut Events, buf: &mut [u8], end: Instant) {
        while Instant::now() < end {
            self.turn(poll, events, buf);
        }
    }

    /// The opening phase is over: every peer fills its window.
    fn release(&mut self) {
        for i in 0..self.peers.len() {
            if self.peers[i].phase == Phase::Parked {
                self.peers[i].phase = Phase::Running;
                self.refill(i);
            }
        }
    }
}

/// `Udp:` RcvbufErrors of `/proc/net/snmp` (host-wide).
fn udp_rcvbuf_errors() -> u64 {
    let text = std::fs::read_to_string("/proc/net/snmp").unwrap_or_default();
    let mut lines = text.lines().filter(|l| l.starts_with("Udp:"));
    if let (Some(names), Some(values)) = (lines.next(), lines.next()) {
        for (k, v) in names.split_whitespace().zip(values.split_whitespace()) {
            if k == "RcvbufErrors" {
                return v.parse().unwrap_or(0);
            }
        }
    }
    0
}

fn new_peer(addr: SocketAddr, window: usize) -> Peer {
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("a literal address");
    let sock = UdpSocket::bind(bind).unwrap_or_else(|e| die(&format!("bind: {e}")));
    sock.connect(addr)
        .unwrap_or_else(|e| die(&format!("connect {addr}: {e}")));
    let r = SockRef::from(&sock);
    let _ = r.set_recv_buffer_size(CLIENT_SOCKBUF);
    let _ = r.set_send_buffer_size(CLIENT_SOCKBUF);
    Peer {
        sock,
        phase: Phase::Idle,
        next_seq: 0,
        inflight: VecDeque::with_capacity(window),
    }
}

fn main() {
    let args = Args::parse(USAGE);
    raise_nofile();
    let addr = loopback_addr(&args.str("addr", "127.0.0.1:8080"));
    let n: usize = args.num("peers", 1000);
    let size: usize = args.num("size", 64);
    let window: usize = args.num("window", 1);
    let timeout_ms: u64 = args.num("timeout-ms", 100);
    let warmup = args.secs("warmup", 0.5);
    let duration = args.secs("duration", 3.0);
    let server_pid: u32 = args.num("server-pid", 0);
    // HP-Socket's servers take a 16-byte datagram of one fixed value as a close-notify; every
    // datagram here is longer than that.
    if !(HEADER + 9..=65_507).contains(&size) || n == 0 || n > 20_000 || !(1..=64).contains(&window)
    {
        die("--size must be 17..=65507, --peers 1..=20000, --window 1..=64");
    }
    if !(1..=10_000).contains(&timeout_ms) {
        die("--timeout-ms must be 1..=10000");
    }
    let mut poll = Poll::new().unwrap_or_else(|e| die(&format!("epoll: {e}")));
    let mut peers = Vec::with_capacity(n);
    for i in 0..n {
        let mut p = new_peer(addr, window);
        poll.registry()
            .register(&mut p.sock, Token(i), Interest::READABLE)
            .unwrap_or_else(|e| die(&format!("epoll_ctl: {e}")));
        peers.push(p);
    }
    let mut g = Gen {
        peers,
        c: Counters::default(),
        size,
        window,
        timeout: Duration::from_millis(timeout_ms),
        pattern: (0..size + PERIOD).map(|i| (i % PERIOD) as u8).collect(),
        out: vec![0; size],
        rtt_us: Vec::new(),
        measuring: false,
        opening: 0,
        next_idle: 0,
        last_sweep: Instant::now(),
    };
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; READ_BUF];
    let t0 = Instant::now();
    let deadline = t0 + OPEN_PHASE;
    while Instant::now() < deadline && (g.next_idle < n || g.opening > 0) {
        g.turn(&mut poll, &mut events, &mut buf);
    }
    let open_s = t0.elapsed().as_secs_f64();
    let opened = g.peers.iter().filter(|p| p.phase == Phase::Parked).count();
    if opened == 0 {
        die(&format!("no peer got an echo from {addr}"));
    }
    g.release();
    g.run_until(&mut poll, &mut events, &mut buf, Instant::now() + warmup);
    let (c0, cpu0, scpu0, rcvbuf0) = (
        g.c,
        self_cpu_secs(),
        proc_cpu_secs(server_pid).unwrap_or(0.0),
        udp_rcvbuf_errors(),
    );
    g.measuring = true;
    g.rtt_us.reserve(1 << 22);
    let start = Instant::now();
    g.run_until(&mut poll, &mut events, &mut buf, start + duration);
    let secs = start.elapsed().as_secs_f64();
    let scpu = proc_cpu_secs(server_pid).unwrap_or(0.0) - scpu0;
    let ccpu = self_cpu_secs() - cpu0;
    let rcvbuf = udp_rcvbuf_errors().saturating_sub(rcvbuf0);
    let c = g.c;
    let echoed = (c.echoed - c0.echoed) as f64;
    let sent = (c.sent - c0.sent) as f64;
    let lost = (c.lost - c0.lost) as f64;
    let mut rtt = std::mem::take(&mut g.rtt_us);
    let pct = |rtt: &mut Vec<u32>, p: f64| -> f64 {
        if rtt.is_empty() {
            return f64::NAN;
        }
        let i = ((rtt.len() as f64 * p).ceil() as usize).clamp(1, rtt.len()) - 1;
        f64::from(*rtt.select_nth_unstable(i).1) / 1e3
    };
    let (p50, p99) = (pct(&mut rtt, 0.50), pct(&mut rtt, 0.99));
    JsonLine::new()
        .str("mode", "udp-echo")
        .num("peers", n as f64)
        .num("opened", opened as f64)
        .num("size", size as f64)
        .num("window", window as f64)
        .num("timeout_ms", timeout_ms as f64)
        .num("open_s", open_s)
        .num("secs", secs)
        .num("msgs", echoed)
        .num("msgs_s", echoed / secs)
        .num("mib_s", echoed * size as f64 / secs / 1048576.0)
        .num("p50_ms", p50)
        .num("p99_ms", p99)
        .num("sent", sent)
        .num("lost", lost)
        .num("loss", if sent > 0.0 { lost / sent } else { f64::NAN })
        .num("late", (c.late - c0.late) as f64)
        .num("send_errors", (c.send_errors - c0.send_errors) as f64)
        .num("udp_rcvbuf_errors", rcvbuf as f64)
        .num("server_cpu_s", scpu)
        .num("client_cpu_s", ccpu)
        .num("errors", (c.errors - c0.errors) as f64)
        // Whole-run totals (opening and warm-up too): what a profiler attached for the whole
        // run of the server saw.
        .num("echoed_total", c.echoed as f64)
        .num("sent_total", c.sent as f64)
        .num("setup_errors", (n - opened) as f64)
        .print();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One running peer with a window of 2, its socket connected to a socket that only
    /// receives (the test plays the server's echoes itself).
    fn one_peer(sink: &std::net::UdpSocket) -> Gen {
        let size = 64;
        let mut p = new_peer(sink.local_addr().expect("bound"), 2);
        p.phase = Phase::Running;
        Gen {
            peers: vec![p],
            c: Counters::default(),
            size,
            window: 2,
            timeout: Duration::from_millis(100),
            pattern: (0..size + PERIOD).map(|i| (i % PERIOD) as u8).collect(),
            out: vec![0; size],
            rtt_us: Vec::new(),
            measuring: true,
            opening: 0,
            next_idle: 0,
            last_sweep: Instant::now(),
        }
    }

    fn echo_of(g: &mut Gen, seq: u32) -> Vec<u8> {
        g.fill(0, seq);
        g.out.clone()
    }

    #[test]
    fn echoes_are_checked_late_ones_counted_and_timeouts_free_the_window() {
        let sink = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        let mut g = one_peer(&sink);
        g.refill(0);
        assert_eq!((g.c.sent, g.peers[0].inflight.len()), (2, 2));

        // A right echo ends its round trip and the next datagram takes the slot.
        let e = echo_of(&mut g, 1);
        g.datagram(0, &e);
        assert_eq!((g.c.echoed, g.c.sent, g.rtt_us.len()), (1, 3, 1));

        // One byte wrong, one byte short: errors, nothing completes.
        let mut bad = echo_of(&mut g, 0);
        bad[40] ^= 1;
        g.datagram(0, &bad);
        let short = echo_of(&mut g, 0);
        g.datagram(0, &short[..63]);
        assert_eq!((g.c.errors, g.c.echoed), (2, 1));

        // An echo of a datagram no longer in flight is late, not an echo.
        let again = echo_of(&mut g, 1);
        g.datagram(0, &again);
        assert_eq!((g.c.late, g.c.echoed), (1, 1));

        // Past the timeout both datagrams in flight are lost and two new ones go out.
        g.sweep(Instant::now() + Duration::from_millis(100));
        assert_eq!((g.c.lost, g.c.sent, g.peers[0].inflight.len()), (2, 5, 2));
        let seqs: Vec<u32> = g.peers[0].inflight.iter().map(|&(s, _)| s).collect();
        assert_eq!(seqs, vec![3, 4]);

        // Every datagram reached the socket, whole.
        sink.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut buf = [0u8; 256];
        for _ in 0..5 {
            assert_eq!(sink.recv(&mut buf).expect("a datagram"), 64);
        }
    }
}
