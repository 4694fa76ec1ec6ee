//! Embeds the demo catalog's pictures so `cargo run` works from any folder with no files beside it.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=assets");
    let dir = Path::new("assets/pictures");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".png"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut code = String::from("pub static DEMO_PICTURES: &[(&str, &[u8])] = &[\n");
    for name in names {
        // The folder is named when the library compiles, not here: a build directory shared by two
        // checkouts (cargo reuses this script's output when the assets are unchanged) must not
        // point into the other checkout.
        let _ = writeln!(
            code,
            "    (\"pictures/{name}\", include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/assets/pictures/{name}\"))),"
        );
    }
    code.push_str("];\n");
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    if let Err(e) = std::fs::write(Path::new(&out).join("demo_pictures.rs"), code) {
        println!("cargo::warning=cannot write demo_pictures.rs: {e}");
    }
}
