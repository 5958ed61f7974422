#[cfg(feature = "filter-by-regex")]
use chrono_tz_build::FILTER_ENV_VAR_NAME;
use std::{env, path::Path};

// Vigil's patch: always generates the tables (in the compact form of the patched
// chrono-tz-build), with or without a filter.
fn main() {
    #[cfg(feature = "filter-by-regex")]
    println!("cargo:rerun-if-env-changed={FILTER_ENV_VAR_NAME}");
    chrono_tz_build::main(
        Path::new(&env::var("OUT_DIR").unwrap()),
        cfg!(feature = "filter-by-regex"),
        cfg!(feature = "case-insensitive"),
    );
}
