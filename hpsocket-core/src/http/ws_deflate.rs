//! permessage-deflate (RFC 7692) for the WebSocket mode: the negotiation of the extension's
//! parameters in the opening handshake, and per-message compression and decompression.
//! Sans-IO: the handshake gives header values, the codecs take and return bytes.
//!
//! Only what can be honoured is accepted: a window below 9 bits is declined (zlib writes
//! raw deflate with at least a 512-byte window), as is any parameter RFC 7692 does not
//! define. Decompression always uses a 15-bit window, which reads any smaller one.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The extension's name in `Sec-WebSocket-Extensions`.
pub const EXTENSION: &str = "permessage-deflate";

/// What a client offers: the extension, and that it would honour a window the server sets.
pub const CLIENT_OFFER: &str = "permessage-deflate; client_max_window_bits";

/// The tail a sync flush leaves, removed on send and put back on receive (RFC 7692 7.2.1).
const TAIL: [u8; 4] = [0x00, 0x00, 0xFF, 0xFF];

/// The parameters both sides agreed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreed {
    /// The server resets its compressor after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its compressor after each message.
    pub client_no_context_takeover: bool,
    /// The server's compression window, bits (9..=15).
    pub server_max_window_bits: u8,
    /// The client's compression window, bits (9..=15).
    pub client_max_window_bits: u8,
}

impl Default for Agreed {
    fn default() -> Self {
        Agreed {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
        }
    }
}

impl Agreed {
    /// The compressor of our side.
    pub fn deflater(&self, server: bool) -> Deflater {
        let (bits, reset) = if server {
            (self.server_max_window_bits, self.server_no_context_takeover)
        } else {
            (self.client_max_window_bits, self.client_no_context_takeover)
        };
        Deflater {
            stream: Compress::new_with_window_bits(Compression::default(), false, bits),
            reset,
        }
    }

    /// The decompressor of what the peer sends.
    pub fn inflater(&self, server: bool) -> Inflater {
        let reset = if server {
            self.client_no_context_takeover
        } else {
            self.server_no_context_takeover
        };
        Inflater {
            stream: Decompress::new_with_window_bits(false, 15),
            reset,
        }
    }
}

/// One extension of a `Sec-WebSocket-Extensions` value: its name and parameters.
type Extension<'a> = (&'a str, Vec<(&'a str, Option<&'a str>)>);

/// Splits a `Sec-WebSocket-Extensions` value into extensions (comma-separated), each a name
/// and `;`-separated parameters with optional (possibly quoted) values.
fn extensions(value: &str) -> Vec<Extension<'_>> {
    value
        .split(',')
        .filter_map(|ext| {
            let mut parts = ext.split(';').map(str::trim);
            let name = parts.next().filter(|n| !n.is_empty())?;
            let params = parts
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.trim(), Some(v.trim().trim_matches('"'))),
                    None => (p, None),
                })
                .collect();
            Some((name, params))
        })
        .collect()
}

/// A window size parameter's value: 8..=15.
fn window_bits(value: Option<&str>) -> Option<u8> {
    value
        .filter(|v| v.len() <= 2 && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse().ok())
        .filter(|b| (8..=15).contains(b))
}

/// Server: the first acceptable permessage-deflate offer among `offers` (the values of the
/// request's `Sec-WebSocket-Extensions` headers), as the parameters and the response value.
pub fn accept_offer<'a>(offers: impl IntoIterator<Item = &'a str>) -> Option<(Agreed, String)> {
    offers
        .into_iter()
        .flat_map(extensions)
        .filter(|(name, _)| name.eq_ignore_ascii_case(EXTENSION))
        .find_map(|(_, params)| accept_one(&params))
}

fn accept_one(params: &[(&str, Option<&str>)]) -> Option<(Agreed, String)> {
    let mut agreed = Agreed::default();
    let mut response = String::from(EXTENSION);
    let mut seen: Vec<&str> = Vec::new();
    for &(name, value) in params {
        if seen.contains(&name) {
            return None; // RFC 7692 7.1: a repeated parameter declines the offer
        }
        seen.push(name);
        match name {
            "server_no_context_takeover" if value.is_none() => {
                agreed.server_no_context_takeover = true;
                response.push_str("; server_no_context_takeover");
            }
            "client_no_context_takeover" if value.is_none() => {
                agreed.client_no_context_takeover = true;
                response.push_str("; client_no_context_takeover");
            }
            "server_max_window_bits" => {
                // We must compress within the window the client can read.
                let bits = window_bits(value).filter(|&b| b >= 9)?;
                agreed.server_max_window_bits = bits;
                response.push_str(&format!("; server_max_window_bits={bits}"));
            }
            "client_max_window_bits" => {
                // Without a value the client only says it would honour one; with a value it
                // announces its own window. Either way our 15-bit inflater reads it.
                if value.is_some() {
                    agreed.client_max_window_bits = window_bits(value)?;
                }
            }
            _ => return None,
        }
    }
    Some((agreed, response))
}

