//! WebSocket frames (RFC 6455 section 5.2), sans-IO: [`FrameDecoder`] turns bytes into frame
//! events (head, unmasked payload pieces, end) as HP-Socket's frame API reports them, and
//! [`frame_head`]/[`mask`] build outgoing frames. No reassembly and no protocol policy here:
//! HP-Socket leaves both to the application.

/// A frame's head, as `OnWSMessageHeader` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameHead {
    /// FIN: the last frame of a message.
    pub fin: bool,
    /// RSV1..RSV3 as a 3-bit value (RSV1 = bit 2).
    pub reserved: u8,
    /// The 4-bit opcode.
    pub opcode: u8,
    /// The masking key, when the frame is masked.
    pub mask: Option<[u8; 4]>,
    /// The payload length.
    pub len: u64,
}

/// What the sink wants after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Go on.
    Continue,
    /// Stop after this event; feed the rest again later.
    Pause,
    /// Stop for good: the connection fails.
    Fail,
}

/// Where frame events go.
pub trait FrameSink {
    /// A frame begins.
    fn head(&mut self, head: &FrameHead) -> Step;
    /// Payload bytes, unmasked (any number of pieces, none for an empty frame).
    fn body(&mut self, data: &[u8]) -> Step;
    /// The frame's payload is complete.
    fn complete(&mut self) -> Step;
}

/// How a feed ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fed {
    /// Every byte was consumed.
    Consumed,
    /// The sink paused after `n` bytes; feed the rest later.
    Paused(usize),
    /// The sink failed, or the frame is invalid (a 64-bit length with its top bit set); the
    /// decoder is finished for good.
    Failed,
}

/// Decodes frames from a byte stream, in any split.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    /// Bytes of a head not yet whole (at most 14).
    head: [u8; 14],
    head_len: usize,
    /// The frame whose payload is being read.
    current: Option<Frame>,
    /// Unmasked payload, reused between pieces.
    scratch: Vec<u8>,
    failed: bool,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    head: FrameHead,
    remaining: u64,
    /// Offset into the masking key of the next payload byte.
    mask_offset: usize,
}

/// The head's length once its first two bytes are known.
fn head_len(b0: u8, b1: u8) -> usize {
    let _ = b0;
    let mut n = 2;
    match b1 & 0x7F {
        126 => n += 2,
        127 => n += 8,
        _ => {}
    }
    if b1 & 0x80 != 0 {
        n += 4;
    }
    n
}

/// Parses a whole head; `None` for a 64-bit length with its most significant bit set.
fn parse_head(h: &[u8]) -> Option<FrameHead> {
    let (b0, b1) = (h[0], h[1]);
    let (len, mut at) = match b1 & 0x7F {
        126 => (u64::from(u16::from_be_bytes([h[2], h[3]])), 4),
        127 => {
            let len = u64::from_be_bytes(h[2..10].try_into().ok()?);
            if len >> 63 != 0 {
                return None;
            }
            (len, 10)
        }
        n => (u64::from(n), 2),
    };
    let mask = if b1 & 0x80 != 0 {
        let key = [h[at], h[at + 1], h[at + 2], h[at + 3]];
        at += 4;
        Some(key)
    } else {
        None
    };
    debug_assert_eq!(at, h.len());
    Some(FrameHead {
        fin: b0 & 0x80 != 0,
        reserved: (b0 >> 4) & 0x07,
        opcode: b0 & 0x0F,
        mask,
        len,
    })
}

impl FrameDecoder {
    /// A decoder at a frame boundary.
    pub fn new() -> FrameDecoder {
        FrameDecoder::default()
    }

    /// The frame being read and how much of its payload is still to come.
    pub fn current(&self) -> Option<(FrameHead, u64)> {
        self.current.map(|f| (f.head, f.remaining))
    }

