//! UDP components on loopback: echo of datagrams 1..=MaxDatagramSize whole, oversize sends
//! refused, SendPackets as one datagram, heartbeats (a client's first datagram makes the
//! server's connection; silence closes it on both sides), close-notify both ways, a refused
//! port reported through `OnClose`, MaxConnectionCount bounding peers, and many peers at
//! once with checksums.

mod util;

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hpsocket_core::{
    ClientListener, ConnId, HandleResult, ServerListener, SocketOperation, TcpClient, TcpServer,
    UdpClient, UdpServer,
};
use util::{Ev, Log};

const CLOSE_NOTIFY: [u8; 16] = [
    0xBE, 0xB6, 0x1F, 0xEB, 0xDA, 0x52, 0x46, 0xBA, 0x92, 0x33, 0x59, 0xDB, 0xBF, 0xE6, 0xC8, 0xE4,
];

/// Echoes every datagram and records events.
#[derive(Default)]
struct Echo {
    log: Log,
    peers: Mutex<HashMap<ConnId, SocketAddr>>,
}

impl ServerListener for Echo {
    fn on_accept(&self, s: &TcpServer, id: ConnId, _: RawFd) -> HandleResult {
        self.peers
            .lock()
            .unwrap()
            .insert(id, s.remote_address(id).unwrap());
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

fn server(
    listener: Arc<Echo>,
    configure: impl FnOnce(&mut hpsocket_core::EngineConfig),
) -> UdpServer {
    let server = UdpServer::new(listener);
    server
        .update_config(|c| {
            c.worker_thread_count = 2;
            configure(c);
        })
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    server
}

fn raw_peer(server: &UdpServer) -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.connect(server.listen_address().unwrap()).unwrap();
    s.set_read_timeout(Some(util::DEADLINE)).unwrap();
    s
}

#[test]
fn datagrams_echo_whole_up_to_max_datagram_size() {
    let echo = Arc::new(Echo::default());
    let server = server(echo.clone(), |_| {});
    let peer = raw_peer(&server);
    let mut buf = vec![0u8; 65536];
    for len in [1usize, 2, 100, 1000, 1431, 1432] {
        let data = util::pattern(len as u64, len);
        peer.send(&data).unwrap();
        let n = peer.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], &data[..], "echo of {len} bytes");
    }
    assert_eq!(
        echo.log.count(|e| matches!(e, Ev::Accept(_))),
        1,
        "one peer, one connection"
    );
    let ids = server.all_connection_ids();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        echo.peers.lock().unwrap()[&ids[0]],
        peer.local_addr().unwrap(),
        "remote address is the peer"
    );
    // Larger than MaxDatagramSize: dropped and counted, never delivered cut.
    peer.send(&vec![1u8; 1433]).unwrap();
    peer.send(b"after").unwrap();
    let n = peer.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"after");
    assert_eq!(server.dropped_datagrams(), 1);
    // Oversize and empty sends are refused and send nothing.
    let id = ids[0];
    let e = server.send(id, &vec![0u8; 1433]).unwrap_err();
    assert_eq!(e.errno(), libc::EMSGSIZE, "{e}");
    assert!(server.send(id, &[]).is_err());
    // SendPackets is one datagram.
    server.send_packets(id, &[b"ab", b"", b"cde"]).unwrap();
    let n = peer.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"abcde");
    server.stop().unwrap();
}

#[test]
fn disconnect_sends_close_notify_and_close_notify_closes() {
    let echo = Arc::new(Echo::default());
    let server = server(echo.clone(), |_| {});
    let peer = raw_peer(&server);
    let mut buf = [0u8; 64];
    peer.send(b"hi").unwrap();
    peer.recv(&mut buf).unwrap();
    let id = server.all_connection_ids()[0];
    server.disconnect(id, true).unwrap();
    let n = peer.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], &CLOSE_NOTIFY[..], "the peer hears the close");
    echo.log.wait_for("OnClose", |l| {
        l.contains(&Ev::Close(id, SocketOperation::Close, 0))
    });
    // A new datagram from the same peer is a new connection; its close-notify ends it.
    peer.send(b"again").unwrap();
    peer.recv(&mut buf).unwrap();
    let id2 = server.all_connection_ids()[0];
    assert_ne!(id, id2);
    peer.send(&CLOSE_NOTIFY).unwrap();
    echo.log.wait_for("OnClose of the second", |l| {
        l.contains(&Ev::Close(id2, SocketOperation::Close, 0))
    });
    util::eventually("no connections", || server.connection_count() == 0);
    server.stop().unwrap();
}

