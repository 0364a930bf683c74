//! Names for the JNI object types whose jni name does not say their Java class, so that a
//! shim's signature alone gives its `native` declaration: `tools/ffi-gen` writes the
//! declarations of `org.hpsocket.Native` and `org.hpsocket.codec.CodecNative` from the shims
//! (its `java` module maps each name here to the Java type). They are plain aliases: the
//! JNI calls see the same types.

// Named like jni::sys's raw result types (`jstring`, `jobjectArray`).
#![allow(non_camel_case_types)]

use jni::objects::{JObject, JObjectArray};
use jni::sys::{jobject, jobjectArray};

/// A `String[]` argument.
pub(crate) type JStringArray<'local> = JObjectArray<'local>;
/// A `byte[][]` argument.
pub(crate) type JByteArrayArray<'local> = JObjectArray<'local>;
/// An `org.hpsocket.Component` argument.
pub(crate) type JComponent<'local> = JObject<'local>;
/// A `String[]` result.
pub(crate) type jstringArray = jobjectArray;
/// An `org.hpsocket.HPSocketException` result.
pub(crate) type jHPSocketException = jobject;