    /// Feeds bytes; see [`Fed`].
    pub fn feed(&mut self, data: &[u8], sink: &mut impl FrameSink) -> Fed {
        if self.failed {
            return Fed::Failed;
        }
        let mut at = 0;
        loop {
            if let Some(frame) = self.current.as_mut() {
                if frame.remaining > 0 {
                    if at == data.len() {
                        return Fed::Consumed;
                    }
                    let take = (data.len() - at)
                        .min(usize::try_from(frame.remaining).unwrap_or(usize::MAX));
                    let piece = &data[at..at + take];
                    at += take;
                    frame.remaining -= take as u64;
                    let step = match frame.head.mask {
                        Some(key) => {
                            self.scratch.clear();
                            self.scratch.extend_from_slice(piece);
                            mask(&mut self.scratch, key, frame.mask_offset);
                            frame.mask_offset = (frame.mask_offset + take) % 4;
                            sink.body(&self.scratch)
                        }
                        None => sink.body(piece),
                    };
                    match step {
                        Step::Continue => continue,
                        Step::Pause => return Fed::Paused(at),
                        Step::Fail => return self.fail(),
                    }
                }
                self.current = None;
                match sink.complete() {
                    Step::Continue => continue,
                    Step::Pause => return Fed::Paused(at),
                    Step::Fail => return self.fail(),
                }
            }
            // A head: collect its bytes.
            while self.head_len < 2 || self.head_len < head_len(self.head[0], self.head[1]) {
                if at == data.len() {
                    return Fed::Consumed;
                }
                self.head[self.head_len] = data[at];
                self.head_len += 1;
                at += 1;
            }
            let Some(head) = parse_head(&self.head[..self.head_len]) else {
                return self.fail();
            };
            self.head_len = 0;
            self.current = Some(Frame {
                head,
                remaining: head.len,
                mask_offset: 0,
            });
            match sink.head(&head) {
                Step::Continue => {}
                Step::Pause => return Fed::Paused(at),
                Step::Fail => return self.fail(),
            }
        }
    }

    fn fail(&mut self) -> Fed {
        self.failed = true;
        self.current = None;
        Fed::Failed
    }
}

