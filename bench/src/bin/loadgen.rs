//! The project's load generator: one thread, one mio poll, edge-triggered, 64 KiB reads.
//!
//! ```text
//! loadgen pingpong --addr 127.0.0.1:P --conns N --size S [--pack] [--warmup s] [--duration s]
//!                  [--server-pid PID] [--inflight K]
//! loadgen hold     --addr 127.0.0.1:P --conns N --inflight K [--msg 8] [--server-pid PID]
//! loadgen churn    --addr 127.0.0.1:P --slots K [--msg 8] [--warmup s] [--duration s]
//! ```
//!
//! * pingpong (muduo's and libhv's semantics): every connection sends one `S`-byte message
//!   when it connects and echoes everything it reads; throughput is the bytes read in the
//!   measured window. `--pack` prefixes the message with HP-Socket's PACK header so a PACK
//!   server echoes it as one frame (the echoed frame is byte-identical, so echoing stays
//!   transparent).
//! * hold: opens `N` connections with at most `K` in flight (connect issued, 8-byte echo not
//!   yet back), each echoes `--msg` bytes once; reports connections/s, the server's RSS
//!   growth per connection and the listen-queue overflow counters, then closes them all.
//! * churn: `K` slots each loop connect, `--msg`-byte echo, close with `SO_LINGER 0`.
//!
//! Every phase is bounded in time; only loopback targets are accepted; every connection is
//! closed with `SO_LINGER 0` so runs leave no `TIME_WAIT` behind to starve the next one of
//! ports. Output: one JSON line.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hpsocket_bench::{
    die, listen_counters, loopback_addr, pack_header, proc_cpu_secs, proc_rss_bytes, raise_nofile,
    self_cpu_secs, Args, JsonLine,
};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use socket2::SockRef;

const USAGE: &str = "loadgen pingpong|hold|churn --addr 127.0.0.1:PORT [options] (see source)";
/// One read takes up to this much, as the servers under test do.
const READ_BUF: usize = 64 * 1024;
/// Longest the connect phase of any mode may take.
const CONNECT_PHASE: Duration = Duration::from_secs(30);
/// Poll timeout: the loop re-checks its deadlines at least this often.
const TICK: Duration = Duration::from_millis(5);

struct Conn {
    stream: TcpStream,
    connected: bool,
    /// Bytes read but not yet written back (pingpong); bounded by the message size.
    out: Vec<u8>,
    /// hold/churn: echo bytes received so far.
    got: usize,
    /// hold: the echo came back; the connection now idles.
    done: bool,
}

#[derive(Default)]
struct Counters {
    bytes: u64,
    errors: u64,
    /// hold/churn: connections whose echo came back.
    completed: u64,
}

struct Gen {
    poll: Poll,
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    addr: SocketAddr,
    buf: Box<[u8]>,
    first: Vec<u8>,
    c: Counters,
    connecting: usize,
    /// pingpong: write back everything read. hold/churn: only count the echo.
    echo: bool,
    /// churn: close each connection as soon as its echo is back.
    close_after_echo: bool,
    /// pingpong `--rounds`: bytes after which a connection stops echoing and closes (0: never).
    round_limit: usize,
    msg_len: usize,
}

impl Gen {
    fn new(addr: SocketAddr, first: Vec<u8>, echo: bool, close_after_echo: bool) -> Gen {
        Gen {
            poll: Poll::new().unwrap_or_else(|e| die(&format!("epoll: {e}"))),
            conns: Vec::new(),
            free: Vec::new(),
            addr,
            buf: vec![0; READ_BUF].into_boxed_slice(),
            msg_len: first.len(),
            first,
            c: Counters::default(),
            connecting: 0,
            echo,
            close_after_echo,
            round_limit: 0,
        }
    }

    fn live(&self) -> usize {
        self.conns.len() - self.free.len()
    }

    /// Issues one non-blocking connect; false (and an error counted) if the socket call fails.
    fn connect(&mut self) -> bool {
        let mut stream = match TcpStream::connect(self.addr) {
            Ok(s) => s,
            Err(_) => {
                self.c.errors += 1;
                return false;
            }
        };
        let _ = stream.set_nodelay(true);
        let key = self.free.pop().unwrap_or_else(|| {
            self.conns.push(None);
            self.conns.len() - 1
        });
        let interest = Interest::READABLE | Interest::WRITABLE;
        if self
            .poll
            .registry()
            .register(&mut stream, Token(key), interest)
            .is_err()
        {
            self.free.push(key);
            self.c.errors += 1;
            return false;
        }
        self.conns[key] = Some(Conn {
            stream,
            connected: false,
            out: Vec::new(),
            got: 0,
            done: false,
        });
        self.connecting += 1;
        true
    }

