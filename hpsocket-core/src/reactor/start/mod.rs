//! Starting and stopping an engine: the `SS_*` state machine, worker threads, and the order
//! of the final events (every `OnClose`, then `OnShutdown`). The sockets a run receives on
//! are opened in `bind.rs`.

mod bind;

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::events::{guarded_unit, Events};
use super::worker::{source_token, Source, Worker, WAKER_TOKEN};
use super::{Command, Engine, Running, Shared, TransportKind, WorkerHandle};
use crate::buffer::BufferPool;
use crate::conn::table::ConnTable;
use crate::error::{Error, ErrorKind, Result};
use crate::sync::lock;
use crate::types::{CastMode, ServiceState};
use bind::{bind_datagram, bind_node, listen};

/// What `start` needs beyond the settings.
pub(crate) struct StartParams {
    pub(crate) events: Arc<dyn Events>,
    /// Server: address and port to listen on.
    pub(crate) listen: Option<(String, u16)>,
    /// Agent/client: local address connects bind to.
    pub(crate) bind_addr: Option<IpAddr>,
    pub(crate) async_connect: bool,
    /// UDP node: the cast mode and address of `start_with_cast`.
    pub(crate) cast: Option<(CastMode, String)>,
}

impl Shared {
    pub(super) fn set_state(&self, s: ServiceState) {
        let _g = lock(&self.stopped_lock);
        self.state.store(s as u8, Ordering::Release);
        if s == ServiceState::Stopped {
            self.stopped.notify_all();
        }
    }

