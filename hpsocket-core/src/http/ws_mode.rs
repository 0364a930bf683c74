//! The WebSocket mode (an extension, `HPX_`): what HP-Socket leaves to every application,
//! done once. [`Assembler`] sits on the frame decoder and applies RFC 6455 section 5: control
//! frames answered (ping → pong, close → close), fragments reassembled into whole messages
//! up to a size limit, text checked as UTF-8, protocol errors reported with their close codes
//! (1002 protocol error, 1007 bad data, 1009 too big). The opening handshake's key and accept
//! are here too. Sans-IO: what to send and what to report goes to the caller's closure.

use super::ws::{frame_head, Fed, FrameDecoder, FrameHead, FrameSink, Step};
use super::ws_deflate::{Agreed, InflateError, Inflater};

/// Text message opcode.
pub const OP_TEXT: u8 = 0x1;
/// Binary message opcode.
pub const OP_BINARY: u8 = 0x2;
/// Close opcode.
pub const OP_CLOSE: u8 = 0x8;
/// Ping opcode.
pub const OP_PING: u8 = 0x9;
/// Pong opcode.
pub const OP_PONG: u8 = 0xA;

/// Close code: normal closure.
pub const CLOSE_NORMAL: u16 = 1000;
/// Close code: protocol error.
pub const CLOSE_PROTOCOL: u16 = 1002;
/// Close code: data not consistent with the message type (bad UTF-8).
pub const CLOSE_BAD_DATA: u16 = 1007;
/// Close code: message too big.
pub const CLOSE_TOO_BIG: u16 = 1009;

/// The GUID of RFC 6455's accept computation.
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
pub fn accept_key(key: &str) -> String {
    let mut input = key.trim().as_bytes().to_vec();
    input.extend_from_slice(GUID);
    openssl::base64::encode_block(&openssl::sha::sha1(&input))
}

/// A fresh `Sec-WebSocket-Key` (16 random bytes, base64).
pub fn new_key() -> String {
    let mut raw = [0u8; 16];
    if openssl::rand::rand_bytes(&mut raw).is_err() {
        // The key only has to differ between handshakes; the clock does that.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        raw = t.to_le_bytes();
    }
    openssl::base64::encode_block(&raw)
}

/// Whether `key` is what RFC 6455 asks of a client's key: 16 bytes in base64.
pub fn valid_key(key: &str) -> bool {
    openssl::base64::decode_block(key.trim()).is_ok_and(|k| k.len() == 16)
}

/// What the assembler reports.
#[derive(Debug, PartialEq, Eq)]
pub enum WsOut<'a> {
    /// A whole message (text or binary), or a ping's or pong's payload (reported after the
    /// automatic pong), or the peer's close frame's payload (code and reason).
    Message {
        /// Its opcode.
        opcode: u8,
        /// Its payload.
        data: &'a [u8],
    },
    /// A frame to send back (a pong, or the close answering the peer's).
    Reply(Vec<u8>),
    /// The closing handshake is done on our side: the connection may close.
    Closed,
    /// A protocol violation: send this close frame, then close.
    Failed {
        /// The close code.
        code: u16,
        /// Why, for the application's last error.
        reason: &'static str,
        /// The close frame to send.
        frame: Vec<u8>,
    },
}

/// The rules of one side.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Largest message, bytes (also what a control frame may collect: 125); compressed
    /// messages are held to it before and after inflating.
    pub max_message: usize,
    /// A server: frames from the peer must be masked, ours are not. A client: the reverse.
    pub server: bool,
    /// permessage-deflate as agreed in the handshake: a message whose first frame has RSV1
    /// set is compressed.
    pub deflate: Option<Agreed>,
}

/// One frame to send: unmasked from a server, masked with a random key from a client.
pub fn frame(server: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let key = (!server).then(|| {
        let mut k = [0u8; 4];
        let _ = openssl::rand::rand_bytes(&mut k);
        k
    });
    let (head, n) = frame_head(true, 0, opcode, key, payload.len() as u64);
    let mut out = head[..n].to_vec();
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(k) = key {
        super::ws::mask(&mut out[start..], k, 0);
    }
    out
}

/// Whether a close frame may carry `code` (RFC 6455 section 7.4: the defined codes that may
/// be sent, and the registered and private ranges).
pub fn valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1011 | 3000..=4999)
}

