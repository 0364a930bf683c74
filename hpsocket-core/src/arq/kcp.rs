//! KCP (skywind3000's ikcp) as a sans-IO state machine: [`Kcp::input`] takes datagrams,
//! [`Kcp::send`] queues messages, [`Kcp::update`]/[`Kcp::flush`] write segments through the
//! output closure the caller passes, [`Kcp::check`] says when to come back, [`Kcp::recv`]
//! takes whole messages. The segment format (24-byte little-endian header: conv, cmd, frg,
//! wnd, ts, sn, una, len) and every rule (RTO, fast resend, congestion window, window probes,
//! dead link) follow ikcp.c byte for byte, so a peer running stock ikcp interoperates; only
//! the memory is Rust's (queues instead of intrusive lists).
//!
//! Extension (partial reliability, off unless [`Kcp::set_skips`]): a message sent with
//! [`Kcp::send_limited`] may be given up once its deadline passes or a segment of it would be
//! sent more often than allowed. Its segments then stay in the send buffer as tombstones:
//! header-only segments of command `CMD_SKIP` with the same `sn` and `frg`, retransmitted
//! and acknowledged like data, so the receiver's `rcv_nxt` passes them and its `recv` drops
//! the message they belong to whole. Only a peer that said it takes them sees them.

use std::collections::{HashMap, VecDeque};

/// The segment header's size.
pub const OVERHEAD: usize = 24;
const RTO_NDL: u32 = 30;
const RTO_MIN: u32 = 100;
const RTO_DEF: u32 = 200;
const RTO_MAX: u32 = 60_000;
const CMD_PUSH: u8 = 81;
const CMD_ACK: u8 = 82;
const CMD_WASK: u8 = 83;
const CMD_WINS: u8 = 84;
/// Extension: a tombstone, the segment `sn` of a message its sender gave up.
const CMD_SKIP: u8 = 85;
const ASK_SEND: u32 = 1;
const ASK_TELL: u32 = 2;
const WND_SND: u32 = 32;
/// The default receive window, and the most fragments one message may have minus one.
pub const WND_RCV: u32 = 128;
const MTU_DEF: u32 = 1400;
const INTERVAL: u32 = 100;
const DEADLINK: u32 = 20;
const THRESH_INIT: u32 = 2;
const THRESH_MIN: u32 = 2;
const PROBE_INIT: u32 = 7000;
const PROBE_LIMIT: u32 = 120_000;
const FASTACK_LIMIT: i32 = 5;

/// `ikcp`'s signed time difference.
fn timediff(later: u32, earlier: u32) -> i32 {
    later.wrapping_sub(earlier) as i32
}

#[derive(Debug, Clone, Default)]
struct Segment {
    conv: u32,
    cmd: u8,
    frg: u8,
    wnd: u16,
    ts: u32,
    sn: u32,
    una: u32,
    resendts: u32,
    rto: u32,
    fastack: u32,
    xmit: u32,
    /// Extension: the limited message this segment belongs to (0: none).
    msg: u32,
    /// Extension: a tombstone (`CMD_SKIP`): its message was given up.
    skip: bool,
    data: Vec<u8>,
}

impl Segment {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.conv.to_le_bytes());
        out.push(self.cmd);
        out.push(self.frg);
        out.extend_from_slice(&self.wnd.to_le_bytes());
        out.extend_from_slice(&self.ts.to_le_bytes());
        out.extend_from_slice(&self.sn.to_le_bytes());
        out.extend_from_slice(&self.una.to_le_bytes());
        out.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
    }
}

/// Why [`Kcp::input`] refused a datagram (ikcp's negative returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    /// Shorter than a header, or another conversation (-1).
    Conv,
    /// A segment claims more payload than the datagram has (-2).
    Length,
    /// An unknown command (-3).
    Command,
}