    /// Closes with `SO_LINGER 0` (an RST: no `TIME_WAIT` on either side).
    fn close(&mut self, key: usize) {
        if let Some(mut conn) = self.conns[key].take() {
            if !conn.connected {
                self.connecting -= 1;
            }
            let _ = SockRef::from(&conn.stream).set_linger(Some(Duration::ZERO));
            let _ = self.poll.registry().deregister(&mut conn.stream);
            self.free.push(key);
        }
    }

    fn fail(&mut self, key: usize) {
        self.c.errors += 1;
        self.close(key);
    }

    fn close_all(&mut self) {
        for key in 0..self.conns.len() {
            self.close(key);
        }
    }

    /// Waits up to `timeout` and handles what is ready.
    fn turn(&mut self, events: &mut Events, timeout: Duration) {
        if let Err(e) = self.poll.poll(events, Some(timeout)) {
            if e.kind() != io::ErrorKind::Interrupted {
                die(&format!("epoll_wait: {e}"));
            }
        }
        for ev in events.iter() {
            let key = ev.token().0;
            let Some(conn) = self.conns.get(key).and_then(Option::as_ref) else {
                continue;
            };
            if !conn.connected {
                if ev.is_writable() || ev.is_error() || ev.is_write_closed() {
                    self.finish_connect(key);
                }
                continue;
            }
            if ev.is_error() {
                self.fail(key);
                continue;
            }
            if ev.is_readable() || ev.is_read_closed() {
                self.on_readable(key);
            }
            if ev.is_writable() {
                self.flush(key);
            }
        }
    }

    fn finish_connect(&mut self, key: usize) {
        let Some(conn) = self.conns[key].as_mut() else {
            return;
        };
        match conn.stream.take_error() {
            Ok(None) => {}
            _ => return self.fail(key),
        }
        // On Linux a connecting socket reports writable only once the connect is done, and
        // SO_ERROR says how it went: no getpeername round trip per connection.
        conn.connected = true;
        self.connecting -= 1;
        conn.out.extend_from_slice(&self.first);
        self.flush(key);
    }

    fn on_readable(&mut self, key: usize) {
        let echo = self.echo;
        loop {
            let Some(conn) = self.conns[key].as_mut() else {
                return;
            };
            let n = match conn.stream.read(&mut self.buf) {
                Ok(0) => return self.fail(key),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return self.fail(key),
            };
            self.c.bytes += n as u64;
            conn.got += n;
            if echo && self.round_limit > 0 && conn.got >= self.round_limit {
                // pingpong --rounds: this connection has done its share.
                self.c.completed += 1;
                return self.close(key);
            }
            if echo {
                // pingpong: write straight back; keep what the socket refuses.
                if conn.out.is_empty() {
                    match conn.stream.write(&self.buf[..n]) {
                        Ok(w) => conn.out.extend_from_slice(&self.buf[w..n]),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            conn.out.extend_from_slice(&self.buf[..n])
                        }
                        Err(_) => return self.fail(key),
                    }
                } else {
                    conn.out.extend_from_slice(&self.buf[..n]);
                }
            } else if !conn.done && conn.got >= self.msg_len {
                conn.done = true;
                self.c.completed += 1;
                if self.close_after_echo {
                    return self.close(key);
                }
            }
            // A short read took all there was; the next bytes raise a new edge.
            if n < self.buf.len() {
                return;
            }
        }
    }

    fn flush(&mut self, key: usize) {
        let Some(conn) = self.conns[key].as_mut() else {
            return;
        };
        while !conn.out.is_empty() {
            match conn.stream.write(&conn.out) {
                Ok(w) => {
                    conn.out.drain(..w);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return self.fail(key),
            }
        }
    }
}

/// The first message: `size` bytes of a pattern, PACK-framed when asked.
fn message(size: usize, pack: bool) -> Vec<u8> {
    let mut m = Vec::with_capacity(size + 4);
    if pack {
        m.extend_from_slice(&pack_header(size));
    }
    m.extend((0..size).map(|i| (i % 251) as u8));
    m
}