#[test]
fn server_heartbeats_close_a_silent_peer_and_answer_a_heartbeat() {
    let echo = Arc::new(Echo::default());
    let server = server(echo.clone(), |c| {
        c.udp.detect_interval = 100;
        c.udp.detect_attempts = 2;
    });
    let peer = raw_peer(&server);
    let mut buf = [0u8; 64];
    // An empty datagram makes the connection and is answered with one.
    peer.send(&[]).unwrap();
    assert_eq!(peer.recv(&mut buf).unwrap(), 0, "heartbeat answered");
    let events = echo
        .log
        .wait_for("accept", |l| l.iter().any(|e| matches!(e, Ev::Accept(_))));
    let Ev::Accept(id) = events[0] else {
        unreachable!()
    };
    // Then silence: closed after the heartbeat rounds, with close-notify.
    echo.log.wait_for("silent peer closed", |l| {
        l.contains(&Ev::Close(id, SocketOperation::Close, 0))
    });
    let n = peer.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], &CLOSE_NOTIFY[..]);
    server.stop().unwrap();
}

#[derive(Default)]
struct ClientLog {
    log: Log,
    received: Mutex<Vec<Vec<u8>>>,
}

impl ClientListener for ClientLog {
    fn on_connect(&self, _: &TcpClient, id: ConnId) -> HandleResult {
        self.log.push(Ev::Connect(id));
        HandleResult::Ok
    }
    fn on_handshake(&self, _: &TcpClient, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        HandleResult::Ok
    }
    fn on_receive(&self, _: &TcpClient, id: ConnId, data: &[u8]) -> HandleResult {
        self.received.lock().unwrap().push(data.to_vec());
        self.log.push(Ev::Receive(id, data.len()));
        HandleResult::Ok
    }
    fn on_close(&self, _: &TcpClient, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

#[test]
fn client_and_server_echo_and_stop_notifies_the_server() {
    for async_connect in [true, false] {
        let echo = Arc::new(Echo::default());
        let server = server(echo.clone(), |_| {});
        let port = server.listen_address().unwrap().port();
        let log = Arc::new(ClientLog::default());
        let client = UdpClient::new(log.clone());
        client.start("127.0.0.1", port, async_connect).unwrap();
        // The client's heartbeat on connect makes the server's connection before any data.
        echo.log.wait_for("accept", |l| {
            l.iter().any(|e| matches!(e, Ev::HandShake(_)))
        });
        log.log.wait_for("handshake", |l| {
            l.iter().any(|e| matches!(e, Ev::HandShake(_)))
        });
        for len in [1usize, 700, 1432] {
            client.send(&util::pattern(len as u64, len)).unwrap();
        }
        client.send_packets(&[b"x", b"yz"]).unwrap();
        log.log.wait_for("echoes", |l| {
            l.iter().filter(|e| matches!(e, Ev::Receive(..))).count() == 4
        });
        let got = log.received.lock().unwrap().clone();
        assert_eq!(got[0], util::pattern(1, 1));
        assert_eq!(got[2], util::pattern(1432, 1432));
        assert_eq!(got[3], b"xyz");
        assert!(client.send(&vec![0u8; 1433]).is_err());
        client.stop().unwrap();
        log.log
            .wait_for("client OnClose", |l| l.iter().any(util::is_close));
        echo.log.wait_for("server hears the close-notify", |l| {
            l.iter()
                .any(|e| matches!(e, Ev::Close(_, SocketOperation::Close, 0)))
        });
        server.stop().unwrap();
    }
}

#[test]
fn client_heartbeats_unanswered_close_with_econnreset() {
    // A peer that takes datagrams and never answers.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let log = Arc::new(ClientLog::default());
    let client = UdpClient::new(log.clone());
    client
        .update_config(|c| {
            c.udp.detect_interval = 100;
            c.udp.detect_attempts = 2;
        })
        .unwrap();
    client.start("127.0.0.1", port, true).unwrap();
    let events = log.log.wait_for("close", |l| l.iter().any(util::is_close));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Ev::Close(_, SocketOperation::Close, libc::ECONNRESET))),
        "{events:?}"
    );
    let mut buf = [0u8; 64];
    silent.set_read_timeout(Some(util::DEADLINE)).unwrap();
    assert_eq!(
        silent.recv(&mut buf).unwrap(),
        0,
        "the first heartbeat came at connect"
    );
    client.wait(Some(util::DEADLINE)).unwrap();
}