/// Extension: when a message sent by [`Kcp::send_limited`] is given up.
#[derive(Debug, Clone, Copy)]
struct Limit {
    /// The clock (ms) at which it is given up.
    deadline: Option<u32>,
    /// The most retransmissions one of its segments may have.
    max_retransmits: Option<u32>,
    /// Its size in bytes.
    size: usize,
    /// Its fragments.
    count: u32,
    /// Its segments not yet acknowledged.
    outstanding: u32,
}

/// Why [`Kcp::send`] refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// It would need `WND_RCV` fragments or more (ikcp's -2).
    TooLarge,
}

/// One KCP control block.
#[derive(Debug)]
pub struct Kcp {
    conv: u32,
    mtu: u32,
    mss: u32,
    state: u32,
    snd_una: u32,
    snd_nxt: u32,
    rcv_nxt: u32,
    ssthresh: u32,
    rx_rttval: i32,
    rx_srtt: i32,
    rx_rto: u32,
    rx_minrto: u32,
    snd_wnd: u32,
    rcv_wnd: u32,
    rmt_wnd: u32,
    cwnd: u32,
    probe: u32,
    current: u32,
    interval: u32,
    ts_flush: u32,
    xmit: u32,
    nodelay: u32,
    updated: bool,
    ts_probe: u32,
    probe_wait: u32,
    dead_link: u32,
    incr: u32,
    snd_queue: VecDeque<Segment>,
    rcv_queue: VecDeque<Segment>,
    snd_buf: VecDeque<Segment>,
    rcv_buf: VecDeque<Segment>,
    acklist: Vec<(u32, u32)>,
    fastresend: u32,
    fastlimit: i32,
    nocwnd: bool,
    /// Take segments of any conversation (HP-Socket's ARQ: each side sends its own id).
    any_conv: bool,
    /// The datagram being assembled by a flush.
    buffer: Vec<u8>,
    /// Extension: `CMD_SKIP` is sent and taken (both sides said so).
    skips: bool,
    /// Extension: the last id given to a limited message.
    last_msg: u32,
    /// Extension: the limited messages not yet acknowledged whole, by id.
    limits: HashMap<u32, Limit>,
    /// Extension: the limited messages given up and not yet taken by `take_dropped`: (id,
    /// size).
    dropped: Vec<(u32, usize)>,
    /// Extension: messages the receiver skipped because their sender gave them up.
    skipped: u64,
}

impl Kcp {
    /// A control block for conversation `conv` with ikcp's defaults.
    pub fn new(conv: u32) -> Kcp {
        Kcp {
            conv,
            mtu: MTU_DEF,
            mss: MTU_DEF - OVERHEAD as u32,
            state: 0,
            snd_una: 0,
            snd_nxt: 0,
            rcv_nxt: 0,
            ssthresh: THRESH_INIT,
            rx_rttval: 0,
            rx_srtt: 0,
            rx_rto: RTO_DEF,
            rx_minrto: RTO_MIN,
            snd_wnd: WND_SND,
            rcv_wnd: WND_RCV,
            rmt_wnd: WND_RCV,
            cwnd: 0,
            probe: 0,
            current: 0,
            interval: INTERVAL,
            ts_flush: INTERVAL,
            xmit: 0,
            nodelay: 0,
            updated: false,
            ts_probe: 0,
            probe_wait: 0,
            dead_link: DEADLINK,
            incr: 0,
            snd_queue: VecDeque::new(),
            rcv_queue: VecDeque::new(),
            snd_buf: VecDeque::new(),
            rcv_buf: VecDeque::new(),
            acklist: Vec::new(),
            fastresend: 0,
            fastlimit: FASTACK_LIMIT,
            nocwnd: false,
            any_conv: false,
            buffer: Vec::with_capacity((MTU_DEF as usize + OVERHEAD) * 3),
            skips: false,
            last_msg: 0,
            limits: HashMap::new(),
            dropped: Vec::new(),
            skipped: 0,
        }
    }

    /// Takes segments whatever their conversation id, as HP-Socket's modified ikcp does
    /// (its two sides each send their own id).
    pub fn accept_any_conv(&mut self, any: bool) {
        self.any_conv = any;
    }

