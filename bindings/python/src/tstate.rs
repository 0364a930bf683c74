//! One Python thread state per worker thread, for the thread's whole life.
//!
//! Attaching a thread that has no Python thread state (`PyGILState_Ensure`) creates one, and
//! the matching release destroys it: per event, that is an allocation, the interpreter's
//! thread list locked twice and the state's setup and teardown. A worker instead creates its
//! thread state when it starts and keeps it, detached, until it exits; each event then only
//! takes and gives back the GIL (`PyGILState_Ensure` finds the kept state).
//!
//! A worker that exits after the exit handler stopped everything (see
//! [`runtime::python_gone`]) must not touch the interpreter: it leaves its thread state to the
//! interpreter's finalization, which frees every thread state it still lists.

use std::cell::Cell;

use pyo3::ffi;
use pyo3::prelude::*;

use crate::runtime;

thread_local! {
    /// The outer `PyGILState_Ensure` of this worker, released when it exits.
    static KEPT: Cell<Option<ffi::PyGILState_STATE>> = const { Cell::new(None) };
}

/// A worker starts: gives the thread a Python thread state that outlives each event.
pub(crate) fn keep() {
    if runtime::python_gone() || KEPT.with(Cell::get).is_some() {
        return;
    }
    // pyo3's attach refuses an interpreter that is not initialized (or finalizing); inside
    // it, a second `PyGILState_Ensure` counts the thread state once more, so pyo3's release
    // detaches the thread without destroying its state.
    Python::try_attach(|_py| {
        // SAFETY: the thread is attached; the matching release is in `release`.
        let outer = unsafe { ffi::PyGILState_Ensure() };
        KEPT.with(|k| k.set(Some(outer)));
    });
}

/// A worker exits: destroys the thread state `keep` gave it (unless Python is gone).
pub(crate) fn release() {
    let Some(outer) = KEPT.with(Cell::take) else {
        return;
    };
    if runtime::python_gone() {
        return;
    }
    Python::try_attach(|_py| {
        // SAFETY: matches `keep`'s ensure on this thread; pyo3's own release, last, then
        // destroys the thread state.
        unsafe { ffi::PyGILState_Release(outer) };
    });
}
