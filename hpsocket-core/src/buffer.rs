//! Send buffers: a lock-free pool of reusable byte vectors and the per-connection send queue
//! built from them, so a steady stream of sends allocates nothing.

use std::collections::VecDeque;
use std::io::IoSlice;

use crossbeam_channel::{Receiver, Sender};

/// Buffers larger than this go back to the allocator instead of the pool, so one huge send
/// does not pin its memory for the life of the component.
const MAX_POOLED_CAPACITY: usize = 1 << 20;
/// Smallest block a queue allocates: small sends coalesce into it.
const MIN_BLOCK: usize = 16 * 1024;
/// Largest block size a queue starts a block with (a bigger send still gets one block).
const MAX_BLOCK: usize = 256 * 1024;
/// Most buffers a pool keeps, whatever the setting: a cache, not a reservation.
const MAX_POOLED: usize = 1 << 16;

/// A bounded pool of empty `Vec<u8>` keeping their capacity (HP-Socket's buffer-object pool).
pub(crate) struct BufferPool {
    give: Sender<Vec<u8>>,
    take: Receiver<Vec<u8>>,
    block: usize,
}

impl BufferPool {
    /// A pool keeping at most `size` buffers of at least `block` bytes each.
    pub(crate) fn new(size: u32, block: usize) -> BufferPool {
        let (give, take) = crossbeam_channel::bounded((size as usize).clamp(1, MAX_POOLED));
        BufferPool {
            give,
            take,
            block: block.clamp(MIN_BLOCK, MAX_BLOCK),
        }
    }

    /// An empty buffer with room for at least `len` bytes.
    pub(crate) fn get(&self, len: usize) -> Vec<u8> {
        let mut v = self.take.try_recv().unwrap_or_default();
        v.reserve(len.max(self.block));
        v
    }

    /// Returns a buffer to the pool (or frees it when the pool is full or it is huge).
    pub(crate) fn put(&self, mut v: Vec<u8>) {
        if v.capacity() <= MAX_POOLED_CAPACITY {
            v.clear();
            let _ = self.give.try_send(v);
        }
    }
}

/// Bytes accepted by `send` and not yet written, in order. A stream's sends coalesce; a
/// datagram transport's queue (message mode) keeps each send whole and apart: its messages
/// share blocks, but one never spans two.
#[derive(Default)]
pub(crate) struct SendQueue {
    blocks: VecDeque<Vec<u8>>,
    /// Bytes of the front block already written.
    head_offset: usize,
    len: usize,
    /// Message mode: the lengths of the queued messages, front first.
    messages: VecDeque<usize>,
}

impl SendQueue {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `data`, filling the last block before taking a new one from `pool`.
    pub(crate) fn push(&mut self, data: &[u8], pool: &BufferPool) {
        if data.is_empty() {
            return;
        }
        match self.blocks.back_mut() {
            Some(back) if back.capacity() - back.len() >= data.len() => {
                back.extend_from_slice(data)
            }
            _ => {
                let mut block = pool.get(data.len());
                block.extend_from_slice(data);
                self.blocks.push_back(block);
            }
        }
        self.len += data.len();
    }

    /// Message mode: appends the `len` bytes of `parts` as one message.
    pub(crate) fn push_message<'a>(
        &mut self,
        parts: impl Iterator<Item = &'a [u8]>,
        len: usize,
        pool: &BufferPool,
    ) {
        let fits = matches!(self.blocks.back(), Some(b) if b.capacity() - b.len() >= len);
        if !fits {
            self.blocks.push_back(pool.get(len));
        }
        if let Some(back) = self.blocks.back_mut() {
            for part in parts {
                back.extend_from_slice(part);
            }
        }
        self.messages.push_back(len);
        self.len += len;
    }

    /// Message mode: the first unwritten message.
    pub(crate) fn front_message(&self) -> Option<&[u8]> {
        let len = *self.messages.front()?;
        let block = self.blocks.front()?;
        block.get(self.head_offset..self.head_offset + len)
    }

    /// Message mode: marks the first message written; a block written to the end moves to
    /// `done`.
    pub(crate) fn pop_message(&mut self, done: &mut Vec<Vec<u8>>) {
        if let Some(len) = self.messages.pop_front() {
            self.advance(len, done);
        }
    }

    /// Fills `out` with slices of unwritten bytes, front first; returns how many.
    pub(crate) fn fill_slices<'a>(&'a self, out: &mut [IoSlice<'a>]) -> usize {
        let mut n = 0;
        for (slot, (i, b)) in out.iter_mut().zip(self.blocks.iter().enumerate()) {
            let start = if i == 0 { self.head_offset } else { 0 };
            *slot = IoSlice::new(&b[start..]);
            n += 1;
        }
        n
    }

    /// Marks `n` bytes written; blocks written to the end move to `done`.
    pub(crate) fn advance(&mut self, mut n: usize, done: &mut Vec<Vec<u8>>) {
        self.len -= n;
        while n > 0 {
            let Some(front) = self.blocks.front() else {
                break;
            };
            let left = front.len() - self.head_offset;
            if n >= left {
                n -= left;
                self.head_offset = 0;
                if let Some(b) = self.blocks.pop_front() {
                    done.push(b);
                }
            } else {
                self.head_offset += n;
                n = 0;
            }
        }
    }

    /// Empties the queue into `pool`.
    pub(crate) fn clear(&mut self, pool: &BufferPool) {
        for b in self.blocks.drain(..) {
            pool.put(b);
        }
        self.head_offset = 0;
        self.len = 0;
        self.messages.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_their_boundaries() {
        let pool = BufferPool::new(4, 8);
        let mut q = SendQueue::default();
        q.push_message([&b"ab"[..], b"c"].into_iter(), 3, &pool);
        q.push_message([&b"defg"[..]].into_iter(), 4, &pool);
        let big = vec![7u8; MIN_BLOCK];
        q.push_message([&big[..]].into_iter(), big.len(), &pool);
        assert_eq!(q.len(), 7 + MIN_BLOCK);
        let mut done = Vec::new();
        assert_eq!(q.front_message(), Some(&b"abc"[..]));
        q.pop_message(&mut done);
        assert_eq!(q.front_message(), Some(&b"defg"[..]));
        q.pop_message(&mut done);
        assert_eq!(
            done.len(),
            1,
            "a message never spans blocks: the first block is done"
        );
        assert_eq!(q.front_message().map(<[u8]>::len), Some(MIN_BLOCK));
        q.pop_message(&mut done);
        assert!(q.is_empty() && q.front_message().is_none());
        assert_eq!(done.len(), 2);
    }

    #[test]
    fn queue_coalesces_and_advances() {
        let pool = BufferPool::new(4, 8);
        let mut q = SendQueue::default();
        q.push(b"hello ", &pool);
        q.push(b"world", &pool);
        assert_eq!(q.len(), 11);
        let mut v = [IoSlice::new(&[]); 8];
        assert_eq!(q.fill_slices(&mut v), 1, "small sends share a block");
        assert_eq!(&*v[0], b"hello world");
        let mut done = Vec::new();
        q.advance(3, &mut done);
        assert!(done.is_empty());
        let mut v = [IoSlice::new(&[]); 8];
        q.fill_slices(&mut v);
        assert_eq!(&*v[0], b"lo world");
        q.advance(8, &mut done);
        assert_eq!(done.len(), 1);
        assert!(q.is_empty());
        for b in done {
            pool.put(b);
        }
        let b = pool.get(1);
        assert!(
            b.is_empty() && b.capacity() >= MIN_BLOCK,
            "pooled buffer comes back empty"
        );
    }
}
