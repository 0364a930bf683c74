//! The UDP server's map from a peer's address to its connection, with a hash that costs a
//! few instructions instead of SipHash's ~100 (it is looked up for every datagram).
//!
//! The hash is a seeded Fx-style multiply, not a keyed PRF: a sender able to choose many
//! source addresses could aim them at one bucket. What that buys it is bounded: an entry is
//! made only for a peer that was accepted, so the map never holds more than
//! `MaxConnectionCount` entries, and a datagram from a peer without one is looked up once
//! and refused (as before, when that limit is reached). The per-worker seed keeps one
//! crafted set from working on every process.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::net::SocketAddr;

/// A peer's address as the map's key: hashed as one or two words, not field by field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct PeerKey(pub(super) SocketAddr);

impl Hash for PeerKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.0 {
            SocketAddr::V4(a) => {
                state.write_u64(u64::from(u32::from(*a.ip())) << 16 | u64::from(a.port()))
            }
            SocketAddr::V6(a) => {
                let ip = u128::from(*a.ip());
                state.write_u64((ip >> 64) as u64);
                state.write_u64(ip as u64 ^ u64::from(a.port()) << 48);
            }
        }
    }
}

/// Builds [`PeerHasher`]s from the worker's seed.
#[derive(Clone)]
pub(super) struct PeerHash {
    seed: u64,
}

impl PeerHash {
    fn new() -> PeerHash {
        // std's per-process random keys, drawn once per worker.
        let seed = RandomState::new().hash_one(0x5eed_u64);
        PeerHash { seed }
    }
}

impl BuildHasher for PeerHash {
    type Hasher = PeerHasher;
    fn build_hasher(&self) -> PeerHasher {
        PeerHasher(self.seed)
    }
}

/// Fx's step (rotate, xor, multiply by a 64-bit odd constant) per word; `finish` folds the
/// well-mixed high half into the low bits, which pick the bucket.
pub(super) struct PeerHasher(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl Hasher for PeerHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only for completeness: `PeerKey` writes words.
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

/// The worker's peers: address to the local key of the peer's connection.
pub(super) type Peers = HashMap<PeerKey, usize, PeerHash>;

pub(super) fn new_peers() -> Peers {
    HashMap::with_hasher(PeerHash::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_of_one_port_spread_over_buckets() {
        // Many addresses with one port (NAT, or one port per host): the low bits must still
        // differ, or every lookup walks one probe chain.
        let build = PeerHash::new();
        let mut low = std::collections::HashSet::new();
        for i in 0..1024u32 {
            let addr = SocketAddr::from((std::net::Ipv4Addr::from(0x0a00_0000 + i), 4000));
            low.insert(build.hash_one(PeerKey(addr)) & 1023);
        }
        assert!(low.len() > 500, "{} distinct buckets of 1024", low.len());
        let mut low = std::collections::HashSet::new();
        for port in 0..1024u16 {
            let addr = SocketAddr::from(([127, 0, 0, 1], 30000 + port));
            low.insert(build.hash_one(PeerKey(addr)) & 1023);
        }
        assert!(low.len() > 500, "{} distinct buckets of 1024", low.len());
    }

    #[test]
    fn lookups_find_what_was_inserted() {
        let mut peers = new_peers();
        let v6: SocketAddr = "[::1]:9".parse().unwrap();
        let v4: SocketAddr = "127.0.0.1:9".parse().unwrap();
        peers.insert(PeerKey(v6), 1);
        peers.insert(PeerKey(v4), 2);
        assert_eq!(peers.get(&PeerKey(v6)), Some(&1));
        assert_eq!(peers.get(&PeerKey(v4)), Some(&2));
        assert_eq!(peers.get(&PeerKey("127.0.0.1:10".parse().unwrap())), None);
    }
}