/// Client: the parameters of the server's answer to [`CLIENT_OFFER`] (the value of its
/// `Sec-WebSocket-Extensions`), or why the answer cannot be accepted.
pub fn accept_response(value: &str) -> Result<Agreed, &'static str> {
    let exts = extensions(value);
    let [(name, params)] = exts.as_slice() else {
        return Err("the server answered with more than one extension");
    };
    if !name.eq_ignore_ascii_case(EXTENSION) {
        return Err("the server answered with an extension that was not offered");
    }
    let mut agreed = Agreed::default();
    let mut seen: Vec<&str> = Vec::new();
    for &(name, value) in params {
        if seen.contains(&name) {
            return Err("the server repeated a permessage-deflate parameter");
        }
        seen.push(name);
        match name {
            "server_no_context_takeover" if value.is_none() => {
                agreed.server_no_context_takeover = true;
            }
            "client_no_context_takeover" if value.is_none() => {
                agreed.client_no_context_takeover = true;
            }
            "server_max_window_bits" => {
                agreed.server_max_window_bits =
                    window_bits(value).ok_or("a bad server_max_window_bits")?;
            }
            "client_max_window_bits" => {
                agreed.client_max_window_bits = window_bits(value)
                    .filter(|&b| b >= 9)
                    .ok_or("a client_max_window_bits this side cannot honour")?;
            }
            _ => return Err("an unknown permessage-deflate parameter"),
        }
    }
    Ok(agreed)
}

/// Compresses whole messages of one side.
pub struct Deflater {
    stream: Compress,
    /// No context takeover: each message starts from an empty window.
    reset: bool,
}

impl std::fmt::Debug for Deflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflater")
            .field("reset", &self.reset)
            .finish()
    }
}

impl Deflater {
    /// The compressed payload of one message (sync-flushed, the tail removed).
    pub fn compress(&mut self, message: &[u8]) -> Vec<u8> {
        if message.is_empty() {
            // An empty stored block (RFC 7692 7.2.3.6); zlib writes nothing for no input.
            return vec![0x00];
        }
        let mut out = Vec::with_capacity(message.len() / 2 + 64);
        let mut input = message;
        loop {
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(64));
            }
            let before = self.stream.total_in();
            // A sync flush with room left in `out` has written everything.
            let _ = self
                .stream
                .compress_vec(input, &mut out, FlushCompress::Sync);
            let used = (self.stream.total_in() - before) as usize;
            input = &input[used..];
            if input.is_empty() && out.capacity() > out.len() {
                break;
            }
        }
        if out.ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
        }
        if self.reset {
            self.stream.reset();
        }
        out
    }
}

/// Why a compressed message could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InflateError {
    /// It inflates to more than the limit.
    TooBig,
    /// It is not valid deflate data.
    Corrupt,
}

/// Decompresses whole messages from the peer.
pub struct Inflater {
    stream: Decompress,
    reset: bool,
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflater")
            .field("reset", &self.reset)
            .finish()
    }
}

