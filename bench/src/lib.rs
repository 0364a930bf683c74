//! Shared plumbing of the benchmark binaries: a small argument parser, `/proc` readers (server
//! CPU time, RSS, listen-queue counters), a flat JSON line writer and loopback checks.
//!
//! Every binary prints one JSON object per run on stdout (the orchestrator `bench/run.py`
//! parses it) or, for servers, a `listening <addr>` line once the socket is bound.

pub mod edge;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// Longest any measured phase may last, whatever the command line says: every run ends by
/// itself even when driven by hand with a typo.
pub const MAX_PHASE: Duration = Duration::from_secs(120);

/// The listen backlog of the peer servers. The kernel caps it at `net.core.somaxconn`, so this
/// is the machine's SOMAXCONN (the protocol's backlog); the libc crate's `SOMAXCONN` constant
/// is the historical 128 and mio's and tokio's `bind` use 1024.
pub const LISTEN_BACKLOG: i32 = 65535;

/// `--key value` and bare `--flag` arguments.
pub struct Args {
    values: HashMap<String, String>,
}

impl Args {
    /// Parses the process arguments; exits with a usage message on a stray word.
    pub fn parse(usage: &str) -> Args {
        Args::parse_from(std::env::args().skip(1).collect(), usage)
    }

    /// Parses `args` (without the program name).
    pub fn parse_from(args: Vec<String>, usage: &str) -> Args {
        let mut values = HashMap::new();
        let mut it = args.into_iter().peekable();
        while let Some(arg) = it.next() {
            let Some(key) = arg.strip_prefix("--") else {
                die(&format!("unexpected argument {arg:?}\n{usage}"));
            };
            if key == "help" {
                println!("{usage}");
                std::process::exit(0);
            }
            let value = match it.peek() {
                Some(v) if !v.starts_with("--") => it.next().unwrap_or_default(),
                _ => "true".to_string(),
            };
            values.insert(key.to_string(), value);
        }
        Args { values }
    }

    /// A string value, or `default`.
    pub fn str(&self, key: &str, default: &str) -> String {
        self.values
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    /// A numeric value, or `default`; exits on garbage.
    pub fn num<T: std::str::FromStr>(&self, key: &str, default: T) -> T {
        match self.values.get(key) {
            None => default,
            Some(v) => v
                .parse()
                .unwrap_or_else(|_| die(&format!("--{key}: bad number {v:?}"))),
        }
    }

    /// Seconds as a duration, capped at [`MAX_PHASE`].
    pub fn secs(&self, key: &str, default: f64) -> Duration {
        let s: f64 = self.num(key, default);
        Duration::from_secs_f64(s.max(0.0)).min(MAX_PHASE)
    }

    /// True when `--key` was given (alone or as `true`).
    pub fn flag(&self, key: &str) -> bool {
        self.values
            .get(key)
            .is_some_and(|v| v == "true" || v == "1")
    }
}

/// Prints `msg` to stderr and exits with status 2.
pub fn die(msg: &str) -> ! {
    eprintln!("{msg}");
    std::process::exit(2)
}

/// Resolves `addr` and refuses anything but loopback: these tools generate load, and load may
/// only ever go to this machine.
pub fn loopback_addr(addr: &str) -> SocketAddr {
    let resolved = addr
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .unwrap_or_else(|| die(&format!("cannot resolve {addr:?}")));
    if !resolved.ip().is_loopback() {
        die(&format!("refusing non-loopback target {resolved}"));
    }
    resolved
}

/// Raises the soft descriptor limit to the hard one (10,000 connections need it).
pub fn raise_nofile() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no memory effects.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// CPU seconds of process `pid`, all its threads: the scheduler's nanosecond run time from
/// `/proc/<pid>/task/*/schedstat` (tick-sampled utime+stime would be 10 ms coarse, too coarse
/// for sub-second phases), falling back to utime+stime from `/proc/<pid>/stat`.
pub fn proc_cpu_secs(pid: u32) -> Option<f64> {
    if pid == 0 {
        return None;
    }
    schedstat_secs(pid).or_else(|| stat_cpu_secs(pid))
}

fn schedstat_secs(pid: u32) -> Option<f64> {
    let mut ns: u64 = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let path = task.ok()?.path().join("schedstat");
        // A thread may end between the listing and the read: it no longer counts.
        if let Ok(text) = std::fs::read_to_string(path) {
            ns += text.split_whitespace().next()?.parse::<u64>().ok()?;
        }
    }
    Some(ns as f64 / 1e9)
}

/// utime + stime of `pid` (all threads), in seconds.
fn stat_cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields count from the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