fn pingpong(args: &Args, addr: SocketAddr) {
    let conns: usize = args.num("conns", 100);
    let size: usize = args.num("size", 16 * 1024);
    let pack = args.flag("pack");
    let inflight: usize = args.num("inflight", 256);
    let warmup = args.secs("warmup", 0.5);
    let duration = args.secs("duration", 3.0);
    let server_pid: u32 = args.num("server-pid", 0);
    if size == 0 || (pack && size > 0x3F_FFFF) {
        die("--size must be 1.. (and below 4 MiB with --pack)");
    }
    let mut g = Gen::new(addr, message(size, pack), true, false);
    let mut events = Events::with_capacity(1024);
    let rounds: usize = args.num("rounds", 0);
    if rounds > 0 {
        return pingpong_rounds(g, &mut events, conns, inflight, rounds, size, pack);
    }
    let t0 = Instant::now();
    let mut started = 0;
    while g.live() < conns || g.connecting > 0 {
        while started < conns && g.connecting < inflight {
            started += 1;
            g.connect();
        }
        g.turn(&mut events, TICK);
        if t0.elapsed() > CONNECT_PHASE
            || (started == conns && g.live() < conns && g.connecting == 0)
        {
            break;
        }
    }
    let connected = g.live();
    let until = Instant::now() + warmup;
    while Instant::now() < until {
        g.turn(&mut events, TICK);
    }
    let (b0, e0, cpu0, scpu0) = (
        g.c.bytes,
        g.c.errors,
        self_cpu_secs(),
        proc_cpu_secs(server_pid).unwrap_or(0.0),
    );
    let start = Instant::now();
    let end = start + duration;
    while Instant::now() < end {
        g.turn(
            &mut events,
            TICK.min(end.saturating_duration_since(Instant::now())),
        );
    }
    let secs = start.elapsed().as_secs_f64();
    let bytes = (g.c.bytes - b0) as f64;
    let scpu = proc_cpu_secs(server_pid).unwrap_or(0.0) - scpu0;
    let msg_wire = (size + if pack { 4 } else { 0 }) as f64;
    JsonLine::new()
        .str("mode", "pingpong")
        .num("conns", conns as f64)
        .num("connected", connected as f64)
        .num("size", size as f64)
        .num("secs", secs)
        .num("bytes", bytes)
        .num("bytes_total", g.c.bytes as f64)
        .num("mib_s", bytes / secs / 1048576.0)
        .num("msgs_s", bytes / msg_wire / secs)
        .num("server_cpu_s", scpu)
        .num("client_cpu_s", self_cpu_secs() - cpu0)
        .num("errors", (g.c.errors - e0) as f64)
        .num("setup_errors", e0 as f64)
        .print();
    g.close_all();
}

/// pingpong `--rounds K`: every connection echoes `K` round trips, then closes. A fixed
/// amount of work instead of a fixed time, for instruction counts (two runs with different
/// `K` cancel out the set-up and tear-down).
fn pingpong_rounds(
    mut g: Gen,
    events: &mut Events,
    conns: usize,
    inflight: usize,
    rounds: usize,
    size: usize,
    pack: bool,
) {
    let wire = size + if pack { 4 } else { 0 };
    g.round_limit = rounds * wire;
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(120);
    let mut started = 0;
    while (g.c.completed + g.c.errors) < conns as u64 && Instant::now() < deadline {
        while started < conns && g.connecting < inflight {
            started += 1;
            if !g.connect() {
                break;
            }
        }
        g.turn(events, TICK);
    }
    JsonLine::new()
        .str("mode", "rounds")
        .num("conns", conns as f64)
        .num("rounds", rounds as f64)
        .num("size", size as f64)
        .num("secs", t0.elapsed().as_secs_f64())
        .num("bytes_total", g.c.bytes as f64)
        .num("msgs", (g.c.bytes / wire as u64) as f64)
        .num("completed", g.c.completed as f64)
        .num("errors", g.c.errors as f64)
        .print();
    g.close_all();
}