/// The close frame with `code` and `reason` (cut to 123 bytes, the most a control frame
/// holds after the code).
pub fn close_frame(server: bool, code: u16, reason: &str) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    // Cut on a character boundary: the peer fails a close whose reason is not UTF-8.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    payload.extend_from_slice(&reason.as_bytes()[..end]);
    frame(server, OP_CLOSE, &payload)
}

/// Reassembles frames into messages and answers control frames.
#[derive(Debug)]
pub struct Assembler {
    policy: Policy,
    decoder: FrameDecoder,
    /// The head of the frame being read.
    frame: FrameHead,
    /// The message being reassembled: its opcode and bytes so far.
    message: Option<(u8, Vec<u8>)>,
    /// The message being reassembled is compressed (RSV1 on its first frame).
    compressed: bool,
    /// permessage-deflate's decompressor, when agreed.
    inflater: Option<Inflater>,
    /// The payload of the control frame being read.
    control: Vec<u8>,
    /// A close was received and answered (or sent by us and answered): no more frames.
    closed: bool,
    failure: Option<(u16, &'static str)>,
}

impl Assembler {
    /// An assembler for one side.
    pub fn new(policy: Policy) -> Assembler {
        Assembler {
            policy,
            decoder: FrameDecoder::new(),
            frame: FrameHead::default(),
            message: None,
            compressed: false,
            inflater: policy.deflate.map(|a| a.inflater(policy.server)),
            control: Vec::new(),
            closed: false,
            failure: None,
        }
    }

