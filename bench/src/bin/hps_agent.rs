//! hpsocket's `TcpAgent` as the load generator (cell A1): the same pingpong as
//! `loadgen pingpong`, driven through the agent's callbacks on one worker thread.
//!
//! `hps_agent --addr 127.0.0.1:P --conns N --size S [--warmup s] [--duration s] [--server-pid P]
//! [--tls]` (`--tls`: the agent speaks TLS, for cell S1)
//! prints one JSON line.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hpsocket_bench::{
    die, loopback_addr, proc_cpu_secs, raise_nofile, self_cpu_secs, Args, JsonLine,
};
use hpsocket_core::{
    AgentListener, ConnId, HandleResult, ReceiveModel, SocketOperation, SslSetup, TcpAgent,
};

struct Pingpong {
    first: Vec<u8>,
    connected: AtomicUsize,
    bytes: AtomicU64,
    errors: AtomicU64,
}

impl AgentListener for Pingpong {
    // The handshake event follows the connect at once in plain TCP and the TLS handshake with
    // `--tls`: the first message goes out when the connection can carry it either way.
    fn on_handshake(&self, agent: &TcpAgent, id: ConnId) -> HandleResult {
        self.connected.fetch_add(1, Ordering::Relaxed);
        match agent.send(id, &self.first) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }

    fn on_receive(&self, agent: &TcpAgent, id: ConnId, data: &[u8]) -> HandleResult {
        // One worker thread updates it; relaxed is a plain add.
        self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        match agent.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }

    fn on_close(&self, _: &TcpAgent, _: ConnId, _: SocketOperation, _: i32) -> HandleResult {
        self.errors.fetch_add(1, Ordering::Relaxed);
        HandleResult::Ok
    }
}

fn main() {
    let args = Args::parse("hps_agent --addr 127.0.0.1:PORT --conns N --size S");
    raise_nofile();
    let addr = loopback_addr(&args.str("addr", "127.0.0.1:5555"));
    let conns: usize = args.num("conns", 100);
    let size: usize = args.num("size", 16 * 1024).max(1);
    let warmup = args.secs("warmup", 0.5);
    let duration = args.secs("duration", 3.0);
    let server_pid: u32 = args.num("server-pid", 0);
    let pp = Arc::new(Pingpong {
        first: (0..size).map(|i| (i % 251) as u8).collect(),
        connected: AtomicUsize::new(0),
        bytes: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });
    let agent = if args.flag("tls") {
        let agent = TcpAgent::new_ssl(pp.clone(), ReceiveModel::Push);
        // No verification: the server's certificate is self-signed for the run.
        agent
            .setup_ssl_context(&SslSetup::default())
            .unwrap_or_else(|e| die(&format!("TLS setup: {e}")));
        agent
    } else {
        TcpAgent::new(pp.clone())
    };
    agent
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.max_connection_count = (conns as u32 + 16).max(16);
            c.socket.no_delay = true;
        })
        .unwrap_or_else(|e| die(&format!("config: {e}")));
    agent
        .start(None, true)
        .unwrap_or_else(|e| die(&format!("start: {e}")));
    let host = addr.ip().to_string();
    let mut setup_errors = 0u64;
    for _ in 0..conns {
        if agent.connect(&host, addr.port()).is_err() {
            setup_errors += 1;
        }
    }
    let t0 = Instant::now();
    while pp.connected.load(Ordering::Relaxed) + (setup_errors as usize) < conns
        && t0.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    let connected = pp.connected.load(Ordering::Relaxed);
    std::thread::sleep(warmup);
    let (b0, e0, cpu0) = (
        pp.bytes.load(Ordering::Relaxed),
        pp.errors.load(Ordering::Relaxed),
        self_cpu_secs(),
    );
    let scpu0 = proc_cpu_secs(server_pid).unwrap_or(0.0);
    let start = Instant::now();
    std::thread::sleep(duration);
    let bytes = (pp.bytes.load(Ordering::Relaxed) - b0) as f64;
    let secs = start.elapsed().as_secs_f64();
    let (cpu1, scpu1) = (self_cpu_secs(), proc_cpu_secs(server_pid).unwrap_or(0.0));
    JsonLine::new()
        .str("mode", "pingpong")
        .num("conns", conns as f64)
        .num("connected", connected as f64)
        .num("size", size as f64)
        .num("secs", secs)
        .num("bytes", bytes)
        .num("mib_s", bytes / secs / 1048576.0)
        .num("msgs_s", bytes / size as f64 / secs)
        .num("server_cpu_s", scpu1 - scpu0)
        .num("client_cpu_s", cpu1 - cpu0)
        .num("errors", (pp.errors.load(Ordering::Relaxed) - e0) as f64)
        .num("setup_errors", setup_errors as f64 + e0 as f64)
        .print();
    // Exit without the orderly stop: every connection closing is not part of the figure.
    std::process::exit(0);
}
