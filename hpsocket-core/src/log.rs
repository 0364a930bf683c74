//! The logging hook: one process-wide callback that sees what the library does on its own
//! threads (connections opened and closed with their reason, TLS handshake failures,
//! refusals at `MaxConnectionCount`, sends refused by the send-queue bound). Off by default;
//! while off (or below its level) a log point costs one relaxed atomic load and formats
//! nothing.
//!
//! The hook runs on whichever thread logs, often a worker inside its turn: it should be
//! quick and must not block on the component that logs. A panic in it is caught.

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, RwLock};

/// How much a record matters; a hook set at a level gets that level and the ones above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// Something failed that the application did not ask for (a worker could not go on).
    Error = 1,
    /// A refusal or a failure of one connection: a TLS handshake, `MaxConnectionCount`, the
    /// send-queue bound.
    Warn = 2,
    /// Connections opened and closed, with the reason.
    Info = 3,
    /// Detail for debugging.
    Debug = 4,
}

impl Level {
    /// The level of its number (1..=4).
    pub fn from_u8(v: u8) -> Option<Level> {
        Some(match v {
            1 => Level::Error,
            2 => Level::Warn,
            3 => Level::Info,
            4 => Level::Debug,
            _ => return None,
        })
    }

    /// Its name in capitals, as log lines print it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
        }
    }
}

/// One log record, valid during the hook's call.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Its level.
    pub level: Level,
    /// The component that logs, as `"TcpServer#3"` (kind and instance number), or a module.
    pub source: &'a str,
    /// What happened, in one line.
    pub message: &'a str,
}

/// A logging hook.
pub type Hook = Arc<dyn Fn(&Record<'_>) + Send + Sync>;

/// The most detailed level logged (0: off). Checked before anything is formatted.
static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);
static HOOK: RwLock<Option<Hook>> = RwLock::new(None);

/// Installs `hook` for records of `level` and above, replacing any hook before it; `None`
/// turns logging off.
pub fn set_hook(hook: Option<(Level, Hook)>) {
    let mut slot = HOOK.write().unwrap_or_else(|p| p.into_inner());
    match hook {
        Some((level, hook)) => {
            *slot = Some(hook);
            MAX_LEVEL.store(level as u8, Ordering::Release);
        }
        None => {
            MAX_LEVEL.store(0, Ordering::Release);
            *slot = None;
        }
    }
}

/// Whether a record of `level` would reach a hook.
#[inline]
pub fn enabled(level: Level) -> bool {
    level as u8 <= MAX_LEVEL.load(Ordering::Relaxed)
}

/// Formats and hands a record to the hook; use [`crate::log!`], which checks
/// [`enabled`] first.
pub fn emit(level: Level, source: fmt::Arguments<'_>, message: fmt::Arguments<'_>) {
    let hook = HOOK.read().unwrap_or_else(|p| p.into_inner()).clone();
    let Some(hook) = hook else {
        return;
    };
    let (source, message) = (source.to_string(), message.to_string());
    let record = Record {
        level,
        source: &source,
        message: &message,
    };
    // The hook is the application's code: its panic must not take a worker down.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(&record)));
}

/// Logs a record when a hook takes its level: `log!(Level::Info, source_args, "fmt", ..)`.
#[macro_export]
macro_rules! log {
    ($level:expr, ($($source:tt)*), $($message:tt)*) => {
        if $crate::log::enabled($level) {
            $crate::log::emit($level, format_args!($($source)*), format_args!($($message)*));
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn records_reach_the_hook_at_or_above_its_level_only() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        set_hook(Some((
            Level::Warn,
            Arc::new(move |r: &Record<'_>| {
                // Other tests of this process may log too; keep this test's records.
                if r.source == "TcpServer#1" || r.source == "x" {
                    sink.lock().unwrap().push(format!(
                        "{} {} {}",
                        r.level.name(),
                        r.source,
                        r.message
                    ))
                }
            }),
        )));
        crate::log!(Level::Info, ("TcpServer#{}", 1), "not {}", "seen");
        crate::log!(Level::Warn, ("TcpServer#{}", 1), "refused {}", 7);
        crate::log!(Level::Error, ("x"), "bad");
        set_hook(None);
        crate::log!(Level::Error, ("x"), "off");
        assert_eq!(
            *seen.lock().unwrap(),
            ["WARN TcpServer#1 refused 7", "ERROR x bad"]
        );
        assert!(!enabled(Level::Error));
    }
}
