//! One ARQ connection, sans-IO: HP-Socket's 12-byte handshake, then KCP. The worker feeds it
//! datagrams ([`ArqSession::receive`]) and clock ticks ([`ArqSession::tick`]); any thread
//! sends through it ([`ArqSession::send`]); every datagram it produces goes to the output
//! closure the caller passes.
//!
//! The handshake (HP-Socket's `TArqCmd`, little-endian): `u16 magic 0xBB4F, u8 cmd 1, u8 flag
//! (1: "I am ready"), u32 self id, u32 peer id`. Each side repeats its own with the peer id
//! learnt so far (0 until known) at `min(interval × n, 2000)` ms; a handshake naming our id
//! as the peer's makes the session ready. KCP segments carry each side's own conversation id,
//! and HP-Socket's KCP ignores the id of what it receives, as this one does.
//!
//! Extension: a side configured for partial reliability sets the flag bit `FLAG_PARTIAL`
//! in every handshake it sends; when both sides set it, KCP's `CMD_SKIP` tombstones are on
//! and messages may be sent with a deadline or a retransmit limit ([`ArqSession::send_ex`]).
//! A side not configured for it sends HP-Socket's handshake unchanged.

use super::kcp::{Kcp, OVERHEAD};
use crate::config::ArqConfig;

/// The handshake's magic number.
pub const MAGIC: u16 = 0xBB4F;
/// The handshake command.
pub const CMD_HANDSHAKE: u8 = 0x01;
/// The handshake flag "I am ready".
pub const FLAG_COMPLETE: u8 = 0x01;
/// Extension: the handshake flag "I take partial reliability (KCP's `CMD_SKIP`)".
pub const FLAG_PARTIAL: u8 = 0x02;
/// A handshake's size.
pub const HANDSHAKE_LEN: usize = 12;
/// The longest pause between two handshakes, ms.
const MAX_HANDSHAKE_INTERVAL: u32 = 2000;

/// A parsed handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handshake {
    /// `FLAG_COMPLETE`, `FLAG_PARTIAL`, both or 0.
    pub flag: u8,
    /// The sender's conversation id.
    pub self_id: u32,
    /// The id the sender knows for us (0: none yet).
    pub peer_id: u32,
}

impl Handshake {
    /// The 12 bytes.
    pub fn encode(&self) -> [u8; HANDSHAKE_LEN] {
        let mut b = [0u8; HANDSHAKE_LEN];
        b[0..2].copy_from_slice(&MAGIC.to_le_bytes());
        b[2] = CMD_HANDSHAKE;
        b[3] = self.flag;
        b[4..8].copy_from_slice(&self.self_id.to_le_bytes());
        b[8..12].copy_from_slice(&self.peer_id.to_le_bytes());
        b
    }

    /// Parses 12 bytes; `None` for a wrong magic, command or flag bits.
    pub fn parse(b: &[u8]) -> Option<Handshake> {
        let b: &[u8; HANDSHAKE_LEN] = b.try_into().ok()?;
        let magic = u16::from_le_bytes([b[0], b[1]]);
        if magic != MAGIC || b[2] != CMD_HANDSHAKE || b[3] & !(FLAG_COMPLETE | FLAG_PARTIAL) != 0 {
            return None;
        }
        Some(Handshake {
            flag: b[3],
            self_id: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            peer_id: u32::from_le_bytes([b[8], b[9], b[10], b[11]]),
        })
    }
}

/// What a received datagram did.
#[derive(Debug, PartialEq, Eq)]
pub enum Inbound {
    /// Nothing to report.
    Nothing,
    /// The handshake completed: fire `OnHandShake`.
    Ready,
    /// Whole messages, in order: fire `OnReceive` for each.
    Messages(Vec<Vec<u8>>),
}