    /// Sets the clock without flushing (before `input` or a forced `flush`).
    pub fn set_current(&mut self, current: u32) {
        self.current = current;
        if !self.updated {
            self.updated = true;
            self.ts_flush = current;
        }
    }

    /// The conversation id.
    pub fn conv(&self) -> u32 {
        self.conv
    }

    /// The conversation id of a datagram (its first four bytes).
    pub fn conv_of(datagram: &[u8]) -> Option<u32> {
        Some(u32::from_le_bytes(datagram.get(..4)?.try_into().ok()?))
    }

    /// Segments resent too often: the link is dead (ikcp's `state == -1`).
    pub fn is_dead(&self) -> bool {
        self.state == u32::MAX
    }

    /// Messages queued or in flight (`ikcp_waitsnd`).
    pub fn wait_snd(&self) -> usize {
        self.snd_buf.len() + self.snd_queue.len()
    }

    /// The largest message `send` takes: `(WND_RCV - 1)` fragments of `mss` bytes.
    pub fn max_message(&self) -> usize {
        (WND_RCV as usize - 1) * self.mss as usize
    }

    /// Sets the MTU (`ikcp_setmtu`): at least 50 and the header size.
    pub fn set_mtu(&mut self, mtu: u32) -> bool {
        if mtu < 50 || mtu < OVERHEAD as u32 {
            return false;
        }
        self.mtu = mtu;
        self.mss = mtu - OVERHEAD as u32;
        true
    }

    /// `ikcp_nodelay(nodelay, interval, resend, nc)`; negative values leave a setting.
    pub fn set_nodelay(&mut self, nodelay: i32, interval: i32, resend: i32, nc: i32) {
        if nodelay >= 0 {
            self.nodelay = nodelay as u32;
            self.rx_minrto = if nodelay != 0 { RTO_NDL } else { RTO_MIN };
        }
        if interval >= 0 {
            self.interval = (interval as u32).clamp(10, 5000);
        }
        if resend >= 0 {
            self.fastresend = resend as u32;
        }
        if nc >= 0 {
            self.nocwnd = nc != 0;
        }
    }

    /// `ikcp_wndsize`: 0 leaves a window; the receive window is at least `WND_RCV`.
    pub fn set_wndsize(&mut self, snd: u32, rcv: u32) {
        if snd > 0 {
            self.snd_wnd = snd;
        }
        if rcv > 0 {
            self.rcv_wnd = rcv.max(WND_RCV);
        }
    }

    /// The minimum RTO (`rx_minrto`).
    pub fn set_min_rto(&mut self, ms: u32) {
        self.rx_minrto = ms;
    }

    /// Fast retransmits per segment before waiting for a timeout (0: no limit).
    pub fn set_fast_limit(&mut self, limit: i32) {
        self.fastlimit = limit;
    }

    /// The size of the next whole message, if one is ready (`ikcp_peeksize`).
    pub fn peek_size(&self) -> Option<usize> {
        let first = self.rcv_queue.front()?;
        if first.frg == 0 {
            return Some(first.data.len());
        }
        if self.rcv_queue.len() < first.frg as usize + 1 {
            return None;
        }
        let mut len = 0;
        for seg in &self.rcv_queue {
            len += seg.data.len();
            if seg.frg == 0 {
                break;
            }
        }
        Some(len)
    }

    /// Takes the next whole message into `out` (cleared first); false when none is ready. A
    /// message with a tombstone among its segments is dropped whole (never delivered cut).
    pub fn recv(&mut self, out: &mut Vec<u8>) -> bool {
        loop {
            out.clear();
            if self.peek_size().is_none() {
                return false;
            }
            let recover = self.rcv_queue.len() as u32 >= self.rcv_wnd;
            let mut given_up = false;
            while let Some(seg) = self.rcv_queue.pop_front() {
                given_up |= seg.skip;
                if !given_up {
                    out.extend_from_slice(&seg.data);
                }
                if seg.frg == 0 {
                    break;
                }
            }
            self.move_to_queue();
            if (self.rcv_queue.len() as u32) < self.rcv_wnd && recover {
                self.probe |= ASK_TELL;
            }
            if !given_up {
                return true;
            }
            out.clear();
            self.skipped += 1;
        }
    }

