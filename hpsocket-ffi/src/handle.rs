//! Handles: what C holds instead of pointers. A handle is a 64-bit token
//!
//! ```text
//!   63..56  56..48  48..24      24..0
//!   MAGIC   kind    generation  slot
//! ```
//!
//! looked up in one process-wide table. The magic byte makes every real pointer (user space
//! addresses have 0x00 there) and most garbage fail at once; the kind must match the object in
//! the slot; the generation changes each time a slot is freed, so a destroyed object's handle
//! never reaches a newer object. A lookup clones an `Arc` of the object, so an object outlives
//! every call that found it, even when another thread destroys it meanwhile.

use std::collections::VecDeque;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::last_error::FfiError;
use crate::object::Object;
use crate::types::HP_Object;

#[cfg(not(target_pointer_width = "64"))]
compile_error!("hpsocket-ffi handles are 64-bit tokens: build for a 64-bit target");

const MAGIC: u64 = 0xA5;
const SLOT_BITS: u32 = 24;
const GEN_BITS: u32 = 24;
const SLOT_MASK: u64 = (1 << SLOT_BITS) - 1;
const GEN_MASK: u64 = (1 << GEN_BITS) - 1;
/// Most objects alive at once.
const MAX_SLOTS: usize = 1 << SLOT_BITS;

/// What a handle stands for. The values are part of the token, so never reorder them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Kind {
    TcpServer = 1,
    TcpAgent = 2,
    TcpClient = 3,
    /// The listener of every TCP server (PUSH, PULL, PACK, SSL): `Create_HP_TcpServerListener`,
    /// `Create_HP_TcpPullServerListener` and `Create_HP_TcpPackServerListener` all make one.
    TcpServerListener = 4,
    TcpAgentListener = 5,
    TcpClientListener = 6,
    TcpPullServer = 7,
    TcpPullAgent = 8,
    TcpPullClient = 9,
    TcpPackServer = 10,
    TcpPackAgent = 11,
    TcpPackClient = 12,
    SslServer = 13,
    SslAgent = 14,
    SslClient = 15,
    SslPullServer = 16,
    SslPullAgent = 17,
    SslPullClient = 18,
    SslPackServer = 19,
    SslPackAgent = 20,
    SslPackClient = 21,
    UdpServer = 22,
    UdpClient = 23,
    UdpCast = 24,
    UdpNode = 25,
    UdpNodeListener = 26,
    HttpServer = 27,
    HttpAgent = 28,
    HttpClient = 29,
    HttpSyncClient = 30,
    HttpsServer = 31,
    HttpsAgent = 32,
    HttpsClient = 33,
    HttpsSyncClient = 34,
    HttpServerListener = 35,
    HttpAgentListener = 36,
    HttpClientListener = 37,
    ThreadPool = 38,
    ThreadPoolListener = 39,
    Compressor = 40,
    Decompressor = 41,
    UdpArqServer = 42,
    UdpArqClient = 43,
    UdpArqAgent = 44,
}

impl Kind {
    fn from_u8(v: u8) -> Option<Kind> {
        Some(match v {
            1 => Kind::TcpServer,
            2 => Kind::TcpAgent,
            3 => Kind::TcpClient,
            4 => Kind::TcpServerListener,
            5 => Kind::TcpAgentListener,
            6 => Kind::TcpClientListener,
            7 => Kind::TcpPullServer,
            8 => Kind::TcpPullAgent,
            9 => Kind::TcpPullClient,
            10 => Kind::TcpPackServer,
            11 => Kind::TcpPackAgent,
            12 => Kind::TcpPackClient,
            13 => Kind::SslServer,
            14 => Kind::SslAgent,
            15 => Kind::SslClient,
            16 => Kind::SslPullServer,
            17 => Kind::SslPullAgent,
            18 => Kind::SslPullClient,
            19 => Kind::SslPackServer,
            20 => Kind::SslPackAgent,
            21 => Kind::SslPackClient,
            22 => Kind::UdpServer,
            23 => Kind::UdpClient,
            24 => Kind::UdpCast,
            25 => Kind::UdpNode,
            26 => Kind::UdpNodeListener,
            27 => Kind::HttpServer,
            28 => Kind::HttpAgent,
            29 => Kind::HttpClient,
            30 => Kind::HttpSyncClient,
            31 => Kind::HttpsServer,
            32 => Kind::HttpsAgent,
            33 => Kind::HttpsClient,
            34 => Kind::HttpsSyncClient,
            35 => Kind::HttpServerListener,
            36 => Kind::HttpAgentListener,
            37 => Kind::HttpClientListener,
            38 => Kind::ThreadPool,
            39 => Kind::ThreadPoolListener,
            40 => Kind::Compressor,
            41 => Kind::Decompressor,
            42 => Kind::UdpArqServer,
            43 => Kind::UdpArqClient,
            44 => Kind::UdpArqAgent,
            _ => return None,
        })
    }

