//! The committed generated exports are what the tables give: a table edited without
//! regenerating (or a generated file edited by hand) fails here, in `make test`.

use std::path::Path;

#[test]
fn generated_files_match_the_tables() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let outputs = ffi_gen::generate(&root).expect("the tables parse");
    let stale = ffi_gen::apply(&outputs, true).expect("the files are readable");
    assert!(
        stale.is_empty(),
        "stale generated files (run `cargo run -p ffi-gen` and commit): {stale:?}"
    );
}