    /// Extension: whether `CMD_SKIP` is sent and taken (only when the peer said it takes it:
    /// a stock ikcp refuses the command).
    pub fn set_skips(&mut self, on: bool) {
        self.skips = on;
    }

    /// Extension: `CMD_SKIP` is on.
    pub fn skips(&self) -> bool {
        self.skips
    }

    /// Extension: messages received and skipped because their sender gave them up.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Extension: queues one message that is given up at the clock `deadline` (ms, in the
    /// clock of `update`) or once one of its segments would be sent more than
    /// `max_retransmits` times again; returns its id (never 0). Needs `set_skips(true)`.
    pub fn send_limited(
        &mut self,
        data: &[u8],
        deadline: Option<u32>,
        max_retransmits: Option<u32>,
    ) -> Result<u32, SendError> {
        let first = self.snd_queue.len();
        self.send(data)?;
        self.last_msg = self.last_msg.wrapping_add(1).max(1);
        let id = self.last_msg;
        let count = (self.snd_queue.len() - first) as u32;
        for seg in self.snd_queue.range_mut(first..) {
            seg.msg = id;
        }
        self.limits.insert(
            id,
            Limit {
                deadline,
                max_retransmits,
                size: data.len(),
                count,
                outstanding: count,
            },
        );
        Ok(id)
    }

    /// Extension: the messages given up since the last call: (id, size in bytes).
    pub fn take_dropped(&mut self) -> Vec<(u32, usize)> {
        std::mem::take(&mut self.dropped)
    }

    /// Extension: a segment of a limited message left the send buffer acknowledged.
    fn retire(&mut self, msg: u32) {
        if msg == 0 {
            return;
        }
        if let Some(limit) = self.limits.get_mut(&msg) {
            limit.outstanding -= 1;
            if limit.outstanding == 0 {
                self.limits.remove(&msg);
            }
        }
    }

    /// Extension: gives up the limited messages whose deadline passed or whose next
    /// retransmission would pass their limit (before `flush` sends anything).
    fn expire(&mut self, resent: u32) {
        let current = self.current;
        let mut doomed: Vec<u32> = self
            .limits
            .iter()
            .filter(|(_, l)| l.deadline.is_some_and(|d| timediff(current, d) >= 0))
            .map(|(&id, _)| id)
            .collect();
        for seg in &self.snd_buf {
            if seg.msg == 0 || seg.xmit == 0 {
                continue;
            }
            let Some(max) = self.limits.get(&seg.msg).and_then(|l| l.max_retransmits) else {
                continue;
            };
            let due = timediff(current, seg.resendts) >= 0 || seg.fastack >= resent;
            if due && seg.xmit > max && !doomed.contains(&seg.msg) {
                doomed.push(seg.msg);
            }
        }
        doomed.sort_unstable();
        for id in doomed {
            self.give_up(id);
        }
    }

    /// Extension: message `id` is given up: its segments in flight become tombstones; its
    /// queued ones go too if none of it was sent, else become tombstones as well (the
    /// receiver counts a message's fragments).
    fn give_up(&mut self, id: u32) {
        let Some(limit) = self.limits.remove(&id) else {
            return;
        };
        let queued = self.snd_queue.iter().filter(|s| s.msg == id).count() as u32;
        if queued == limit.count {
            self.snd_queue.retain(|s| s.msg != id);
        } else {
            for seg in self.snd_queue.iter_mut().filter(|s| s.msg == id) {
                seg.msg = 0;
                seg.skip = true;
                seg.data = Vec::new();
            }
        }
        for seg in self.snd_buf.iter_mut().filter(|s| s.msg == id) {
            seg.msg = 0;
            seg.skip = true;
            seg.cmd = CMD_SKIP;
            seg.data = Vec::new();
        }
        self.dropped.push((id, limit.size));
    }

