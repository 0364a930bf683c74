//! Regenerates `include/hpsocket.h` with cbindgen, writing it only when its content changed so
//! that a build never dirties the work tree. `tests/header.rs` fails when the committed header
//! is stale, so a generation problem here is reported as a warning, not a build failure.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");

    let header = crate_dir.join("..").join("include").join("hpsocket.h");
    let generated = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .map_err(|e| e.to_string())
        .and_then(|config| {
            cbindgen::Builder::new()
                .with_crate(&crate_dir)
                .with_config(config)
                .generate()
                .map_err(|e| e.to_string())
        });
    let bindings = match generated {
        Ok(b) => b,
        Err(e) => {
            println!("cargo:warning=cbindgen could not generate include/hpsocket.h: {e}");
            return;
        }
    };
    let mut text = Vec::new();
    bindings.write(&mut text);
    if std::fs::read(&header).ok().as_deref() == Some(text.as_slice()) {
        return;
    }
    if let Some(dir) = header.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = std::fs::write(&header, &text) {
        println!("cargo:warning=cannot write {}: {e}", header.display());
    }
}
