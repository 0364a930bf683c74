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
///
/// A stream's queue also holds file bodies (`HttpServer::send_local_file`): each sits at a
/// position of the byte stream, and the bytes behind it wait until it is written, so the
/// file never has to be in memory. An SSL connection's queue holds ciphertext, which cannot
/// be written around a file, so its files and what is sent after them wait as plaintext in
/// the `backlog`, which the owner encrypts a chunk at a time as the ciphertext drains.
#[derive(Default)]
pub(crate) struct SendQueue {
    blocks: VecDeque<Vec<u8>>,
    /// Bytes of the front block already written.
    head_offset: usize,
    /// Bytes in `blocks` not yet written.
    len: usize,
    /// Bytes of `blocks` written since the queue was made: the stream position of the front.
    written: u64,
    /// Message boundaries, file bodies and the SSL backlog, made on first use: most
    /// connections never need them, and every connection carries a queue.
    more: Option<Box<QueueExtras>>,
}

/// The parts of a [`SendQueue`] that only some connections use.
#[derive(Default)]
struct QueueExtras {
    /// Message mode: the lengths of the queued messages, front first.
    messages: VecDeque<usize>,
    /// File bodies, front first, each at its stream position.
    files: VecDeque<FileBody>,
    /// Bytes of `files` not yet written.
    file_len: u64,
    /// SSL: plaintext and files queued behind a file body (never empty when present).
    backlog: Option<Box<SendQueue>>,
}

/// A file whose bytes `offset..offset + left` go to the stream when its position is reached.
pub(crate) struct FileBody {
    pub(crate) file: std::fs::File,
    /// Where the next byte is read from.
    pub(crate) offset: u64,
    /// Bytes still to send.
    pub(crate) left: u64,
    /// The stream position the body starts at: after this many bytes of `blocks`.
    at: u64,
}

/// What a stream's queue writes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Front {
    /// Nothing is queued.
    Empty,
    /// Bytes: `fill_slices` gives them.
    Bytes,
    /// A file body: `front_file` gives it.
    File,
    /// SSL: only the backlog is left; encrypt a chunk of it.
    Backlog,
}

impl SendQueue {
    /// A queue with nothing in it (what `default` makes, as a constant).
    pub(crate) const EMPTY: SendQueue = SendQueue {
        blocks: VecDeque::new(),
        head_offset: 0,
        len: 0,
        written: 0,
        more: None,
    };

    /// The parts only some connections use, made if there are none yet.
    fn extras(&mut self) -> &mut QueueExtras {
        self.more.get_or_insert_with(Box::default)
    }

    /// Bytes not yet written: in blocks, in file bodies and in the backlog.
    pub(crate) fn len(&self) -> usize {
        let Some(more) = self.more.as_deref() else {
            return self.len;
        };
        let files = usize::try_from(more.file_len).unwrap_or(usize::MAX);
        let backlog = more.backlog.as_ref().map_or(0, |b| b.len());
        self.len.saturating_add(files).saturating_add(backlog)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
            && self
                .more
                .as_deref()
                .is_none_or(|m| m.files.is_empty() && m.backlog.is_none())
    }

    /// What a stream's queue writes next.
    pub(crate) fn front(&self) -> Front {
        let more = self.more.as_deref();
        match more.and_then(|m| m.files.front()) {
            Some(f) if f.at == self.written => Front::File,
            _ if self.len > 0 => Front::Bytes,
            _ if more.is_some_and(|m| m.backlog.is_some()) => Front::Backlog,
            _ => Front::Empty,
        }
    }

    /// Appends a file body of `len` bytes from `offset` behind what is queued.
    pub(crate) fn push_file(&mut self, file: std::fs::File, offset: u64, len: u64) {
        if len == 0 {
            return;
        }
        let at = self.written + self.len as u64;
        let more = self.extras();
        more.files.push_back(FileBody {
            file,
            offset,
            left: len,
            at,
        });
        more.file_len += len;
    }

    /// The file body at the front, if the bytes before it are written.
    pub(crate) fn front_file(&mut self) -> Option<&mut FileBody> {
        let written = self.written;
        self.more
            .as_deref_mut()?
            .files
            .front_mut()
            .filter(|f| f.at == written)
    }

    /// Marks `n` bytes of the front file body written; a finished body is closed.
    pub(crate) fn advance_file(&mut self, n: u64) {
        let Some(more) = self.more.as_deref_mut() else {
            return;
        };
        let Some(front) = more.files.front_mut() else {
            return;
        };
        let n = n.min(front.left);
        front.left -= n;
        front.offset += n;
        more.file_len -= n;
        if front.left == 0 {
            more.files.pop_front();
        }
    }

