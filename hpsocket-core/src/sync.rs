//! The one way the core takes its mutexes.

use std::sync::{Mutex, MutexGuard};

/// Locks `m`, carrying on past poisoning. Every mutex of the core guards state that each
/// update leaves consistent (single assignments, or OpenSSL calls that leave a session
/// consistent or failed), and callbacks never run under one, so a panic elsewhere cannot
/// leave the data half-written.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