    /// Feeds bytes; `out` gets every report, and may pause or fail the feed.
    pub fn feed(&mut self, data: &[u8], out: &mut impl FnMut(WsOut<'_>) -> Step) -> Fed {
        if self.closed {
            return Fed::Consumed;
        }
        self.decoder_feed(data, out)
    }

    fn decoder_feed(&mut self, data: &[u8], out: &mut impl FnMut(WsOut<'_>) -> Step) -> Fed {
        let mut decoder = std::mem::take(&mut self.decoder);
        let fed = {
            let mut sink = Sink {
                a: self,
                out: &mut *out,
            };
            decoder.feed(data, &mut sink)
        };
        self.decoder = decoder;
        if fed == Fed::Failed && self.failure.is_none() && !self.closed {
            // The decoder's own refusal: a 64-bit length with its top bit set.
            let frame = close_frame(self.policy.server, CLOSE_PROTOCOL, "bad frame length");
            let _ = out(WsOut::Failed {
                code: CLOSE_PROTOCOL,
                reason: "a frame length with its top bit set",
                frame,
            });
        }
        fed
    }

    fn fail(
        &mut self,
        code: u16,
        reason: &'static str,
        out: &mut impl FnMut(WsOut<'_>) -> Step,
    ) -> Step {
        self.failure = Some((code, reason));
        let frame = close_frame(self.policy.server, code, reason);
        let _ = out(WsOut::Failed {
            code,
            reason,
            frame,
        });
        Step::Fail
    }
}

struct Sink<'s, F> {
    a: &'s mut Assembler,
    out: F,
}

impl<F: FnMut(WsOut<'_>) -> Step> FrameSink for Sink<'_, &mut F> {
    fn head(&mut self, head: &FrameHead) -> Step {
        let a = &mut *self.a;
        a.frame = *head;
        let control = head.opcode & 0x8 != 0;
        // RSV1 (bit 2 of `reserved`) marks a compressed message on its first frame only.
        let starts_compressed = head.reserved == 0b100
            && a.inflater.is_some()
            && matches!(head.opcode, OP_TEXT | OP_BINARY);
        if head.reserved != 0 && !starts_compressed {
            return a.fail(
                CLOSE_PROTOCOL,
                "reserved bits set without an extension",
                &mut *self.out,
            );
        }
        if !matches!(head.opcode, 0x0..=0x2 | 0x8..=0xA) {
            return a.fail(CLOSE_PROTOCOL, "a reserved opcode", &mut *self.out);
        }
        if head.mask.is_some() != a.policy.server {
            let why = if a.policy.server {
                "a client frame that is not masked"
            } else {
                "a server frame that is masked"
            };
            return a.fail(CLOSE_PROTOCOL, why, &mut *self.out);
        }
        if control {
            if !head.fin || head.len > 125 {
                return a.fail(
                    CLOSE_PROTOCOL,
                    "a fragmented or oversize control frame",
                    &mut *self.out,
                );
            }
            a.control.clear();
            return Step::Continue;
        }
        match (head.opcode, &a.message) {
            (0x0, None) => a.fail(
                CLOSE_PROTOCOL,
                "a continuation with no message",
                &mut *self.out,
            ),
            (0x1 | 0x2, Some(_)) => a.fail(
                CLOSE_PROTOCOL,
                "a new message inside a fragmented one",
                &mut *self.out,
            ),
            _ => {
                let have = a.message.as_ref().map_or(0, |(_, m)| m.len());
                if have as u64 + head.len > a.policy.max_message as u64 {
                    return a.fail(
                        CLOSE_TOO_BIG,
                        "a message over the size limit",
                        &mut *self.out,
                    );
                }
                if head.opcode != 0x0 {
                    a.message = Some((head.opcode, Vec::new()));
                    a.compressed = starts_compressed;
                }
                Step::Continue
            }
        }
    }

    fn body(&mut self, data: &[u8]) -> Step {
        let a = &mut *self.a;
        if a.frame.opcode & 0x8 != 0 {
            a.control.extend_from_slice(data);
        } else if let Some((_, m)) = a.message.as_mut() {
            m.extend_from_slice(data);
        }
        Step::Continue
    }

    fn complete(&mut self) -> Step {
        let a = &mut *self.a;
        let server = a.policy.server;
        match a.frame.opcode {
            OP_PING => {
                let pong = frame(server, OP_PONG, &a.control);
                if (self.out)(WsOut::Reply(pong)) == Step::Fail {
                    return Step::Fail;
                }
                let control = std::mem::take(&mut a.control);
                let step = (self.out)(WsOut::Message {
                    opcode: OP_PING,
                    data: &control,
                });
                a.control = control;
                step
            }
            OP_PONG => {
                let control = std::mem::take(&mut a.control);
                let step = (self.out)(WsOut::Message {
                    opcode: OP_PONG,
                    data: &control,
                });
                a.control = control;
                step
            }
            OP_CLOSE => {
                let payload = std::mem::take(&mut a.control);
                let code = match payload.len() {
                    0 => None,
                    1 => {
                        return a.fail(
                            CLOSE_PROTOCOL,
                            "a close payload of one byte",
                            &mut *self.out,
                        )
                    }
                    _ => Some(u16::from_be_bytes([payload[0], payload[1]])),
                };
                if let Some(c) = code {
                    if !valid_close_code(c) || std::str::from_utf8(&payload[2..]).is_err() {
                        return a.fail(
                            CLOSE_PROTOCOL,
                            "a close code or reason not allowed",
                            &mut *self.out,
                        );
                    }
                }
                if (self.out)(WsOut::Message {
                    opcode: OP_CLOSE,
                    data: &payload,
                }) == Step::Fail
                {
                    return Step::Fail;
                }
                // Answer with the same code (RFC 6455 section 5.5.1), then we are done.
                let answer = frame(server, OP_CLOSE, &payload[..payload.len().min(2)]);
                a.closed = true;
                let _ = (self.out)(WsOut::Reply(answer));
                let _ = (self.out)(WsOut::Closed);
                Step::Pause
            }
            _ if a.frame.fin => {
                let Some((opcode, mut message)) = a.message.take() else {
                    return Step::Continue;
                };
                if std::mem::take(&mut a.compressed) {
                    let inflater = a.inflater.as_mut().expect("set when RSV1 was accepted");
                    message = match inflater.inflate(&message, a.policy.max_message) {
                        Ok(m) => m,
                        Err(InflateError::TooBig) => {
                            return a.fail(
                                CLOSE_TOO_BIG,
                                "a message that inflates over the size limit",
                                &mut *self.out,
                            )
                        }
                        Err(InflateError::Corrupt) => {
                            return a.fail(
                                CLOSE_BAD_DATA,
                                "a compressed message that does not inflate",
                                &mut *self.out,
                            )
                        }
                    };
                }
                if opcode == OP_TEXT && std::str::from_utf8(&message).is_err() {
                    return a.fail(
                        CLOSE_BAD_DATA,
                        "a text message that is not UTF-8",
                        &mut *self.out,
                    );
                }
                (self.out)(WsOut::Message {
                    opcode,
                    data: &message,
                })
            }
            _ => Step::Continue,
        }
    }
}

#[cfg(test)]
mod tests;
