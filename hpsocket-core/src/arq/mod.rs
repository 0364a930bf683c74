//! Reliable UDP (HP-Socket's ARQ components): KCP over the UDP transports.

pub mod kcp;
