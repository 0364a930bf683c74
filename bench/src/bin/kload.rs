//! K1's load generator: ARQ (KCP) echo round trips over UDP, one thread, one mio poll.
//!
//! ```text
//! kload --addr 127.0.0.1:P --peer hps|kcp-go --sessions N --size S [--chunk C] [--loss F]
//!       [--seed K] [--warmup s] [--duration s] [--server-pid PID] [--nodelay 1]
//!       [--interval 10] [--resend 2] [--nc 1] [--sndwnd 128] [--rcvwnd 128] [--mtu 1400]
//! ```
//!
//! The same program drives both servers, at the KCP layer: every session is one UDP socket
//! connected to the server with its own KCP control block (hpsocket-core's `arq::kcp`, a
//! port of ikcp), configured with the same settings the servers are given. Only the opening
//! differs, per peer: `hps` first plays HP-Socket's 12-byte ARQ handshake (the server's KCP
//! segments then carry the server's id, which the client accepts, as HP-Socket's does);
//! `kcp-go` has no handshake: the session's first segment, with a conversation id the
//! client picks, opens it. After that both see the same datagrams from the same code.
//!
//! Each session keeps one message of `S` bytes in flight: it is queued as KCP messages of at
//! most `C` bytes (default 128 KiB: a KCP message has at most 127 fragments, 174,752 bytes at
//! MTU 1400, so a 1 MiB message is 8 of them), and the round trip ends when all `S` bytes
//! have come back, in whatever messages the server echoed them, each byte checked (every
//! message differs from the last). Then the next one is sent. Acks go out at once: after a
//! datagram is taken in, one flush sends the acks and the next message together.
//!
//! Loss (`--loss 0.1`) is the relay between client and server, at the client's socket
//! boundary: a datagram about to be sent, and a datagram just received, is dropped with
//! probability F, decided by a per-session, per-direction xorshift generator seeded from
//! `--seed` (so the n-th datagram each way of session i meets the same fate in every run and
//! against every server). The server sees exactly what a lossy path would show it; a
//! forwarding relay would only add a hop and two more syscalls per datagram on the client's
//! core, which is the scarcer one here.
//!
//! Sessions open at most 64 at a time (the servers' accept paths are not the subject), and a
//! session whose first echo came back waits for the others; warm-up starts, with every
//! session sending, once all have had their first echo (or 30 s passed). Reports
//! messages/s over the measured window, payload MiB/s (one way), p50 and p99 round trip of
//! the messages completed in the window, datagrams each way per message, what the relay
//! dropped, the kernel's UDP buffer drops (`/proc/net/snmp`, host-wide), the server's and
//! this process's CPU time. Loopback only; every phase bounded. Output: one JSON line.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hpsocket_bench::{
    die, loopback_addr, proc_cpu_secs, raise_nofile, self_cpu_secs, Args, JsonLine,
};
use hpsocket_core::arq::kcp::{Kcp, OVERHEAD};
use hpsocket_core::arq::session::{Handshake, FLAG_COMPLETE, HANDSHAKE_LEN};
use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token};
use socket2::SockRef;

const USAGE: &str = "kload --addr 127.0.0.1:PORT --peer hps|kcp-go --sessions N --size S \
                     [--chunk C] [--loss F] [--seed K] [--warmup s] [--duration s] \
                     [--server-pid PID] [--nodelay 1] [--interval 10] [--resend 2] [--nc 1] \
                     [--sndwnd 128] [--rcvwnd 128] [--mtu 1400]";
/// Sessions opening at once.
const OPENING_MAX: usize = 64;
/// Longest the opening phase may take.
const OPEN_PHASE: Duration = Duration::from_secs(30);
/// A handshake not answered is sent again after this long, ms.
const HANDSHAKE_RETRY_MS: u32 = 100;
/// One read takes up to this much (a datagram is at most the MTU).
const READ_BUF: usize = 64 * 1024;
/// The message pattern repeats every this many bytes (a prime, never aligned with segments).
const PERIOD: usize = 251;
/// Socket buffers of the client's sockets, so that the client's own kernel buffers never
/// drop a burst (the servers keep their defaults: both the same).
const CLIENT_SOCKBUF: usize = 4 << 20;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Peer {
    Hps,
    KcpGo,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not started yet.
    Idle,
    /// `hps`: our handshake sent, the server's not yet seen naming us.
    Handshaking,
    /// KCP running.
    Open,
    /// A wrong echo or a dead link: no longer driven.
    Failed,
}

/// The relay's coin for one direction of one session: xorshift64*.
struct Coin(u64);

