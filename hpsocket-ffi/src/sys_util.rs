//! The system helpers of HPSocket4C: memory (`SYS_Malloc`, ...: libc's allocator, so a
//! buffer may be handed to code that frees it with `free`), byte order, socket options
//! (`SYS_SetSocketOption`, `SYS_SSO_*`: 0 or -1 with `errno`, as the system calls they wrap)
//! and addresses (`SYS_GetSocket*Address`, `SYS_EnumHostIPAddresses`, `SYS_IsIPAddress`,
//! `SYS_GetIPAddress`).

use std::collections::HashSet;
use std::ffi::{c_char, c_int, c_long, c_ulong, c_void};
use std::mem;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::ptr;
use std::sync::Mutex;

use crate::args;
use crate::last_error::{errno, set_errno, FfiError, Result};
use crate::types::*;

/// An `int` result of a system call: 0, or -1 with `errno` kept.
fn sys_result(rc: c_int) -> c_int {
    if rc == -1 {
        -1
    } else {
        0
    }
}

fn set_opt<T>(sock: SOCKET, level: c_int, name: c_int, value: &T) -> c_int {
    // SAFETY: `value` points to a `T` for the call; the kernel checks the descriptor.
    sys_result(unsafe {
        libc::setsockopt(
            sock,
            level,
            name,
            (value as *const T).cast(),
            mem::size_of::<T>() as libc::socklen_t,
        )
    })
}

pub(crate) fn set_socket_option(
    sock: SOCKET,
    level: c_int,
    name: c_int,
    val: PVOID,
    len: c_int,
) -> c_int {
    if len < 0 {
        set_errno(libc::EINVAL);
        return -1;
    }
    // SAFETY: a pass-through of setsockopt; the kernel reads `val` for `len` bytes and
    // reports a bad pointer as EFAULT.
    sys_result(unsafe { libc::setsockopt(sock, level, name, val, len as libc::socklen_t) })
}

/// # Safety
/// `len` is NULL or readable and writable.
pub(crate) unsafe fn get_socket_option(
    sock: SOCKET,
    level: c_int,
    name: c_int,
    val: PVOID,
    len: *mut c_int,
) -> c_int {
    if len.is_null() {
        set_errno(libc::EFAULT);
        return -1;
    }
    // SAFETY: non-NULL per this function's contract.
    let mut n = unsafe { ptr::read_unaligned(len) }.max(0) as libc::socklen_t;
    // SAFETY: a pass-through of getsockopt; the kernel writes at most `n` bytes to `val`
    // and reports a bad pointer as EFAULT.
    let rc = unsafe { libc::getsockopt(sock, level, name, val, &mut n) };
    if rc == 0 {
        // SAFETY: as above.
        unsafe { ptr::write_unaligned(len, n as c_int) };
    }
    sys_result(rc)
}

pub(crate) fn ioctl_socket(sock: SOCKET, cmd: c_long, arg: *mut c_ulong) -> c_int {
    // SAFETY: a pass-through of ioctl; the kernel checks `arg` (EFAULT).
    sys_result(unsafe { libc::ioctl(sock, cmd as libc::Ioctl, arg) })
}

/// `SYS_fcntl_SETFL`: sets (or clears) `fl` in the descriptor's status flags.
pub(crate) fn fcntl_setfl(fd: FD, fl: c_int, set: BOOL) -> BOOL {
    // SAFETY: fcntl on any integer is sound; a bad descriptor gives EBADF.
    let old = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if old == -1 {
        return FALSE;
    }
    let new = if set != 0 { old | fl } else { old & !fl };
    // SAFETY: as above.
    to_bool(unsafe { libc::fcntl(fd, libc::F_SETFL, new) } != -1)
}

pub(crate) fn no_block(sock: SOCKET, on: BOOL) -> c_int {
    if fcntl_setfl(sock, libc::O_NONBLOCK, on) != FALSE {
        0
    } else {
        -1
    }
}

