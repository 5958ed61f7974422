use std::env;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

#[path = "src/metadata/loader.rs"]
mod loader;

#[path = "src/error.rs"]
mod error;

fn main() {
    let pnm_path = "assets/PhoneNumberMetadata.xml";
    let metadata = loader::load(BufReader::new(
        File::open(pnm_path).expect("could not open metadata file"),
    ))
    .expect("failed to load metadata");
    println!("cargo:rerun-if-changed={pnm_path}");

    // Vigil's patch: the database is deflated (527 KB of postcard, 64 KB deflated) and
    // inflated once when it is first used (src/metadata/database.rs).
    let out = BufWriter::new(
        File::create(Path::new(&env::var("OUT_DIR").unwrap()).join("database.bin.deflate"))
            .expect("could not create database file"),
    );
    let mut out = flate2::write::DeflateEncoder::new(out, flate2::Compression::best());
    postcard::to_io(&metadata, &mut out).expect("failed to serialize database");
    out.finish()
        .expect("failed to deflate database")
        .flush()
        .expect("failed to write database");
}