/// XORs `data` with `key`, starting at byte `offset` of the key (masking and unmasking are
/// the same operation).
pub fn mask(data: &mut [u8], key: [u8; 4], offset: usize) {
    // Eight bytes per XOR with the key turned to `offset`: the byte-indexed loop does not
    // vectorise and was a third of a WebSocket echo server's CPU at 16 KiB (bench cell W1).
    let k = [0, 1, 2, 3].map(|i| key[(offset + i) % 4]);
    let word = u64::from_ne_bytes([k[0], k[1], k[2], k[3], k[0], k[1], k[2], k[3]]);
    let mut chunks = data.chunks_exact_mut(8);
    for c in &mut chunks {
        let v = u64::from_ne_bytes(c.try_into().expect("chunks of 8")) ^ word;
        c.copy_from_slice(&v.to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= k[i % 4];
    }
}

/// A frame head: FIN, RSV, opcode, the length in 7, 16 or 64 bits, and the key when masked.
/// Returns the bytes and how many of them are used.
pub fn frame_head(
    fin: bool,
    reserved: u8,
    opcode: u8,
    key: Option<[u8; 4]>,
    len: u64,
) -> ([u8; 14], usize) {
    let mut h = [0u8; 14];
    h[0] = (u8::from(fin) << 7) | ((reserved & 0x07) << 4) | (opcode & 0x0F);
    let masked = if key.is_some() { 0x80 } else { 0 };
    let mut n = 2;
    if len < 126 {
        h[1] = masked | len as u8;
    } else if len <= u64::from(u16::MAX) {
        h[1] = masked | 126;
        h[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        n = 4;
    } else {
        h[1] = masked | 127;
        h[2..10].copy_from_slice(&len.to_be_bytes());
        n = 10;
    }
    if let Some(k) = key {
        h[n..n + 4].copy_from_slice(&k);
        n += 4;
    }
    (h, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Log {
        events: Vec<String>,
        pause_on_body: bool,
    }

    impl FrameSink for Log {
        fn head(&mut self, h: &FrameHead) -> Step {
            self.events.push(format!(
                "head fin={} rsv={} op={} mask={} len={}",
                h.fin,
                h.reserved,
                h.opcode,
                h.mask.is_some(),
                h.len
            ));
            Step::Continue
        }
        fn body(&mut self, data: &[u8]) -> Step {
            match self.events.last_mut() {
                Some(last) if last.starts_with("body ") => {
                    last.push_str(&String::from_utf8_lossy(data))
                }
                _ => self
                    .events
                    .push(format!("body {}", String::from_utf8_lossy(data))),
            }
            if self.pause_on_body {
                Step::Pause
            } else {
                Step::Continue
            }
        }
        fn complete(&mut self) -> Step {
            self.events.push("complete".into());
            Step::Continue
        }
    }

    fn frame(fin: bool, rsv: u8, op: u8, key: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
        let (h, n) = frame_head(fin, rsv, op, key, payload.len() as u64);
        let mut out = h[..n].to_vec();
        let mut body = payload.to_vec();
        if let Some(k) = key {
            mask(&mut body, k, 0);
        }
        out.extend_from_slice(&body);
        out
    }

    /// Events for `bytes` fed whole, one byte at a time, and at every 2-way split.
    fn decode_all_splits(bytes: &[u8]) -> Vec<String> {
        let mut whole = Log::default();
        assert_eq!(FrameDecoder::new().feed(bytes, &mut whole), Fed::Consumed);
        let mut bytewise = Log::default();
        let mut d = FrameDecoder::new();
        for b in bytes {
            assert_eq!(
                d.feed(std::slice::from_ref(b), &mut bytewise),
                Fed::Consumed
            );
        }
        assert_eq!(whole.events, bytewise.events);
        for cut in 0..=bytes.len() {
            let mut split = Log::default();
            let mut d = FrameDecoder::new();
            d.feed(&bytes[..cut], &mut split);
            d.feed(&bytes[cut..], &mut split);
            assert_eq!(whole.events, split.events, "split at {cut}");
        }
        whole.events
    }

    #[test]
    fn masked_and_unmasked_frames_of_every_length_form() {
        let key = Some([1, 2, 3, 4]);
        let mut bytes = frame(true, 0, 1, key, b"Hello");
        bytes.extend(frame(false, 4, 2, None, &[b'x'; 300]));
        bytes.extend(frame(true, 0, 0, key, b""));
        let events = decode_all_splits(&bytes);
        assert_eq!(events[0], "head fin=true rsv=0 op=1 mask=true len=5");
        assert_eq!(events[1], "body Hello");
        assert_eq!(events[2], "complete");
        assert_eq!(events[3], "head fin=false rsv=4 op=2 mask=false len=300");
        assert_eq!(events[4].len(), 5 + 300);
        assert_eq!(events[6], "head fin=true rsv=0 op=0 mask=true len=0");
        assert_eq!(events[7], "complete");
        let big = vec![7u8; 70_000];
        let mut log = Log::default();
        let bytes = frame(true, 0, 2, key, &big);
        assert_eq!(bytes[1], 0x80 | 127);
        assert_eq!(FrameDecoder::new().feed(&bytes, &mut log), Fed::Consumed);
        assert_eq!(
            log.events[0],
            "head fin=true rsv=0 op=2 mask=true len=70000"
        );
    }

    #[test]
    fn heads_encode_the_three_length_forms() {
        assert_eq!(frame_head(true, 0, 1, None, 125).1, 2);
        assert_eq!(frame_head(true, 0, 1, None, 126).1, 4);
        assert_eq!(frame_head(true, 0, 1, None, 65_535).1, 4);
        assert_eq!(frame_head(true, 0, 1, None, 65_536).1, 10);
        assert_eq!(frame_head(true, 0, 1, Some([0; 4]), 65_536).1, 14);
        let (h, _) = frame_head(false, 7, 0xA, None, 0);
        assert_eq!(h[0], 0x7A);
    }

    #[test]
    fn a_length_with_the_top_bit_set_fails_for_good() {
        let mut bytes = vec![0x82, 127];
        bytes.extend_from_slice(&(1u64 << 63).to_be_bytes());
        let mut d = FrameDecoder::new();
        assert_eq!(d.feed(&bytes, &mut Log::default()), Fed::Failed);
        assert_eq!(d.feed(b"", &mut Log::default()), Fed::Failed);
    }

    #[test]
    fn a_pause_keeps_the_rest_for_later() {
        let bytes = frame(true, 0, 1, Some([9, 8, 7, 6]), b"abcdef");
        let mut log = Log {
            pause_on_body: true,
            ..Log::default()
        };
        let mut d = FrameDecoder::new();
        assert_eq!(d.feed(&bytes[..8], &mut log), Fed::Paused(8));
        assert_eq!(d.current().map(|(_, r)| r), Some(4));
        log.pause_on_body = false;
        assert_eq!(d.feed(&bytes[8..], &mut log), Fed::Consumed);
        assert_eq!(
            log.events,
            [
                "head fin=true rsv=0 op=1 mask=true len=6",
                "body abcdef",
                "complete"
            ]
        );
    }

    #[test]
    fn masking_a_word_at_a_time_matches_the_byte_rule() {
        let key = [0x12, 0x34, 0x56, 0x78];
        for offset in 0..8 {
            for len in (0..40).chain([16_384, 16_387]) {
                let src: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let mut got = src.clone();
                mask(&mut got, key, offset);
                let want: Vec<u8> = src
                    .iter()
                    .enumerate()
                    .map(|(i, b)| b ^ key[(offset + i) % 4])
                    .collect();
                assert_eq!(got, want, "offset {offset}, length {len}");
            }
        }
    }
}