pub(crate) fn no_delay(sock: SOCKET, on: BOOL) -> c_int {
    set_opt(
        sock,
        libc::IPPROTO_TCP,
        libc::TCP_NODELAY,
        &c_int::from(on != 0),
    )
}

pub(crate) fn linger(sock: SOCKET, onoff: USHORT, secs: USHORT) -> c_int {
    let l = libc::linger {
        l_onoff: c_int::from(onoff),
        l_linger: c_int::from(secs),
    };
    set_opt(sock, libc::SOL_SOCKET, libc::SO_LINGER, &l)
}

pub(crate) fn dont_linger(sock: SOCKET, dont: BOOL) -> c_int {
    linger(sock, USHORT::from(dont == 0), 0)
}

pub(crate) fn int_opt(sock: SOCKET, name: c_int, value: c_int) -> c_int {
    set_opt(sock, libc::SOL_SOCKET, name, &value)
}

pub(crate) fn timeout(sock: SOCKET, name: c_int, ms: c_int) -> c_int {
    let ms = ms.max(0);
    let tv = libc::timeval {
        tv_sec: libc::time_t::from(ms / 1000),
        tv_usec: libc::suseconds_t::from((ms % 1000) * 1000),
    };
    set_opt(sock, libc::SOL_SOCKET, name, &tv)
}

pub(crate) fn reuse_address(sock: SOCKET, policy: En_HP_ReuseAddressPolicy) -> c_int {
    let (addr, port) = match policy {
        RAP_NONE => (0, 0),
        RAP_ADDR_ONLY => (1, 0),
        RAP_ADDR_AND_PORT => (1, 1),
        _ => {
            set_errno(libc::EINVAL);
            return -1;
        }
    };
    let rc = int_opt(sock, libc::SO_REUSEADDR, addr);
    if rc != 0 {
        return rc;
    }
    int_opt(sock, libc::SO_REUSEPORT, port)
}

fn sockaddr(storage: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match c_int::from(storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in; read unaligned-safe.
            let a: libc::sockaddr_in =
                unsafe { ptr::read_unaligned((storage as *const libc::sockaddr_storage).cast()) };
            let ip = std::net::Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr));
            Some(SocketAddr::new(ip.into(), u16::from_be(a.sin_port)))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the storage holds a sockaddr_in6.
            let a: libc::sockaddr_in6 =
                unsafe { ptr::read_unaligned((storage as *const libc::sockaddr_storage).cast()) };
            let ip = std::net::Ipv6Addr::from(a.sin6_addr.s6_addr);
            Some(SocketAddr::new(ip.into(), u16::from_be(a.sin6_port)))
        }
        _ => None,
    }
}

