//! What a component tells about its connections and itself while it runs: whether a
//! connection is up, its addresses, extra data, connect and silence periods, queued bytes,
//! the connection count and IDs, the listening address, dropped datagrams.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::conn::ConnState;
use crate::error::{Error, ErrorKind, Result};
use crate::reactor::Engine;
use crate::types::ConnId;

impl Engine {
    pub(crate) fn is_connected(&self, id: ConnId) -> bool {
        self.with_conn(
            "is_connected",
            id,
            |c| Ok(c.state() == ConnState::Connected),
        )
        .unwrap_or(false)
    }

    pub(crate) fn set_connection_extra(&self, id: ConnId, extra: usize) -> Result<()> {
        self.with_conn("set_connection_extra", id, |c| {
            c.extra.store(extra, Ordering::Release);
            Ok(())
        })
    }

    pub(crate) fn connection_extra(&self, id: ConnId) -> Result<usize> {
        self.with_conn("connection_extra", id, |c| {
            Ok(c.extra.load(Ordering::Acquire))
        })
    }

    pub(crate) fn connection_count(&self) -> usize {
        self.with_run("connection_count", |run, _| Ok(run.table.count()))
            .unwrap_or(0)
    }

    pub(crate) fn all_connection_ids(&self) -> Vec<ConnId> {
        // Taken with the count from one list: a connection is listed from its accept or
        // connect until its `OnClose` returns, as in HP-Socket.
        self.with_run("all_connection_ids", |run, _| Ok(run.table.ids()))
            .unwrap_or_default()
    }

    pub(crate) fn connect_period(&self, id: ConnId) -> Result<Duration> {
        self.with_run("connect_period", |run, _| {
            let c = run.conn("GetConnectPeriod", id)?;
            Ok(Duration::from_millis(c.connected_for(run.now_ms())))
        })
    }

    pub(crate) fn silence_period(&self, id: ConnId) -> Result<Duration> {
        let name = self.name();
        self.with_run("silence_period", |run, _| {
            if !run.config.mark_silence {
                return Err(Error::illegal_state(format!(
                    "{name}::silence_period needs MarkSilence on"
                )));
            }
            let c = run.conn("GetSilencePeriod", id)?;
            let idle = c.last_active_ms.since(run.now_ms(), Ordering::Relaxed);
            Ok(Duration::from_millis(idle))
        })
    }

    pub(crate) fn local_address(&self, id: ConnId) -> Result<SocketAddr> {
        self.with_conn("local_address", id, |c| {
            c.transport
                .local_addr()
                .map_err(|e| Error::os(ErrorKind::Network, &e, "GetLocalAddress"))
        })
    }

    /// A cast client: where the datagram being delivered (or the last one) came from.
    pub(crate) fn cast_source(&self, id: ConnId) -> Result<Option<SocketAddr>> {
        self.with_conn("cast_source", id, |c| Ok(c.transport.cast_source()))
    }

    pub(crate) fn remote_address(&self, id: ConnId) -> Result<SocketAddr> {
        self.with_conn("remote_address", id, |c| Ok(c.remote_addr()))
    }

    pub(crate) fn remote_host(&self, id: ConnId) -> Result<(String, u16)> {
        self.with_conn("remote_host", id, |c| {
            Ok(c.remote_host().cloned().unwrap_or_else(|| {
                let addr = c.remote_addr();
                (addr.ip().to_string(), addr.port())
            }))
        })
    }

    pub(crate) fn pending_data_length(&self, id: ConnId) -> Result<usize> {
        self.with_conn("pending_data_length", id, |c| Ok(c.unsent()))
    }

    pub(crate) fn listen_address(&self) -> Result<SocketAddr> {
        self.with_run("listen_address", |run, _| {
            run.listen_addr
                .ok_or_else(|| Error::illegal_state("no listening socket"))
        })
    }

    /// UDP: datagrams dropped for being larger than `max_datagram_size` in this run.
    pub(crate) fn dropped_datagrams(&self) -> u64 {
        self.with_run("dropped_datagrams", |run, _| {
            Ok(run.dropped_datagrams.load(Ordering::Relaxed))
        })
        .unwrap_or(0)
    }

    /// The one connection of a client engine, if any.
    pub(crate) fn first_connection(&self) -> Option<ConnId> {
        self.all_connection_ids().first().copied()
    }
}
