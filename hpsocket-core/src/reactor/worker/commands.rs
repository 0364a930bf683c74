//! What other threads (and the worker's own callbacks) ask of a worker through its command
//! channel (`Command`), and how the worker carries out each request once it is its turn:
//! only the owner ever touches a connection's socket, so every cross-thread request ends here.

use std::time::{Duration, Instant};

use super::{Deadline, Worker};
use crate::reactor::Command;

impl Worker {
    pub(super) fn drain_commands(&mut self) {
        while let Ok(command) = self.commands.try_recv() {
            match command {
                Command::Adopt(conn, how) => self.adopt(conn, how),
                Command::Flush(conn) => {
                    if let Some(key) = self.key_of(&conn) {
                        self.flush(key);
                    }
                }
                Command::Close(conn, op, code) => {
                    if let Some(key) = self.key_of(&conn) {
                        self.close(key, op, code);
                    }
                }
                Command::Resume(conn) => {
                    if let Some(key) = self.key_of(&conn) {
                        self.ready.push_back((key, conn.id));
                    }
                }
                Command::StartTls(conn) => {
                    if let Some(key) = self.key_of(&conn) {
                        self.start_tls(key);
                    }
                }
                Command::FlushNode => self.flush_node(),
                Command::Release(conn, ms, code) => {
                    if let Some(key) = self.key_of(&conn) {
                        let at = Instant::now() + Duration::from_millis(ms.into());
                        self.timers.arm(at, (key, conn.id, Deadline::Release(code)));
                    }
                }
                Command::Stop => self.stopping = true,
            }
        }
    }
}
