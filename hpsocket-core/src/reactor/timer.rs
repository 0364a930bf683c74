//! A hashed timing wheel, one per worker: arming and cancelling a deadline cost O(1)
//! whatever the number of deadlines, so thousands of connections (and, later, protocol
//! layers ticking every few milliseconds) can each keep one without a heap that grows with
//! every connection that ever armed one.
//!
//! Time is counted in 1 ms ticks from the wheel's origin. A deadline lives in slot
//! `tick % SLOTS`; one further away than a turn of the wheel waits there for its turn to
//! come round (its tick is kept, so it fires neither early nor late). Expiring walks the
//! slots between the last tick seen and now, at most one whole turn.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use slab::Slab;

/// Slots in the wheel: one turn covers about 4 s at 1 ms a tick.
const SLOTS: usize = 4096;

/// A handle to an armed deadline, for `cancel`. Stale handles (the deadline fired or was
/// cancelled, even if its storage was reused since) are recognised and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerKey {
    /// 32 bits, as the serial: the key (in every connection's worker record) is 8 bytes.
    /// Fewer than 2^32 deadlines are ever armed at once.
    entry: u32,
    /// Never zero (serials start at 1), so an `Option<TimerKey>` takes no more room than the
    /// key. Serials wrap after 2^32 arms: a stale key is mistaken for a live one only if its
    /// storage was reused by the deadline armed exactly 2^32 arms later.
    serial: NonZeroU32,
}

struct Entry<T> {
    tick: u64,
    /// Position in its slot's list, kept up to date for O(1) removal.
    pos: usize,
    serial: u32,
    value: T,
}

pub(crate) struct TimerWheel<T> {
    origin: Instant,
    /// `SLOTS` lists of entries, allocated by the first `arm`: a worker that never arms a
    /// deadline (plain TCP without timeouts) pays nothing for the wheel.
    slots: Vec<Vec<usize>>,
    entries: Slab<Entry<T>>,
    /// Every tick up to this one has been expired.
    done: u64,
    /// No deadline is due before this tick (a lower bound: cancelled deadlines may leave it
    /// early, which only costs a spurious wake-up).
    earliest: u64,
    next_serial: NonZeroU32,
}

impl<T> TimerWheel<T> {
    pub(crate) fn new(origin: Instant) -> TimerWheel<T> {
        TimerWheel {
            origin,
            slots: Vec::new(),
            entries: Slab::new(),
            done: 0,
            earliest: u64::MAX,
            next_serial: NonZeroU32::MIN,
        }
    }

    /// Deadlines armed and not yet fired or cancelled.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// No deadline is armed. (Expiring then has nothing to do; the ticks it skips are walked
    /// by the next expiry, at most one turn of the wheel.)
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The tick of a deadline at `at`, rounded up so it never fires before its time.
    fn deadline_tick(&self, at: Instant) -> u64 {
        let nanos = at.saturating_duration_since(self.origin).as_nanos();
        nanos.div_ceil(1_000_000) as u64
    }

