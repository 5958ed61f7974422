//! Writes a publisher key, a small signed directory bundle and a one-alert bundle for the
//! binding test suites (Python, Kotlin):
//! `cargo run -p vigil-ffi --example sample_bundles -- OUT_DIR`.
//! Test data only: three made-up services in central London, one made-up alert on a
//! number from the drama range (+44 7700 900999).

use chrono::{Duration, TimeZone, Utc};
use vigil_core::directory::{build_directory_bundle, Category, DirectoryContent, Service};
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, PublisherKey,
};

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
    let alerts = concat!(
        "{\"format\":1,\"region\":\"GB\"}\n",
        r#"{"id":"test-a1","issued":"2026-01-01T00:00:00Z","identifiers":[{"kind":"phone","value":"+447700900999"}],"area":{"place":"Leeds"},"category":"sexual_assault","description":"Test alert"}"#,
        "\n",
    );
    let alerts = sign_bundle(
        &key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 1,
            issued_at: issued,
            expires_at: issued + Duration::days(3650),
            content: alerts.as_bytes(),
        },
    )?;
    std::fs::write(out.join("alerts.bundle"), alerts)?;
    Ok(())
}
