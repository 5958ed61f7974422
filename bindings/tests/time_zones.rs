//! The phone library carries only Europe's time zones, Etc/* and UTC (docs/bindings.md
//! "Size": about 0.9 MB of transition tables otherwise). Every zone the app and its
//! directory bundles use must stay; another one is refused as an unknown zone, never
//! evaluated as UTC.

use vigil_core::directory::hours::parse_time_zone;
use vigil_core::error::ErrorKind;

#[test]
fn the_library_keeps_europes_zones_and_refuses_others() {
    for zone in [
        "Europe/London",
        "Europe/Bucharest",
        "Europe/Warsaw",
        "Europe/Lisbon",
        "Europe/Madrid",
        "Atlantic/Madeira",
        "Atlantic/Azores",
        "Atlantic/Canary",
        "Etc/UTC",
        "Etc/GMT-2",
        "UTC",
    ] {
        assert!(
            parse_time_zone(zone).is_ok(),
            "{zone} must be in the library"
        );
    }
    let refused = parse_time_zone("America/Sao_Paulo").unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput);
}
