//! `cargo run -p ffi-gen [-- --check]`: regenerate `hpsocket-ffi/src/generated/` from the
//! tables in `hpsocket-ffi/api/`, or only report whether the committed files are stale.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let result = ffi_gen::generate(&root).and_then(|outputs| ffi_gen::apply(&outputs, check));
    match result {
        Ok(stale) if stale.is_empty() => {
            println!("ffi-gen: generated files are up to date");
            ExitCode::SUCCESS
        }
        Ok(stale) => {
            for path in &stale {
                let verb = if check { "stale" } else { "wrote" };
                println!("ffi-gen: {verb} {}", path.display());
            }
            if check {
                println!("ffi-gen: run `cargo run -p ffi-gen` and commit the result");
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("ffi-gen: {e}");
            ExitCode::FAILURE
        }
    }
}
