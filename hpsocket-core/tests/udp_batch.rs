//! UDP server batches: a burst of datagrams from several peers that waits in the socket while
//! the worker is busy is read with few `recvmmsg` calls and delivered whole, in order per
//! peer, oversize ones dropped and counted; the answers sent from `on_receive` during the
//! batch reach each peer whole and in order, each reported once by `on_send` with its bytes.

mod util;

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use hpsocket_core::{ConnId, HandleResult, ServerListener, TcpServer, UdpServer};

const PEERS: usize = 4;
const PER_PEER: usize = 16;
/// Above the default MaxDatagramSize (1432).
const OVERSIZE: usize = 1500;

/// Echoes every datagram; the first one (`gate`) holds the worker until the test has sent
/// the burst, so the burst waits in the socket and is read in batches.
#[derive(Default)]
struct Gated {
    received: Mutex<Vec<(ConnId, Vec<u8>)>>,
    sent: Mutex<Vec<(ConnId, Vec<u8>)>>,
    /// (worker is held, gate open)
    gate: Mutex<(bool, bool)>,
    changed: Condvar,
}

impl Gated {
    fn wait(&self, what: &str, until: impl Fn(&(bool, bool)) -> bool) {
        let deadline = Instant::now() + util::DEADLINE;
        let mut g = self.gate.lock().unwrap();
        while !until(&g) {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("timed out waiting for {what}"));
            g = self.changed.wait_timeout(g, left).unwrap().0;
        }
    }
}

impl ServerListener for Gated {
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        self.received.lock().unwrap().push((id, data.to_vec()));
        if data == b"gate" {
            self.gate.lock().unwrap().0 = true;
            self.changed.notify_all();
            self.wait("the gate to open", |g| g.1);
        }
        match s.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }
    fn on_send(&self, _: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        self.sent.lock().unwrap().push((id, data.to_vec()));
        HandleResult::Ignore
    }
}

fn datagram(peer: usize, seq: usize) -> Vec<u8> {
    let mut d = format!("peer {peer} seq {seq} ").into_bytes();
    d.extend(util::pattern((peer * 1000 + seq) as u64, 16 + seq * 40));
    d
}

struct Burst {
    server: UdpServer,
    listener: Arc<Gated>,
    peers: Vec<UdpSocket>,
    /// Connection of each peer.
    ids: HashMap<SocketAddr, ConnId>,
}

/// Holds the worker with the gate, sends PER_PEER datagrams from each peer interleaved (and
/// one oversize datagram each in the middle), opens the gate and waits for every delivery.
fn burst() -> Burst {
    let listener = Arc::new(Gated::default());
    let server = UdpServer::new(listener.clone());
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let addr = server.listen_address().unwrap();
    let peers: Vec<UdpSocket> = (0..PEERS)
        .map(|_| {
            let s = UdpSocket::bind("127.0.0.1:0").unwrap();
            s.connect(addr).unwrap();
            s.set_read_timeout(Some(util::DEADLINE)).unwrap();
            s
        })
        .collect();
    peers[0].send(b"gate").unwrap();
    listener.wait("the worker to hold", |g| g.0);
    for seq in 0..PER_PEER {
        for (p, peer) in peers.iter().enumerate() {
            if seq == PER_PEER / 2 {
                peer.send(&vec![p as u8; OVERSIZE]).unwrap();
            }
            peer.send(&datagram(p, seq)).unwrap();
        }
    }
    listener.gate.lock().unwrap().1 = true;
    listener.changed.notify_all();
    util::eventually("every datagram delivered", || {
        listener.received.lock().unwrap().len() == 1 + PEERS * PER_PEER
    });
    let mut ids = HashMap::new();
    for id in server.all_connection_ids() {
        ids.insert(server.remote_address(id).unwrap(), id);
    }
    assert_eq!(ids.len(), PEERS, "one connection per peer");
    Burst {
        server,
        listener,
        peers,
        ids,
    }
}

#[test]
fn a_burst_from_several_peers_is_delivered_whole_in_order_and_oversize_ones_dropped() {
    let b = burst();
    let received = b.listener.received.lock().unwrap().clone();
    for (p, peer) in b.peers.iter().enumerate() {
        let id = b.ids[&peer.local_addr().unwrap()];
        let got: Vec<&Vec<u8>> = received
            .iter()
            .filter(|(i, d)| *i == id && d != b"gate")
            .map(|(_, d)| d)
            .collect();
        let want: Vec<Vec<u8>> = (0..PER_PEER).map(|seq| datagram(p, seq)).collect();
        assert_eq!(got.len(), PER_PEER, "peer {p}: every datagram once");
        for (seq, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(*g, w, "peer {p}: datagram {seq} whole and in order");
        }
    }
    assert_eq!(
        b.server.dropped_datagrams(),
        PEERS as u64,
        "oversize: dropped, counted"
    );
    b.server.stop().unwrap();
}

#[test]
fn answers_sent_during_a_batch_reach_each_peer_whole_in_order_with_on_send() {
    let b = burst();
    let mut buf = vec![0u8; 65536];
    for (p, peer) in b.peers.iter().enumerate() {
        if p == 0 {
            let n = peer.recv(&mut buf).unwrap();
            assert_eq!(&buf[..n], b"gate");
        }
        for seq in 0..PER_PEER {
            let n = peer.recv(&mut buf).unwrap();
            assert_eq!(&buf[..n], &datagram(p, seq)[..], "peer {p}: echo {seq}");
        }
    }
    util::eventually("on_send for every answer", || {
        b.listener.sent.lock().unwrap().len() == 1 + PEERS * PER_PEER
    });
    let sent = b.listener.sent.lock().unwrap().clone();
    for (p, peer) in b.peers.iter().enumerate() {
        let id = b.ids[&peer.local_addr().unwrap()];
        let got: Vec<&Vec<u8>> = sent
            .iter()
            .filter(|(i, d)| *i == id && d != b"gate")
            .map(|(_, d)| d)
            .collect();
        let want: Vec<Vec<u8>> = (0..PER_PEER).map(|seq| datagram(p, seq)).collect();
        assert_eq!(
            got,
            want.iter().collect::<Vec<_>>(),
            "peer {p}: on_send, in order"
        );
    }
    b.server.stop().unwrap();
}
