//! ARQ (KCP over UDP) on loopback: the handshake before `on_handshake` on both sides,
//! messages from 1 byte to MaxMessageSize echoed whole and in order, a message over
//! MaxMessageSize refused, the waiting count draining to 0, many clients at once, and a
//! lossy relay (10% of datagrams dropped each way) that KCP's retransmissions get through.

mod util;

use std::net::UdpSocket;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hpsocket_core::{
    ClientListener, ConnId, HandleResult, ServerListener, SocketOperation, TcpClient, TcpServer,
    UdpArqClient, UdpArqServer,
};
use util::{Ev, Log};

#[derive(Default)]
struct Echo {
    log: Log,
}

impl ServerListener for Echo {
    fn on_accept(&self, _: &TcpServer, id: ConnId, _: i32) -> HandleResult {
        self.log.push(Ev::Accept(id));
        HandleResult::Ok
    }
    fn on_handshake(&self, _: &TcpServer, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        HandleResult::Ok
    }
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        self.log.push(Ev::Receive(id, data.len()));
        match s.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }
    fn on_close(&self, _: &TcpServer, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

/// Records what comes back, in order.
#[derive(Default)]
struct Collect {
    log: Log,
    got: Mutex<Vec<Vec<u8>>>,
}

impl ClientListener for Collect {
    fn on_handshake(&self, _: &TcpClient, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        HandleResult::Ok
    }
    fn on_receive(&self, _: &TcpClient, id: ConnId, data: &[u8]) -> HandleResult {
        self.got.lock().unwrap().push(data.to_vec());
        self.log.push(Ev::Receive(id, data.len()));
        HandleResult::Ok
    }
    fn on_close(&self, _: &TcpClient, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

fn server() -> (UdpArqServer, Arc<Echo>, u16) {
    let echo = Arc::new(Echo::default());
    let s = UdpArqServer::new(echo.clone());
    s.update_config(|c| c.worker_thread_count = 2).unwrap();
    s.update_arq_config(|a| {
        a.no_delay = true;
        a.flush_interval = 10;
        a.max_message_size = 16 * 1024;
    })
    .unwrap();
    s.start("127.0.0.1", 0).unwrap();
    let port = s.listen_address().unwrap().port();
    (s, echo, port)
}

fn client(port: u16) -> (UdpArqClient, Arc<Collect>) {
    let c = Arc::new(Collect::default());
    let client = UdpArqClient::new(c.clone());
    client
        .update_config(|cfg| {
            cfg.udp.arq.no_delay = true;
            cfg.udp.arq.flush_interval = 10;
            cfg.udp.arq.max_message_size = 16 * 1024;
        })
        .unwrap();
    client.start("127.0.0.1", port, false).unwrap();
    c.log.wait_for("the client's handshake", |e| {
        e.iter().any(|e| matches!(e, Ev::HandShake(_)))
    });
    (client, c)
}

fn messages(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let len = 1 + (i * 7919) % (16 * 1024);
            (0..len).map(|j| (i + j * 31) as u8).collect()
        })
        .collect()
}

#[test]
fn messages_of_every_size_are_echoed_whole_and_in_order() {
    let (s, echo, port) = server();
    let (c, got) = client(port);
    echo.log.wait_for("the server's handshake", |e| {
        e.iter().any(|e| matches!(e, Ev::HandShake(_)))
    });
    let sent = messages(200);
    for m in &sent {
        c.send(m).unwrap();
    }
    got.log.wait_for("200 echoes", |e| {
        e.iter().filter(|e| matches!(e, Ev::Receive(..))).count() == sent.len()
    });
    assert_eq!(*got.got.lock().unwrap(), sent);
    let err = c.send(&vec![0u8; 16 * 1024 + 1]).unwrap_err();
    assert_eq!(err.errno(), libc::EMSGSIZE);
    assert!(c.send(&[]).is_err(), "an empty message is refused");
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.waiting_send_message_count().unwrap() > 0 {
        assert!(Instant::now() < deadline, "the waiting count did not drain");
        std::thread::sleep(Duration::from_millis(5));
    }
    c.stop().unwrap();
    s.stop().unwrap();
}

#[test]
fn many_clients_at_once() {
    let (s, _echo, port) = server();
    let clients: Vec<_> = (0..20).map(|_| client(port)).collect();
    let sent = messages(30);
    for (c, _) in &clients {
        for m in &sent {
            c.send(m).unwrap();
        }
    }
    for (_, got) in &clients {
        got.log.wait_for("30 echoes", |e| {
            e.iter().filter(|e| matches!(e, Ev::Receive(..))).count() == sent.len()
        });
        assert_eq!(*got.got.lock().unwrap(), sent);
    }
    for (c, _) in &clients {
        c.stop().unwrap();
    }
    s.stop().unwrap();
}

/// A relay between client and server that drops every tenth datagram each way.
fn lossy_relay(server_port: u16) -> (u16, std::thread::JoinHandle<()>, Arc<Mutex<bool>>) {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let back = UdpSocket::bind("127.0.0.1:0").unwrap();
    back.connect(("127.0.0.1", server_port)).unwrap();
    front
        .set_read_timeout(Some(Duration::from_millis(5)))
        .unwrap();
    back.set_read_timeout(Some(Duration::from_millis(5)))
        .unwrap();
    let port = front.local_addr().unwrap().port();
    let stop = Arc::new(Mutex::new(false));
    let stopped = stop.clone();
    let relay = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        let mut client = None;
        let mut n = 0u64;
        while !*stopped.lock().unwrap() {
            if let Ok((len, from)) = front.recv_from(&mut buf) {
                client = Some(from);
                n += 1;
                if !n.is_multiple_of(10) {
                    let _ = back.send(&buf[..len]);
                }
            }
            if let Ok(len) = back.recv(&mut buf) {
                n += 1;
                if let (Some(to), true) = (client, !n.is_multiple_of(10)) {
                    let _ = front.send_to(&buf[..len], to);
                }
            }
        }
    });
    (port, relay, stop)
}