/// Why a session fails; each maps to the `errno` of `OnClose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A datagram that is neither a handshake nor KCP, or KCP refused it (`EBADMSG`).
    BadData,
    /// The peer's ids do not match ours (`ECONNRESET`).
    Reset,
    /// The handshake took longer than `handshake_timeout` (`ETIMEDOUT`).
    Timeout,
}

impl Failure {
    /// The `errno` reported.
    pub fn errno(self) -> i32 {
        match self {
            Failure::BadData => libc::EBADMSG,
            Failure::Reset => libc::ECONNRESET,
            Failure::Timeout => libc::ETIMEDOUT,
        }
    }
}

/// One ARQ connection.
#[derive(Debug)]
pub struct ArqSession {
    kcp: Kcp,
    ready: bool,
    self_id: u32,
    peer_id: u32,
    created_ms: u32,
    next_handshake_ms: u32,
    handshakes_sent: u32,
    /// The peer said it is ready too: no more handshakes to send.
    peer_ready: bool,
    handshake_timeout: u32,
    interval: u32,
    max_message_size: usize,
    /// A message being taken from KCP (reused).
    message: Vec<u8>,
    /// Extension: we offer partial reliability.
    offer_partial: bool,
    /// Extension: the peer offered it.
    peer_partial: bool,
    /// Segments arrived since the last flush: acks are owed.
    owed: bool,
}

/// Milliseconds between two clock readings, as HP-Socket's `GetTimeGap32`.
fn gap(from: u32, to: u32) -> u32 {
    to.wrapping_sub(from)
}

impl ArqSession {
    /// A session with our id `self_id` (random, non-zero), configured by `config` for
    /// datagrams of `max_datagram_size`, created at `now_ms`.
    pub fn new(self_id: u32, config: &ArqConfig, max_datagram_size: u32, now_ms: u32) -> Self {
        let mut kcp = Kcp::new(self_id);
        kcp.accept_any_conv(true);
        kcp.set_nodelay(
            i32::from(config.no_delay),
            config.flush_interval as i32,
            config.resend_by_acks as i32,
            i32::from(config.turnoff_congest_ctrl),
        );
        kcp.set_wndsize(config.send_wnd_size, config.recv_wnd_size);
        kcp.set_mtu(config.mtu(max_datagram_size));
        kcp.set_min_rto(config.min_rto);
        kcp.set_fast_limit(config.fast_limit as i32);
        ArqSession {
            kcp,
            ready: false,
            self_id,
            peer_id: 0,
            created_ms: now_ms,
            next_handshake_ms: now_ms,
            handshakes_sent: 0,
            peer_ready: false,
            handshake_timeout: config.handshake_timeout,
            interval: config.flush_interval.clamp(10, 5000),
            max_message_size: config.max_message_size as usize,
            message: Vec::new(),
            owed: false,
            offer_partial: config.partial_reliability,
            peer_partial: false,
        }
    }

    /// The handshake completed.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Messages queued or in flight (`GetWaitingSendMessageCount`).
    pub fn waiting(&self) -> usize {
        self.kcp.wait_snd()
    }

    /// The clock ticked: handshakes while not ready (or until the peer is), KCP's update
    /// after. `Err` when the handshake timed out.
    pub fn tick(&mut self, now_ms: u32, output: &mut impl FnMut(&[u8])) -> Result<(), Failure> {
        if !self.ready || !self.peer_ready {
            self.handshake(now_ms, output)?;
        }
        if self.ready {
            self.kcp.update(now_ms, output);
        }
        Ok(())
    }

    /// Sends the next handshake when it is due.
    fn handshake(&mut self, now_ms: u32, output: &mut impl FnMut(&[u8])) -> Result<(), Failure> {
        if !self.ready && gap(self.created_ms, now_ms) > self.handshake_timeout {
            return Err(Failure::Timeout);
        }
        if (gap(self.next_handshake_ms, now_ms) as i32) < 0 {
            return Ok(());
        }
        self.handshakes_sent += 1;
        let wait = self
            .interval
            .saturating_mul(self.handshakes_sent)
            .min(MAX_HANDSHAKE_INTERVAL);
        self.next_handshake_ms = now_ms.wrapping_add(wait);
        let packet = Handshake {
            flag: if self.ready { FLAG_COMPLETE } else { 0 }
                | if self.offer_partial { FLAG_PARTIAL } else { 0 },
            self_id: self.self_id,
            peer_id: self.peer_id,
        };
        output(&packet.encode());
        Ok(())
    }