    /// What a destroyer of this kind also takes: every kind of the same role and nature
    /// (`Destroy_HP_TcpServer` destroys a PULL, PACK or SSL server too, as HP-Socket's C API
    /// lets a program destroy through the generic kind): "server", "agent listener", ...
    pub(crate) fn role(self) -> &'static str {
        match self {
            Kind::Compressor => return "compressor",
            Kind::Decompressor => return "decompressor",
            _ => {}
        }
        let name = self.name();
        let listener = name.ends_with("Listener");
        let base = name.trim_end_matches("Listener");
        if base.ends_with("ThreadPool") {
            return if listener {
                "thread pool listener"
            } else {
                "thread pool"
            };
        }
        if base.ends_with("Node") {
            return if listener { "node listener" } else { "node" };
        }
        match (base.ends_with("Server"), base.ends_with("Agent"), listener) {
            (true, _, false) => "server",
            (_, true, false) => "agent",
            (false, false, false) => "client",
            (true, _, true) => "server listener",
            (_, true, true) => "agent listener",
            (false, false, true) => "client listener",
        }
    }

    /// The name used in error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::TcpServer => "HP_TcpServer",
            Kind::TcpAgent => "HP_TcpAgent",
            Kind::TcpClient => "HP_TcpClient",
            Kind::TcpServerListener => "HP_TcpServerListener",
            Kind::TcpAgentListener => "HP_TcpAgentListener",
            Kind::TcpClientListener => "HP_TcpClientListener",
            Kind::TcpPullServer => "HP_TcpPullServer",
            Kind::TcpPullAgent => "HP_TcpPullAgent",
            Kind::TcpPullClient => "HP_TcpPullClient",
            Kind::TcpPackServer => "HP_TcpPackServer",
            Kind::TcpPackAgent => "HP_TcpPackAgent",
            Kind::TcpPackClient => "HP_TcpPackClient",
            Kind::SslServer => "HP_SSLServer",
            Kind::SslAgent => "HP_SSLAgent",
            Kind::SslClient => "HP_SSLClient",
            Kind::SslPullServer => "HP_SSLPullServer",
            Kind::SslPullAgent => "HP_SSLPullAgent",
            Kind::SslPullClient => "HP_SSLPullClient",
            Kind::SslPackServer => "HP_SSLPackServer",
            Kind::SslPackAgent => "HP_SSLPackAgent",
            Kind::SslPackClient => "HP_SSLPackClient",
            Kind::UdpServer => "HP_UdpServer",
            Kind::UdpClient => "HP_UdpClient",
            Kind::UdpCast => "HP_UdpCast",
            Kind::UdpNode => "HP_UdpNode",
            Kind::UdpNodeListener => "HP_UdpNodeListener",
            Kind::HttpServer => "HP_HttpServer",
            Kind::HttpAgent => "HP_HttpAgent",
            Kind::HttpClient => "HP_HttpClient",
            Kind::HttpSyncClient => "HP_HttpSyncClient",
            Kind::HttpsServer => "HP_HttpsServer",
            Kind::HttpsAgent => "HP_HttpsAgent",
            Kind::HttpsClient => "HP_HttpsClient",
            Kind::HttpsSyncClient => "HP_HttpsSyncClient",
            Kind::HttpServerListener => "HP_HttpServerListener",
            Kind::HttpAgentListener => "HP_HttpAgentListener",
            Kind::HttpClientListener => "HP_HttpClientListener",
            Kind::ThreadPool => "HP_ThreadPool",
            Kind::ThreadPoolListener => "HP_ThreadPoolListener",
            Kind::Compressor => "HP_Compressor",
            Kind::Decompressor => "HP_Decompressor",
            Kind::UdpArqServer => "HP_UdpArqServer",
            Kind::UdpArqClient => "HP_UdpArqClient",
            Kind::UdpArqAgent => "HPX_UdpArqAgent",
        }
    }
}

/// A handle's numeric value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Handle(u64);

impl Handle {
    fn new(kind: Kind, generation: u32, slot: usize) -> Handle {
        Handle(
            (MAGIC << 56)
                | (u64::from(kind as u8) << 48)
                | ((u64::from(generation) & GEN_MASK) << SLOT_BITS)
                | (slot as u64 & SLOT_MASK),
        )
    }

    /// The value C sees. The token is an integer in pointer clothing; it is never
    /// dereferenced, so it carries no provenance.
    pub(crate) fn as_ptr(self) -> HP_Object {
        self.0 as usize as HP_Object
    }

    pub(crate) fn value(self) -> u64 {
        self.0
    }

    fn from_ptr(p: HP_Object) -> Handle {
        Handle(p as usize as u64)
    }

    fn decode(self) -> Option<(Kind, u32, usize)> {
        if self.0 >> 56 != MAGIC {
            return None;
        }
        let kind = Kind::from_u8(((self.0 >> 48) & 0xFF) as u8)?;
        let generation = ((self.0 >> SLOT_BITS) & GEN_MASK) as u32;
        Some((kind, generation, (self.0 & SLOT_MASK) as usize))
    }
}

