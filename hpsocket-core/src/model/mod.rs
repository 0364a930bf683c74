//! Receive models: PUSH (bytes as read), PULL (buffered; the application fetches) and PACK
//! (HP-Socket's length-prefixed frames).

pub(crate) mod pack;
pub(crate) mod pull;

pub use pack::PackConfig;
pub use pull::FetchResult;

/// How received bytes reach the application; fixed when a component is created, as the
/// component type fixes it in HP-Socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReceiveModel {
    /// `on_receive` with whatever each read returned.
    #[default]
    Push,
    /// `on_pull_receive` with the total buffered; the application calls `fetch`/`peek`.
    Pull,
    /// `on_receive` with one whole frame body; sends are framed.
    Pack,
    /// HTTP/1.x: the worker parses messages and reports them through `on_http` (see
    /// [`crate::http`]); sends go out as given.
    Http,
    /// ARQ (KCP over UDP, see [`crate::arq`]): `on_receive` with one whole message; sends are
    /// messages of 1..=`max_message_size` bytes, delivered whole and in order.
    Arq,
}
