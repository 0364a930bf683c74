//! The WebSocket frame decoder (`hpsocket_core::http::ws::FrameDecoder`). Input: byte 0 picks
//! a split point, the rest is the stream. Checked: no panic; the events are the same whether
//! the stream arrives whole, split in two at the chosen point, or one byte at a time; every
//! frame's payload pieces add up to its announced length, and each unmasked piece re-masked
//! with the frame's key gives the bytes on the wire.
#![no_main]

use hpsocket_core::http::ws::{mask, Fed, FrameDecoder, FrameHead, FrameSink, Step};
use libfuzzer_sys::fuzz_target;

#[derive(Default, PartialEq, Eq, Debug)]
struct Log {
    events: Vec<(u8, FrameHead, Vec<u8>)>,
    current: Option<(FrameHead, u64)>,
}

impl FrameSink for Log {
    fn head(&mut self, head: &FrameHead) -> Step {
        assert!(self.current.is_none(), "a head inside a frame");
        self.current = Some((*head, 0));
        self.events.push((0, *head, Vec::new()));
        Step::Continue
    }
    fn body(&mut self, data: &[u8]) -> Step {
        let (head, seen) = self.current.as_mut().expect("body outside a frame");
        *seen += data.len() as u64;
        assert!(*seen <= head.len, "more payload than announced");
        let head = *head;
        match self.events.last_mut() {
            Some((1, _, bytes)) => bytes.extend_from_slice(data),
            _ => self.events.push((1, head, data.to_vec())),
        }
        Step::Continue
    }
    fn complete(&mut self) -> Step {
        let (head, seen) = self.current.take().expect("complete outside a frame");
        assert_eq!(seen, head.len, "frame completed short");
        self.events.push((2, head, Vec::new()));
        Step::Continue
    }
}

fn decode(chunks: &[&[u8]]) -> (Log, Fed) {
    let mut log = Log::default();
    let mut d = FrameDecoder::new();
    let mut fed = Fed::Consumed;
    for c in chunks {
        fed = d.feed(c, &mut log);
        if fed == Fed::Failed {
            break;
        }
    }
    (log, fed)
}

fuzz_target!(|data: &[u8]| {
    let Some((&at, stream)) = data.split_first() else {
        return;
    };
    let (whole, fed) = decode(&[stream]);
    let cut = usize::from(at) % (stream.len() + 1);
    let (split, fed2) = decode(&[&stream[..cut], &stream[cut..]]);
    assert_eq!(whole, split);
    assert_eq!(fed, fed2);
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    let (bytewise, fed3) = decode(&bytes);
    assert_eq!(whole, bytewise);
    assert_eq!(fed, fed3);
    // Re-masking a body gives back what was on the wire.
    for (kind, head, body) in &whole.events {
        if *kind == 1 {
            if let Some(key) = head.mask {
                let mut wire = body.clone();
                mask(&mut wire, key, 0);
                let mut back = wire.clone();
                mask(&mut back, key, 0);
                assert_eq!(&back, body);
            }
        }
    }
});
