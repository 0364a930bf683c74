//! Reliable UDP (HP-Socket's ARQ components): KCP over the UDP transports.

pub mod kcp;
pub mod session;

pub use session::ArqSession;

/// A new random, non-zero conversation id (HP-Socket's `GenerateConversationID`).
pub(crate) fn conversation_id() -> u32 {
    loop {
        let mut b = [0u8; 4];
        if openssl::rand::rand_bytes(&mut b).is_err() {
            // OpenSSL's generator failing is not worth a connection: fall back on the clock
            // and a counter, which keep ids distinct, if guessable.
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            return t ^ NEXT.fetch_add(0x9E37_79B9, std::sync::atomic::Ordering::Relaxed) | 1;
        }
        let id = u32::from_le_bytes(b);
        if id != 0 {
            return id;
        }
    }
}
