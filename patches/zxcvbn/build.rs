//! Vigil's patch: deflates the ranked word lists into OUT_DIR, where
//! `src/frequency_lists.rs` includes them (see the comment there).
use std::io::Write;

fn main() {
    let src = "data/frequency_lists.txt";
    println!("cargo:rerun-if-changed={src}");
    let text = std::fs::read(src).expect("read the word lists");
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&text).expect("deflate the word lists");
    let compressed = encoder.finish().expect("deflate the word lists");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("frequency_lists.deflate"), compressed).expect("write OUT_DIR");
}