/// `SYS_GetSocketLocalAddress` (`remote` false) and `SYS_GetSocketRemoteAddress`.
///
/// # Safety
/// As [`args::address_out`].
pub(crate) unsafe fn socket_address(
    sock: SOCKET,
    remote: bool,
    buf: *mut TCHAR,
    len: *mut c_int,
    port: *mut USHORT,
) -> Result<BOOL> {
    // SAFETY: an all-zero sockaddr_storage is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
    let mut n = mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let p = (&mut storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr>();
    // SAFETY: `p` is writable for `n` bytes; the kernel checks the descriptor.
    let rc = unsafe {
        if remote {
            libc::getpeername(sock, p, &mut n)
        } else {
            libc::getsockname(sock, p, &mut n)
        }
    };
    if rc == -1 {
        let e = errno();
        return Err(FfiError::new(
            SE_INVALID_PARAM,
            e,
            format!("socket {sock}: {}", std::io::Error::from_raw_os_error(e)),
        ));
    }
    let addr = sockaddr(&storage)
        .ok_or_else(|| FfiError::invalid(format!("socket {sock} is not an IP socket")))?;
    // SAFETY: per this function's contract.
    unsafe {
        args::address_out(
            &addr.ip().to_string(),
            addr.port(),
            buf,
            len,
            port,
            "lpszAddress",
        )
    }?;
    Ok(TRUE)
}

fn ip_type(ip: &IpAddr) -> En_HP_IPAddrType {
    if ip.is_ipv4() {
        IPT_IPV4
    } else {
        IPT_IPV6
    }
}

fn resolve(host: &str, want: En_HP_IPAddrType) -> Result<Vec<IpAddr>> {
    if !(IPT_ALL..=IPT_IPV6).contains(&want) {
        return Err(FfiError::invalid(format!(
            "enType {want} is not IPT_ALL, IPT_IPV4 or IPT_IPV6"
        )));
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let mut out: Vec<IpAddr> = Vec::new();
    let found = (host, 0)
        .to_socket_addrs()
        .map_err(|e| FfiError::new(SE_INVALID_PARAM, libc::EHOSTUNREACH, format!("{host}: {e}")))?;
    for a in found {
        let ip = a.ip();
        if (want == IPT_ALL || ip_type(&ip) == want) && !out.contains(&ip) {
            out.push(ip);
        }
    }
    if out.is_empty() {
        return Err(FfiError::new(
            SE_INVALID_PARAM,
            libc::EHOSTUNREACH,
            format!("{host}: no address of that type"),
        ));
    }
    Ok(out)
}

/// The lists `SYS_EnumHostIPAddresses` handed out and `SYS_FreeHostIPAddresses` has not
/// freed yet, so that freeing anything else is refused instead of corrupting the heap.
static LISTS: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

fn lists() -> std::sync::MutexGuard<'static, Option<HashSet<usize>>> {
    LISTS.lock().unwrap_or_else(|e| e.into_inner())
}

/// `SYS_EnumHostIPAddresses`: one `malloc` block holding a NULL-terminated array of
/// pointers, the `HP_TIPAddr` entries and their texts.
///
/// # Safety
/// `host` is NULL or NUL-terminated; `out` and `count` are NULL or writable.
pub(crate) unsafe fn enum_host(
    host: LPCTSTR,
    want: En_HP_IPAddrType,
    out: *mut *mut HP_LPTIPAddr,
    count: *mut c_int,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let host = unsafe { args::req_str(host, "lpszHost") }?;
    let out = args::out(out, "lpppIPAddr")?;
    let count = args::out(count, "piIPAddrCount")?;
    // SAFETY: writable per this function's contract.
    unsafe {
        out.set(ptr::null_mut());
        count.set(0);
    }
    let ips = resolve(&host, want)?;
    let texts: Vec<String> = ips.iter().map(|ip| ip.to_string()).collect();
    let n = ips.len();
    let ptrs = (n + 1) * mem::size_of::<HP_LPTIPAddr>();
    let entries = n * mem::size_of::<HP_TIPAddr>();
    let strings: usize = texts.iter().map(|t| t.len() + 1).sum();
    // SAFETY: malloc of a non-zero size; checked for NULL below.
    let block = unsafe { libc::malloc(ptrs + entries + strings) }.cast::<u8>();
    if block.is_null() {
        return Err(FfiError::new(
            SE_INVALID_PARAM,
            libc::ENOMEM,
            "out of memory",
        ));
    }
    let list = block.cast::<HP_LPTIPAddr>();
    // SAFETY: the block holds the pointer array, then the entries (pointer-aligned, as the
    // array's size is a multiple of 8), then the texts; every write stays inside it.
    unsafe {
        let entry0 = block.add(ptrs).cast::<HP_TIPAddr>();
        let mut text = block.add(ptrs + entries).cast::<c_char>();
        for (i, (ip, t)) in ips.iter().zip(&texts).enumerate() {
            ptr::copy_nonoverlapping(t.as_ptr().cast::<c_char>(), text, t.len());
            *text.add(t.len()) = 0;
            entry0.add(i).write(HP_TIPAddr {
                r#type: ip_type(ip),
                address: text,
            });
            list.add(i).write(entry0.add(i));
            text = text.add(t.len() + 1);
        }
        list.add(n).write(ptr::null_mut());
        out.set(list);
        count.set(c_len(n));
    }
    lists()
        .get_or_insert_with(HashSet::new)
        .insert(list as usize);
    Ok(TRUE)
}

/// `SYS_FreeHostIPAddresses`: frees a list of `SYS_EnumHostIPAddresses`; anything else
/// (and a list freed already) is refused.
pub(crate) fn free_host(list: *mut HP_LPTIPAddr) -> Result<BOOL> {
    if list.is_null() {
        return Err(FfiError::invalid("lppIPAddr is NULL"));
    }
    let known = lists().as_mut().is_some_and(|s| s.remove(&(list as usize)));
    if !known {
        return Err(FfiError::invalid(format!(
            "{:#x} is not a list SYS_EnumHostIPAddresses returned (or was freed already)",
            list as usize
        )));
    }
    // SAFETY: the pointer is a live block this library malloc'ed (checked above), freed once.
    unsafe { libc::free(list.cast::<c_void>()) };
    Ok(TRUE)
}

/// `SYS_IsIPAddress`.
///
/// # Safety
/// `addr` is NULL or NUL-terminated; `ty` is NULL or writable.
pub(crate) unsafe fn is_ip(addr: LPCTSTR, ty: *mut En_HP_IPAddrType) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let addr = unsafe { args::req_str(addr, "lpszAddress") }?;
    let Ok(ip) = addr.parse::<IpAddr>() else {
        return Ok(FALSE);
    };
    if !ty.is_null() {
        // SAFETY: non-NULL and writable per this function's contract.
        unsafe { ptr::write_unaligned(ty, ip_type(&ip)) };
    }
    Ok(TRUE)
}