#[test]
fn client_to_a_closed_port_reports_the_refusal() {
    let closed = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let log = Arc::new(ClientLog::default());
    let client = UdpClient::new(log.clone());
    client.start("127.0.0.1", port, true).unwrap();
    let events = log.log.wait_for("close", |l| l.iter().any(util::is_close));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Ev::Close(_, _, libc::ECONNREFUSED))),
        "ICMP port unreachable reaches OnClose: {events:?}"
    );
    client.wait(Some(util::DEADLINE)).unwrap();
}

#[test]
fn peers_are_bounded_by_max_connection_count() {
    let echo = Arc::new(Echo::default());
    let server = server(echo.clone(), |c| c.max_connection_count = 3);
    let peers: Vec<UdpSocket> = (0..5).map(|_| raw_peer(&server)).collect();
    let mut answered = 0;
    for p in &peers {
        p.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        p.send(b"x").unwrap();
        let mut buf = [0u8; 8];
        if p.recv(&mut buf).is_ok() {
            answered += 1;
        }
    }
    assert_eq!(answered, 3, "three connections, the rest refused");
    assert_eq!(server.connection_count(), 3);
    server.stop().unwrap();
}

#[test]
fn many_peers_at_once_with_checksums() {
    const PEERS: usize = 200;
    const ROUNDS: usize = 20;
    let echo = Arc::new(Echo::default());
    let server = server(echo.clone(), |c| c.worker_thread_count = 4);
    let addr = server.listen_address().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let socks: Vec<UdpSocket> = (0..PEERS / 4)
                    .map(|_| {
                        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
                        s.connect(addr).unwrap();
                        s.set_read_timeout(Some(util::DEADLINE)).unwrap();
                        s
                    })
                    .collect();
                let mut buf = vec![0u8; 2048];
                for r in 0..ROUNDS {
                    for (i, s) in socks.iter().enumerate() {
                        let data = util::pattern((t * 100_000 + i * 100 + r) as u64, 64 + r * 50);
                        s.send(&data).unwrap();
                        let n = s.recv(&mut buf).unwrap();
                        assert_eq!(
                            util::fnv(&buf[..n], util::FNV_START),
                            util::fnv(&data, util::FNV_START)
                        );
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(server.connection_count(), PEERS);
    server.stop().unwrap();
    assert_eq!(
        echo.log.count(util::is_close),
        PEERS,
        "every connection closed once on stop"
    );
}

/// A UDP port free right now on every address (a cast binds it on any address).
fn free_udp_port() -> u16 {
    UdpSocket::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Records what a cast receives and from whom.
#[derive(Default)]
struct CastLog {
    log: Log,
    got: Mutex<Vec<(Vec<u8>, Option<SocketAddr>)>>,
}

impl ClientListener for CastLog {
    fn on_handshake(&self, _: &TcpClient, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        HandleResult::Ok
    }
    fn on_receive(&self, c: &TcpClient, id: ConnId, data: &[u8]) -> HandleResult {
        let from = c.cast_remote_address().unwrap();
        self.got.lock().unwrap().push((data.to_vec(), from));
        self.log.push(Ev::Receive(id, data.len()));
        HandleResult::Ok
    }
    fn on_close(&self, _: &TcpClient, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

fn cast(
    mode: hpsocket_core::CastMode,
    to: &str,
    port: u16,
) -> (hpsocket_core::UdpCast, Arc<CastLog>) {
    let log = Arc::new(CastLog::default());
    let c = hpsocket_core::UdpCast::new(log.clone());
    c.update_config(|c| {
        c.udp.cast_mode = mode;
        c.udp.multicast_loop = true;
    })
    .unwrap();
    c.start_with(to, port, false, Some("127.0.0.1"), 0).unwrap();
    log.log.wait_for("handshake", |l| {
        l.iter().any(|e| matches!(e, Ev::HandShake(_)))
    });
    (c, log)
}

#[test]
fn multicast_and_broadcast_reach_every_member_with_the_source() {
    for (mode, to) in [
        (hpsocket_core::CastMode::Multicast, "239.255.77.13"),
        (hpsocket_core::CastMode::Broadcast, "127.255.255.255"),
    ] {
        let port = free_udp_port();
        let (a, a_log) = cast(mode, to, port);
        let (b, b_log) = cast(mode, to, port);
        assert_eq!(
            a.remote_address().unwrap().to_string(),
            format!("{to}:{port}")
        );
        a.send(b"from a").unwrap();
        for log in [&a_log, &b_log] {
            log.log.wait_for("the cast datagram", |l| {
                l.iter().any(|e| matches!(e, Ev::Receive(..)))
            });
            let got = log.got.lock().unwrap();
            assert_eq!(got[0].0, b"from a", "{mode:?}");
            assert_eq!(
                got[0].1.unwrap().port(),
                port,
                "GetRemoteAddress is the sender"
            );
        }
        assert!(a.send(&vec![0u8; 1433]).is_err(), "MaxDatagramSize applies");
        a.stop().unwrap();
        b.stop().unwrap();
        assert!(a_log.log.count(util::is_close) == 1 && b_log.log.count(util::is_close) == 1);
    }
}

#[test]
fn multicast_mode_refuses_a_unicast_address() {
    let log = Arc::new(CastLog::default());
    let c = hpsocket_core::UdpCast::new(log);
    let e = c.start("127.0.0.1", free_udp_port(), false).unwrap_err();
    assert!(e.context().contains("multicast"), "{e}");
}

/// Records a node's datagrams and errors.
#[derive(Default)]
struct NodeLog {
    got: Mutex<Vec<(Vec<u8>, SocketAddr)>>,
    errors: Mutex<Vec<(SocketOperation, i32, Option<SocketAddr>)>>,
    log: Log,
}

impl hpsocket_core::NodeListener for NodeLog {
    fn on_receive(
        &self,
        _: &hpsocket_core::UdpNode,
        from: SocketAddr,
        data: &[u8],
    ) -> HandleResult {
        self.got.lock().unwrap().push((data.to_vec(), from));
        self.log.push(Ev::Receive(0, data.len()));
        HandleResult::Ok
    }
    fn on_error(
        &self,
        _: &hpsocket_core::UdpNode,
        op: SocketOperation,
        code: i32,
        peer: Option<SocketAddr>,
        _: &[u8],
    ) -> HandleResult {
        self.errors.lock().unwrap().push((op, code, peer));
        self.log.push(Ev::Close(0, op, code));
        HandleResult::Ok
    }
    fn on_shutdown(&self, _: &hpsocket_core::UdpNode) -> HandleResult {
        self.log.push(Ev::Shutdown);
        HandleResult::Ok
    }
}

#[test]
fn nodes_exchange_datagrams_with_their_senders_and_report_oversize_ones() {
    let (la, lb) = (Arc::new(NodeLog::default()), Arc::new(NodeLog::default()));
    let a = hpsocket_core::UdpNode::new(la.clone());
    let b = hpsocket_core::UdpNode::new(lb.clone());
    a.start("127.0.0.1", 0).unwrap();
    b.start("127.0.0.1", 0).unwrap();
    let (pa, pb) = (a.local_address().unwrap(), b.local_address().unwrap());
    // From a thread that is not the node's: queued, written by worker 0.
    a.send(pb, b"one").unwrap();
    a.send_packets(pb, &[b"tw", b"o"]).unwrap();
    lb.log.wait_for("two datagrams", |l| l.len() == 2);
    let got = lb.got.lock().unwrap().clone();
    assert_eq!(got, vec![(b"one".to_vec(), pa), (b"two".to_vec(), pa)]);
    assert!(a.send(pb, &vec![0u8; 1433]).is_err(), "oversize refused");
    assert!(a.send_cast(b"x").is_err(), "no cast address");
    // A datagram over MaxDatagramSize: dropped, reported by on_error with its sender.
    let raw = UdpSocket::bind("127.0.0.1:0").unwrap();
    raw.send_to(&vec![7u8; 2000], pb).unwrap();
    lb.log
        .wait_for("the oversize error", |l| l.iter().any(util::is_close));
    assert_eq!(
        lb.errors.lock().unwrap()[0],
        (
            SocketOperation::Receive,
            libc::EMSGSIZE,
            Some(raw.local_addr().unwrap())
        )
    );
    assert_eq!(b.dropped_datagrams(), 1);
    a.stop().unwrap();
    b.stop().unwrap();
    assert_eq!(la.log.count(|e| *e == Ev::Shutdown), 1);
    assert!(
        a.stop().is_err(),
        "a stopped node refuses stop, as HP-Socket"
    );
}