impl Coin {
    fn new(seed: u64, session: usize, direction: u64) -> Coin {
        // splitmix64 of the inputs, so neighbouring sessions get unrelated streams.
        let mut z = seed
            .wrapping_add((session as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .wrapping_add(direction.wrapping_mul(0xD1B5_4A32_D192_ED03));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Coin((z ^ (z >> 31)) | 1)
    }

    /// True with probability `threshold / 2^64`.
    fn drop(&mut self, threshold: u64) -> bool {
        if threshold == 0 {
            return false;
        }
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) < threshold
    }
}

struct Session {
    sock: UdpSocket,
    kcp: Kcp,
    id: u32,
    phase: Phase,
    /// `hps`: the server's id, once known.
    server_id: u32,
    /// `hps`: when our handshake was last sent, ms.
    handshake_at: u32,
    /// The first echo came back.
    opened: bool,
    /// Opening phase: the first echo came back and the next message waits for the others.
    parked: bool,
    /// Messages sent: selects the pattern of the one in flight.
    seq: usize,
    /// Echo bytes of the message in flight checked so far.
    got: usize,
    sent_at: Instant,
    coin_out: Coin,
    coin_in: Coin,
}

#[derive(Default, Clone, Copy)]
struct Counters {
    msgs: u64,
    errors: u64,
    dgrams_out: u64,
    dgrams_in: u64,
    dropped_out: u64,
    dropped_in: u64,
    /// Sends the client's own socket refused (full): KCP sends again.
    send_full: u64,
}

#[derive(Default)]
struct Stats {
    c: Counters,
    /// Round trips of messages completed while `measuring`, in microseconds.
    rtt_us: Vec<u32>,
    measuring: bool,
}

struct Gen {
    sessions: Vec<Session>,
    st: Stats,
    peer: Peer,
    size: usize,
    chunk: usize,
    /// `loss × 2^64`: the coins' threshold.
    loss: u64,
    pattern: Vec<u8>,
    message: Vec<u8>,
    epoch: Instant,
    last_tick: u32,
    opening: usize,
    next_idle: usize,
    /// Opening phase: a session whose first echo came back stays quiet until all have
    /// opened, so that the open sessions' load does not slow the opening of the rest.
    hold: bool,
}

/// One datagram from a session to the server, through the relay.
fn emit(sock: &UdpSocket, coin: &mut Coin, loss: u64, c: &mut Counters, d: &[u8]) {
    c.dgrams_out += 1;
    if coin.drop(loss) {
        c.dropped_out += 1;
        return;
    }
    match sock.send(d) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => c.send_full += 1,
        // The server is gone or refuses (ICMP): KCP's dead-link count decides.
        Err(_) => c.send_full += 1,
    }
}

impl Gen {
    fn now_ms(&self) -> u32 {
        self.epoch.elapsed().as_millis() as u32
    }

    fn flush(&mut self, i: usize) {
        let loss = self.loss;
        let Session {
            sock,
            kcp,
            coin_out,
            ..
        } = &mut self.sessions[i];
        let c = &mut self.st.c;
        kcp.flush(&mut |d: &[u8]| emit(sock, coin_out, loss, c, d));
    }

    fn handshake(&mut self, i: usize, now: u32) {
        let loss = self.loss;
        let s = &mut self.sessions[i];
        let hs = Handshake {
            flag: if s.phase == Phase::Open {
                FLAG_COMPLETE
            } else {
                0
            },
            self_id: s.id,
            peer_id: s.server_id,
        };
        s.handshake_at = now;
        emit(&s.sock, &mut s.coin_out, loss, &mut self.st.c, &hs.encode());
    }

    /// Queues session `i`'s next message (the caller flushes).
    fn queue_message(&mut self, i: usize) {
        let s = &mut self.sessions[i];
        let off = (s.seq + i) % PERIOD;
        for piece in self.pattern[off..off + self.size].chunks(self.chunk) {
            if s.kcp.send(piece).is_err() {
                die("a chunk has too many fragments for KCP (lower --chunk)");
            }
        }
        s.got = 0;
        s.sent_at = Instant::now();
    }

    /// KCP runs from now on for session `i`: its first message goes out.
    fn open(&mut self, i: usize, now: u32) {
        let loss = self.loss;
        {
            let Session {
                sock,
                kcp,
                coin_out,
                phase,
                ..
            } = &mut self.sessions[i];
            *phase = Phase::Open;
            let c = &mut self.st.c;
            kcp.update(now, &mut |d: &[u8]| emit(sock, coin_out, loss, c, d));
        }
        self.queue_message(i);
        self.flush(i);
    }

