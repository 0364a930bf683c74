//! The connection table: up to `MaxConnectionCount` slots with a generation per slot. A
//! connection ID is `slot + generation × capacity + 1` (HP-Socket's scheme), so the first IDs
//! are 1, 2, 3…, lookup is O(1), and an ID whose slot has been reused by a newer connection no
//! longer matches.
//!
//! Memory and walks scale with the connections that exist, not with the capacity: slots are
//! allocated in chunks the first time they are needed, and the live connections are kept in
//! a dense set of their own, which `count` and `ids` read under one lock so the two always
//! agree (HP-Socket's `GetConnectionCount` and `GetAllConnectionIDs`). The set holds IDs
//! only: the slot holds the connection, and with it each live connection costs the table 24
//! bytes (its slot) and 16 (its set entry).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use slab::Slab;

use super::Conn;
use crate::sync::lock;
use crate::types::ConnId;

/// Slots allocated at a time: a table of 1,000,000 costs a few KiB until it fills.
const CHUNK: usize = 1024;

/// `Slot::live_key` of a slot no connection holds.
const NOT_LIVE: u32 = u32::MAX;

struct Slot {
    /// Counts the slot's connections, wrapping after 2^32 of them: an ID comes back only
    /// after four billion connections have used its slot.
    generation: u32,
    /// Reserved by a connection that exists (or whose connect is starting): its key in the
    /// live set, else `NOT_LIVE` (a `u32`, as slot numbers are: the live set never holds
    /// more entries than the table has slots).
    live_key: u32,
    conn: Option<Arc<Conn>>,
}

/// Which slots are free: those never used yet come first, then freed ones, oldest first, so
/// a slot is reused as late as possible.
struct FreeSlots {
    next_unused: usize,
    freed: VecDeque<u32>,
}

/// `CHUNK` slots, allocated together the first time one of them is needed.
type Chunk = OnceLock<Box<[Mutex<Slot>]>>;

pub(crate) struct ConnTable {
    capacity: usize,
    chunks: Box<[Chunk]>,
    free: Mutex<FreeSlots>,
    /// The ID of every listed connection: from the moment its ID is reserved until its
    /// slot is released after `OnClose`, as HP-Socket lists a closing connection inside
    /// `OnClose`.
    live: Mutex<Slab<ConnId>>,
}

