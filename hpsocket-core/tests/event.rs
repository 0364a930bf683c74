//! The event seam: one `EventHandler` receives the events of a server, an agent and a client
//! through `EventAdapter`, in the order the listener traits would see them.

mod util;

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use hpsocket_core::{
    ConnId, Event, EventAdapter, EventHandler, EventMask, HandleResult, SocketOperation, TcpAgent,
    TcpClient, TcpServer,
};

/// Records events by name; echoes what it receives when it is a server's handler.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
    echo: Mutex<Option<TcpServer>>,
    want_send: AtomicBool,
}

impl Recorder {
    fn names(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// The handler a component holds: the recorder, shared with the test.
struct Handler(Arc<Recorder>);

impl EventHandler for Handler {
    fn wanted(&self) -> EventMask {
        if self.0.want_send.load(Ordering::Relaxed) {
            EventMask::ALL
        } else {
            EventMask::NONE
        }
    }
    fn on_event(&self, event: Event<'_>) -> HandleResult {
        let name = match event {
            Event::PrepareListen { .. } => "prepare_listen",
            Event::Accept { .. } => "accept",
            Event::PrepareConnect { .. } => "prepare_connect",
            Event::Connect { .. } => "connect",
            Event::HandShake { .. } => "handshake",
            Event::Send { .. } => "send",
            Event::Receive { conn, data } => {
                if let Some(server) = self.0.echo.lock().unwrap().as_ref() {
                    server.send(conn, data).unwrap();
                }
                "receive"
            }
            Event::PullReceive { .. } => "pull_receive",
            Event::SendDrained { .. } => "send_drained",
            Event::Close { operation, .. } => {
                assert_eq!(operation, SocketOperation::Close);
                "close"
            }
            Event::Shutdown => "shutdown",
            Event::WorkerStart { .. } | Event::WorkerExit { .. } => return HandleResult::Ok,
            _ => "other",
        };
        self.0.seen.lock().unwrap().push(name.to_string());
        HandleResult::Ok
    }
}

fn conn_events(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

#[test]
fn one_handler_serves_every_family() {
    let srec = Arc::new(Recorder::default());
    let server = TcpServer::new(Arc::new(EventAdapter(Handler(srec.clone()))));
    *srec.echo.lock().unwrap() = Some(server.clone());
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();

    let crec = Arc::new(Recorder::default());
    crec.want_send.store(true, Ordering::Relaxed);
    let client = TcpClient::new(Arc::new(EventAdapter(Handler(crec.clone()))));
    client.start("127.0.0.1", port, false).unwrap();
    client.send(b"ping").unwrap();
    util::eventually("echo", || crec.names().iter().any(|n| n == "receive"));
    client.stop().unwrap();
    util::eventually("server close", || srec.names().iter().any(|n| n == "close"));
    server.stop().unwrap();

    assert_eq!(
        conn_events(&srec.names()),
        [
            "prepare_listen",
            "accept",
            "handshake",
            "receive",
            "close",
            "shutdown"
        ],
        "the server sends too, but did not want Send events"
    );
    let c = crec.names();
    assert_eq!(
        conn_events(&c)[..4],
        ["prepare_connect", "connect", "handshake", "send"]
    );
    assert!(c.contains(&"receive".to_string()) && c.last().unwrap() == "close");

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let arec = Arc::new(Recorder::default());
    let agent = TcpAgent::new(Arc::new(EventAdapter(Handler(arec.clone()))));
    agent.start(None, true).unwrap();
    let id: ConnId = agent
        .connect("127.0.0.1", listener.local_addr().unwrap().port())
        .unwrap();
    drop(listener.accept().unwrap());
    util::eventually("agent close", || arec.names().iter().any(|n| n == "close"));
    agent.stop().unwrap();
    assert!(id > 0);
    assert_eq!(
        conn_events(&arec.names()),
        [
            "prepare_connect",
            "connect",
            "handshake",
            "close",
            "shutdown"
        ]
    );
}
