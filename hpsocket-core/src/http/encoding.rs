//! Response compression on request (an extension): the coding a request's
//! `Accept-Encoding` prefers among those the library writes (gzip, br), and the encoding
//! itself, on the thread that sends the response.

use std::io::Write;

/// A content coding the library writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// gzip (RFC 1952), level 6.
    Gzip,
    /// Brotli (RFC 7932), quality 4: close to gzip's speed with a better ratio.
    Br,
}

impl Coding {
    /// Its token in `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Br => "br",
        }
    }
}

/// The coding `accept` (an `Accept-Encoding` value) prefers: the highest q-value among gzip
/// and br (`*` stands for both, an explicit entry wins over it; q=0 refuses), gzip on a tie.
/// `None` when neither is acceptable.
pub fn choose(accept: &str) -> Option<Coding> {
    let (mut gzip, mut br, mut any) = (None, None, None);
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let mut q = 1.0f32;
        for p in parts {
            if let Some(v) = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")) {
                q = v.trim().parse().unwrap_or(0.0);
            }
        }
        match name.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q),
            "br" => br = Some(q),
            "*" => any = Some(q),
            _ => {}
        }
    }
    let gzip = gzip.or(any).unwrap_or(0.0);
    let br = br.or(any).unwrap_or(0.0);
    match (gzip > 0.0, br > 0.0) {
        (false, false) => None,
        _ if br > gzip => Some(Coding::Br),
        _ => Some(Coding::Gzip),
    }
}

/// `body` encoded with `coding`.
pub fn encode(coding: Coding, body: &[u8]) -> Vec<u8> {
    match coding {
        Coding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 3 + 64),
                flate2::Compression::default(),
            );
            // Writing into a Vec cannot fail.
            let _ = e.write_all(body);
            e.finish().unwrap_or_default()
        }
        Coding::Br => {
            let mut out = Vec::with_capacity(body.len() / 3 + 64);
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 4, 22);
                let _ = w.write_all(body);
            }
            out
        }
    }
}

/// Whether a response of `status` carries a body that may be encoded.
pub fn status_has_body(status: u16) -> bool {
    !(100..200).contains(&status) && status != 204 && status != 304
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_preferred_coding_follows_q_values() {
        assert_eq!(choose("gzip, deflate, br"), Some(Coding::Gzip));
        assert_eq!(choose("br;q=1.0, gzip;q=0.8"), Some(Coding::Br));
        assert_eq!(choose("deflate"), None);
        assert_eq!(choose("gzip;q=0, *"), Some(Coding::Br));
        assert_eq!(choose("*;q=0"), None);
        assert_eq!(choose("identity"), None);
        assert_eq!(choose(""), None);
    }

    #[test]
    fn bodies_round_trip() {
        let body = b"Hello, compressed world! ".repeat(400);
        let gz = encode(Coding::Gzip, &body);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, body);
        let br = encode(Coding::Br, &body);
        let mut back = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, body);
        assert!(gz.len() < body.len() / 10 && br.len() < body.len() / 10);
    }
}