enum Entry {
    Free,
    /// Taken by an object being built (its handle is known, the object not yet).
    Reserved,
    Live(Arc<Object>),
}

struct Slot {
    generation: u32,
    entry: Entry,
}

struct Registry {
    slots: Vec<Slot>,
    /// Free slots, oldest first, so a slot (and its generation) is reused as late as possible.
    free: VecDeque<usize>,
}

static REGISTRY: RwLock<Registry> = RwLock::new(Registry {
    slots: Vec::new(),
    free: VecDeque::new(),
});

// A panic while the registry is locked cannot leave it half-updated (every change is one
// assignment), so a poisoned lock is still sound to use.
fn read() -> RwLockReadGuard<'static, Registry> {
    REGISTRY.read().unwrap_or_else(|e| e.into_inner())
}

fn write() -> RwLockWriteGuard<'static, Registry> {
    REGISTRY.write().unwrap_or_else(|e| e.into_inner())
}

/// A slot taken for an object under construction; released again if dropped unfilled.
pub(crate) struct Reservation {
    handle: Handle,
    slot: usize,
    filled: bool,
}

impl Reservation {
    pub(crate) fn handle(&self) -> Handle {
        self.handle
    }

    /// Publishes the object: from now on its handle resolves.
    pub(crate) fn fill(mut self, object: Arc<Object>) {
        let mut reg = write();
        reg.slots[self.slot].entry = Entry::Live(object);
        self.filled = true;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.filled {
            let _ = release_slot(&mut write(), self.slot);
        }
    }
}

/// Takes a slot for a new object of `kind`.
pub(crate) fn reserve(kind: Kind) -> Result<Reservation, FfiError> {
    let mut reg = write();
    let slot = match reg.free.pop_front() {
        Some(slot) => slot,
        None if reg.slots.len() < MAX_SLOTS => {
            reg.slots.push(Slot {
                generation: 0,
                entry: Entry::Free,
            });
            reg.slots.len() - 1
        }
        None => {
            return Err(FfiError::new(
                crate::types::SE_INVALID_PARAM,
                libc::ENOMEM,
                format!("too many objects alive (at most {MAX_SLOTS})"),
            ))
        }
    };
    reg.slots[slot].entry = Entry::Reserved;
    let handle = Handle::new(kind, reg.slots[slot].generation, slot);
    Ok(Reservation {
        handle,
        slot,
        filled: false,
    })
}

/// Frees `slot` and returns what it held, to be dropped after the lock is released.
fn release_slot(reg: &mut Registry, slot: usize) -> Entry {
    let s = &mut reg.slots[slot];
    let old = std::mem::replace(&mut s.entry, Entry::Free);
    s.generation = (s.generation.wrapping_add(1)) & GEN_MASK as u32;
    reg.free.push_back(slot);
    old
}

/// Why a handle did not resolve, as a sentence.
fn invalid(p: HP_Object, why: &str) -> FfiError {
    if p.is_null() {
        FfiError::invalid("the handle is NULL")
    } else {
        FfiError::invalid(format!("{:#x} {why}", p as usize))
    }
}

/// The object behind `p`, whatever its kind.
pub(crate) fn resolve(p: HP_Object) -> Result<Arc<Object>, FfiError> {
    let Some((kind, generation, slot)) = Handle::from_ptr(p).decode() else {
        return Err(invalid(p, "is not a handle of this library"));
    };
    let reg = read();
    match reg.slots.get(slot) {
        Some(Slot {
            generation: g,
            entry: Entry::Live(object),
        }) if *g == generation && object.kind() == kind => Ok(object.clone()),
        Some(_) => Err(invalid(p, "was destroyed (a stale handle)")),
        None => Err(invalid(p, "is not a handle of this library")),
    }
}

/// Removes the object of `handle` from the table: its handle is stale from now on. False when
/// it was already gone.
pub(crate) fn remove(handle: Handle) -> bool {
    let Some((_, generation, slot)) = handle.decode() else {
        return false;
    };
    let old = {
        let mut reg = write();
        let live = matches!(
            reg.slots.get(slot),
            Some(Slot { generation: g, entry: Entry::Live(_) }) if *g == generation
        );
        if !live {
            return false;
        }
        release_slot(&mut reg, slot)
    };
    drop(old);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let h = Handle::new(Kind::TcpAgent, 0xABCDEF, 0x123456);
        assert_eq!(h.decode(), Some((Kind::TcpAgent, 0xABCDEF, 0x123456)));
        let stack_value = 5u8;
        assert!(Handle::from_ptr(&stack_value as *const u8 as HP_Object)
            .decode()
            .is_none());
        assert!(Handle(u64::MAX).decode().is_none());
        assert!(Handle((MAGIC << 56) | (0x7F << 48)).decode().is_none());
    }
}