    fn start(&mut self, i: usize, now: u32) {
        self.opening += 1;
        match self.peer {
            Peer::Hps => {
                self.sessions[i].phase = Phase::Handshaking;
                self.handshake(i, now);
            }
            Peer::KcpGo => self.open(i, now),
        }
    }

    fn fail(&mut self, i: usize) {
        let s = &mut self.sessions[i];
        if s.phase != Phase::Failed {
            s.phase = Phase::Failed;
            self.st.c.errors += 1;
            if !s.opened {
                s.opened = true;
                self.opening -= 1;
            }
        }
    }

    /// One whole echo of session `i`.
    fn completed(&mut self, i: usize) {
        let s = &mut self.sessions[i];
        let rtt = s.sent_at.elapsed();
        s.seq += 1;
        if !s.opened {
            s.opened = true;
            self.opening -= 1;
        }
        self.st.c.msgs += 1;
        if self.st.measuring {
            self.st
                .rtt_us
                .push(rtt.as_micros().min(u128::from(u32::MAX)) as u32);
        }
        if self.hold {
            s.parked = true;
            return;
        }
        self.queue_message(i);
    }

    /// The opening phase is over: every parked session sends its next message.
    fn release(&mut self) {
        self.hold = false;
        for i in 0..self.sessions.len() {
            if std::mem::take(&mut self.sessions[i].parked) && self.sessions[i].phase == Phase::Open
            {
                self.queue_message(i);
                self.flush(i);
            }
        }
    }

    fn datagram(&mut self, i: usize, n: usize, buf: &[u8], now: u32) {
        let s = &mut self.sessions[i];
        self.st.c.dgrams_in += 1;
        if s.coin_in.drop(self.loss) {
            self.st.c.dropped_in += 1;
            return;
        }
        let data = &buf[..n];
        if self.peer == Peer::Hps && n == HANDSHAKE_LEN {
            let Some(hs) = Handshake::parse(data) else {
                return self.fail(i);
            };
            match s.phase {
                Phase::Handshaking => {
                    if s.server_id == 0 {
                        s.server_id = hs.self_id;
                    }
                    if hs.peer_id == s.id && hs.self_id == s.server_id {
                        // Known to the server: tell it we are ready; KCP starts.
                        s.phase = Phase::Open;
                        self.handshake(i, now);
                        self.open(i, now);
                    }
                }
                // The server repeats its handshake until it has seen ours complete.
                Phase::Open => self.handshake(i, now),
                _ => {}
            }
            return;
        }
        if s.phase != Phase::Open || n < OVERHEAD {
            return;
        }
        s.kcp.set_current(now);
        if s.kcp.input(data).is_err() {
            return self.fail(i);
        }
        let mut message = std::mem::take(&mut self.message);
        while self.sessions[i].kcp.recv(&mut message) {
            let s = &mut self.sessions[i];
            let off = (s.seq + i) % PERIOD + s.got;
            if s.got + message.len() > self.size
                || message[..] != self.pattern[off..off + message.len()]
            {
                self.message = message;
                return self.fail(i);
            }
            s.got += message.len();
            if s.got == self.size {
                self.completed(i);
            }
        }
        self.message = message;
        self.flush(i);
    }

    /// Once per millisecond: handshakes due again, KCP's clock, sessions to start.
    fn tick(&mut self, now: u32) {
        let loss = self.loss;
        for i in 0..self.sessions.len() {
            match self.sessions[i].phase {
                Phase::Handshaking
                    if now.wrapping_sub(self.sessions[i].handshake_at) >= HANDSHAKE_RETRY_MS =>
                {
                    self.handshake(i, now)
                }
                Phase::Open => {
                    let Session {
                        sock,
                        kcp,
                        coin_out,
                        ..
                    } = &mut self.sessions[i];
                    let c = &mut self.st.c;
                    kcp.update(now, &mut |d: &[u8]| emit(sock, coin_out, loss, c, d));
                    if kcp.is_dead() {
                        self.fail(i);
                    }
                }
                _ => {}
            }
        }
        while self.opening < OPENING_MAX && self.next_idle < self.sessions.len() {
            let i = self.next_idle;
            self.next_idle += 1;
            self.start(i, now);
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
                let n = match self.sessions[i].sock.recv(buf) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    // WouldBlock: drained; anything else (ICMP refusals): nothing to take.
                    Err(_) => break,
                };
                let now = self.now_ms();
                self.datagram(i, n, buf, now);
            }
        }
        let now = self.now_ms();
        if now != self.last_tick {
            self.last_tick = now;
            self.tick(now);
        }
    }

    fn run_until(&mut self, poll: &mut Poll, events: &mut Events, buf: &mut [u8], end: Instant) {
        while Instant::now() < end {
            self.turn(poll, events, buf);
        }
    }
}

