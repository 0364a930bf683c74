//! Closing from any thread: `disconnect` and the disconnects by age or silence only mark a
//! connection `Closing` and ask its owner to close it (`worker/close.rs` does, firing
//! `OnClose` once); the first request wins.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::conn::{Conn, ConnState};
use crate::error::{Error, Result};
use crate::reactor::{Command, Engine, Running};
use crate::types::{ConnId, SocketOperation};

impl Running {
    /// Asks the owner to close `conn`; the first request wins.
    pub(in crate::reactor) fn request_close(
        &self,
        conn: &Arc<Conn>,
        operation: SocketOperation,
        code: i32,
        me: Option<usize>,
    ) -> bool {
        let claimed = conn.transition(ConnState::Connected, ConnState::Closing)
            || conn.transition(ConnState::Connecting, ConnState::Closing);
        if claimed {
            self.post(
                conn.worker(),
                Command::Close(conn.clone(), operation, code),
                me,
            );
        }
        claimed
    }
}

impl Engine {
    pub(crate) fn disconnect(&self, id: ConnId) -> Result<()> {
        self.with_run("disconnect", |run, me| {
            let conn = run.conn("Disconnect", id)?;
            match conn.state() {
                ConnState::Closed => Err(Error::not_found("Disconnect", id)),
                // Already on its way out: asking again is not an error.
                ConnState::Closing => Ok(()),
                _ => {
                    run.request_close(&conn, SocketOperation::Close, 0, me);
                    Ok(())
                }
            }
        })
    }

    /// Disconnects every connection for which `older(conn, now_ms)` holds.
    fn disconnect_where(&self, what: &str, older: impl Fn(&Conn, u64) -> bool) -> Result<()> {
        self.with_run(what, |run, me| {
            let now = run.now_ms();
            for conn in run.table.all() {
                if older(&conn, now) {
                    run.request_close(&conn, SocketOperation::Close, 0, me);
                }
            }
            Ok(())
        })
    }

    pub(crate) fn disconnect_long_connections(&self, period: Duration) -> Result<()> {
        let period = period.as_millis() as u64;
        self.disconnect_where("disconnect_long_connections", |c, now| {
            c.connected_for(now) >= period
        })
    }

    pub(crate) fn disconnect_silence_connections(&self, period: Duration) -> Result<()> {
        if !self.config().mark_silence {
            return Err(Error::illegal_state(format!(
                "{}::disconnect_silence_connections needs MarkSilence on",
                self.name()
            )));
        }
        let period = period.as_millis() as u64;
        self.disconnect_where("disconnect_silence_connections", |c, now| {
            c.last_active_ms.since(now, Ordering::Relaxed) >= period
        })
    }
}
