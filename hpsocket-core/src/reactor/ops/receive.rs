//! The receive side of a connection as other threads see it: pausing and resuming receipt
//! (a resume wakes the owner, which delivers what waited), and PULL's `fetch`/`peek` of the
//! bytes the worker buffered.

use std::sync::atomic::Ordering;

use crate::error::Result;
use crate::model::{FetchResult, ReceiveModel};
use crate::reactor::{Command, Engine};
use crate::types::ConnId;

impl Engine {
    pub(crate) fn pause_receive(&self, id: ConnId, pause: bool) -> Result<()> {
        self.with_run("pause_receive", |run, me| {
            let conn = run.live_conn("PauseReceive", id)?;
            if conn.paused.swap(pause, Ordering::AcqRel) && !pause {
                run.post(conn.worker(), Command::Resume(conn.clone()), me);
            }
            Ok(())
        })
    }

    /// PULL `fetch` (`peek_only` false) and `peek`.
    pub(crate) fn fetch(&self, id: ConnId, out: &mut [u8], peek_only: bool) -> FetchResult {
        if self.model() != ReceiveModel::Pull {
            return FetchResult::DataNotFound;
        }
        let result = self.with_run("fetch", |run, _| {
            let Some(conn) = run.table.get(id) else {
                return Ok(FetchResult::DataNotFound);
            };
            // A closed connection stays fetchable until its `OnClose` returns (the buffer is
            // cleared then, and the ID released).
            let Some(mut buffer) = conn.pull_buffer() else {
                return Ok(FetchResult::DataNotFound);
            };
            Ok(if peek_only {
                buffer.peek(out)
            } else {
                buffer.fetch(out)
            })
        });
        result.unwrap_or(FetchResult::DataNotFound)
    }

    pub(crate) fn is_pause_receive(&self, id: ConnId) -> Result<bool> {
        self.with_conn("is_pause_receive", id, |c| {
            Ok(c.paused.load(Ordering::Acquire))
        })
    }
}