    fn transition(&self, from: ServiceState, to: ServiceState) -> bool {
        let _g = lock(&self.stopped_lock);
        self.state
            .compare_exchange(from as u8, to as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

impl Engine {
    pub(crate) fn start(&self, params: StartParams) -> Result<()> {
        let name = self.name();
        if !self
            .shared
            .transition(ServiceState::Stopped, ServiceState::Starting)
        {
            return Err(Error::illegal_state(format!(
                "{name}::start: the component is {:?}, not stopped",
                self.state()
            )));
        }
        match self.start_workers(params) {
            Ok(()) => {
                self.shared.set_state(ServiceState::Started);
                Ok(())
            }
            Err(e) => {
                *lock(&self.shared.run) = None;
                self.shared.set_state(ServiceState::Stopped);
                Err(e)
            }
        }
    }

    fn start_workers(&self, params: StartParams) -> Result<()> {
        let config = self.config();
        config.validate()?;
        self.check_ssl_ready()?;
        let name = self.name();
        if self.model() == crate::model::ReceiveModel::Pack {
            config
                .pack
                .validate()
                .map_err(|m| Error::invalid_param(format!("{name}: {m}")))?;
        }
        let count = config.worker_thread_count as usize;

        let mut polls = Vec::with_capacity(count);
        let mut handles = Vec::with_capacity(count);
        let mut receivers = Vec::with_capacity(count);
        for _ in 0..count {
            let poll = mio::Poll::new()
                .map_err(|e| Error::os(ErrorKind::CpCreate, &e, format!("{name}: epoll_create")))?;
            let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)
                .map_err(|e| Error::os(ErrorKind::CpCreate, &e, format!("{name}: eventfd")))?;
            let (tx, rx) = crossbeam_channel::unbounded();
            polls.push(poll);
            receivers.push(rx);
            handles.push(WorkerHandle {
                commands: tx,
                waker,
                wake_pending: AtomicBool::new(false),
            });
        }

        // Each worker's sources: a TCP server's listener goes to worker 0; a UDP server has
        // one socket per worker.
        let mut sources: Vec<Vec<Source>> = (0..count).map(|_| Vec::new()).collect();
        let mut listen_addr = None;
        let mut node = None;
        if let Some((address, port)) = &params.listen {
            let events = params.events.as_ref();
            let uid = self.shared.uid;
            match self.transport() {
                _ if self.role() == super::Role::Node => {
                    let cast = params.cast.as_ref();
                    let socket = super::marked(uid, || {
                        bind_node(name, address, *port, cast, &config, events)
                    })?;
                    listen_addr = socket.socket.local_addr().ok();
                    let socket = Arc::new(socket);
                    sources[0].push(Source::Node(socket.clone()));
                    node = Some(socket);
                }
                TransportKind::Tcp => {
                    let l = super::marked(uid, || listen(name, address, *port, &config, events))?;
                    listen_addr = l.local_addr().ok();
                    sources[0].push(Source::Listener(l));
                }
                // Cast components are clients: they never listen.
                TransportKind::Udp | TransportKind::UdpCast => {
                    let sockets = super::marked(uid, || {
                        bind_datagram(name, address, *port, &config, events, count)
                    })?;
                    listen_addr = sockets[0].local_addr().ok();
                    for (i, s) in sockets.into_iter().enumerate() {
                        sources[i].push(Source::Datagram(Arc::new(s)));
                    }
                }
            }
            for (poll, list) in polls.iter().zip(&sources) {
                for (i, source) in list.iter().enumerate() {
                    let fd = source.fd();
                    poll.registry()
                        .register(
                            &mut mio::unix::SourceFd(&fd),
                            source_token(i),
                            source.interest(),
                        )
                        .map_err(|e| {
                            Error::os(
                                ErrorKind::SocketAttachToCp,
                                &e,
                                format!("{name}: register the server socket"),
                            )
                        })?;
                }
            }
        }

        let run = Arc::new(Running {
            shared: self.shared.clone(),
            table: ConnTable::new(config.max_connection_count),
            workers: handles.into_boxed_slice(),
            events: params.events,
            next_worker: AtomicUsize::new(0),
            pool: BufferPool::new(
                config.free_buffer_obj_pool,
                config.socket.socket_buffer_size as usize,
            ),
            epoch: Instant::now(),
            listen_addr,
            bind_addr: params.bind_addr,
            async_connect: params.async_connect,
            threads: Mutex::new(Vec::with_capacity(count)),
            live_workers: AtomicUsize::new(count),
            detached_stop: AtomicBool::new(false),
            dropped_datagrams: AtomicU64::new(0),
            node,
            config,
        });
        *lock(&self.shared.run) = Some(run.clone());

        let workers = polls.into_iter().zip(receivers).zip(sources);
        for (index, ((poll, rx), sources)) in workers.enumerate() {
            let worker = Worker::new(index, run.clone(), poll, rx, sources);
            let spawned = std::thread::Builder::new()
                .name(format!("hp-worker-{index}"))
                .spawn(move || worker.run());
            match spawned {
                Ok(handle) => lock(&run.threads).push(handle),
                Err(e) => {
                    // Workers that did start exit on Stop; the ones never spawned count as gone.
                    run.live_workers.fetch_sub(count - index, Ordering::AcqRel);
                    for i in 0..index {
                        run.post(i, Command::Stop, None);
                    }
                    for t in lock(&run.threads).drain(..) {
                        let _ = t.join();
                    }
                    return Err(Error::os(
                        ErrorKind::WorkerThreadCreate,
                        &e,
                        format!("{name}: spawning worker {index}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Stops the engine: closes every connection (each gets `OnClose`), joins the workers,
    /// then fires `OnShutdown`. From one of the engine's own callbacks a client stops in the
    /// background (HP-Socket's behaviour); servers and agents refuse with `SE_ILLEGAL_STATE`.
    pub(crate) fn stop(&self) -> Result<()> {
        let name = self.name();
        if self.in_own_callback() {
            if self.role() == super::Role::Client {
                if let Some(run) = lock(&self.shared.run).clone() {
                    run.begin_detached_stop();
                    return Ok(());
                }
            }
            return Err(Error::illegal_state(format!(
                "{name}::stop called from one of its own callbacks: it would wait for itself; \
                 call it from another thread"
            )));
        }
        if !self
            .shared
            .transition(ServiceState::Started, ServiceState::Stopping)
        {
            let state = self.state();
            if state != ServiceState::Stopped {
                // Starting or stopping elsewhere: as HP-Socket, wait for the end, then refuse.
                let _ = self.wait(None);
            }
            return Err(Error::illegal_state(format!(
                "{name}::stop: the component is {state:?}, not started"
            )));
        }
        let Some(run) = lock(&self.shared.run).clone() else {
            self.shared.set_state(ServiceState::Stopped);
            return Ok(());
        };
        for i in 0..run.workers.len() {
            run.post(i, Command::Stop, None);
        }
        let threads: Vec<_> = lock(&run.threads).drain(..).collect();
        for t in threads {
            let _ = t.join();
        }
        // A detached stop that raced with this one may already have finished the job.
        if lock(&self.shared.run).is_some() {
            run.finish_stop();
        }
        Ok(())
    }
}

impl Engine {
    /// Starts a stop without waiting for it (an extension): callable from anywhere,
    /// including the engine's own callbacks. The workers close every connection and the last
    /// one out fires `OnShutdown`; `wait` blocks until it is done.
    pub(crate) fn begin_stop(&self) -> Result<()> {
        let run = lock(&self.shared.run).clone();
        match run {
            Some(run) if self.state() == ServiceState::Started => {
                run.begin_detached_stop();
                Ok(())
            }
            _ => Err(Error::illegal_state(format!(
                "{}::begin_stop: the component is {:?}, not started",
                self.name(),
                self.state()
            ))),
        }
    }
}

impl Running {
    /// Starts a stop from a worker thread (client closing itself); the last worker to exit
    /// completes it.
    pub(super) fn begin_detached_stop(&self) {
        if self
            .shared
            .transition(ServiceState::Started, ServiceState::Stopping)
        {
            self.detached_stop.store(true, Ordering::Release);
            for i in 0..self.workers.len() {
                self.post(i, Command::Stop, None);
            }
        }
    }

    /// Called by each worker as it exits.
    pub(super) fn worker_exited(&self) {
        if self.live_workers.fetch_sub(1, Ordering::AcqRel) == 1
            && self.detached_stop.load(Ordering::Acquire)
        {
            // Nobody joins detached workers; drop the handles so the threads are reaped.
            lock(&self.threads).clear();
            self.finish_stop();
        }
    }

    /// The end of every stop: `OnShutdown`, then `SS_STOPPED`.
    fn finish_stop(&self) {
        if lock(&self.shared.run).take().is_none() {
            return;
        }
        let events = self.events.clone();
        super::marked(self.shared.uid, || guarded_unit(|| events.shutdown()));
        self.shared.set_state(ServiceState::Stopped);
    }
}