    /// Moves in-order segments from the receive buffer to the receive queue.
    fn move_to_queue(&mut self) {
        while let Some(seg) = self.rcv_buf.front() {
            if seg.sn == self.rcv_nxt && (self.rcv_queue.len() as u32) < self.rcv_wnd {
                let seg = self.rcv_buf.pop_front().expect("front exists");
                self.rcv_queue.push_back(seg);
                self.rcv_nxt = self.rcv_nxt.wrapping_add(1);
            } else {
                break;
            }
        }
    }

    /// Queues one message (message mode: its fragments count down to 0).
    pub fn send(&mut self, data: &[u8]) -> Result<(), SendError> {
        let mss = self.mss as usize;
        let count = if data.len() <= mss {
            1
        } else {
            data.len().div_ceil(mss)
        };
        if count >= WND_RCV as usize {
            return Err(SendError::TooLarge);
        }
        let mut rest = data;
        for i in 0..count {
            let size = rest.len().min(mss);
            let (piece, tail) = rest.split_at(size);
            rest = tail;
            self.snd_queue.push_back(Segment {
                frg: (count - i - 1) as u8,
                data: piece.to_vec(),
                ..Segment::default()
            });
        }
        Ok(())
    }

    fn update_ack(&mut self, rtt: i32) {
        // ikcp's arithmetic, in 64 bits: a peer's timestamps are arbitrary, and C's signed
        // overflow must not become a panic here.
        let rtt = i64::from(rtt);
        if self.rx_srtt == 0 {
            self.rx_srtt = rtt as i32;
            self.rx_rttval = (rtt / 2) as i32;
        } else {
            let srtt = i64::from(self.rx_srtt);
            let delta = (rtt - srtt).abs();
            self.rx_rttval = ((3 * i64::from(self.rx_rttval) + delta) / 4) as i32;
            self.rx_srtt = ((7 * srtt + rtt) / 8).max(1) as i32;
        }
        let rto = i64::from(self.rx_srtt)
            + i64::from(self.interval).max(4 * i64::from(self.rx_rttval as u32));
        self.rx_rto = (rto.clamp(0, i64::from(u32::MAX)) as u32)
            .max(self.rx_minrto)
            .min(RTO_MAX);
    }

    fn shrink_buf(&mut self) {
        self.snd_una = self.snd_buf.front().map_or(self.snd_nxt, |s| s.sn);
    }

    fn parse_ack(&mut self, sn: u32) {
        if timediff(sn, self.snd_una) < 0 || timediff(sn, self.snd_nxt) >= 0 {
            return;
        }
        for i in 0..self.snd_buf.len() {
            let seg_sn = self.snd_buf[i].sn;
            if sn == seg_sn {
                if let Some(seg) = self.snd_buf.remove(i) {
                    self.retire(seg.msg);
                }
                break;
            }
            if timediff(sn, seg_sn) < 0 {
                break;
            }
        }
    }

    fn parse_una(&mut self, una: u32) {
        while let Some(seg) = self.snd_buf.front() {
            if timediff(una, seg.sn) > 0 {
                let msg = seg.msg;
                self.snd_buf.pop_front();
                self.retire(msg);
            } else {
                break;
            }
        }
    }

    fn parse_fastack(&mut self, sn: u32) {
        if timediff(sn, self.snd_una) < 0 || timediff(sn, self.snd_nxt) >= 0 {
            return;
        }
        for seg in self.snd_buf.iter_mut() {
            if timediff(sn, seg.sn) < 0 {
                break;
            } else if sn != seg.sn {
                seg.fastack = seg.fastack.saturating_add(1);
            }
        }
    }

