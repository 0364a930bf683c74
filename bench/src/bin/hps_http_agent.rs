//! H1's client row: hpsocket's `TcpAgent` in the HTTP receive model as a load generator,
//! keep-alive `GET /` on every connection, one request in flight per connection (wrk's way),
//! the next request sent from `MessageComplete`; one worker thread.
//!
//! `hps_http_agent --addr 127.0.0.1:P --conns N [--warmup s] [--duration s] [--server-pid P]`
//! prints one JSON line (`req_s`; `errors`: answers other than 200 and closed connections).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hpsocket_bench::{
    die, loopback_addr, proc_cpu_secs, raise_nofile, self_cpu_secs, Args, JsonLine,
};
use hpsocket_core::http::{HttpEvent, HttpParseResult};
use hpsocket_core::{AgentListener, ConnId, HandleResult, ReceiveModel, SocketOperation, TcpAgent};

#[derive(Default)]
struct Getter {
    connected: AtomicUsize,
    answers: AtomicU64,
    errors: AtomicU64,
}

fn get(agent: &TcpAgent, id: ConnId) -> bool {
    agent.send_request(id, "GET", "/", &[], b"").is_ok()
}

impl AgentListener for Getter {
    fn on_handshake(&self, agent: &TcpAgent, id: ConnId) -> HandleResult {
        self.connected.fetch_add(1, Ordering::Relaxed);
        if get(agent, id) {
            HandleResult::Ok
        } else {
            HandleResult::Error
        }
    }

    fn on_http(&self, agent: &TcpAgent, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        match event {
            HttpEvent::StatusLine { status, .. } if status != 200 => {
                self.errors.fetch_add(1, Ordering::Relaxed);
            }
            HttpEvent::MessageComplete => {
                // One worker thread updates it; relaxed is a plain add.
                self.answers.fetch_add(1, Ordering::Relaxed);
                if !get(agent, id) {
                    return HttpParseResult::Error;
                }
            }
            _ => {}
        }
        HttpParseResult::Ok
    }

    fn on_close(&self, _: &TcpAgent, _: ConnId, _: SocketOperation, _: i32) -> HandleResult {
        self.errors.fetch_add(1, Ordering::Relaxed);
        HandleResult::Ok
    }
}

fn main() {
    let args = Args::parse("hps_http_agent --addr 127.0.0.1:PORT --conns N");
    raise_nofile();
    let addr = loopback_addr(&args.str("addr", "127.0.0.1:8080"));
    let conns: usize = args.num("conns", 100);
    let warmup = args.secs("warmup", 0.5);
    let duration = args.secs("duration", 3.0);
    let server_pid: u32 = args.num("server-pid", 0);
    let g = Arc::new(Getter::default());
    let agent = TcpAgent::with_model(g.clone(), ReceiveModel::Http);
    agent
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.max_connection_count = (conns as u32 + 16).max(16);
            c.socket.no_delay = true;
        })
        .unwrap_or_else(|e| die(&format!("config: {e}")));
    // No cookie manager on the hot path (the servers set none anyway).
    agent
        .update_http_config(|h| h.use_cookie = false)
        .unwrap_or_else(|e| die(&format!("http config: {e}")));
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
    while g.connected.load(Ordering::Relaxed) + (setup_errors as usize) < conns
        && t0.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    let connected = g.connected.load(Ordering::Relaxed);
    std::thread::sleep(warmup);
    let (n0, e0, cpu0) = (
        g.answers.load(Ordering::Relaxed),
        g.errors.load(Ordering::Relaxed),
        self_cpu_secs(),
    );
    let scpu0 = proc_cpu_secs(server_pid).unwrap_or(0.0);
    let start = Instant::now();
    std::thread::sleep(duration);
    let n = (g.answers.load(Ordering::Relaxed) - n0) as f64;
    let secs = start.elapsed().as_secs_f64();
    let (cpu1, scpu1) = (self_cpu_secs(), proc_cpu_secs(server_pid).unwrap_or(0.0));
    JsonLine::new()
        .str("mode", "http-get")
        .num("conns", conns as f64)
        .num("connected", connected as f64)
        .num("secs", secs)
        .num("requests", n)
        .num("req_s", n / secs)
        .num("server_cpu_s", scpu1 - scpu0)
        .num("client_cpu_s", cpu1 - cpu0)
        .num("errors", (g.errors.load(Ordering::Relaxed) - e0) as f64)
        .num("setup_errors", setup_errors as f64 + e0 as f64)
        .print();
    // Exit without the orderly stop: every connection closing is not part of the figure.
    std::process::exit(0);
}