    /// SSL: the backlog, if a file body or what follows one waits in it.
    pub(crate) fn backlog(&mut self) -> Option<&mut SendQueue> {
        self.more.as_deref_mut()?.backlog.as_deref_mut()
    }

    /// SSL: the backlog, made if there is none.
    pub(crate) fn backlog_or_new(&mut self) -> &mut SendQueue {
        self.extras().backlog.get_or_insert_with(Box::default)
    }

    /// SSL: drops the backlog once it is empty, so sends are encrypted at once again.
    pub(crate) fn trim_backlog(&mut self, pool: &BufferPool) {
        let Some(more) = self.more.as_deref_mut() else {
            return;
        };
        if more.backlog.as_ref().is_some_and(|b| b.is_empty()) {
            if let Some(mut b) = more.backlog.take() {
                b.clear(pool);
            }
        }
    }

    /// Moves up to `max` bytes from the front into `out` (cleared first): bytes up to the
    /// next file body, or the front file body's next bytes, read from the file. True if they
    /// came from a file. The file is read at its offset, so nothing is lost if the caller
    /// fails afterwards; a file that ends early is an `UnexpectedEof`.
    pub(crate) fn take_chunk(
        &mut self,
        out: &mut Vec<u8>,
        max: usize,
        pool: &BufferPool,
    ) -> std::io::Result<bool> {
        use std::os::unix::fs::FileExt;
        out.clear();
        if let Some(body) = self.front_file() {
            let want = body.left.min(max as u64) as usize;
            out.resize(want, 0);
            let n = body.file.read_at(out, body.offset)?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the file is shorter than when it was queued",
                ));
            }
            out.truncate(n);
            self.advance_file(n as u64);
            return Ok(true);
        }
        let mut iov = [IoSlice::new(&[]); 64];
        let count = self.fill_slices(&mut iov);
        for slice in &iov[..count] {
            let room = max - out.len();
            out.extend_from_slice(&slice[..slice.len().min(room)]);
            if out.len() == max {
                break;
            }
        }
        let mut done = Vec::new();
        self.advance(out.len(), &mut done);
        for b in done {
            pool.put(b);
        }
        Ok(false)
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

    /// Puts the bytes of `parts` after their first `skip` in front of everything queued, in
    /// one block: the rest of a send whose first bytes the owner has just written, ahead of
    /// sends other threads queued meanwhile (whole ones: only the owner writes, so nothing
    /// of the front block is written yet). File bodies move back by as many bytes.
    pub(crate) fn push_front_parts<'a>(
        &mut self,
        parts: impl Iterator<Item = &'a [u8]>,
        mut skip: usize,
        pool: &BufferPool,
    ) {
        debug_assert_eq!(self.head_offset, 0, "only the owner writes the queue");
        let mut block: Option<Vec<u8>> = None;
        for part in parts {
            if skip >= part.len() {
                skip -= part.len();
                continue;
            }
            let rest = &part[skip..];
            skip = 0;
            block
                .get_or_insert_with(|| pool.get(rest.len()))
                .extend_from_slice(rest);
        }
        let Some(block) = block else {
            return;
        };
        let len = block.len();
        self.blocks.push_front(block);
        self.len += len;
        if let Some(more) = self.more.as_deref_mut() {
            for file in &mut more.files {
                file.at += len as u64;
            }
        }
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
        self.extras().messages.push_back(len);
        self.len += len;
    }

    /// Message mode: puts `data` before every queued message (a datagram written late, see
    /// `reactor/worker/outbox.rs`).
    pub(crate) fn push_front_message(&mut self, data: &[u8], pool: &BufferPool) {
        if self.head_offset > 0 {
            // The front block's written part goes, so the new block can lead at offset 0.
            if let Some(front) = self.blocks.front_mut() {
                front.drain(..self.head_offset);
            }
            self.head_offset = 0;
        }
        let mut block = pool.get(data.len());
        block.extend_from_slice(data);
        self.blocks.push_front(block);
        self.extras().messages.push_front(data.len());
        self.len += data.len();
    }

    /// Message mode: the first unwritten message.
    pub(crate) fn front_message(&self) -> Option<&[u8]> {
        let len = *self.more.as_deref()?.messages.front()?;
        let block = self.blocks.front()?;
        block.get(self.head_offset..self.head_offset + len)
    }

    /// Message mode: marks the first message written; a block written to the end moves to
    /// `done`.
    pub(crate) fn pop_message(&mut self, done: &mut Vec<Vec<u8>>) {
        if let Some(len) = self
            .more
            .as_deref_mut()
            .and_then(|m| m.messages.pop_front())
        {
            self.advance(len, done);
        }
    }

    /// Fills `out` with slices of unwritten bytes, front first, up to the next file body;
    /// returns how many.
    pub(crate) fn fill_slices<'a>(&'a self, out: &mut [IoSlice<'a>]) -> usize {
        let mut room = match self.more.as_deref().and_then(|m| m.files.front()) {
            Some(f) => (f.at - self.written) as usize,
            None => usize::MAX,
        };
        let mut n = 0;
        for (slot, (i, b)) in out.iter_mut().zip(self.blocks.iter().enumerate()) {
            if room == 0 {
                break;
            }
            let start = if i == 0 { self.head_offset } else { 0 };
            let end = b.len().min(start.saturating_add(room));
            *slot = IoSlice::new(&b[start..end]);
            room -= end - start;
            n += 1;
        }
        n
    }

    /// Marks `n` bytes written; blocks written to the end move to `done`.
    pub(crate) fn advance(&mut self, mut n: usize, done: &mut Vec<Vec<u8>>) {
        self.len -= n;
        self.written += n as u64;
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
        // Closes the files of bodies not sent.
        if let Some(mut backlog) = self.more.take().and_then(|m| m.backlog) {
            backlog.clear(pool);
        }
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
    fn bytes_behind_a_file_wait_for_it() {
        use std::io::Write;
        let pool = BufferPool::new(4, 8);
        let path = std::env::temp_dir().join(format!("hpsocket-queue-{}", std::process::id()));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(b"0123456789")
            .unwrap();
        let mut q = SendQueue::default();
        q.push(b"head", &pool);
        q.push_file(std::fs::File::open(&path).unwrap(), 2, 6);
        q.push(b"tail", &pool);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(q.len(), 14);
        assert_eq!(q.front(), Front::Bytes);
        let mut v = [IoSlice::new(&[]); 8];
        assert_eq!(q.fill_slices(&mut v), 1);
        assert_eq!(&*v[0], b"head", "the tail shares the block but waits");
        let mut done = Vec::new();
        q.advance(4, &mut done);
        assert_eq!(q.front(), Front::File);
        let mut chunk = Vec::new();
        assert!(q.take_chunk(&mut chunk, 4, &pool).unwrap());
        assert_eq!(chunk, b"2345");
        assert!(q.take_chunk(&mut chunk, 4, &pool).unwrap());
        assert_eq!(chunk, b"67");
        assert_eq!(q.front(), Front::Bytes);
        assert!(!q.take_chunk(&mut chunk, 64, &pool).unwrap());
        assert_eq!(chunk, b"tail");
        assert!(q.is_empty());
        // The backlog: a queue of its own behind the bytes.
        q.backlog_or_new().push(b"later", &pool);
        assert_eq!((q.len(), q.front()), (5, Front::Backlog));
        q.backlog()
            .unwrap()
            .take_chunk(&mut chunk, 64, &pool)
            .unwrap();
        q.trim_backlog(&pool);
        assert!(q.is_empty() && q.backlog().is_none());
    }

    #[test]
    fn the_rest_of_a_started_send_goes_first() {
        use std::io::Write;
        let pool = BufferPool::new(4, 8);
        let path = std::env::temp_dir().join(format!("hpsocket-front-{}", std::process::id()));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(b"FILE")
            .unwrap();
        let mut q = SendQueue::default();
        // Another thread queued a send and a file body while the owner was writing.
        q.push(b"other", &pool);
        q.push_file(std::fs::File::open(&path).unwrap(), 0, 4);
        std::fs::remove_file(&path).unwrap();
        // The owner wrote 3 bytes of "abc" + "defg": the rest goes ahead of "other".
        q.push_front_parts([&b"abc"[..], b"defg"].into_iter(), 3, &pool);
        assert_eq!(q.len(), 4 + 5 + 4);
        let mut out = Vec::new();
        let mut chunk = Vec::new();
        while !q.is_empty() {
            q.take_chunk(&mut chunk, 64, &pool).unwrap();
            out.extend_from_slice(&chunk);
        }
        assert_eq!(
            out, b"defgotherFILE",
            "the file body still follows what it followed"
        );
        // Nothing left over: nothing is queued.
        q.push_front_parts([&b"xy"[..]].into_iter(), 2, &pool);
        assert!(q.is_empty());
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