    fn parse_data(&mut self, seg: Segment) {
        let sn = seg.sn;
        if timediff(sn, self.rcv_nxt.wrapping_add(self.rcv_wnd)) >= 0
            || timediff(sn, self.rcv_nxt) < 0
        {
            return;
        }
        // Find the place from the back, as ikcp does; a repeat is dropped.
        let mut at = self.rcv_buf.len();
        let mut repeat = false;
        while at > 0 {
            let other = self.rcv_buf[at - 1].sn;
            if other == sn {
                repeat = true;
                break;
            }
            if timediff(sn, other) > 0 {
                break;
            }
            at -= 1;
        }
        if !repeat {
            self.rcv_buf.insert(at, seg);
        }
        self.move_to_queue();
    }

    /// Takes one datagram of segments (`ikcp_input`).
    pub fn input(&mut self, mut data: &[u8]) -> Result<(), InputError> {
        let prev_una = self.snd_una;
        let mut maxack: Option<u32> = None;
        if data.len() < OVERHEAD {
            return Err(InputError::Conv);
        }
        while data.len() >= OVERHEAD {
            let u32_at =
                |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
            let mut conv = u32_at(0);
            if self.any_conv {
                conv = self.conv;
            } else if conv != self.conv {
                return Err(InputError::Conv);
            }
            let cmd = data[4];
            let frg = data[5];
            let wnd = u16::from_le_bytes([data[6], data[7]]);
            let ts = u32_at(8);
            let sn = u32_at(12);
            let una = u32_at(16);
            let len = u32_at(20) as usize;
            data = &data[OVERHEAD..];
            if data.len() < len || len > i32::MAX as usize {
                return Err(InputError::Length);
            }
            let known = matches!(cmd, CMD_PUSH | CMD_ACK | CMD_WASK | CMD_WINS)
                || (cmd == CMD_SKIP && self.skips);
            if !known {
                return Err(InputError::Command);
            }
            self.rmt_wnd = u32::from(wnd);
            self.parse_una(una);
            self.shrink_buf();
            match cmd {
                CMD_ACK => {
                    if timediff(self.current, ts) >= 0 {
                        self.update_ack(timediff(self.current, ts));
                    }
                    self.parse_ack(sn);
                    self.shrink_buf();
                    maxack = Some(match maxack {
                        Some(m) if timediff(sn, m) <= 0 => m,
                        _ => sn,
                    });
                }
                CMD_PUSH | CMD_SKIP
                    if timediff(sn, self.rcv_nxt.wrapping_add(self.rcv_wnd)) < 0 =>
                {
                    self.acklist.push((sn, ts));
                    if timediff(sn, self.rcv_nxt) >= 0 {
                        let skip = cmd == CMD_SKIP;
                        self.parse_data(Segment {
                            conv,
                            cmd,
                            frg,
                            wnd,
                            ts,
                            sn,
                            una,
                            skip,
                            data: if skip {
                                Vec::new()
                            } else {
                                data[..len].to_vec()
                            },
                            ..Segment::default()
                        });
                    }
                }
                CMD_WASK => self.probe |= ASK_TELL,
                _ => {}
            }
            data = &data[len..];
        }
        if let Some(sn) = maxack {
            self.parse_fastack(sn);
        }
        if timediff(self.snd_una, prev_una) > 0 && self.cwnd < self.rmt_wnd {
            let mss = self.mss;
            if self.cwnd < self.ssthresh {
                self.cwnd += 1;
                self.incr = self.incr.wrapping_add(mss);
            } else {
                if self.incr < mss {
                    self.incr = mss;
                }
                self.incr = self
                    .incr
                    .wrapping_add(mss.wrapping_mul(mss) / self.incr + mss / 16);
                if (u64::from(self.cwnd) + 1) * u64::from(mss) <= u64::from(self.incr) {
                    self.cwnd = (self.incr.wrapping_add(mss - 1)) / mss.max(1);
                }
            }
            if self.cwnd > self.rmt_wnd {
                self.cwnd = self.rmt_wnd;
                self.incr = self.rmt_wnd.wrapping_mul(mss);
            }
        }
        Ok(())
    }

