//! The connection table: up to `MaxConnectionCount` slots with a generation per slot. A
//! connection ID is `slot + generation × capacity + 1` (HP-Socket's scheme), so the first IDs
//! are 1, 2, 3…, lookup is O(1), and an ID whose slot has been reused by a newer connection no
//! longer matches.
//!
//! Memory and walks scale with the connections that exist, not with the capacity: slots are
//! allocated in chunks the first time they are needed, and which slots are listed is kept
//! apart, in one bit per slot, which `count` and `ids` read under one lock so the two
//! always agree (HP-Socket's `GetConnectionCount` and `GetAllConnectionIDs`).
//!
//! Each connection costs the table about 12.6 bytes (the C1 cell counts them): its slot
//! (8: the connection, behind a lock shared by `GROUP` neighbours, so a lookup locks
//! nothing else), its generation (4) and its bit in the list.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use super::Conn;
use crate::sync::lock;
use crate::types::ConnId;

/// Slots allocated at a time: a table of 1,000,000 costs a few KiB until it fills.
const CHUNK: usize = 1024;
/// Slots behind one lock: a lock per slot would double a slot's size, one per chunk would
/// have every lookup of a thousand connections wait on the same lock.
const GROUP: usize = 16;

/// `GROUP` slots and their lock; a slot holds its connection from `fill` to `release`.
type Group = Mutex<[Option<Arc<Conn>>; GROUP]>;

/// `CHUNK` slots (`CHUNK / GROUP` groups), allocated together the first time one of them is
/// needed.
type Chunk = OnceLock<Box<[Group]>>;

/// Which slots are listed and free, with the generation of each: what `reserve` and
/// `release` change, under the one lock that `count` and `ids` read.
struct Slots {
    /// The generation of every slot used so far (by slot number), counting the slot's
    /// connections and wrapping after 2^32 of them: an ID comes back only after four
    /// billion connections have used its slot.
    generations: Vec<u32>,
    /// One bit per slot used so far: reserved by a connection that exists (or whose
    /// connect is starting), from the moment its ID is reserved until its slot is released
    /// after `OnClose`, as HP-Socket lists a closing connection inside `OnClose`.
    listed: Vec<u64>,
    /// Listed slots: the number of bits set in `listed`.
    count: usize,
    /// Slots never used come first (all those from here on), then freed ones, oldest first,
    /// so a slot is reused as late as possible.
    next_unused: usize,
    freed: VecDeque<u32>,
}

impl Slots {
    fn is_listed(&self, slot: usize) -> bool {
        self.listed
            .get(slot / 64)
            .is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }

    /// The generation of a listed slot.
    fn listed_generation(&self, slot: usize) -> Option<u32> {
        self.is_listed(slot).then(|| self.generations[slot])
    }
}

pub(crate) struct ConnTable {
    capacity: usize,
    chunks: Box<[Chunk]>,
    slots: Mutex<Slots>,
}

