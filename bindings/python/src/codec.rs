//! `hpsocket.codec`: the core's streaming compressors and decompressors (zlib, gzip, raw
//! deflate over flate2/zlib-rs; brotli over the `brotli` crate), shaped like
//! `zlib.compressobj`/`zlib.decompressobj`, and one-shot `compress`/`decompress`. The work
//! runs with the GIL released: the input is held as `bytes` (one copy for other bytes-like
//! objects) and the output collected in Rust, then copied once into the returned `bytes`.

use std::sync::{Mutex, MutexGuard};

use hpsocket_core::codec::{
    BrotliParams, CodecError as CoreError, Compressor, Decompressor, DeflateParams,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;

pyo3::create_exception!(
    hpsocket.codec,
    CodecError,
    PyValueError,
    "Corrupt or truncated compressed data, or a parameter out of range."
);

/// The output buffer of a streaming object: each piece the codec hands out is at most this.
const STREAM_BUFFER: usize = 64 << 10;
/// The one-shot calls' buffer: fewer, larger pieces.
const ONE_SHOT_BUFFER: usize = 1 << 20;

/// zlib's flush modes that `flush` takes (the values of the `zlib` module's constants).
const Z_NO_FLUSH: i32 = 0;
const Z_SYNC_FLUSH: i32 = 2;
const Z_FINISH: i32 = 4;

fn codec_err(e: CoreError) -> PyErr {
    CodecError::new_err(e.to_string())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside the codec leaves a stream that the next call resets anyway.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Bytes-like input as `bytes` that may cross a GIL release.
fn input(data: &Bound<'_, PyAny>) -> PyResult<PyBackedBytes> {
    Ok(PyBackedBytes::from(crate::args::data(data)?))
}

fn deflate_params(level: i32, wbits: i32) -> DeflateParams {
    DeflateParams {
        level,
        window_bits: wbits,
        ..Default::default()
    }
}

fn brotli_params(quality: i32, window: i32, mode: i32) -> BrotliParams {
    BrotliParams {
        quality,
        window,
        mode,
    }
}

// ----- streaming compressors ---------------------------------------------------------------------

/// The base of the compressors: ``compress(data)`` returns what is ready, ``flush()`` ends
/// the stream (``flush(zlib.Z_SYNC_FLUSH)`` makes everything so far decodable and keeps it
/// open). After the end the object starts a new stream. Safe to share between threads (one
/// call at a time).
#[pyclass(subclass, frozen, module = "hpsocket.codec", name = "Compressor")]
pub(crate) struct PyCompressor {
    inner: Mutex<Compressor>,
}

impl PyCompressor {
    fn run(&self, py: Python<'_>, data: &[u8], last: bool, flush: bool) -> PyResult<Py<PyBytes>> {
        let out = py.detach(|| {
            let mut out = Vec::new();
            lock(&self.inner)
                .process(data, last, flush, &mut |p| {
                    out.extend_from_slice(p);
                    true
                })
                .map(|()| out)
        });
        Ok(PyBytes::new(py, &out.map_err(codec_err)?).unbind())
    }
}

#[pymethods]
impl PyCompressor {
    /// Compresses ``data`` (bytes-like); returns the compressed bytes ready so far (often
    /// ``b""``: the rest comes with later calls and ``flush``).
    fn compress(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Py<PyBytes>> {
        let data = input(data)?;
        self.run(py, &data, false, false)
    }

    /// ``zlib.Z_FINISH`` (default): ends the stream and returns the rest;
    /// ``zlib.Z_SYNC_FLUSH``: returns everything so far in decodable form and keeps the stream
    /// open; ``zlib.Z_NO_FLUSH``: nothing. Other modes raise ``ValueError``.
    #[pyo3(signature = (mode=Z_FINISH))]
    fn flush(&self, py: Python<'_>, mode: i32) -> PyResult<Py<PyBytes>> {
        match mode {
            Z_FINISH => self.run(py, b"", true, false),
            Z_SYNC_FLUSH => self.run(py, b"", false, true),
            Z_NO_FLUSH => Ok(PyBytes::new(py, b"").unbind()),
            _ => Err(PyValueError::new_err(format!(
                "flush mode must be Z_FINISH (4), Z_SYNC_FLUSH (2) or Z_NO_FLUSH (0), not {mode}"
            ))),
        }
    }
}

/// A zlib stream compressor (RFC 1950), like ``zlib.compressobj(level, zlib.DEFLATED,
/// wbits)``: ``level`` -1 (6) or 0..=9; ``wbits`` 9..=15 for zlib, -15..=-9 for raw deflate,
/// 25..=31 for gzip.
#[pyclass(frozen, extends = PyCompressor, module = "hpsocket.codec", name = "ZLibCompressor")]
pub(crate) struct PyZLibCompressor {}

#[pymethods]
impl PyZLibCompressor {
    #[new]
    #[pyo3(signature = (level=-1, wbits=15))]
    fn new(level: i32, wbits: i32) -> PyResult<PyClassInitializer<Self>> {
        let c =
            Compressor::deflate(&deflate_params(level, wbits), STREAM_BUFFER).map_err(codec_err)?;
        Ok(PyClassInitializer::from(PyCompressor {
            inner: Mutex::new(c),
        })
        .add_subclass(PyZLibCompressor {}))
    }
}

/// A gzip stream compressor (RFC 1952), like ``zlib.compressobj(level, wbits=31)``.
#[pyclass(frozen, extends = PyCompressor, module = "hpsocket.codec", name = "GZipCompressor")]
pub(crate) struct PyGZipCompressor {}

#[pymethods]
impl PyGZipCompressor {
    #[new]
    #[pyo3(signature = (level=-1))]
    fn new(level: i32) -> PyResult<PyClassInitializer<Self>> {
        let c =
            Compressor::deflate(&deflate_params(level, 31), STREAM_BUFFER).map_err(codec_err)?;
        Ok(PyClassInitializer::from(PyCompressor {
            inner: Mutex::new(c),
        })
        .add_subclass(PyGZipCompressor {}))
    }
}

/// A brotli stream compressor (RFC 7932): ``quality`` 0..=11, ``window`` (log2) 10..=24,
/// ``mode`` 0 generic, 1 text, 2 font.
#[pyclass(frozen, extends = PyCompressor, module = "hpsocket.codec", name = "BrotliCompressor")]
pub(crate) struct PyBrotliCompressor {}

#[pymethods]
impl PyBrotliCompressor {
    #[new]
    #[pyo3(signature = (quality=11, window=22, mode=0))]
    fn new(quality: i32, window: i32, mode: i32) -> PyResult<PyClassInitializer<Self>> {
        let c = Compressor::brotli(&brotli_params(quality, window, mode), STREAM_BUFFER)
            .map_err(codec_err)?;
        Ok(PyClassInitializer::from(PyCompressor {
            inner: Mutex::new(c),
        })
        .add_subclass(PyBrotliCompressor {}))
    }
}

// ----- streaming decompressors -------------------------------------------------------------------

/// The base of the decompressors: ``decompress(data)`` returns what ``data`` completes;
/// ``eof`` turns True when the stream ended (bytes after its end in that call are dropped,
/// and the next call starts a new stream). Corrupt data raises ``CodecError`` and resets the
/// object.
#[pyclass(subclass, frozen, module = "hpsocket.codec", name = "Decompressor")]
pub(crate) struct PyDecompressor {
    inner: Mutex<(Decompressor, bool)>,
}

#[pymethods]
impl PyDecompressor {
    /// Decompresses ``data`` (bytes-like); returns the bytes it completes.
    fn decompress(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Py<PyBytes>> {
        let data = input(data)?;
        let out = py.detach(|| {
            let mut out = Vec::new();
            let mut g = lock(&self.inner);
            let r = g.0.process(&data, &mut |p| {
                out.extend_from_slice(p);
                true
            });
            g.1 = matches!(r, Ok(true));
            r.map(|_| out)
        });
        Ok(PyBytes::new(py, &out.map_err(codec_err)?).unbind())
    }

    /// ``b""``: ``decompress`` already returns all it can (kept for ``zlib.decompressobj``'s
    /// shape).
    #[pyo3(signature = (length=None))]
    fn flush(&self, py: Python<'_>, length: Option<usize>) -> Py<PyBytes> {
        let _ = length;
        PyBytes::new(py, b"").unbind()
    }

    /// Whether the last ``decompress`` reached the end of the stream.
    #[getter]
    fn eof(&self) -> bool {
        lock(&self.inner).1
    }
}

fn decompressor(d: Decompressor) -> PyDecompressor {
    PyDecompressor {
        inner: Mutex::new((d, false)),
    }
}

/// A zlib stream decompressor, like ``zlib.decompressobj(wbits)``: ``wbits`` 9..=15 (or 0:
/// the header's) zlib, -15..=-9 raw deflate, 25..=31 gzip, 41..=47 zlib or gzip by the
/// header.
#[pyclass(frozen, extends = PyDecompressor, module = "hpsocket.codec", name = "ZLibDecompressor")]
pub(crate) struct PyZLibDecompressor {}

#[pymethods]
impl PyZLibDecompressor {
    #[new]
    #[pyo3(signature = (wbits=15))]
    fn new(wbits: i32) -> PyResult<PyClassInitializer<Self>> {
        let d =
            Decompressor::deflate(&deflate_params(-1, wbits), STREAM_BUFFER).map_err(codec_err)?;
        Ok(PyClassInitializer::from(decompressor(d)).add_subclass(PyZLibDecompressor {}))
    }
}

/// A gzip stream decompressor (a zlib stream is taken too, as HP-Socket's).
#[pyclass(frozen, extends = PyDecompressor, module = "hpsocket.codec", name = "GZipDecompressor")]
pub(crate) struct PyGZipDecompressor {}

#[pymethods]
impl PyGZipDecompressor {
    #[new]
    fn new() -> PyResult<PyClassInitializer<Self>> {
        let d =
            Decompressor::deflate(&DeflateParams::gzip(true), STREAM_BUFFER).map_err(codec_err)?;
        Ok(PyClassInitializer::from(decompressor(d)).add_subclass(PyGZipDecompressor {}))
    }
}

/// A brotli stream decompressor.
#[pyclass(frozen, extends = PyDecompressor, module = "hpsocket.codec", name = "BrotliDecompressor")]
pub(crate) struct PyBrotliDecompressor {}

#[pymethods]
impl PyBrotliDecompressor {
    #[new]
    fn new() -> PyResult<PyClassInitializer<Self>> {
        let d = Decompressor::brotli(STREAM_BUFFER).map_err(codec_err)?;
        Ok(PyClassInitializer::from(decompressor(d)).add_subclass(PyBrotliDecompressor {}))
    }
}

// ----- one-shot ----------------------------------------------------------------------------------

/// The format names of the one-shot calls.
fn format_of(format: &str) -> PyResult<Option<i32>> {
    // Some(window bits) for the deflate family, None for brotli.
    match format {
        "zlib" => Ok(Some(15)),
        "gzip" => Ok(Some(31)),
        "deflate" => Ok(Some(-15)),
        "brotli" => Ok(None),
        _ => Err(PyValueError::new_err(format!(
            "format must be \"zlib\", \"gzip\", \"deflate\" or \"brotli\", not {format:?}"
        ))),
    }
}

/// Compresses ``data`` into one whole stream: ``format`` ``"zlib"`` (default), ``"gzip"``,
/// ``"deflate"`` (raw) or ``"brotli"``; ``level`` -1 (zlib's 6, brotli's 11) or 0..=9 (0..=11
/// for brotli). The GIL is released meanwhile.
#[pyfunction]
#[pyo3(signature = (data, format="zlib", level=-1))]
fn compress(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    format: &str,
    level: i32,
) -> PyResult<Py<PyBytes>> {
    let data = input(data)?;
    let c = match format_of(format)? {
        Some(bits) => Compressor::deflate(&deflate_params(level, bits), ONE_SHOT_BUFFER),
        None => {
            let quality = if level < 0 { 11 } else { level };
            Compressor::brotli(&brotli_params(quality, 22, 0), ONE_SHOT_BUFFER)
        }
    }
    .map_err(codec_err)?;
    let out = py.detach(move || {
        let mut c = c;
        let mut out = Vec::new();
        c.process(&data, true, false, &mut |p| {
            out.extend_from_slice(p);
            true
        })
        .map(|()| out)
    });
    Ok(PyBytes::new(py, &out.map_err(codec_err)?).unbind())
}

/// Decompresses one whole stream of ``format`` (as ``compress``; ``"gzip"`` takes zlib
/// too); a truncated or corrupt stream raises ``CodecError``, bytes after its end are
/// ignored. The GIL is released meanwhile.
#[pyfunction]
#[pyo3(signature = (data, format="zlib"))]
fn decompress(py: Python<'_>, data: &Bound<'_, PyAny>, format: &str) -> PyResult<Py<PyBytes>> {
    let data = input(data)?;
    let d = match format_of(format)? {
        Some(31) => Decompressor::deflate(&DeflateParams::gzip(true), ONE_SHOT_BUFFER),
        Some(bits) => Decompressor::deflate(&deflate_params(-1, bits), ONE_SHOT_BUFFER),
        None => Decompressor::brotli(ONE_SHOT_BUFFER),
    }
    .map_err(codec_err)?;
    let out = py.detach(move || {
        let mut d = d;
        let mut out = Vec::with_capacity(data.len().saturating_mul(4));
        match d.process(&data, &mut |p| {
            out.extend_from_slice(p);
            true
        }) {
            Ok(true) => Ok(out),
            Ok(false) => Err(CoreError::BadInput),
            Err(e) => Err(e),
        }
    });
    Ok(PyBytes::new(py, &out.map_err(codec_err)?).unbind())
}

/// Registers the classes and functions (re-exported by ``hpsocket.codec``).
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("CodecError", py.get_type::<CodecError>())?;
    m.add_class::<PyCompressor>()?;
    m.add_class::<PyZLibCompressor>()?;
    m.add_class::<PyGZipCompressor>()?;
    m.add_class::<PyBrotliCompressor>()?;
    m.add_class::<PyDecompressor>()?;
    m.add_class::<PyZLibDecompressor>()?;
    m.add_class::<PyGZipDecompressor>()?;
    m.add_class::<PyBrotliDecompressor>()?;
    m.add_function(wrap_pyfunction!(compress, m)?)?;
    m.add_function(wrap_pyfunction!(decompress, m)?)?;
    Ok(())
}