    fn wnd_unused(&self) -> u16 {
        let queued = self.rcv_queue.len() as u32;
        if queued < self.rcv_wnd {
            (self.rcv_wnd - queued).min(u32::from(u16::MAX)) as u16
        } else {
            0
        }
    }

    /// Writes the datagram being assembled when `need` more bytes would pass the MTU.
    fn make_room(&mut self, need: usize, output: &mut impl FnMut(&[u8])) {
        if self.buffer.len() + need > self.mtu as usize {
            output(&self.buffer);
            self.buffer.clear();
        }
    }

    /// Sends acks, probes and due segments (`ikcp_flush`); a no-op before the first update.
    pub fn flush(&mut self, output: &mut impl FnMut(&[u8])) {
        if !self.updated {
            return;
        }
        let current = self.current;
        let mut lost = false;
        let mut change = 0;
        if !self.limits.is_empty() {
            let resent = if self.fastresend > 0 {
                self.fastresend
            } else {
                u32::MAX
            };
            self.expire(resent);
        }
        let mut seg = Segment {
            conv: self.conv,
            cmd: CMD_ACK,
            wnd: self.wnd_unused(),
            una: self.rcv_nxt,
            ..Segment::default()
        };
        self.buffer.clear();
        let acks = std::mem::take(&mut self.acklist);
        for &(sn, ts) in &acks {
            self.make_room(OVERHEAD, output);
            seg.sn = sn;
            seg.ts = ts;
            seg.encode(&mut self.buffer);
        }
        self.acklist = acks;
        self.acklist.clear();

        if self.rmt_wnd == 0 {
            if self.probe_wait == 0 {
                self.probe_wait = PROBE_INIT;
                self.ts_probe = current.wrapping_add(self.probe_wait);
            } else if timediff(current, self.ts_probe) >= 0 {
                if self.probe_wait < PROBE_INIT {
                    self.probe_wait = PROBE_INIT;
                }
                self.probe_wait += self.probe_wait / 2;
                if self.probe_wait > PROBE_LIMIT {
                    self.probe_wait = PROBE_LIMIT;
                }
                self.ts_probe = current.wrapping_add(self.probe_wait);
                self.probe |= ASK_SEND;
            }
        } else {
            self.ts_probe = 0;
            self.probe_wait = 0;
        }
        seg.sn = 0;
        seg.ts = 0;
        if self.probe & ASK_SEND != 0 {
            seg.cmd = CMD_WASK;
            self.make_room(OVERHEAD, output);
            seg.encode(&mut self.buffer);
        }
        if self.probe & ASK_TELL != 0 {
            seg.cmd = CMD_WINS;
            self.make_room(OVERHEAD, output);
            seg.encode(&mut self.buffer);
        }
        self.probe = 0;

        let mut cwnd = self.snd_wnd.min(self.rmt_wnd);
        if !self.nocwnd {
            cwnd = self.cwnd.min(cwnd);
        }
        while timediff(self.snd_nxt, self.snd_una.wrapping_add(cwnd)) < 0 {
            let Some(mut new) = self.snd_queue.pop_front() else {
                break;
            };
            new.conv = self.conv;
            new.cmd = if new.skip { CMD_SKIP } else { CMD_PUSH };
            new.wnd = seg.wnd;
            new.ts = current;
            new.sn = self.snd_nxt;
            self.snd_nxt = self.snd_nxt.wrapping_add(1);
            new.una = self.rcv_nxt;
            new.resendts = current;
            new.rto = self.rx_rto;
            new.fastack = 0;
            new.xmit = 0;
            self.snd_buf.push_back(new);
        }

        let resent = if self.fastresend > 0 {
            self.fastresend
        } else {
            u32::MAX
        };
        let rtomin = if self.nodelay == 0 {
            self.rx_rto >> 3
        } else {
            0
        };
        for i in 0..self.snd_buf.len() {
            let mut needsend = false;
            {
                let s = &mut self.snd_buf[i];
                if s.xmit == 0 {
                    needsend = true;
                    s.xmit = s.xmit.saturating_add(1);
                    s.rto = self.rx_rto;
                    s.resendts = current.wrapping_add(s.rto).wrapping_add(rtomin);
                } else if timediff(current, s.resendts) >= 0 {
                    needsend = true;
                    s.xmit = s.xmit.saturating_add(1);
                    self.xmit = self.xmit.wrapping_add(1);
                    if self.nodelay == 0 {
                        s.rto = s.rto.saturating_add(s.rto.max(self.rx_rto));
                    } else {
                        let step = if self.nodelay < 2 { s.rto } else { self.rx_rto };
                        s.rto = s.rto.saturating_add(step / 2);
                    }
                    s.resendts = current.wrapping_add(s.rto);
                    lost = true;
                } else if s.fastack >= resent
                    && (s.xmit as i32 <= self.fastlimit || self.fastlimit <= 0)
                {
                    needsend = true;
                    s.xmit = s.xmit.saturating_add(1);
                    s.fastack = 0;
                    s.resendts = current.wrapping_add(s.rto);
                    change += 1;
                }
                if needsend {
                    s.ts = current;
                    s.wnd = seg.wnd;
                    s.una = self.rcv_nxt;
                }
            }
            if needsend {
                let need = OVERHEAD + self.snd_buf[i].data.len();
                self.make_room(need, output);
                let s = &self.snd_buf[i];
                s.encode(&mut self.buffer);
                self.buffer.extend_from_slice(&s.data);
                if s.xmit >= self.dead_link {
                    self.state = u32::MAX;
                }
            }
        }
        if !self.buffer.is_empty() {
            output(&self.buffer);
            self.buffer.clear();
        }
        if change > 0 {
            let inflight = self.snd_nxt.wrapping_sub(self.snd_una);
            self.ssthresh = (inflight / 2).max(THRESH_MIN);
            self.cwnd = self.ssthresh.wrapping_add(resent);
            self.incr = self.cwnd.wrapping_mul(self.mss);
        }
        if lost {
            self.ssthresh = (cwnd / 2).max(THRESH_MIN);
            self.cwnd = 1;
            self.incr = self.mss;
        }
        if self.cwnd < 1 {
            self.cwnd = 1;
            self.incr = self.mss;
        }
    }