impl ConnTable {
    pub(crate) fn new(capacity: u32) -> ConnTable {
        let capacity = capacity as usize;
        ConnTable {
            capacity,
            chunks: (0..capacity.div_ceil(CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
            slots: Mutex::new(Slots {
                generations: Vec::new(),
                listed: Vec::new(),
                count: 0,
                next_unused: 0,
                freed: VecDeque::new(),
            }),
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

    /// The group of a slot, if its chunk was ever allocated.
    fn group(&self, slot: usize) -> Option<&Group> {
        self.chunks
            .get(slot / CHUNK)?
            .get()
            .map(|c| &c[slot % CHUNK / GROUP])
    }

    /// Allocates the chunk of a slot on first use.
    fn alloc_chunk(&self, slot: usize) {
        let start = slot - slot % CHUNK;
        self.chunks[slot / CHUNK].get_or_init(|| {
            let len = CHUNK.min(self.capacity - start);
            (0..len.div_ceil(GROUP))
                .map(|_| Mutex::new(Default::default()))
                .collect()
        });
    }

    /// Reserves a slot and returns the ID it will carry, or `None` when the table is full.
    /// The ID is listed and counted from now on.
    pub(crate) fn reserve(&self) -> Option<ConnId> {
        let mut slots = lock(&self.slots);
        let slot = if slots.next_unused < self.capacity {
            let slot = slots.next_unused;
            slots.next_unused += 1;
            grow_by_eighths(&mut slots.generations);
            slots.generations.push(0);
            if slot.is_multiple_of(64) {
                slots.listed.push(0);
            }
            slot
        } else {
            slots.freed.pop_front()? as usize
        };
        self.alloc_chunk(slot);
        slots.listed[slot / 64] |= 1 << (slot % 64);
        slots.count += 1;
        Some(self.encode(slot, slots.generations[slot]))
    }

    /// Puts the connection into the slot reserved for its ID.
    pub(crate) fn fill(&self, conn: Arc<Conn>) {
        let Some((slot, generation)) = self.decode(conn.id) else {
            return;
        };
        let Some(group) = self.group(slot) else {
            return;
        };
        // Lock order everywhere: group, then slots.
        let mut g = lock(group);
        if lock(&self.slots).listed_generation(slot) == Some(generation) {
            g[slot % GROUP] = Some(conn);
        }
    }

    /// Frees the slot of `id` (reserved or filled); the next connection in it gets a new ID.
    pub(crate) fn release(&self, id: ConnId) {
        let Some((slot, generation)) = self.decode(id) else {
            return;
        };
        let Some(group) = self.group(slot) else {
            return;
        };
        let conn = {
            let mut g = lock(group);
            let mut slots = lock(&self.slots);
            if slots.listed_generation(slot) != Some(generation) {
                return;
            }
            slots.listed[slot / 64] &= !(1 << (slot % 64));
            slots.count -= 1;
            slots.generations[slot] = generation.wrapping_add(1);
            slots.freed.push_back(slot as u32);
            g[slot % GROUP].take()
        };
        // The connection may be the last reference: dropped outside the locks.
        drop(conn);
    }

    /// The live connection with this ID.
    pub(crate) fn get(&self, id: ConnId) -> Option<Arc<Conn>> {
        let (slot, _) = self.decode(id)?;
        // A slot holds a connection only between `fill` and `release`, and that
        // connection's ID is the slot's current one: comparing IDs is comparing generations.
        match &lock(self.group(slot)?)[slot % GROUP] {
            Some(conn) if conn.id == id => Some(conn.clone()),
            _ => None,
        }
    }

    /// Number of listed connections (reserved or live): always the length of `ids`.
    pub(crate) fn count(&self) -> usize {
        lock(&self.slots).count
    }

    /// The IDs of every listed connection, in slot order as HP-Socket lists them.
    pub(crate) fn ids(&self) -> Vec<ConnId> {
        let slots = lock(&self.slots);
        let mut ids = Vec::with_capacity(slots.count);
        for (w, &word) in slots.listed.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let slot = w * 64 + bits.trailing_zeros() as usize;
                ids.push(self.encode(slot, slots.generations[slot]));
                bits &= bits - 1;
            }
        }
        ids
    }

    /// Every connection object in the table (those released while this runs excepted).
    pub(crate) fn all(&self) -> Vec<Arc<Conn>> {
        // The IDs first, then each group: the slots' lock is never held while taking a
        // group's (the lock order is group, then slots).
        self.ids()
            .into_iter()
            .filter_map(|id| self.get(id))
            .collect()
    }
}

/// Makes room for one more entry, by an eighth (at least `CHUNK` entries) rather than
/// doubling: doubling would leave up to half of the list unused, a few bytes per connection,
/// while an eighth keeps growth amortised O(1) and waste under 12.5%.
fn grow_by_eighths(list: &mut Vec<u32>) {
    if list.len() == list.capacity() {
        list.reserve_exact(CHUNK.max(list.len() / 8));
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
    fn releases_in_any_order_keep_the_list_and_the_count_in_step() {
        let t = ConnTable::new(64);
        let mut ids: Vec<ConnId> = (0..40).map(|_| t.reserve().unwrap()).collect();
        // Release from the middle, the front and the end, so that swaps move every kind of
        // entry, then check every survivor is still found by its ID.
        for pick in [17, 0, 37, 5, 5, 20, 1, 30] {
            let id = ids.remove(pick % ids.len());
            t.release(id);
            assert_eq!(t.count(), ids.len());
            let mut expected = ids.clone();
            expected.sort_unstable_by_key(|id| (id - 1) % 64);
            assert_eq!(t.ids(), expected);
        }
        let again: Vec<ConnId> = (0..8).map(|_| t.reserve().unwrap()).collect();
        for id in &again {
            assert!(!ids.contains(id), "a new ID for every reuse");
            t.release(*id);
        }
        for id in &ids {
            t.release(*id);
        }
        assert_eq!(t.count(), 0);
        assert!(t.ids().is_empty());
    }

    #[test]
    fn a_connection_costs_the_table_under_13_bytes() {
        // A group is its slots and one lock (8 + 8 / GROUP bytes a slot); each slot adds
        // its generation (4) and its bit: 12.6 bytes in all.
        assert_eq!(std::mem::size_of::<Group>(), 8 * GROUP + 8);
        let eighths_per_slot = (8 * GROUP + 8) * 8 / GROUP + 4 * 8 + 1;
        assert!(
            eighths_per_slot < 13 * 8,
            "{eighths_per_slot} eighths of a byte a slot"
        );
    }

    #[test]
    fn the_last_chunk_is_cut_to_the_capacity() {
        let t = ConnTable::new(CHUNK as u32 + 3);
        for _ in 0..CHUNK + 3 {
            t.reserve().unwrap();
        }
        assert_eq!(t.reserve(), None);
        assert_eq!(
            t.chunks[1].get().map(|c| c.len()),
            Some(1),
            "one group of 3"
        );
        assert!(
            t.get(t.encode(CHUNK + 2, 0)).is_none(),
            "reserved, not filled"
        );
        assert_eq!(t.count(), CHUNK + 3);
    }
}