/// `Udp:` counters of `/proc/net/snmp` (host-wide): receive-buffer and send-buffer errors.
fn udp_buffer_errors() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/net/snmp").unwrap_or_default();
    let mut lines = text.lines().filter(|l| l.starts_with("Udp:"));
    if let (Some(names), Some(values)) = (lines.next(), lines.next()) {
        let mut rcv = 0;
        let mut snd = 0;
        for (k, v) in names.split_whitespace().zip(values.split_whitespace()) {
            match k {
                "RcvbufErrors" => rcv = v.parse().unwrap_or(0),
                "SndbufErrors" => snd = v.parse().unwrap_or(0),
                _ => {}
            }
        }
        return (rcv, snd);
    }
    (0, 0)
}

fn new_session(addr: SocketAddr, i: usize, id: u32, a: &Args, peer: Peer, seed: u64) -> Session {
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("a literal address");
    let sock = UdpSocket::bind(bind).unwrap_or_else(|e| die(&format!("bind: {e}")));
    sock.connect(addr)
        .unwrap_or_else(|e| die(&format!("connect {addr}: {e}")));
    let r = SockRef::from(&sock);
    let _ = r.set_recv_buffer_size(CLIENT_SOCKBUF);
    let _ = r.set_send_buffer_size(CLIENT_SOCKBUF);
    let mut kcp = Kcp::new(id);
    // HP-Socket's server sends its own id in its segments; kcp-go echoes ours.
    kcp.accept_any_conv(peer == Peer::Hps);
    kcp.set_nodelay(
        a.num("nodelay", 1),
        a.num("interval", 10),
        a.num("resend", 2),
        a.num("nc", 1),
    );
    kcp.set_wndsize(a.num("sndwnd", 128), a.num("rcvwnd", 128));
    if !kcp.set_mtu(a.num("mtu", 1400)) {
        die("--mtu must be at least 50");
    }
    Session {
        sock,
        kcp,
        id,
        phase: Phase::Idle,
        server_id: 0,
        handshake_at: 0,
        opened: false,
        parked: false,
        seq: 0,
        got: 0,
        sent_at: Instant::now(),
        coin_out: Coin::new(seed, i, 1),
        coin_in: Coin::new(seed, i, 2),
    }
}