    /// One datagram from the peer.
    pub fn receive(
        &mut self,
        data: &[u8],
        now_ms: u32,
        output: &mut impl FnMut(&[u8]),
    ) -> Result<Inbound, Failure> {
        if data.len() >= OVERHEAD {
            return self.receive_segments(data, now_ms);
        }
        if data.len() != HANDSHAKE_LEN {
            return Err(Failure::BadData);
        }
        let Some(hs) = Handshake::parse(data) else {
            return Err(Failure::BadData);
        };
        if self.ready {
            let reset = hs.self_id != self.peer_id
                || (hs.peer_id != self.self_id
                    && (hs.peer_id != 0
                        || gap(self.created_ms, now_ms) > 2 * self.handshake_timeout));
            if reset {
                return Err(Failure::Reset);
            }
        } else {
            if self.peer_id == 0 {
                self.peer_id = hs.self_id;
                self.next_handshake_ms = now_ms;
                self.handshakes_sent = 0;
            } else if hs.self_id != self.peer_id {
                return Err(Failure::Reset);
            }
            if hs.peer_id == self.self_id {
                self.ready = true;
                // The peer's handshakes all carry its offer: this one decides.
                self.peer_partial = hs.flag & FLAG_PARTIAL != 0;
                self.kcp.set_skips(self.offer_partial && self.peer_partial);
                // KCP's clock starts now, so a send right after the handshake flushes.
                self.kcp.update(now_ms, output);
                return Ok(Inbound::Ready);
            }
            if hs.peer_id != 0 {
                return Err(Failure::Reset);
            }
        }
        if hs.flag & FLAG_COMPLETE != 0 {
            self.peer_ready = true;
        }
        if !self.peer_ready || !self.ready {
            self.handshake(now_ms, output)?;
        }
        Ok(Inbound::Nothing)
    }

    fn receive_segments(&mut self, data: &[u8], now_ms: u32) -> Result<Inbound, Failure> {
        if !self.ready {
            // Segments before the handshake completed are ignored, as in HP-Socket.
            return Ok(Inbound::Nothing);
        }
        self.kcp.set_current(now_ms);
        self.kcp.input(data).map_err(|_| Failure::BadData)?;
        // The acks wait for `flush`: the caller flushes once per read batch, so the acks of
        // many datagrams share one datagram (ikcp's flush puts every pending ack in one), and
        // an answer sent from `on_receive` before that carries them in its own.
        self.owed = true;
        let mut messages = Vec::new();
        while self.kcp.recv(&mut self.message) {
            messages.push(std::mem::take(&mut self.message));
        }
        if messages.is_empty() {
            return Ok(Inbound::Nothing);
        }
        Ok(Inbound::Messages(messages))
    }

    /// Acks are owed since segments arrived: the caller is to `flush`.
    pub fn owes_flush(&self) -> bool {
        self.owed
    }

    /// Writes what is due now: acks, and segments the window lets out.
    pub fn flush(&mut self, now_ms: u32, output: &mut impl FnMut(&[u8])) {
        self.owed = false;
        self.kcp.set_current(now_ms);
        self.kcp.flush(output);
    }

    /// Extension: both sides offered partial reliability (known once ready).
    pub fn is_partial(&self) -> bool {
        self.kcp.skips()
    }

    /// Extension: the messages given up since the last call: (id, size in bytes).
    pub fn take_dropped(&mut self) -> Vec<(u32, usize)> {
        self.kcp.take_dropped()
    }