impl Inflater {
    /// The message `payload` compresses, at most `limit` bytes.
    pub fn inflate(&mut self, payload: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
        if payload.is_empty() {
            // Not deflate data at all; taken as the empty message rather than feeding the
            // tail alone, which would leave the stream inside a block.
            return Ok(Vec::new());
        }
        let mut out: Vec<u8> = Vec::with_capacity((payload.len() * 3).min(limit) + 64);
        let mut ended = false;
        for mut input in [payload, &TAIL[..]] {
            if ended {
                break; // a final block ended the message; the tail is not part of it
            }
            loop {
                if out.len() > limit {
                    return Err(InflateError::TooBig);
                }
                if out.capacity() == out.len() {
                    // Grow, but never much past the limit: one byte over tells "too big".
                    let room = out.capacity().max(4096).min(limit + 1 - out.len());
                    out.reserve(room.max(1));
                }
                let (before_in, before_out) = (self.stream.total_in(), self.stream.total_out());
                let status = self
                    .stream
                    .decompress_vec(input, &mut out, FlushDecompress::Sync)
                    .map_err(|_| InflateError::Corrupt)?;
                let used = (self.stream.total_in() - before_in) as usize;
                let made = (self.stream.total_out() - before_out) as usize;
                input = &input[used..];
                if status == Status::StreamEnd {
                    // A final block ends the deflate stream: the next message starts a new
                    // one. Bytes after it are not deflate data.
                    self.stream.reset(false);
                    if !input.is_empty() {
                        return Err(InflateError::Corrupt);
                    }
                    ended = true;
                    break;
                }
                if input.is_empty() && out.len() < out.capacity() {
                    break;
                }
                if used == 0 && made == 0 && out.len() < out.capacity() {
                    return Err(InflateError::Corrupt);
                }
            }
        }
        if out.len() > limit {
            return Err(InflateError::TooBig);
        }
        if self.reset {
            self.stream.reset(false);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_offer_is_accepted_with_context_takeover() {
        let (agreed, response) = accept_offer([CLIENT_OFFER]).unwrap();
        assert_eq!(agreed, Agreed::default());
        assert_eq!(response, "permessage-deflate");
    }

    #[test]
    fn parameters_are_echoed_and_bad_offers_fall_through() {
        let offers = ["permessage-deflate; server_max_window_bits=8, \
             permessage-deflate; foo, \
             permessage-deflate; server_no_context_takeover; server_max_window_bits=10; \
             client_no_context_takeover; client_max_window_bits=12"];
        let (agreed, response) = accept_offer(offers).unwrap();
        assert_eq!(
            response,
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; \
             client_no_context_takeover"
        );
        assert!(agreed.server_no_context_takeover && agreed.client_no_context_takeover);
        assert_eq!(
            (agreed.server_max_window_bits, agreed.client_max_window_bits),
            (10, 12)
        );
        assert!(accept_offer(["x-webkit-deflate-frame"]).is_none());
        assert!(
            accept_offer(["permessage-deflate; server_no_context_takeover; \
                               server_no_context_takeover"])
            .is_none()
        );
    }

    #[test]
    fn the_client_checks_the_answer() {
        let a = accept_response("permessage-deflate; client_max_window_bits=12").unwrap();
        assert_eq!(a.client_max_window_bits, 12);
        assert!(accept_response("permessage-deflate; client_max_window_bits=8").is_err());
        assert!(accept_response("permessage-deflate; bogus").is_err());
        assert!(accept_response("other").is_err());
    }

    #[test]
    fn messages_round_trip_with_and_without_context_takeover() {
        for (server_reset, client_reset, bits) in [(false, false, 15), (true, true, 9)] {
            let agreed = Agreed {
                server_no_context_takeover: server_reset,
                client_no_context_takeover: client_reset,
                server_max_window_bits: bits,
                client_max_window_bits: bits,
            };
            let (mut tx, mut rx) = (agreed.deflater(true), agreed.inflater(false));
            // Letters from a small generator: they compress, but do not repeat within.
            let mut x = 1u32;
            let text: Vec<u8> = (0..2000)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    b'a' + (x >> 16) as u8 % 16
                })
                .collect();
            let mut sizes = Vec::new();
            for m in [&text[..], b"", &text[..], &[7u8; 100_000][..]] {
                let wire = tx.compress(m);
                assert!(!wire.ends_with(&TAIL));
                sizes.push(wire.len());
                let got = rx.inflate(&wire, 1 << 20);
                assert_eq!(
                    got.as_deref(),
                    Ok(m),
                    "message {} bytes, wire {:?}",
                    m.len(),
                    &wire[..wire.len().min(8)]
                );
            }
            // With context takeover the repeated message costs almost nothing.
            if server_reset {
                assert_eq!(sizes[2], sizes[0], "{sizes:?}");
            } else {
                assert!(sizes[2] < sizes[0] / 4, "{sizes:?}");
            }
        }
    }

    #[test]
    fn a_bomb_is_stopped_at_the_limit_and_garbage_is_refused() {
        let agreed = Agreed::default();
        let wire = agreed.deflater(false).compress(&vec![0u8; 10 << 20]);
        assert!(wire.len() < 20_000);
        let mut rx = agreed.inflater(true);
        assert_eq!(rx.inflate(&wire, 1 << 20), Err(InflateError::TooBig));
        let exact = agreed.deflater(false).compress(&[1u8; 4096]);
        assert_eq!(
            agreed.inflater(true).inflate(&exact, 4096).unwrap().len(),
            4096
        );
        assert_eq!(
            agreed.inflater(true).inflate(&exact, 4095),
            Err(InflateError::TooBig)
        );
        assert_eq!(
            agreed.inflater(true).inflate(&[0xFF, 0xFF, 0xFF], 100),
            Err(InflateError::Corrupt)
        );
    }
}