    /// The last whole tick at `now`: deadlines up to it are due.
    fn current_tick(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.origin).as_millis() as u64
    }

    fn instant_of(&self, tick: u64) -> Instant {
        self.origin + Duration::from_millis(tick)
    }

    /// Arms a deadline at `at`: `value` comes back from `expire` once `at` has passed.
    pub(crate) fn arm(&mut self, at: Instant, value: T) -> TimerKey {
        // A deadline in the past (or in a tick already expired) fires within the next tick.
        let tick = self.deadline_tick(at).max(self.done + 1);
        let slot = tick as usize % SLOTS;
        if self.slots.is_empty() {
            self.slots = (0..SLOTS).map(|_| Vec::new()).collect();
        }
        let serial = self.next_serial;
        self.next_serial = serial.checked_add(1).unwrap_or(NonZeroU32::MIN);
        let entry = self.entries.insert(Entry {
            tick,
            pos: self.slots[slot].len(),
            serial: serial.get(),
            value,
        });
        self.slots[slot].push(entry);
        self.earliest = self.earliest.min(tick);
        TimerKey {
            entry: u32::try_from(entry).expect("fewer than 2^32 deadlines armed"),
            serial,
        }
    }

    /// Cancels an armed deadline and returns its value; `None` if it already fired or was
    /// cancelled.
    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<T> {
        let entry = key.entry as usize;
        match self.entries.get(entry) {
            Some(e) if e.serial == key.serial.get() => Some(self.remove(entry)),
            _ => None,
        }
    }

    fn remove(&mut self, entry: usize) -> T {
        let e = self.entries.remove(entry);
        let list = &mut self.slots[e.tick as usize % SLOTS];
        list.swap_remove(e.pos);
        if let Some(&moved) = list.get(e.pos) {
            self.entries[moved].pos = e.pos;
        }
        e.value
    }

    /// How long until the next deadline may be due (zero if one is due now), or `None` when
    /// nothing is armed.
    pub(crate) fn next_timeout(&self, now: Instant) -> Option<Duration> {
        if self.entries.is_empty() {
            return None;
        }
        Some(
            self.instant_of(self.earliest)
                .saturating_duration_since(now),
        )
    }

    /// Removes every deadline due by `now` and hands its value to `fire`, earliest tick
    /// first. Deadlines `fire` arms are kept for a later call, even if already due.
    pub(crate) fn expire(&mut self, now: Instant, mut fire: impl FnMut(T)) {
        let now_tick = self.current_tick(now).max(self.done);
        if self.earliest > now_tick {
            // Nothing is due: no slot between here and now holds a deadline.
            self.done = now_tick;
            return;
        }
        let mut due = Vec::new();
        // Past one turn every slot is visited once: the order within it is by tick below.
        let last = now_tick.min(self.done + SLOTS as u64);
        for tick in self.done + 1..=last {
            let slot = tick as usize % SLOTS;
            let mut i = 0;
            while i < self.slots[slot].len() {
                let entry = self.slots[slot][i];
                if self.entries[entry].tick <= now_tick {
                    due.push((self.entries[entry].tick, entry));
                }
                i += 1;
            }
        }
        due.sort_unstable();
        let fired: Vec<T> = due.into_iter().map(|(_, e)| self.remove(e)).collect();
        self.done = now_tick;
        self.earliest = self.find_earliest();
        for value in fired {
            fire(value);
        }
    }

    /// The earliest armed tick, found by walking at most one turn from `done`.
    fn find_earliest(&self) -> u64 {
        if self.entries.is_empty() {
            return u64::MAX;
        }
        let mut best = u64::MAX;
        for offset in 1..=SLOTS as u64 {
            let tick = self.done + offset;
            let list = &self.slots[tick as usize % SLOTS];
            for &entry in list {
                best = best.min(self.entries[entry].tick);
            }
            // A deadline in this turn of the wheel is earlier than any in a later turn.
            if best <= tick {
                return best;
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn expire(w: &mut TimerWheel<u32>, at: Instant) -> Vec<u32> {
        let mut out = Vec::new();
        w.expire(at, |v| out.push(v));
        out
    }

    #[test]
    fn serials_wrap_past_zero_and_stale_keys_stay_stale() {
        let t0 = Instant::now();
        let mut w = TimerWheel::new(t0);
        w.next_serial = NonZeroU32::MAX;
        let last = w.arm(t0 + ms(10), 1);
        assert_eq!(w.cancel(last), Some(1));
        let first = w.arm(t0 + ms(10), 2);
        assert_eq!(first.serial, NonZeroU32::MIN, "zero is skipped");
        assert_eq!(first.entry, last.entry, "same storage, new serial");
        assert_eq!(w.cancel(last), None, "the old key no longer matches");
        assert_eq!(w.cancel(first), Some(2));
        // Every connection's worker record holds one.
        assert_eq!(std::mem::size_of::<Option<TimerKey>>(), 8);
    }

    #[test]
    fn deadlines_fire_in_order_never_early() {
        let t0 = Instant::now();
        let mut w = TimerWheel::new(t0);
        w.arm(t0 + ms(30), 3);
        w.arm(t0 + ms(10), 1);
        w.arm(t0 + ms(20), 2);
        assert_eq!(w.next_timeout(t0), Some(ms(10)));
        assert!(expire(&mut w, t0 + ms(9)).is_empty());
        assert_eq!(expire(&mut w, t0 + ms(10)), vec![1]);
        assert_eq!(w.next_timeout(t0 + ms(10)), Some(ms(10)));
        assert_eq!(expire(&mut w, t0 + ms(100)), vec![2, 3]);
        assert_eq!(w.len(), 0);
        assert_eq!(w.next_timeout(t0), None);
    }

    #[test]
    fn sub_millisecond_deadlines_round_up() {
        let t0 = Instant::now();
        let mut w = TimerWheel::new(t0);
        w.arm(t0 + Duration::from_micros(1500), 1);
        assert!(expire(&mut w, t0 + Duration::from_micros(1999)).is_empty());
        assert_eq!(expire(&mut w, t0 + ms(2)), vec![1]);
    }

    #[test]
    fn deadlines_beyond_one_turn_wait_for_their_turn() {
        let t0 = Instant::now();
        let mut w = TimerWheel::new(t0);
        let far = SLOTS as u64 * 3 + 7;
        w.arm(t0 + ms(far), 9);
        w.arm(t0 + ms(7), 1);
        assert_eq!(expire(&mut w, t0 + ms(7)), vec![1]);
        assert_eq!(w.next_timeout(t0), Some(ms(far)));
        // The slot comes round twice before the deadline's own turn.
        for turn in 1..=2 {
            assert!(expire(&mut w, t0 + ms(SLOTS as u64 * turn + 7)).is_empty());
        }
        assert!(expire(&mut w, t0 + ms(far - 1)).is_empty());
        assert_eq!(expire(&mut w, t0 + ms(far)), vec![9]);
    }

    #[test]
    fn a_long_sleep_fires_everything_due_once() {
        let t0 = Instant::now();
        let mut w = TimerWheel::new(t0);
        for i in 0..10_000u32 {
            w.arm(t0 + ms(u64::from(i) * 3), i);
        }
        let fired = expire(&mut w, t0 + ms(60_000));
        assert_eq!(fired, (0..10_000).collect::<Vec<_>>(), "all, in order");
        assert_eq!(w.len(), 0);
    }

    #[test]
    fn cancel_is_exact_and_stale_keys_are_ignored() {
        let t0 = Instant::now();
        let mut w = TimerWheel::new(t0);
        let a = w.arm(t0 + ms(5), 1);
        let b = w.arm(t0 + ms(5), 2);
        let c = w.arm(t0 + ms(5), 3);
        assert_eq!(w.cancel(a), Some(1));
        assert_eq!(w.cancel(a), None, "twice");
        assert_eq!(expire(&mut w, t0 + ms(5)), vec![2, 3]);
        assert_eq!(w.cancel(b), None, "fired");
        assert_eq!(w.cancel(c), None);
        // A reused entry does not answer to an old key.
        let d = w.arm(t0 + ms(50), 4);
        assert_eq!(w.cancel(a), None);
        assert_eq!(w.cancel(d), Some(4));
    }

    #[test]
    fn past_deadlines_fire_within_the_next_tick() {
        let t0 = Instant::now();
        let mut w = TimerWheel::new(t0);
        assert!(expire(&mut w, t0 + ms(100)).is_empty());
        w.arm(t0 + ms(50), 1);
        assert_eq!(w.next_timeout(t0 + ms(100)), Some(ms(1)), "the next tick");
        assert_eq!(expire(&mut w, t0 + ms(101)), vec![1]);
    }

    #[test]
    fn deadlines_armed_while_firing_wait_for_the_next_call() {
        let t0 = Instant::now();
        let mut w = TimerWheel::new(t0);
        w.arm(t0 + ms(1), 1);
        let mut fired = Vec::new();
        let mut rearm = Vec::new();
        w.expire(t0 + ms(1), |v| {
            fired.push(v);
            rearm.push(v + 1);
        });
        for v in rearm {
            w.arm(t0, v);
        }
        assert_eq!(fired, vec![1]);
        assert_eq!(expire(&mut w, t0 + ms(2)), vec![2]);
    }

    #[test]
    fn random_arms_and_cancels_match_a_model() {
        let t0 = Instant::now();
        let mut w = TimerWheel::new(t0);
        let mut model: Vec<(u64, u32, TimerKey)> = Vec::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut now = 0u64;
        for i in 0..20_000u32 {
            match next() % 4 {
                0 | 1 => {
                    let at = now + next() % 20_000;
                    let key = w.arm(t0 + ms(at), i);
                    model.push((at.max(now + 1), i, key));
                }
                2 if !model.is_empty() => {
                    let (_, v, key) = model.swap_remove((next() % model.len() as u64) as usize);
                    assert_eq!(w.cancel(key), Some(v));
                }
                _ => {
                    now += next() % 3000;
                    let mut fired = expire(&mut w, t0 + ms(now));
                    let mut due: Vec<u32> = model
                        .iter()
                        .filter(|(at, ..)| *at <= now)
                        .map(|&(_, v, _)| v)
                        .collect();
                    model.retain(|(at, ..)| *at > now);
                    fired.sort_unstable();
                    due.sort_unstable();
                    assert_eq!(fired, due, "at {now} ms");
                }
            }
            assert_eq!(w.len(), model.len());
        }
    }
}