/// CPU seconds of this process (all threads).
pub fn self_cpu_secs() -> f64 {
    proc_cpu_secs(std::process::id()).unwrap_or(0.0)
}

/// Resident set size of process `pid` in bytes (`VmRSS`).
pub fn proc_rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `TcpExt: ListenOverflows` and `ListenDrops` of this network namespace (what `nstat`
/// reports as `TcpExtListenOverflows`/`TcpExtListenDrops`).
pub fn listen_counters() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/net/netstat").unwrap_or_default();
    let mut lines = text.lines();
    while let (Some(names), Some(values)) = (lines.next(), lines.next()) {
        if !names.starts_with("TcpExt:") {
            continue;
        }
        let pairs: HashMap<&str, u64> = names
            .split_whitespace()
            .zip(values.split_whitespace())
            .skip(1)
            .filter_map(|(n, v)| Some((n, v.parse().ok()?)))
            .collect();
        let get = |k: &str| pairs.get(k).copied().unwrap_or(0);
        return (get("ListenOverflows"), get("ListenDrops"));
    }
    (0, 0)
}

/// A flat JSON object, built field by field (numbers and plain strings only).
#[derive(Default)]
pub struct JsonLine(String);

impl JsonLine {
    pub fn new() -> JsonLine {
        JsonLine::default()
    }

    fn key(&mut self, k: &str) {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        let _ = write!(self.0, "\"{k}\":");
    }

    /// Adds a number (non-finite values become `null`).
    pub fn num(mut self, k: &str, v: f64) -> Self {
        self.key(k);
        if v.is_finite() {
            let _ = write!(self.0, "{v}");
        } else {
            self.0.push_str("null");
        }
        self
    }

    /// Adds a string (the tools only emit ASCII without quotes or backslashes).
    pub fn str(mut self, k: &str, v: &str) -> Self {
        self.key(k);
        let clean: String = v.chars().filter(|c| *c != '"' && *c != '\\').collect();
        let _ = write!(self.0, "\"{clean}\"");
        self
    }

    /// Prints the object as one line on stdout.
    pub fn print(mut self) {
        if self.0.is_empty() {
            self.0.push('{');
        }
        self.0.push('}');
        println!("{}", self.0);
    }
}

/// Announces a bound server to the orchestrator, which waits for this line.
pub fn announce(addr: SocketAddr) {
    use std::io::Write;
    println!("listening {addr}");
    let _ = std::io::stdout().flush();
}

/// A throw-away self-signed certificate and its key (PEM) for the TLS cell, made at start-up so
/// that nothing secret is ever committed.
pub fn self_signed() -> (String, String) {
    use openssl::x509::{X509NameBuilder, X509};
    use openssl::{asn1::Asn1Time, hash::MessageDigest, pkey::PKey, rsa::Rsa};
    let made = (|| -> Result<(String, String), openssl::error::ErrorStack> {
        let key = PKey::from_rsa(Rsa::generate(2048)?)?;
        let mut name = X509NameBuilder::new()?;
        name.append_entry_by_text("CN", "localhost")?;
        let name = name.build();
        let mut b = X509::builder()?;
        b.set_version(2)?;
        b.set_subject_name(&name)?;
        b.set_issuer_name(&name)?;
        b.set_pubkey(&key)?;
        b.set_not_before(&*Asn1Time::days_from_now(0)?)?;
        b.set_not_after(&*Asn1Time::days_from_now(1)?)?;
        b.sign(&key, MessageDigest::sha256())?;
        let cert = b.build().to_pem()?;
        let key = key.private_key_to_pem_pkcs8()?;
        Ok((
            String::from_utf8_lossy(&cert).into_owned(),
            String::from_utf8_lossy(&key).into_owned(),
        ))
    })();
    made.unwrap_or_else(|e| die(&format!("self-signed certificate: {e}")))
}

/// HP-Socket's PACK header for a body of `len` bytes with flag 0 (`len` below 4 MiB).
pub fn pack_header(len: usize) -> [u8; 4] {
    (len as u32 & 0x3F_FFFF).to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_line_shape() {
        let mut s = JsonLine::new().num("a", 1.5).str("b", "x\"y");
        s.0.push('}');
        assert_eq!(s.0, r#"{"a":1.5,"b":"xy"}"#);
    }

    #[test]
    fn own_cpu_and_rss_are_readable() {
        assert!(proc_cpu_secs(std::process::id()).is_some());
        assert!(proc_rss_bytes(std::process::id()).unwrap_or(0) > 0);
    }

    #[test]
    fn pack_header_is_little_endian_length() {
        assert_eq!(pack_header(64), [64, 0, 0, 0]);
    }
}