fn hold(args: &Args, addr: SocketAddr) {
    let conns: usize = args.num("conns", 10_000);
    let inflight: usize = args.num("inflight", 64).max(1);
    let msg: usize = args.num("msg", 8).max(1);
    let server_pid: u32 = args.num("server-pid", 0);
    let settle = args.secs("settle", 0.3);
    let mut g = Gen::new(addr, message(msg, false), false, false);
    let mut events = Events::with_capacity(1024);
    let rss0 = proc_rss_bytes(server_pid).unwrap_or(0);
    let (over0, drop0) = listen_counters();
    let (cpu0, scpu0) = (self_cpu_secs(), proc_cpu_secs(server_pid).unwrap_or(0.0));
    let t0 = Instant::now();
    let mut started = 0u64;
    let mut last_done = t0;
    // Give up after twice the attempts (a dead server) or the connect phase.
    while (g.c.completed as usize) < conns && t0.elapsed() < CONNECT_PHASE {
        loop {
            let busy = started - g.c.completed - g.c.errors;
            let wanted = conns as u64 - g.c.completed;
            if busy as usize >= inflight || busy >= wanted || started >= 2 * conns as u64 {
                break;
            }
            started += 1;
            g.connect();
        }
        let before = g.c.completed;
        g.turn(&mut events, TICK);
        if g.c.completed > before {
            last_done = Instant::now();
        }
        if started >= 2 * conns as u64 && started == g.c.completed + g.c.errors {
            break;
        }
    }
    let secs = last_done.duration_since(t0).as_secs_f64();
    let done = g.c.completed;
    let (cpu1, scpu1) = (self_cpu_secs(), proc_cpu_secs(server_pid).unwrap_or(0.0));
    // Let the server finish whatever it does lazily before its memory is read.
    let until = Instant::now() + settle;
    while Instant::now() < until {
        g.turn(&mut events, TICK);
    }
    let rss1 = proc_rss_bytes(server_pid).unwrap_or(0);
    let (over1, drop1) = listen_counters();
    JsonLine::new()
        .str("mode", "hold")
        .num("conns", conns as f64)
        .num("inflight", inflight as f64)
        .num("completed", done as f64)
        .num("secs", secs)
        .num("conns_s", done as f64 / secs)
        .num("rss_before", rss0 as f64)
        .num("rss_after", rss1 as f64)
        .num(
            "bytes_per_conn",
            (rss1 as f64 - rss0 as f64) / done.max(1) as f64,
        )
        .num("listen_overflows", over1.saturating_sub(over0) as f64)
        .num("listen_drops", drop1.saturating_sub(drop0) as f64)
        .num("server_cpu_s", scpu1 - scpu0)
        .num("client_cpu_s", cpu1 - cpu0)
        .num("errors", g.c.errors as f64)
        .print();
    g.close_all();
}

fn churn(args: &Args, addr: SocketAddr) {
    let slots: usize = args.num("slots", 64).max(1);
    let msg: usize = args.num("msg", 8).max(1);
    let warmup = args.secs("warmup", 0.5);
    let duration = args.secs("duration", 3.0);
    let server_pid: u32 = args.num("server-pid", 0);
    let mut g = Gen::new(addr, message(msg, false), false, true);
    let mut events = Events::with_capacity(1024);
    let refill = |g: &mut Gen| {
        // Bounded: at most `slots` connects per turn.
        for _ in 0..slots {
            if g.live() >= slots {
                break;
            }
            g.connect();
        }
    };
    let until = Instant::now() + warmup;
    while Instant::now() < until {
        refill(&mut g);
        g.turn(&mut events, TICK);
    }
    let (c0, e0, cpu0, scpu0) = (
        g.c.completed,
        g.c.errors,
        self_cpu_secs(),
        proc_cpu_secs(server_pid).unwrap_or(0.0),
    );
    let start = Instant::now();
    let end = start + duration;
    while Instant::now() < end {
        refill(&mut g);
        g.turn(
            &mut events,
            TICK.min(end.saturating_duration_since(Instant::now())),
        );
    }
    let secs = start.elapsed().as_secs_f64();
    let done = (g.c.completed - c0) as f64;
    JsonLine::new()
        .str("mode", "churn")
        .num("slots", slots as f64)
        .num("secs", secs)
        .num("completed", done)
        .num("conns_s", done / secs)
        .num(
            "server_cpu_s",
            proc_cpu_secs(server_pid).unwrap_or(0.0) - scpu0,
        )
        .num("client_cpu_s", self_cpu_secs() - cpu0)
        .num("errors", (g.c.errors - e0) as f64)
        .print();
    g.close_all();
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    // The mode is the first word; the parser sees the options after it.
    let args = {
        let rest: Vec<String> = std::env::args().skip(2).collect();
        if rest.first().is_some_and(|a| !a.starts_with("--")) {
            die(USAGE);
        }
        Args::parse_from(rest, USAGE)
    };
    raise_nofile();
    let addr = loopback_addr(&args.str("addr", "127.0.0.1:5555"));
    match mode.as_str() {
        "pingpong" => pingpong(&args, addr),
        "hold" => hold(&args, addr),
        "churn" => churn(&args, addr),
        _ => die(USAGE),
    }
}
