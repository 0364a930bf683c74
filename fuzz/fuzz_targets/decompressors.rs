//! The streaming decompressors (`hpsocket_core::codec`): zlib, gzip (zlib or gzip by the
//! header), raw deflate and brotli. Input: byte 0 picks the codec and a split point, the rest
//! is the compressed stream. Checked: no panic; the output is the same whether the stream
//! arrives whole, in two pieces or through the one-shot helper (on corrupt input, and for an
//! unfinished brotli stream: the same bytes as far as both go); a stream that decodes
//! compresses and decodes back to the same bytes. Output is capped (the sink stops at 1 MiB),
//! so a decompression bomb ends the run early instead of eating memory.
#![no_main]

use hpsocket_core::codec::{
    compress, decompress, BrotliParams, CodecError, Compressor, Decompressor, DeflateParams,
};
use libfuzzer_sys::fuzz_target;

const CAP: usize = 1 << 20;

fn decoder(which: u8) -> Decompressor {
    let p = |w| DeflateParams {
        window_bits: w,
        ..Default::default()
    };
    match which % 4 {
        0 => Decompressor::deflate(&p(15), 4096),
        1 => Decompressor::deflate(&DeflateParams::gzip(true), 333),
        2 => Decompressor::deflate(&p(-15), 1000),
        _ => Decompressor::brotli(512),
    }
    .unwrap()
}

fn encoder(which: u8) -> Compressor {
    let p = |w| DeflateParams {
        window_bits: w,
        level: 1,
        ..Default::default()
    };
    match which % 4 {
        0 => Compressor::deflate(&p(15), 4096),
        1 => Compressor::deflate(&p(31), 4096),
        2 => Compressor::deflate(&p(-15), 4096),
        _ => Compressor::brotli(
            &BrotliParams {
                quality: 1,
                ..Default::default()
            },
            4096,
        ),
    }
    .unwrap()
}

/// Feeds the pieces; the output, whether the stream ended, and whether it failed.
fn run(which: u8, pieces: &[&[u8]]) -> (Vec<u8>, bool, bool) {
    let mut d = decoder(which);
    let mut out = Vec::new();
    for piece in pieces {
        let r = d.process(piece, &mut |p| {
            out.extend_from_slice(p);
            out.len() < CAP
        });
        match r {
            Ok(true) => return (out, true, false),
            Ok(false) => {}
            Err(_) => return (out, false, true),
        }
    }
    (out, false, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, stream)) = data.split_first() else {
        return;
    };
    let which = sel & 3;
    let split = usize::from(sel >> 2) * stream.len() / 64;
    let (whole, ended, failed) = run(which, &[stream]);
    if whole.len() >= CAP {
        return;
    }
    let (parts, ended2, failed2) = run(which, &[&stream[..split], &stream[split..]]);
    assert_eq!((ended, failed), (ended2, failed2));
    if failed || (!ended && which == 3) {
        // A call that fails drops what it decoded before the error (as HP-Socket's), and the
        // brotli decoder holds back part of an unfinished stream until more input comes, so
        // the two runs may have shown more or less of the same bytes.
        let n = whole.len().min(parts.len());
        assert_eq!(whole[..n], parts[..n]);
    } else {
        assert_eq!(whole, parts);
    }

    let mut dst = vec![0u8; CAP];
    match decompress(decoder(which), stream, &mut dst) {
        Ok(n) => {
            assert!(ended && !failed);
            assert_eq!(&dst[..n], &whole[..]);
            let mut packed = vec![0u8; n * 2 + 1024];
            let m = compress(encoder(which), &whole, &mut packed).unwrap();
            let mut back = vec![0u8; n];
            assert_eq!(decompress(decoder(which), &packed[..m], &mut back), Ok(n));
            assert_eq!(back, whole);
        }
        Err(CodecError::BadInput) => assert!(failed || !ended),
        Err(e) => panic!("unexpected {e:?}"),
    }
});
