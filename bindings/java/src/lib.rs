//! # hpsocket-java
//!
//! The JNI library (`libhpsocket_jni.so`) under the Java package `org.hpsocket`: every
//! `native` method of `org.hpsocket.Native` is a function here, over `hpsocket-core`
//! directly (not over the C ABI).
//!
//! * A Java component holds a `long` handle to a [`shell::Shell`]; its `java.lang.ref.Cleaner`
//!   frees it once the component is unreachable, so a forgotten `close()` leaks nothing.
//! * Listener events reach Java through [`bridge::Bridge`] as `Component.dispatch` upcalls,
//!   only for the events the Java listener overrides. Worker threads attach to the JVM once,
//!   as daemon threads, and stay attached until they exit ([`jvm`]).
//! * No Rust panic crosses into Java: every entry point catches it and throws
//!   `java.lang.Error`; every upcall clears and reports a pending Java exception.

mod args;
mod bridge;
mod buffers;
mod codec;
mod connections;
mod data;
mod entry;
mod global;
mod http;
mod jtypes;
mod jvm;
mod lifecycle;
mod log;
mod settings;
mod shell;
mod ssl;
mod websocket;