fn main() {
    let args = Args::parse(USAGE);
    raise_nofile();
    let addr = loopback_addr(&args.str("addr", "127.0.0.1:8080"));
    let peer = match args.str("peer", "hps").as_str() {
        "hps" => Peer::Hps,
        "kcp-go" => Peer::KcpGo,
        p => die(&format!("unknown --peer {p:?} (hps or kcp-go)")),
    };
    let n: usize = args.num("sessions", 1000);
    let size: usize = args.num("size", 64);
    let chunk: usize = args.num("chunk", 128 * 1024).min(size.max(1));
    let loss: f64 = args.num("loss", 0.0);
    let seed: u64 = args.num("seed", 1);
    let warmup = args.secs("warmup", 0.5);
    let duration = args.secs("duration", 3.0);
    let server_pid: u32 = args.num("server-pid", 0);
    if size == 0 || size > 16 << 20 || n == 0 || n > 20_000 || !(0.0..0.9).contains(&loss) {
        die("--size must be 1..=16 MiB, --sessions 1..=20000, --loss 0..0.9");
    }
    let mut poll = Poll::new().unwrap_or_else(|e| die(&format!("epoll: {e}")));
    // Ids differ per run and per session; the high bit is never 0, so no id is 0.
    let base = (std::process::id() << 16) ^ 0x8000_0000;
    let mut sessions = Vec::with_capacity(n);
    for i in 0..n {
        let mut s = new_session(
            addr,
            i,
            base.wrapping_add(i as u32) | 0x8000_0000,
            &args,
            peer,
            seed,
        );
        poll.registry()
            .register(&mut s.sock, Token(i), Interest::READABLE)
            .unwrap_or_else(|e| die(&format!("epoll_ctl: {e}")));
        sessions.push(s);
    }
    let mut g = Gen {
        sessions,
        st: Stats::default(),
        peer,
        size,
        chunk,
        loss: (loss * 18_446_744_073_709_551_616.0) as u64,
        pattern: (0..size + PERIOD).map(|i| (i % PERIOD) as u8).collect(),
        message: Vec::with_capacity(chunk),
        epoch: Instant::now(),
        last_tick: u32::MAX,
        opening: 0,
        next_idle: 0,
        hold: true,
    };
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; READ_BUF];
    let t0 = Instant::now();
    let deadline = t0 + OPEN_PHASE;
    while Instant::now() < deadline && (g.next_idle < n || g.opening > 0) {
        g.turn(&mut poll, &mut events, &mut buf);
    }
    let open_s = t0.elapsed().as_secs_f64();
    g.release();
    let opened = g
        .sessions
        .iter()
        .filter(|s| s.opened && s.phase == Phase::Open)
        .count();
    if opened == 0 {
        die(&format!("no session got an echo from {addr}"));
    }
    g.run_until(&mut poll, &mut events, &mut buf, Instant::now() + warmup);
    let (c0, cpu0, scpu0, udp0) = (
        g.st.c,
        self_cpu_secs(),
        proc_cpu_secs(server_pid).unwrap_or(0.0),
        udp_buffer_errors(),
    );
    g.st.measuring = true;
    g.st.rtt_us.reserve(1 << 20);
    let start = Instant::now();
    g.run_until(&mut poll, &mut events, &mut buf, start + duration);
    let secs = start.elapsed().as_secs_f64();
    let scpu = proc_cpu_secs(server_pid).unwrap_or(0.0) - scpu0;
    let ccpu = self_cpu_secs() - cpu0;
    let udp1 = udp_buffer_errors();
    let c = g.st.c;
    let msgs = (c.msgs - c0.msgs) as f64;
    let mut rtt = std::mem::take(&mut g.st.rtt_us);
    let pct = |rtt: &mut Vec<u32>, p: f64| -> f64 {
        if rtt.is_empty() {
            return f64::NAN;
        }
        let i = ((rtt.len() as f64 * p).ceil() as usize).clamp(1, rtt.len()) - 1;
        f64::from(*rtt.select_nth_unstable(i).1) / 1e3
    };
    let (p50, p99) = (pct(&mut rtt, 0.50), pct(&mut rtt, 0.99));
    let per_msg = |x: u64| {
        if msgs > 0.0 {
            x as f64 / msgs
        } else {
            f64::NAN
        }
    };
    JsonLine::new()
        .str("mode", "arq-echo")
        .str("peer", if peer == Peer::Hps { "hps" } else { "kcp-go" })
        .num("sessions", n as f64)
        .num("opened", opened as f64)
        .num(
            "alive",
            g.sessions.iter().filter(|s| s.phase == Phase::Open).count() as f64,
        )
        .num("size", size as f64)
        .num("chunk", chunk as f64)
        .num("loss", loss)
        .num("open_s", open_s)
        .num("secs", secs)
        .num("msgs", msgs)
        .num("msgs_s", msgs / secs)
        .num("mib_s", msgs * size as f64 / secs / 1048576.0)
        .num("p50_ms", p50)
        .num("p99_ms", p99)
        .num("server_cpu_s", scpu)
        .num("client_cpu_s", ccpu)
        .num("dgrams_out_per_msg", per_msg(c.dgrams_out - c0.dgrams_out))
        .num("dgrams_in_per_msg", per_msg(c.dgrams_in - c0.dgrams_in))
        .num(
            "relay_dropped",
            ((c.dropped_out - c0.dropped_out) + (c.dropped_in - c0.dropped_in)) as f64,
        )
        .num("send_full", (c.send_full - c0.send_full) as f64)
        .num("udp_rcvbuf_errors", udp1.0.saturating_sub(udp0.0) as f64)
        .num("udp_sndbuf_errors", udp1.1.saturating_sub(udp0.1) as f64)
        .num("errors", (c.errors - c0.errors) as f64)
        .num("setup_errors", (c0.errors + (n - opened) as u64) as f64)
        .print();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relay_drops_about_the_share_asked_and_the_same_datagrams_every_time() {
        let threshold = (0.1 * 18_446_744_073_709_551_616.0) as u64;
        let fates = |session| {
            let mut c = Coin::new(7, session, 1);
            (0..100_000).map(|_| c.drop(threshold)).collect::<Vec<_>>()
        };
        let a = fates(3);
        assert_eq!(a, fates(3));
        assert_ne!(a, fates(4));
        let dropped = a.iter().filter(|d| **d).count();
        assert!((9_000..11_000).contains(&dropped), "{dropped} of 100000");
        let mut none = Coin::new(7, 3, 1);
        assert!((0..1000).all(|_| !none.drop(0)));
    }
}