#[test]
fn a_lossy_path_loses_nothing() {
    let (s, _echo, port) = server();
    let (relay_port, relay, stop) = lossy_relay(port);
    let (c, got) = client(relay_port);
    let sent = messages(60);
    for m in &sent {
        c.send(m).unwrap();
    }
    got.log.wait_for("60 echoes through the lossy relay", |e| {
        e.iter().filter(|e| matches!(e, Ev::Receive(..))).count() == sent.len()
    });
    assert_eq!(*got.got.lock().unwrap(), sent);
    c.stop().unwrap();
    s.stop().unwrap();
    *stop.lock().unwrap() = true;
    relay.join().unwrap();
}

/// Collects an agent's echoes per connection.
#[derive(Default)]
struct AgentCollect {
    log: Log,
    got: Mutex<std::collections::HashMap<ConnId, Vec<Vec<u8>>>>,
}

impl hpsocket_core::AgentListener for AgentCollect {
    fn on_handshake(&self, _: &hpsocket_core::TcpAgent, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        HandleResult::Ok
    }
    fn on_receive(&self, _: &hpsocket_core::TcpAgent, id: ConnId, data: &[u8]) -> HandleResult {
        self.got
            .lock()
            .unwrap()
            .entry(id)
            .or_default()
            .push(data.to_vec());
        self.log.push(Ev::Receive(id, data.len()));
        HandleResult::Ok
    }
    fn on_close(
        &self,
        _: &hpsocket_core::TcpAgent,
        id: ConnId,
        op: SocketOperation,
        code: i32,
    ) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

#[test]
fn an_agent_runs_many_sessions_with_connection_ids() {
    let (s, echo, port) = server();
    let got = Arc::new(AgentCollect::default());
    let agent = hpsocket_core::UdpArqAgent::new(got.clone());
    agent
        .update_arq_config(|a| {
            a.no_delay = true;
            a.flush_interval = 10;
            a.max_message_size = 16 * 1024;
        })
        .unwrap();
    agent.start(None, false).unwrap();
    let ids: Vec<ConnId> = (0..5)
        .map(|_| agent.connect("127.0.0.1", port).unwrap())
        .collect();
    got.log.wait_for("five handshakes", |e| {
        e.iter().filter(|e| matches!(e, Ev::HandShake(_))).count() == 5
    });
    // Each session gets its own messages; each echo comes back on its own connection.
    let sent = messages(40);
    for (n, id) in ids.iter().enumerate() {
        for m in sent.iter().skip(n) {
            agent.send(*id, m).unwrap();
        }
    }
    got.log.wait_for("every echo", |e| {
        e.iter().filter(|e| matches!(e, Ev::Receive(..))).count() == (36..=40).sum::<usize>()
    });
    for (n, id) in ids.iter().enumerate() {
        assert_eq!(got.got.lock().unwrap()[id], sent[n..], "connection {id}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while agent.waiting_send_message_count(*id).unwrap() > 0 {
            assert!(Instant::now() < deadline, "the waiting count did not drain");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    // Disconnecting one session closes it on the server (close-notify), the others stay.
    agent.disconnect(ids[0], true).unwrap();
    echo.log.wait_for("the server's close", |e| {
        e.iter().any(|e| matches!(e, Ev::Close(..)))
    });
    // The counts drop once OnClose has returned.
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.connection_count() != 4 || agent.connection_count() != 4 {
        assert!(Instant::now() < deadline, "the counts did not reach 4");
        std::thread::sleep(Duration::from_millis(5));
    }
    agent.stop().unwrap();
    s.stop().unwrap();
}