/// `SYS_GetIPAddress`: the host's first address (itself when it is one).
///
/// # Safety
/// `host` is NULL or NUL-terminated; as [`args::text_out`] for the text; `ty` is NULL or
/// writable.
pub(crate) unsafe fn ip_of(
    host: LPCTSTR,
    buf: *mut TCHAR,
    len: *mut c_int,
    ty: *mut En_HP_IPAddrType,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let host = unsafe { args::req_str(host, "lpszHost") }?;
    let ip = match host.parse::<IpAddr>() {
        Ok(ip) => ip,
        Err(_) => resolve(&host, IPT_ALL)?[0],
    };
    // SAFETY: per this function's contract.
    unsafe { args::text_out(&ip.to_string(), buf, len, "lpszIP") }?;
    if !ty.is_null() {
        // SAFETY: non-NULL and writable per this function's contract.
        unsafe { ptr::write_unaligned(ty, ip_type(&ip)) };
    }
    Ok(TRUE)
}

/// `SYS_Malloc` and friends: libc's, so a block may go to code that calls `free`.
pub(crate) fn malloc(size: c_int) -> LPBYTE_ {
    if size < 0 {
        set_errno(libc::EINVAL);
        return ptr::null_mut();
    }
    // SAFETY: malloc of any size is sound.
    unsafe { libc::malloc(size as usize) }.cast()
}

/// # Safety
/// `p` is NULL or a live block of libc's allocator.
pub(crate) unsafe fn realloc(p: LPBYTE_, size: c_int) -> LPBYTE_ {
    if size < 0 {
        set_errno(libc::EINVAL);
        return ptr::null_mut();
    }
    // SAFETY: per this function's contract.
    unsafe { libc::realloc(p.cast(), size as usize) }.cast()
}

/// # Safety
/// `p` is NULL or a live block of libc's allocator.
pub(crate) unsafe fn free(p: LPBYTE_) {
    // SAFETY: per this function's contract.
    unsafe { libc::free(p.cast()) }
}

pub(crate) fn calloc(number: c_int, size: c_int) -> PVOID {
    if number < 0 || size < 0 {
        set_errno(libc::EINVAL);
        return ptr::null_mut();
    }
    // SAFETY: calloc checks the product for overflow itself.
    unsafe { libc::calloc(number as usize, size as usize) }
}

/// `BYTE*`, as `LPBYTE` of HP-Socket (the header spells it `BYTE *`).
pub(crate) type LPBYTE_ = *mut BYTE;
