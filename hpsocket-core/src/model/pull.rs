//! The PULL model's per-connection buffer: the worker appends what it reads, the application
//! takes it with `fetch` (copy and remove) or `peek` (copy), from any thread.

/// Result of `fetch`/`peek` (`En_HP_FetchResult`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum FetchResult {
    /// `FR_OK`: the buffer was filled.
    Ok = 0,
    /// `FR_LENGTH_TOO_LONG`: fewer bytes are buffered than asked for; nothing was copied.
    LengthTooLong = 1,
    /// `FR_DATA_NOT_FOUND`: unknown or closed connection, or not a PULL component.
    DataNotFound = 2,
}

#[derive(Default)]
pub(crate) struct PullBuffer {
    data: Vec<u8>,
    start: usize,
}

impl PullBuffer {
    pub(crate) fn len(&self) -> usize {
        self.data.len() - self.start
    }

    /// Appends and returns the total now buffered.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> usize {
        if self.start > 0 && self.start >= self.data.len() / 2 {
            self.data.drain(..self.start);
            self.start = 0;
        }
        self.data.extend_from_slice(bytes);
        self.len()
    }

    pub(crate) fn peek(&self, out: &mut [u8]) -> FetchResult {
        if out.len() > self.len() {
            return FetchResult::LengthTooLong;
        }
        out.copy_from_slice(&self.data[self.start..self.start + out.len()]);
        FetchResult::Ok
    }

    pub(crate) fn fetch(&mut self, out: &mut [u8]) -> FetchResult {
        let result = self.peek(out);
        if result == FetchResult::Ok {
            self.start += out.len();
            if self.start == self.data.len() {
                self.data.clear();
                self.start = 0;
            }
        }
        result
    }

    pub(crate) fn clear(&mut self) {
        self.data = Vec::new();
        self.start = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_peek_and_too_long() {
        let mut b = PullBuffer::default();
        assert_eq!(b.append(b"head"), 4);
        assert_eq!(b.append(b"body!"), 9);
        let mut four = [0u8; 4];
        assert_eq!(b.peek(&mut four), FetchResult::Ok);
        assert_eq!(&four, b"head");
        assert_eq!(b.fetch(&mut four), FetchResult::Ok);
        assert_eq!(b.len(), 5);
        let mut six = [0u8; 6];
        assert_eq!(b.fetch(&mut six), FetchResult::LengthTooLong);
        assert_eq!(b.len(), 5, "nothing copied or removed");
        let mut five = [0u8; 5];
        assert_eq!(b.fetch(&mut five), FetchResult::Ok);
        assert_eq!(&five, b"body!");
        assert_eq!(b.len(), 0);
        assert_eq!(b.fetch(&mut []), FetchResult::Ok);
    }
}
