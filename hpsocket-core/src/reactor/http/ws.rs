//! Sending WebSocket: frames of the frame API (masked for agents and clients, compressed
//! whole messages once permessage-deflate is agreed), and the WebSocket mode's upgrade
//! request, subprotocol and closing handshake.

use crate::error::{Error, ErrorKind, Result};
use crate::http::session::WsOffer;
use crate::http::write::Header;
use crate::http::{ws, ws_deflate, ws_mode, WsFrameState};
use crate::reactor::Engine;
use crate::reactor::{Command, Role};
use crate::types::ConnId;

impl Engine {
    /// Runs `f` on connection `id`'s WebSocket frame state (`None` before the first frame).
    pub(crate) fn http_ws_state<R>(
        &self,
        id: ConnId,
        f: impl FnOnce(Option<&WsFrameState>) -> R,
    ) -> Result<R> {
        self.with_http("ws_message_state", id, |_, shared| {
            Ok(shared.with_ws_state(f))
        })
    }

    /// Sends one WebSocket frame: its head announces `body_len` (0: `data.len()`; more: the
    /// rest follows through plain sends), then `data`. A server's frames are never masked;
    /// an agent's or client's are masked with `key`, or a random key when `None`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn http_send_ws(
        &self,
        id: ConnId,
        fin: bool,
        reserved: u8,
        opcode: u8,
        key: Option<[u8; 4]>,
        data: &[u8],
        body_len: u64,
    ) -> Result<()> {
        self.require_http("send_ws_message")?;
        if reserved > 7 || opcode > 0x0F {
            return Err(Error::invalid_param(format!(
                "send_ws_message: reserved bits {reserved:#x} (0..=7) or opcode {opcode:#x} \
                 (0..=0xF) out of range"
            )));
        }
        let len = match body_len {
            0 => data.len() as u64,
            n if n < data.len() as u64 => {
                return Err(Error::invalid_param(format!(
                    "send_ws_message: ullBodyLen {n} is less than the {} bytes given",
                    data.len()
                )))
            }
            n => n,
        };
        let key = match self.role() {
            Role::Server => None,
            _ => Some(match key {
                Some(k) => k,
                None => random_key()?,
            }),
        };
        // With permessage-deflate agreed, a whole text or binary message in one frame goes
        // compressed (RSV1); fragments and frames whose payload follows later go as they are.
        let whole = fin && reserved == 0 && matches!(opcode, 0x1 | 0x2) && len == data.len() as u64;
        if whole {
            let sent = self.with_http("send_ws_message", id, |_, shared| {
                let mut deflater = crate::sync::lock(&shared.ws_deflater);
                let Some(deflater) = deflater.as_mut() else {
                    return Ok(None);
                };
                let payload = deflater.compress(data);
                // Queued before the lock goes: the peer inflates in compression order.
                let len = payload.len() as u64;
                Ok(Some(
                    self.send_ws_frame(id, fin, 0b100, opcode, key, &payload, len),
                ))
            })?;
            if let Some(sent) = sent {
                return sent;
            }
        }
        self.send_ws_frame(id, fin, reserved, opcode, key, data, len)
    }

    /// Writes one frame's head announcing `len` and `data`, masked with `key` if any.
    #[allow(clippy::too_many_arguments)]
    fn send_ws_frame(
        &self,
        id: ConnId,
        fin: bool,
        reserved: u8,
        opcode: u8,
        key: Option<[u8; 4]>,
        data: &[u8],
        len: u64,
    ) -> Result<()> {
        let (head, n) = ws::frame_head(fin, reserved, opcode, key, len);
        match key {
            None => self.send(id, &[&head[..n], data]),
            Some(k) => {
                let mut masked = data.to_vec();
                ws::mask(&mut masked, k, 0);
                self.send(id, &[&head[..n], &masked])
            }
        }
    }

    /// WebSocket mode: the subprotocol agreed on in the opening handshake, if any.
    pub(crate) fn http_ws_protocol(&self, id: ConnId) -> Result<Option<String>> {
        self.with_http("ws_protocol", id, |_, shared| {
            Ok(crate::sync::lock(&shared.ws_protocol).clone())
        })
    }

    /// WebSocket mode, agent or client: sends the upgrade request (GET `path` with a fresh
    /// `Sec-WebSocket-Key`), whose answer's accept the mode checks.
    pub(crate) fn http_ws_upgrade(
        &self,
        id: ConnId,
        path: &str,
        headers: &[Header<'_>],
    ) -> Result<()> {
        self.require_http("send_ws_upgrade")?;
        if self.role() == Role::Server {
            return Err(Error::invalid_param(
                "send_ws_upgrade: a server answers upgrades, it does not ask for them",
            ));
        }
        let config = self.http_config();
        let offer = WsOffer {
            key: ws_mode::new_key(),
            protocols: config.ws_protocols.clone(),
            deflate: config.ws_deflate,
        };
        let protocols = offer.protocols.join(", ");
        let mut all: Vec<Header<'_>> = vec![
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", &offer.key),
            ("Sec-WebSocket-Version", "13"),
        ];
        if !protocols.is_empty() {
            all.push(("Sec-WebSocket-Protocol", &protocols));
        }
        if offer.deflate {
            all.push(("Sec-WebSocket-Extensions", ws_deflate::CLIENT_OFFER));
        }
        all.extend_from_slice(headers);
        let offer = offer.clone();
        self.with_http("send_ws_upgrade", id, |_, shared| {
            *crate::sync::lock(&shared.ws_offer) = Some(offer);
            Ok(())
        })?;
        self.http_send_request(id, "GET", path, &all, b"")
    }

    /// WebSocket mode: starts the closing handshake with `code` and `reason`; the connection
    /// closes when the peer answers, or `close_timeout` ms later.
    pub(crate) fn http_ws_close(&self, id: ConnId, code: u16, reason: &str) -> Result<()> {
        self.require_http("ws_close")?;
        if !ws_mode::valid_close_code(code) {
            return Err(Error::invalid_param(format!(
                "ws_close: {code} is not a close code that may be sent \
                 (1000..=1003, 1007..=1011, 3000..=4999)"
            )));
        }
        if reason.len() > 123 {
            return Err(Error::invalid_param(format!(
                "ws_close: the reason is {} bytes; a close frame holds at most 123",
                reason.len()
            )));
        }
        let server = self.role() == Role::Server;
        let timeout = self.http_config().release_delay.max(1000);
        let frame = ws_mode::close_frame(server, code, reason);
        // One lookup for the send and the delayed close: a peer that answers at once may
        // close the connection before a second lookup, after the close already went out.
        self.with_run("ws_close", |run, me| {
            let conn = run.live_conn("ws_close", id)?;
            let Some(shared) = conn.http() else {
                return Err(Error::not_found("ws_close", id));
            };
            shared
                .ws_closing
                .store(true, std::sync::atomic::Ordering::Release);
            run.send_to(&conn, &[&frame], me)?;
            run.post(
                conn.worker(),
                Command::Release(conn.clone(), timeout, 0),
                me,
            );
            Ok(())
        })
    }
}

/// A masking key from OpenSSL's generator (RFC 6455 asks for an unpredictable one).
fn random_key() -> Result<[u8; 4]> {
    let mut key = [0u8; 4];
    openssl::rand::rand_bytes(&mut key).map_err(|e| {
        Error::new(
            ErrorKind::SslEnvNotReady,
            libc::EIO,
            format!("send_ws_message: no random masking key: {e}"),
        )
    })?;
    Ok(key)
}