    /// Extension: messages received and skipped because the peer gave them up.
    pub fn skipped(&self) -> u64 {
        self.kcp.skipped()
    }

    /// Extension: sends one message that is given up `deadline_ms` after now (0: never) or
    /// once one of its segments would be retransmitted more than `max_retransmits` times
    /// (`None`: no limit); returns its id (0 for a message with neither limit, sent as
    /// `send` does). Refused as `send` is, and with `NotNegotiated` when a limit is asked
    /// and the peer did not offer partial reliability.
    pub fn send_ex(
        &mut self,
        message: &[u8],
        now_ms: u32,
        deadline_ms: u32,
        max_retransmits: Option<u32>,
        output: &mut impl FnMut(&[u8]),
    ) -> Result<u32, SendRefused> {
        if deadline_ms == 0 && max_retransmits.is_none() {
            return self.send(message, now_ms, output).map(|()| 0);
        }
        if !self.ready {
            return Err(SendRefused::NotReady);
        }
        if message.is_empty() || message.len() > self.max_message_size {
            return Err(SendRefused::Size);
        }
        if !self.kcp.skips() {
            return Err(SendRefused::NotNegotiated);
        }
        let deadline = (deadline_ms > 0).then(|| now_ms.wrapping_add(deadline_ms));
        let id = self
            .kcp
            .send_limited(message, deadline, max_retransmits)
            .map_err(|_| SendRefused::Size)?;
        self.owed = false;
        self.kcp.set_current(now_ms);
        self.kcp.flush(output);
        Ok(id)
    }

    /// Sends one message: refused when the session is not ready, or the message is empty or
    /// larger than `max_message_size`.
    pub fn send(
        &mut self,
        message: &[u8],
        now_ms: u32,
        output: &mut impl FnMut(&[u8]),
    ) -> Result<(), SendRefused> {
        if !self.ready {
            return Err(SendRefused::NotReady);
        }
        if message.is_empty() || message.len() > self.max_message_size {
            return Err(SendRefused::Size);
        }
        self.kcp.send(message).map_err(|_| SendRefused::Size)?;
        self.owed = false;
        self.kcp.set_current(now_ms);
        self.kcp.flush(output);
        Ok(())
    }
}

/// Why [`ArqSession::send`] refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRefused {
    /// The handshake has not completed.
    NotReady,
    /// Empty, or larger than `max_message_size`.
    Size,
    /// Extension: a deadline or a retransmit limit, and partial reliability was not agreed.
    NotNegotiated,
}

