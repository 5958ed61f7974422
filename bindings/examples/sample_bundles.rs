//! Writes a publisher key and a small signed directory bundle for the binding test
//! suites (Python, Kotlin): `cargo run -p vigil-ffi --example sample_bundles -- OUT_DIR`.
//! Test data only: three made-up services in central London.

use chrono::{Duration, TimeZone, Utc};
use vigil_core::directory::{build_directory_bundle, Category, DirectoryContent, Service};
use vigil_core::feeds::{generate_publisher_key, PublisherKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: sample_bundles OUT_DIR")?,
    );
    std::fs::create_dir_all(&out)?;
    let (pkcs8, public) = generate_publisher_key(&ring::rand::SystemRandom::new())?;
    let key = PublisherKey::from_pkcs8(&pkcs8)?;
    let mut clinic = Service::new(
        "test:1",
        "Soho Sexual Health (test data)",
        &[Category::SexualHealthClinic],
        51.5136,
        -0.1365,
    );
    clinic.opening_hours = Some("24/7".into());
    clinic.postcode = Some("W1D 6AQ".into());
    let mut pharmacy = Service::new(
        "test:2",
        "Strand Pharmacy (test data)",
        &[Category::Pharmacy],
        51.5101,
        -0.1230,
    );
    pharmacy.opening_hours = Some("Mo-Sa 09:00-18:00".into());
    pharmacy.postcode = Some("WC2R 0EU".into());
    let project = Service::new(
        "test:3",
        "Camden Sex Work Project (test data)",
        &[Category::SexWorkProject],
        51.5390,
        -0.1426,
    );
    let content = DirectoryContent::new("Europe/London", vec![clinic, pharmacy, project]);
    let issued = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or("time")?;
    let bundle = build_directory_bundle(&key, &content, 1, issued, issued + Duration::days(3650))?;
    std::fs::write(out.join("publisher.pub"), public.to_string())?;
    std::fs::write(out.join("directory.bundle"), bundle)?;
    Ok(())
}