impl ConnTable {
    pub(crate) fn new(capacity: u32) -> ConnTable {
        let capacity = capacity as usize;
        ConnTable {
            capacity,
            chunks: (0..capacity.div_ceil(CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
            free: Mutex::new(FreeSlots {
                next_unused: 0,
                freed: VecDeque::new(),
            }),
            live: Mutex::new(Slab::new()),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    fn decode(&self, id: ConnId) -> Option<(usize, u32)> {
        let cap = self.capacity as u64;
        if id == 0 || cap == 0 {
            return None;
        }
        // An ID past the last generation matches no slot.
        let generation = u32::try_from((id - 1) / cap).ok()?;
        Some((((id - 1) % cap) as usize, generation))
    }

    fn encode(&self, slot: usize, generation: u32) -> ConnId {
        u64::from(generation) * self.capacity as u64 + slot as u64 + 1
    }

    /// The slot, if its chunk was ever allocated.
    fn slot(&self, slot: usize) -> Option<&Mutex<Slot>> {
        self.chunks
            .get(slot / CHUNK)?
            .get()
            .map(|c| &c[slot % CHUNK])
    }

    /// The slot, allocating its chunk on first use.
    fn slot_or_alloc(&self, slot: usize) -> &Mutex<Slot> {
        let start = slot - slot % CHUNK;
        let chunk = self.chunks[slot / CHUNK].get_or_init(|| {
            let len = CHUNK.min(self.capacity - start);
            (0..len)
                .map(|_| {
                    Mutex::new(Slot {
                        generation: 0,
                        live_key: NOT_LIVE,
                        conn: None,
                    })
                })
                .collect()
        });
        &chunk[slot % CHUNK]
    }

    /// Reserves a slot and returns the ID it will carry, or `None` when the table is full.
    /// The ID is listed and counted from now on.
    pub(crate) fn reserve(&self) -> Option<ConnId> {
        let slot = {
            let mut free = lock(&self.free);
            if free.next_unused < self.capacity {
                free.next_unused += 1;
                free.next_unused - 1
            } else {
                free.freed.pop_front()? as usize
            }
        };
        // Lock order everywhere: slot, then live set.
        let mut s = lock(self.slot_or_alloc(slot));
        let id = self.encode(slot, s.generation);
        s.live_key = lock(&self.live).insert(id) as u32;
        Some(id)
    }

    /// Puts the connection into the slot reserved for its ID.
    pub(crate) fn fill(&self, conn: Arc<Conn>) {
        let Some((slot, generation)) = self.decode(conn.id) else {
            return;
        };
        let Some(slot) = self.slot(slot) else {
            return;
        };
        let mut s = lock(slot);
        if s.generation == generation && s.live_key != NOT_LIVE {
            s.conn = Some(conn);
        }
    }

    /// Frees the slot of `id` (reserved or filled); the next connection in it gets a new ID.
    pub(crate) fn release(&self, id: ConnId) {
        let Some((index, generation)) = self.decode(id) else {
            return;
        };
        let Some(slot) = self.slot(index) else {
            return;
        };
        {
            let mut s = lock(slot);
            if s.generation != generation {
                return;
            }
            if s.live_key == NOT_LIVE {
                return;
            }
            lock(&self.live).remove(s.live_key as usize);
            s.live_key = NOT_LIVE;
            s.conn = None;
            s.generation = s.generation.wrapping_add(1);
        }
        lock(&self.free).freed.push_back(index as u32);
    }

    /// The live connection with this ID.
    pub(crate) fn get(&self, id: ConnId) -> Option<Arc<Conn>> {
        let (slot, generation) = self.decode(id)?;
        let s = lock(self.slot(slot)?);
        if s.generation != generation {
            return None;
        }
        s.conn.clone()
    }

    /// Number of listed connections (reserved or live): always the length of `ids`.
    pub(crate) fn count(&self) -> usize {
        lock(&self.live).len()
    }

    /// The IDs of every listed connection, in slot order as HP-Socket lists them.
    pub(crate) fn ids(&self) -> Vec<ConnId> {
        let mut ids: Vec<ConnId> = lock(&self.live).iter().map(|(_, id)| *id).collect();
        let cap = self.capacity as u64;
        ids.sort_unstable_by_key(|id| (id - 1) % cap);
        ids
    }

    /// Every connection object in the table (those released while this runs excepted).
    pub(crate) fn all(&self) -> Vec<Arc<Conn>> {
        // The IDs first, then each slot: the live set's lock is never held while taking a
        // slot's (the lock order is slot, then live set).
        let ids: Vec<ConnId> = lock(&self.live).iter().map(|(_, id)| *id).collect();
        ids.into_iter().filter_map(|id| self.get(id)).collect()
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
        assert_eq!(t.ids(), vec![2, 3]);
        let d = t.reserve().unwrap();
        assert_eq!(d, 4, "slot 0 in its second generation");
        assert_eq!(t.decode(d), Some((0, 1)));
        t.release(a); // stale release is a no-op
        assert_eq!(t.count(), 3);
        assert_eq!(t.ids(), vec![4, 2, 3], "slot order");
        assert!(t.get(a).is_none());
        assert!(t.get(0).is_none());
    }

    #[test]
    fn an_id_past_the_last_generation_matches_no_slot() {
        let t = ConnTable::new(2);
        let a = t.reserve().unwrap();
        let past = a + 2 * (u64::from(u32::MAX) + 1);
        assert_eq!(t.decode(past), None);
        assert!(t.get(past).is_none());
        t.release(past);
        assert_eq!(t.count(), 1, "a release of a foreign ID changes nothing");
    }

    #[test]
    fn freed_slots_are_reused_after_unused_ones_oldest_first() {
        let t = ConnTable::new(4);
        let a = t.reserve().unwrap();
        let b = t.reserve().unwrap();
        t.release(b);
        t.release(a);
        assert_eq!(t.reserve(), Some(3), "never-used slot 2 first");
        assert_eq!(t.reserve(), Some(4));
        assert_eq!(t.reserve(), Some(6), "then slot 1, freed first");
        assert_eq!(t.reserve(), Some(5), "then slot 0");
        assert_eq!(t.reserve(), None);
    }

    #[test]
    fn a_huge_table_allocates_only_the_chunks_it_uses() {
        let t = ConnTable::new(5_000_000);
        let ids: Vec<ConnId> = (0..100).map(|_| t.reserve().unwrap()).collect();
        let allocated = t.chunks.iter().filter(|c| c.get().is_some()).count();
        assert_eq!(allocated, 1);
        assert_eq!(t.count(), 100);
        assert_eq!(t.ids(), ids);
        for id in &ids {
            t.release(*id);
        }
        assert_eq!(t.count(), 0);
        assert!(t.ids().is_empty());
    }

    #[test]
    fn the_last_chunk_is_cut_to_the_capacity() {
        let t = ConnTable::new(CHUNK as u32 + 3);
        for _ in 0..CHUNK + 3 {
            t.reserve().unwrap();
        }
        assert_eq!(t.reserve(), None);
        assert_eq!(t.chunks[1].get().map(|c| c.len()), Some(3));
        assert_eq!(t.count(), CHUNK + 3);
    }
}