impl SendRefused {
    /// The errno a refused send reports.
    pub fn errno(self) -> i32 {
        match self {
            SendRefused::NotReady => libc::ENOTCONN,
            SendRefused::Size => libc::EMSGSIZE,
            SendRefused::NotNegotiated => libc::EOPNOTSUPP,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two sessions wired back to back, with a clock and an optional loss pattern.
    fn pair(config: &ArqConfig) -> (ArqSession, ArqSession) {
        (
            ArqSession::new(0x1111, config, 1432, 0),
            ArqSession::new(0x2222, config, 1432, 0),
        )
    }

    /// Runs both sessions until `done` or 20 s of simulated time; datagrams are delivered
    /// after 5 ms; `drop(n)` drops the n-th datagram.
    fn run(
        a: &mut ArqSession,
        b: &mut ArqSession,
        drop: impl Fn(usize) -> bool,
        mut done: impl FnMut(&[Inbound], &[Inbound]) -> bool,
    ) -> (Vec<Inbound>, Vec<Inbound>) {
        let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
        let mut wire: Vec<(u32, bool, Vec<u8>)> = Vec::new();
        let mut n = 0;
        for now in (0..20_000).step_by(5) {
            let mut out_a = Vec::new();
            let mut out_b = Vec::new();
            a.tick(now, &mut |d: &[u8]| out_a.push(d.to_vec())).unwrap();
            b.tick(now, &mut |d: &[u8]| out_b.push(d.to_vec())).unwrap();
            let mut i = 0;
            while i < wire.len() {
                if wire[i].0 <= now {
                    let (_, to_b, d) = wire.remove(i);
                    let (s, out, got) = if to_b {
                        (&mut *b, &mut out_b, &mut got_b)
                    } else {
                        (&mut *a, &mut out_a, &mut got_a)
                    };
                    let r = s
                        .receive(&d, now, &mut |x: &[u8]| out.push(x.to_vec()))
                        .unwrap();
                    if r != Inbound::Nothing {
                        got.push(r);
                    }
                } else {
                    i += 1;
                }
            }
            // The read batch ended: owed acks go out.
            if a.owes_flush() {
                a.flush(now, &mut |x: &[u8]| out_a.push(x.to_vec()));
            }
            if b.owes_flush() {
                b.flush(now, &mut |x: &[u8]| out_b.push(x.to_vec()));
            }
            for (to_b, out) in [(true, out_a), (false, out_b)] {
                for d in out {
                    n += 1;
                    if !drop(n) {
                        wire.push((now + 5, to_b, d));
                    }
                }
            }
            if done(&got_a, &got_b) {
                break;
            }
        }
        (got_a, got_b)
    }

    #[test]
    fn handshakes_encode_and_parse_as_hp_socket_lays_them_out() {
        let h = Handshake {
            flag: FLAG_COMPLETE,
            self_id: 0x0403_0201,
            peer_id: 0x0807_0605,
        };
        assert_eq!(h.encode(), [0x4F, 0xBB, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(Handshake::parse(&h.encode()), Some(h));
        assert_eq!(Handshake::parse(&[0; 12]), None);
        let mut bad_flag = h.encode();
        bad_flag[3] = 4;
        assert_eq!(Handshake::parse(&bad_flag), None);
    }

    #[test]
    fn both_sides_become_ready_then_messages_flow_both_ways() {
        let config = ArqConfig::default();
        let (mut a, mut b) = pair(&config);
        let (ga, gb) = run(
            &mut a,
            &mut b,
            |_| false,
            |ga, gb| ga.contains(&Inbound::Ready) && gb.contains(&Inbound::Ready),
        );
        assert_eq!(ga, [Inbound::Ready]);
        assert_eq!(gb, [Inbound::Ready]);
        assert!(a.send(b"", 0, &mut |_: &[u8]| {}).is_err());
        assert_eq!(
            a.send(&vec![0; 4097], 200, &mut |_: &[u8]| {}),
            Err(SendRefused::Size)
        );
        let big: Vec<u8> = (0..4096u32).map(|i| i as u8).collect();
        let mut first = Vec::new();
        a.send(&big, 200, &mut |d: &[u8]| first.push(d.to_vec()))
            .unwrap();
        b.send(b"back", 200, &mut |_: &[u8]| {}).unwrap();
        // KCP's window opens one segment at a time: let the clock run until both arrive.
        let (ga, gb) = run(
            &mut a,
            &mut b,
            |_| false,
            |ga, gb| !ga.is_empty() && !gb.is_empty(),
        );
        assert_eq!(ga, [Inbound::Messages(vec![b"back".to_vec()])]);
        assert!(
            matches!(&gb[..], [Inbound::Messages(m)] if m.len() == 1 && m[0] == big),
            "{} inbound events at b",
            gb.len()
        );
    }

    #[test]
    fn an_answer_from_on_receive_carries_the_acks_in_one_datagram() {
        let config = ArqConfig {
            no_delay: true,
            turnoff_congest_ctrl: true,
            ..ArqConfig::default()
        };
        let (mut a, mut b) = pair(&config);
        run(
            &mut a,
            &mut b,
            |_| false,
            |ga, gb| ga.contains(&Inbound::Ready) && gb.contains(&Inbound::Ready),
        );
        let mut wire = Vec::new();
        a.send(b"ping", 300, &mut |d: &[u8]| wire.push(d.to_vec()))
            .unwrap();
        assert_eq!(wire.len(), 1);
        // b receives the message: no datagram yet (the ack waits for the answer)...
        let mut out = Vec::new();
        let got = b.receive(&wire[0], 301, &mut |d: &[u8]| out.push(d.to_vec()));
        assert_eq!(got, Ok(Inbound::Messages(vec![b"ping".to_vec()])));
        assert!(out.is_empty(), "{} datagrams before the answer", out.len());
        // ...the answer goes with the ack, and the flush after delivery has nothing left.
        b.send(b"pong", 301, &mut |d: &[u8]| out.push(d.to_vec()))
            .unwrap();
        b.flush(301, &mut |d: &[u8]| out.push(d.to_vec()));
        assert_eq!(out.len(), 1, "one datagram: ack and answer");
        assert_eq!(out[0].len(), 2 * OVERHEAD + 4);
        // Without an answer the flush after delivery sends the ack alone.
        a.send(b"again", 302, &mut |d: &[u8]| wire.push(d.to_vec()))
            .unwrap();
        let mut acks = Vec::new();
        b.receive(&wire[1], 303, &mut |d: &[u8]| acks.push(d.to_vec()))
            .unwrap();
        b.flush(303, &mut |d: &[u8]| acks.push(d.to_vec()));
        assert_eq!(acks.len(), 1);
        assert_eq!(acks[0].len(), OVERHEAD);
    }

    #[test]
    fn the_acks_of_one_read_batch_share_one_datagram() {
        let config = ArqConfig {
            no_delay: true,
            turnoff_congest_ctrl: true,
            ..ArqConfig::default()
        };
        let (mut a, mut b) = pair(&config);
        run(
            &mut a,
            &mut b,
            |_| false,
            |ga, gb| ga.contains(&Inbound::Ready) && gb.contains(&Inbound::Ready),
        );
        // Three messages of one segment each, three datagrams (one flush each).
        let mut wire = Vec::new();
        for m in [&b"one"[..], b"two", b"three"] {
            a.send(m, 300, &mut |d: &[u8]| wire.push(d.to_vec()))
                .unwrap();
        }
        assert_eq!(wire.len(), 3);
        let mut out = Vec::new();
        for d in &wire {
            b.receive(d, 301, &mut |x: &[u8]| out.push(x.to_vec()))
                .unwrap();
        }
        assert!(out.is_empty(), "no ack before the batch ends");
        assert!(b.owes_flush());
        b.flush(301, &mut |x: &[u8]| out.push(x.to_vec()));
        assert!(!b.owes_flush());
        assert_eq!(out.len(), 1, "one datagram for the batch");
        assert_eq!(out[0].len(), 3 * OVERHEAD, "three acks in it");
        // Stock ikcp's rules take them: all three segments leave a's send buffer.
        assert_eq!(a.waiting(), 3);
        a.receive(&out[0], 302, &mut |_: &[u8]| {}).unwrap();
        assert_eq!(a.waiting(), 0);
    }

    #[test]
    fn the_handshake_survives_lost_packets_and_times_out_alone() {
        let config = ArqConfig::default();
        let (mut a, mut b) = pair(&config);
        let (ga, gb) = run(
            &mut a,
            &mut b,
            |n| n % 3 == 1,
            |ga, gb| ga.contains(&Inbound::Ready) && gb.contains(&Inbound::Ready),
        );
        assert!(ga.contains(&Inbound::Ready) && gb.contains(&Inbound::Ready));
        let mut alone = ArqSession::new(5, &config, 1432, 0);
        let mut t = 0;
        let failed = loop {
            t += 60;
            if let Err(e) = alone.tick(t, &mut |_: &[u8]| {}) {
                break e;
            }
        };
        assert_eq!(failed, Failure::Timeout);
        assert!(t > 5000 && t <= 5060);
    }

    #[test]
    fn wrong_ids_and_garbage_fail_the_session() {
        let config = ArqConfig::default();
        let mut s = ArqSession::new(1, &config, 1432, 0);
        let mut out = |_: &[u8]| {};
        assert_eq!(s.receive(&[1, 2, 3], 0, &mut out), Err(Failure::BadData));
        let hs = Handshake {
            flag: 0,
            self_id: 9,
            peer_id: 0,
        }
        .encode();
        assert_eq!(s.receive(&hs, 0, &mut out), Ok(Inbound::Nothing));
        let other = Handshake {
            flag: 0,
            self_id: 10,
            peer_id: 0,
        }
        .encode();
        assert_eq!(s.receive(&other, 0, &mut out), Err(Failure::Reset));
        let wrong_peer = Handshake {
            flag: 0,
            self_id: 9,
            peer_id: 77,
        }
        .encode();
        assert_eq!(s.receive(&wrong_peer, 0, &mut out), Err(Failure::Reset));
    }

    /// One side's events in `lossy`: messages delivered and messages given up.
    #[derive(Default)]
    struct Side {
        got: Vec<Vec<u8>>,
        ready: bool,
    }

    /// Runs both sessions from `from` ms to `until` ms in 5 ms steps; datagrams take 5 ms;
    /// `drop(now, to_b, n)` drops the n-th datagram sent; `at(now, a, b)` may send.
    #[allow(clippy::too_many_arguments)]
    fn lossy(
        a: &mut ArqSession,
        b: &mut ArqSession,
        from: u32,
        until: u32,
        sa: &mut Side,
        sb: &mut Side,
        mut drop: impl FnMut(u32, bool, usize) -> bool,
        mut at: impl FnMut(u32, &mut ArqSession, &mut ArqSession),
    ) {
        let mut wire: Vec<(u32, bool, Vec<u8>)> = Vec::new();
        let mut n = 0;
        for now in (from..until).step_by(5) {
            let (mut out_a, mut out_b) = (Vec::new(), Vec::new());
            at(now, a, b);
            a.tick(now, &mut |d: &[u8]| out_a.push(d.to_vec())).unwrap();
            b.tick(now, &mut |d: &[u8]| out_b.push(d.to_vec())).unwrap();
            let (due, later): (Vec<_>, Vec<_>) = wire.into_iter().partition(|w| w.0 <= now);
            wire = later;
            for (_, to_b, d) in due {
                let (s, out, side) = if to_b {
                    (&mut *b, &mut out_b, &mut *sb)
                } else {
                    (&mut *a, &mut out_a, &mut *sa)
                };
                match s.receive(&d, now, &mut |x: &[u8]| out.push(x.to_vec())) {
                    Ok(Inbound::Ready) => side.ready = true,
                    Ok(Inbound::Messages(m)) => side.got.extend(m),
                    Ok(Inbound::Nothing) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
            if a.owes_flush() {
                a.flush(now, &mut |x: &[u8]| out_a.push(x.to_vec()));
            }
            if b.owes_flush() {
                b.flush(now, &mut |x: &[u8]| out_b.push(x.to_vec()));
            }
            for (to_b, out) in [(true, out_a), (false, out_b)] {
                for d in out {
                    n += 1;
                    if !drop(now, to_b, n) {
                        wire.push((now + 5, to_b, d));
                    }
                }
            }
        }
    }

    /// A fixed pseudo-random 30% of the datagrams.
    fn thirty_percent(n: usize) -> bool {
        (n as u32).wrapping_mul(2_654_435_761) >> 22 & 1023 < 307
    }

    fn partial_config() -> ArqConfig {
        ArqConfig {
            no_delay: true,
            flush_interval: 10,
            resend_by_acks: 2,
            turnoff_congest_ctrl: true,
            partial_reliability: true,
            ..ArqConfig::default()
        }
    }

    #[test]
    fn partial_reliability_is_offered_by_a_flag_bit_and_needs_both_sides() {
        let on = partial_config();
        let off = ArqConfig {
            partial_reliability: false,
            ..on
        };
        for (ca, cb, agreed) in [(&on, &on, true), (&on, &off, false), (&off, &on, false)] {
            let mut a = ArqSession::new(0x1111, ca, 1432, 0);
            let mut b = ArqSession::new(0x2222, cb, 1432, 0);
            let mut first = Vec::new();
            b.tick(0, &mut |d: &[u8]| first.push(d.to_vec())).unwrap();
            // Without the setting, the handshake is HP-Socket's: flag 0 until ready.
            let expect = if cb.partial_reliability {
                FLAG_PARTIAL
            } else {
                0
            };
            assert_eq!(first[0][3], expect);
            let (mut sa, mut sb) = (Side::default(), Side::default());
            lossy(
                &mut a,
                &mut b,
                0,
                500,
                &mut sa,
                &mut sb,
                |_, _, _| false,
                |_, _, _| {},
            );
            assert!(sa.ready && sb.ready);
            assert_eq!((a.is_partial(), b.is_partial()), (agreed, agreed));
            let sent = a.send_ex(b"x", 500, 100, None, &mut |_: &[u8]| {});
            if agreed {
                assert_eq!(sent, Ok(1));
            } else {
                assert_eq!(sent, Err(SendRefused::NotNegotiated));
                // Without limits it is a plain send.
                assert_eq!(a.send_ex(b"x", 500, 0, None, &mut |_: &[u8]| {}), Ok(0));
            }
        }
    }

    #[test]
    fn a_message_past_its_deadline_is_reported_once_and_skipped_under_30_percent_loss() {
        let config = partial_config();
        let (mut a, mut b) = pair(&config);
        let (mut sa, mut sb) = (Side::default(), Side::default());
        lossy(
            &mut a,
            &mut b,
            0,
            500,
            &mut sa,
            &mut sb,
            |_, _, n| thirty_percent(n),
            |_, _, _| {},
        );
        assert!(sa.ready && sb.ready);
        let msg = |tag: u8, len: usize| -> Vec<u8> { (0..len).map(|i| tag ^ i as u8).collect() };
        let mut ids = Vec::new();
        let mut dropped = Vec::new();
        // From 500 to 700 ms nothing reaches b: the deadline (100 ms) of the second message
        // and the retransmit limit (0) of the fourth pass while they are in flight; both are
        // 3 segments long. Then 30% loss each way.
        lossy(
            &mut a,
            &mut b,
            500,
            8000,
            &mut sa,
            &mut sb,
            |now, to_b, n| (to_b && now < 700) || thirty_percent(n),
            |now, a, _| {
                let out = &mut |_: &[u8]| {};
                if now == 500 {
                    ids.push(a.send_ex(&msg(1, 3000), now, 0, None, out).unwrap());
                    ids.push(a.send_ex(&msg(2, 3000), now, 100, None, out).unwrap());
                    ids.push(a.send_ex(&msg(3, 3000), now, 0, None, out).unwrap());
                    ids.push(a.send_ex(&msg(4, 3000), now, 0, Some(0), out).unwrap());
                    ids.push(a.send_ex(&msg(5, 10), now, 5000, Some(50), out).unwrap());
                }
                if now == 1000 {
                    ids.push(a.send_ex(&msg(6, 4000), now, 0, None, out).unwrap());
                }
                dropped.extend(a.take_dropped());
            },
        );
        dropped.extend(a.take_dropped());
        assert_eq!(ids, [0, 1, 0, 2, 3, 0]);
        assert_eq!(
            dropped,
            [(1, 3000), (2, 3000)],
            "each given-up message reported once"
        );
        assert_eq!(
            sb.got,
            [msg(1, 3000), msg(3, 3000), msg(5, 10), msg(6, 4000)],
            "the others whole and in order"
        );
        assert_eq!(b.skipped(), 2);
        assert_eq!(a.waiting(), 0, "tombstones acknowledged too");
    }
}
