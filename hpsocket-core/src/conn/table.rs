//! The connection table: a fixed array of slots sized `MaxConnectionCount`, with a generation
//! per slot. A connection ID is `slot + generation × capacity + 1` (HP-Socket's scheme), so
//! the first IDs are 1, 2, 3…, lookup is O(1), and an ID whose slot has been reused by a newer
//! connection no longer matches.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::Conn;
use crate::sync::lock;
use crate::types::ConnId;

struct Slot {
    generation: u64,
    conn: Option<Arc<Conn>>,
    /// Reserved by a connect in progress: the ID exists, the connection object not yet.
    reserved: bool,
}

pub(crate) struct ConnTable {
    slots: Box<[Mutex<Slot>]>,
    /// Free slots, oldest first, so a slot is reused as late as possible.
    free: Mutex<VecDeque<u32>>,
    count: AtomicUsize,
}

impl ConnTable {
    pub(crate) fn new(capacity: u32) -> ConnTable {
        let slots = (0..capacity)
            .map(|_| {
                Mutex::new(Slot {
                    generation: 0,
                    conn: None,
                    reserved: false,
                })
            })
            .collect();
        ConnTable {
            slots,
            free: Mutex::new((0..capacity).collect()),
            count: AtomicUsize::new(0),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    fn decode(&self, id: ConnId) -> Option<(usize, u64)> {
        let cap = self.slots.len() as u64;
        if id == 0 {
            return None;
        }
        Some((((id - 1) % cap) as usize, (id - 1) / cap))
    }

    fn encode(&self, slot: usize, generation: u64) -> ConnId {
        generation * self.slots.len() as u64 + slot as u64 + 1
    }

    /// Reserves a slot and returns the ID it will carry, or `None` when the table is full.
    pub(crate) fn reserve(&self) -> Option<ConnId> {
        let slot = lock(&self.free).pop_front()? as usize;
        let mut s = lock(&self.slots[slot]);
        s.reserved = true;
        self.count.fetch_add(1, Ordering::Relaxed);
        Some(self.encode(slot, s.generation))
    }

    /// Puts the connection into the slot reserved for its ID.
    pub(crate) fn fill(&self, conn: Arc<Conn>) {
        if let Some((slot, generation)) = self.decode(conn.id) {
            let mut s = lock(&self.slots[slot]);
            if s.reserved && s.generation == generation {
                s.conn = Some(conn);
            }
        }
    }

    /// Frees the slot of `id` (reserved or filled); the next connection in it gets a new ID.
    pub(crate) fn release(&self, id: ConnId) {
        let Some((slot, generation)) = self.decode(id) else {
            return;
        };
        {
            let mut s = lock(&self.slots[slot]);
            if !s.reserved || s.generation != generation {
                return;
            }
            s.reserved = false;
            s.conn = None;
            s.generation += 1;
        }
        self.count.fetch_sub(1, Ordering::Relaxed);
        lock(&self.free).push_back(slot as u32);
    }

    /// The live connection with this ID.
    pub(crate) fn get(&self, id: ConnId) -> Option<Arc<Conn>> {
        let (slot, generation) = self.decode(id)?;
        let s = lock(self.slots.get(slot)?);
        if s.generation != generation {
            return None;
        }
        s.conn.clone()
    }

    /// Number of reserved or live connections.
    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// Every connection object in the table.
    pub(crate) fn all(&self) -> Vec<Arc<Conn>> {
        let mut out = Vec::with_capacity(self.count());
        for slot in self.slots.iter() {
            if let Some(c) = &lock(slot).conn {
                out.push(c.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_start_at_one_and_generations_refuse_stale_ids() {
        let t = ConnTable::new(3);
        let a = t.reserve().unwrap();
        let b = t.reserve().unwrap();
        let c = t.reserve().unwrap();
        assert_eq!((a, b, c), (1, 2, 3));
        assert_eq!(t.reserve(), None, "table of 3 is full");
        t.release(a);
        assert_eq!(t.count(), 2);
        let d = t.reserve().unwrap();
        assert_eq!(d, 4, "slot 0 in its second generation");
        assert_eq!(t.decode(d), Some((0, 1)));
        t.release(a); // stale release is a no-op
        assert_eq!(t.count(), 3);
        assert!(t.get(a).is_none());
        assert!(t.get(0).is_none());
    }
}
