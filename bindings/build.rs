//! Packs the shipped library's relative relocations (DT_RELR): its pointer tables (string
//! slices, vtables, panic locations) need about 48,000 of them, 1.16 MB as plain RELA
//! entries on x86_64 and a few kilobytes packed. Only the cdylib's link changes; GNU ld
//! (2.38+) packs them when the C library supports it (glibc 2.36+) and ignores the option
//! otherwise. Android: the app's build passes `-Wl,--pack-dyn-relocs=relr` (API 28+); see
//! docs/bindings.md "Size".
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
    }
}