    /// The clock moved to `current` ms (`ikcp_update`): flushes when the interval passed.
    pub fn update(&mut self, current: u32, output: &mut impl FnMut(&[u8])) {
        self.current = current;
        if !self.updated {
            self.updated = true;
            self.ts_flush = current;
        }
        let mut slap = timediff(current, self.ts_flush);
        if !(-10_000..10_000).contains(&slap) {
            self.ts_flush = current;
            slap = 0;
        }
        if slap >= 0 {
            self.ts_flush = self.ts_flush.wrapping_add(self.interval);
            if timediff(current, self.ts_flush) >= 0 {
                self.ts_flush = current.wrapping_add(self.interval);
            }
            self.flush(output);
        }
    }

    /// When `update` is next due (`ikcp_check`), in the same clock as `current`.
    pub fn check(&self, current: u32) -> u32 {
        if !self.updated {
            return current;
        }
        let mut ts_flush = self.ts_flush;
        let d = timediff(current, ts_flush);
        if !(-10_000..10_000).contains(&d) {
            ts_flush = current;
        }
        if timediff(current, ts_flush) >= 0 {
            return current;
        }
        let tm_flush = timediff(ts_flush, current);
        let mut tm_packet = i32::MAX;
        for seg in &self.snd_buf {
            let diff = timediff(seg.resendts, current);
            if diff <= 0 {
                return current;
            }
            tm_packet = tm_packet.min(diff);
        }
        let minimal = (tm_packet.min(tm_flush) as u32).min(self.interval);
        current.wrapping_add(minimal)
    }
}

#[cfg(test)]
mod tests;
