//! The service directory against the real NHS Choices 2014 extract and hand-checked cases.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;
use geo::{Distance, Haversine, Point};
use vigil_core::clock::Timestamp;
use vigil_core::directory::hours::HoursEvaluator;
use vigil_core::directory::import::{
    import_csv, import_nhs_choices, import_osm_geojson, Import, SkipReason,
};
use vigil_core::directory::{
    Category, DirectoryContent, DirectoryIndex, HoursSource, NearbyQuery, OpenFilter, OpenState,
    Service,
};
use vigil_core::Error;

fn nhs_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets/nhs-choices");
    assert!(
        dir.join("Pharmacy.csv").is_file(),
        "the NHS Choices test data is missing: expected it at {} (the workspace's ../shared/datasets/nhs-choices)",
        dir.display()
    );
    dir
}

fn nhs() -> &'static Import {
    static IMPORT: OnceLock<Import> = OnceLock::new();
    IMPORT.get_or_init(|| {
        import_nhs_choices(&nhs_dir(), NaiveDate::from_ymd_opt(2014, 2, 22)).unwrap()
    })
}

fn nhs_index() -> &'static DirectoryIndex {
    static INDEX: OnceLock<DirectoryIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        DirectoryIndex::build([(
            "nhs".to_owned(),
            DirectoryContent::new("Europe/London", nhs().services.clone()),
        )])
        .unwrap()
    })
}

fn service(id: &str) -> &'static Service {
    nhs()
        .services
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("{id} not imported"))
}

/// A local London wall-clock time as UTC.
fn london(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
    London
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

// ---- importers on the real files ----

#[test]
fn nhs_reports_account_for_every_row_as_the_readme_describes() {
    let import = nhs();
    let expect = [
        // file, rows, imported, merged, skipped
        ("Clinics.csv", 5_462, 5_323, 129, 10),
        ("Hospital.csv", 2_918, 1_760, 1_157, 1),
        ("Pharmacy.csv", 11_799, 11_799, 0, 0),
        ("GPPractices.csv", 8_288, 3_964, 0, 4_324),
        ("PharmacyOpeningTimes.csv", 82_358, 0, 82_180, 178),
    ];
    for (file, rows, imported, merged, skipped) in expect {
        let r = import
            .file(file)
            .unwrap_or_else(|| panic!("no report for {file}"));
        assert_eq!(
            (r.rows, r.imported, r.merged, r.skipped.len()),
            (rows, imported, merged, skipped),
            "{file}"
        );
        assert!(r.is_balanced(), "{file}");
    }
    // README: 5,333 distinct clinic ids minus the 10 without coordinates, 1,761 distinct
    // hospitals minus 1; every pharmacy; the 3,964 GPs with coordinates.
    assert_eq!(import.services.len(), 5_323 + 1_760 + 11_799 + 3_964);
    let clinics = import.file("Clinics.csv").unwrap();
    assert!(clinics
        .skipped
        .iter()
        .all(|s| s.reason == SkipReason::MissingCoordinates));
    // "Priory London Consulting Rooms" (id 18636) is on line 273 with empty coordinates.
    assert!(clinics.skipped.iter().any(|s| s.row == 273));
    let times = import.file("PharmacyOpeningTimes.csv").unwrap();
    assert!(times
        .skipped
        .iter()
        .all(|s| s.reason == SkipReason::UnknownOrganisation));
    // Organisation 45467 has opening times from line 79,775 but is not in Pharmacy.csv.
    assert!(times.skipped.iter().any(|s| s.row == 79_775));
    // Service ids are unique across the five files.
    let mut ids: Vec<&str> = import.services.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), import.services.len());
}

#[test]
fn nhs_text_is_decoded_from_windows_1252() {
    assert_eq!(
        service("nhs:hospital:40952").name,
        "Queen Mary's Hospital, Roehampton (St George’s Healthcare Services)"
    );
    let gp = service("nhs:gp:54636");
    assert!(
        gp.address
            .as_deref()
            .unwrap()
            .starts_with("16½ St. Peter's Street"),
        "{:?}",
        gp.address
    );
}

#[test]
fn nhs_repeated_ids_merge_into_one_service_keeping_every_phone() {
    let royal_free = service("nhs:hospital:40073");
    assert_eq!(royal_free.name, "Royal Free Hospital");
    let phone = royal_free.phone.as_deref().unwrap();
    let notes = royal_free.notes.as_deref().unwrap();
    let other = if phone == "020 7794 0500" {
        "020 7472 6446"
    } else {
        "020 7794 0500"
    };
    assert!(notes.contains(other), "{notes}");
    assert_eq!(
        nhs()
            .services
            .iter()
            .filter(|s| s.id == "nhs:hospital:40073")
            .count(),
        1
    );
}

#[test]
fn nhs_categories_follow_what_the_data_says() {
    let count = |c: Category| {
        nhs()
            .services
            .iter()
            .filter(|s| s.categories.contains(&c))
            .count()
    };
    assert_eq!(count(Category::Pharmacy), 11_799);
    assert_eq!(count(Category::GeneralPractice), 3_964);
    let sexual_health = count(Category::SexualHealthClinic);
    assert!((20..200).contains(&sexual_health), "{sexual_health}");
    assert!(service("nhs:hospital:40952").categories == [Category::Other]);
    let archway = nhs()
        .services
        .iter()
        .find(|s| s.name == "Archway Sexual Health Centre")
        .unwrap();
    assert_eq!(archway.categories, [Category::SexualHealthClinic]);
}

#[test]
fn nhs_opening_times_become_osm_hours_with_lunch_breaks_and_dated_openings() {
    assert_eq!(
        service("nhs:pharmacy:1186").opening_hours.as_deref(),
        Some("Mo-Tu 09:30-13:00,13:30-17:30; We 09:00-18:00; Th 09:30-17:30; Fr 09:00-13:30,14:30-18:00")
    );
    assert_eq!(
        service("nhs:pharmacy:13063").opening_hours.as_deref(),
        Some(
            "Mo 07:00-22:00; Tu-Fr 06:00-22:00; Sa 06:00-21:00; Su 10:00-16:00; \
             2014 Apr 18 09:00-18:00; 2014 Apr 20 11:00-14:00; 2014 Apr 21 09:00-18:00; \
             2014 May 05 09:00-18:00; 2014 May 26 09:00-18:00; 2014 Aug 25 09:00-18:00"
        )
    );
    // Every generated string parses.
    let eval = HoursEvaluator::new("Europe/London").unwrap();
    for s in &nhs().services {
        if let Some(h) = &s.opening_hours {
            assert!(eval.parse(h).is_some(), "{} does not parse: {h}", s.id);
        }
    }
}

#[test]
fn nhs_hours_evaluate_on_real_pharmacies() {
    let eval = HoursEvaluator::new("Europe/London").unwrap();
    let brierfield = service("nhs:pharmacy:1186").opening_hours.as_deref();
    // Monday 10 March 2014: lunch 13:00-13:30.
    let lunch = eval.status(brierfield, london(2014, 3, 10, 13, 10));
    assert_eq!(lunch.state, OpenState::Closed);
    assert_eq!(lunch.next_change, Some(london(2014, 3, 10, 13, 30)));
    // Saturday: closed until Monday 09:30.
    let sat = eval.status(brierfield, london(2014, 3, 15, 11, 0));
    assert_eq!(sat.state, OpenState::Closed);
    assert_eq!(sat.next_change, Some(london(2014, 3, 17, 9, 30)));
    let asda = service("nhs:pharmacy:13063").opening_hours.as_deref();
    // Good Friday 2014: the dated 09:00-18:00 replaces the usual Friday 06:00-22:00.
    assert_eq!(
        eval.status(asda, london(2014, 4, 18, 7, 0)).state,
        OpenState::Closed
    );
    let gf = eval.status(asda, london(2014, 4, 18, 12, 0));
    assert_eq!(gf.state, OpenState::Open);
    assert_eq!(gf.next_change, Some(london(2014, 4, 18, 18, 0)));
    // The Friday before: the general hours.
    assert_eq!(
        eval.status(asda, london(2014, 4, 11, 7, 0)).state,
        OpenState::Open
    );
}

// ---- opening hours, hand-checked ----

#[test]
fn open_now_hand_checked_cases() {
    let eval = HoursEvaluator::new("Europe/London").unwrap();
    let at = |hours: &str, t: Timestamp| eval.status(Some(hours), t);
    // Lunch break (Wednesday 12 March 2014).
    let lunch = "Mo-Fr 09:30-13:00,13:30-17:30";
    let s = at(lunch, london(2014, 3, 12, 12, 0));
    assert_eq!(
        (s.state, s.next_change),
        (OpenState::Open, Some(london(2014, 3, 12, 13, 0)))
    );
    let s = at(lunch, london(2014, 3, 12, 13, 15));
    assert_eq!(
        (s.state, s.next_change),
        (OpenState::Closed, Some(london(2014, 3, 12, 13, 30)))
    );
    // Sunday closure.
    let s = at("Mo-Sa 09:00-18:00", london(2014, 3, 16, 12, 0));
    assert_eq!(
        (s.state, s.next_change),
        (OpenState::Closed, Some(london(2014, 3, 17, 9, 0)))
    );
    // Dated closure and dated opening on bank holidays.
    assert_eq!(
        at(
            "Mo-Fr 09:00-18:00; 2014 Apr 18 off",
            london(2014, 4, 18, 10, 0)
        )
        .state,
        OpenState::Closed
    );
    assert_eq!(
        at(
            "Mo-Fr 09:00-18:00; 2014 Apr 18 off",
            london(2014, 4, 17, 10, 0)
        )
        .state,
        OpenState::Open
    );
    assert_eq!(
        at(
            "Mo-Sa 09:00-13:00; 2014 Apr 21 10:00-16:00",
            london(2014, 4, 21, 15, 0)
        )
        .state,
        OpenState::Open
    );
    assert_eq!(
        at("Mo-Sa 09:00-13:00", london(2014, 4, 21, 15, 0)).state,
        OpenState::Closed
    );
    // PH = England & Wales bank holidays: early May 2014 and the August bank holiday 2026.
    let ph = "Mo-Fr 09:00-17:00; PH off";
    assert_eq!(at(ph, london(2014, 5, 5, 10, 0)).state, OpenState::Closed);
    assert_eq!(at(ph, london(2014, 5, 6, 10, 0)).state, OpenState::Open);
    assert_eq!(at(ph, london(2026, 8, 31, 10, 0)).state, OpenState::Closed);
    assert_eq!(
        at("PH 10:00-14:00", london(2026, 12, 28, 12, 0)).state,
        OpenState::Open
    );
    // 24/7: open, no change ahead.
    let s = at("24/7", london(2014, 3, 12, 3, 0));
    assert_eq!((s.state, s.next_change), (OpenState::Open, None));
    // Past midnight.
    assert_eq!(
        at("Mo-Su 22:00-02:00", london(2014, 3, 12, 1, 0)).state,
        OpenState::Open
    );
    assert_eq!(
        at("Mo-Su 22:00-02:00", london(2014, 3, 12, 3, 0)).state,
        OpenState::Closed
    );
    // Daylight saving: 08:30 UTC is 09:30 in July (BST) but 08:30 in January (GMT).
    let day = "Mo-Su 09:00-17:00";
    assert_eq!(
        at(day, Utc.with_ymd_and_hms(2014, 7, 1, 8, 30, 0).unwrap()).state,
        OpenState::Open
    );
    assert_eq!(
        at(day, Utc.with_ymd_and_hms(2014, 1, 15, 8, 30, 0).unwrap()).state,
        OpenState::Closed
    );
    // Unparseable or missing: unknown, never an error.
    for bad in ["ask at reception", "Mo-Fr 25:00-26:00", "", "Mo-Fr 09:00-"] {
        let s = at(bad, london(2014, 3, 12, 12, 0));
        assert_eq!(
            (s.state, s.next_change),
            (OpenState::Unknown, None),
            "{bad:?}"
        );
    }
    assert_eq!(
        eval.status(None, london(2014, 3, 12, 12, 0)).state,
        OpenState::Unknown
    );
    // An explicit unknown rule.
    assert_eq!(
        at("Mo-Fr 09:00-17:00 unknown", london(2014, 3, 12, 12, 0)).state,
        OpenState::Unknown
    );
}

// ---- nearest queries ----

/// A small deterministic generator (the tests must not depend on a seed source).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

#[test]
fn nearest_k_equals_a_brute_force_great_circle_reference_over_all_nhs_services() {
    let index = nhs_index();
    let all: Vec<&Service> = index.services().map(|(_, s)| s).collect();
    assert_eq!(all.len(), 22_846);
    let mut rng = SplitMix(0x5EED);
    let at = london(2014, 3, 12, 12, 0);
    for round in 0..300 {
        let (lat, lon) = (rng.range(49.9, 55.9), rng.range(-6.0, 1.9));
        let k = [1, 3, 10, 25, 100][round % 5];
        let radius_m = if round % 7 == 0 {
            500_000.0
        } else {
            rng.range(500.0, 60_000.0)
        };
        let categories: Vec<Category> = match round % 4 {
            0 => vec![],
            1 => vec![Category::Pharmacy],
            2 => vec![Category::GeneralPractice, Category::SexualHealthClinic],
            _ => vec![Category::Other],
        };
        let query = NearbyQuery::new(lat, lon, radius_m, k, at).categories(&categories);
        let hits = index.nearby(&query).unwrap();

        // Reference: every service, geo's haversine, sorted.
        let origin = Point::new(lon, lat);
        let mut reference: Vec<(f64, &str)> = all
            .iter()
            .filter(|s| {
                categories.is_empty() || s.categories.iter().any(|c| categories.contains(c))
            })
            .map(|s| {
                (
                    Haversine.distance(origin, Point::new(s.longitude, s.latitude)),
                    s.id.as_str(),
                )
            })
            .filter(|(d, _)| *d <= radius_m)
            .collect();
        reference.sort_by(|a, b| a.0.total_cmp(&b.0));
        let all_within = reference.clone();
        reference.truncate(k);

        assert_eq!(hits.len(), reference.len(), "round {round}");
        for (i, (hit, (d, id))) in hits.iter().zip(&reference).enumerate() {
            assert!(
                (hit.distance_m - d).abs() < 1e-6,
                "round {round} hit {i}: {} vs {d}",
                hit.distance_m
            );
            // Ties aside, the same service.
            let tied = all_within
                .iter()
                .filter(|(rd, _)| (rd - d).abs() < 1e-6)
                .count()
                > 1;
            assert!(
                tied || hit.service.id == *id,
                "round {round} hit {i}: {} vs {id}",
                hit.service.id
            );
        }
        assert!(hits.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
    }
}

#[test]
fn open_now_filter_matches_the_scan_over_nhs_services() {
    let index = nhs_index();
    let mut rng = SplitMix(42);
    for round in 0..60 {
        let (lat, lon) = (rng.range(50.5, 55.0), rng.range(-3.5, 1.0));
        // Spread over a week, day and night.
        let at = london(2014, 3, 10, 0, 0)
            + chrono::Duration::minutes((rng.unit() * 7.0 * 1440.0) as i64);
        let filter = if round % 2 == 0 {
            OpenFilter::OpenOnly
        } else {
            OpenFilter::OpenOrUnknown
        };
        let query = NearbyQuery::new(lat, lon, 20_000.0, 10, at).open(filter);
        let fast = index.nearby(&query).unwrap();
        let scan = index.nearby_by_scan(&query).unwrap();
        let ids = |h: &[vigil_core::directory::Hit<'_>]| {
            h.iter().map(|h| h.service.id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(ids(&fast), ids(&scan), "round {round}");
        for h in &fast {
            match filter {
                OpenFilter::OpenOnly => assert_eq!(h.hours.state, OpenState::Open),
                _ => assert_ne!(h.hours.state, OpenState::Closed),
            }
        }
    }
}

fn tiny_index() -> DirectoryIndex {
    // Three pharmacies along a line north of a point in London, 1, 2 and 3 km away.
    let mut closed = Service::new("a", "Closed Chemist", &[Category::Pharmacy], 51.509, -0.12);
    closed.opening_hours = Some("Mo-Fr 09:00-17:00".into());
    closed.postcode = Some("SW1A 1AA".into());
    let mut open = Service::new(
        "b",
        "Clínica São João",
        &[Category::Pharmacy, Category::SexualHealthClinic],
        51.518,
        -0.12,
    );
    open.opening_hours = Some("24/7".into());
    open.postcode = Some("SW11 1AA".into());
    let mut unknown = Service::new(
        "c",
        "Unknown Hours Pharmacy",
        &[Category::Pharmacy],
        51.527,
        -0.12,
    );
    unknown.opening_hours = Some("by appointment, call first".into());
    unknown.postcode = Some("SW1 2AB".into());
    DirectoryIndex::build([(
        "test".to_owned(),
        DirectoryContent::new("Europe/London", vec![closed, open, unknown]),
    )])
    .unwrap()
}

#[test]
fn open_filters_and_categories_select_the_right_services() {
    let index = tiny_index();
    let saturday_noon = london(2014, 3, 15, 12, 0);
    let q = NearbyQuery::new(51.5, -0.12, 10_000.0, 10, saturday_noon);
    let ids = |q: &NearbyQuery| {
        index
            .nearby(q)
            .unwrap()
            .iter()
            .map(|h| h.service.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&q), ["a", "b", "c"]);
    assert_eq!(ids(&q.clone().open(OpenFilter::OpenOnly)), ["b"]);
    assert_eq!(ids(&q.clone().open(OpenFilter::OpenOrUnknown)), ["b", "c"]);
    assert_eq!(
        ids(&q.clone().categories(&[Category::SexualHealthClinic])),
        ["b"]
    );
    assert_eq!(
        ids(&q.clone().categories(&[Category::Police])),
        Vec::<String>::new()
    );
    // Radius: 1.5 km keeps only the first.
    assert_eq!(
        ids(&NearbyQuery::new(51.5, -0.12, 1_500.0, 10, saturday_noon)),
        ["a"]
    );
    let hits = index.nearby(&q).unwrap();
    assert!(
        (hits[0].distance_m - 1_000.75).abs() < 1.0,
        "{}",
        hits[0].distance_m
    );
    assert_eq!(hits[0].hours.state, OpenState::Closed);
    assert_eq!(hits[0].hours.next_change, Some(london(2014, 3, 17, 9, 0)));
    assert_eq!(hits[2].hours.state, OpenState::Unknown);
    assert_eq!(hits[0].publisher, "test");
}

#[test]
fn bad_query_input_is_a_clear_error() {
    let index = tiny_index();
    let at = london(2014, 3, 15, 12, 0);
    let field = |q: NearbyQuery| match index.nearby(&q) {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected an invalid-input error, got {other:?}"),
    };
    assert_eq!(
        field(NearbyQuery::new(f64::NAN, 0.0, 1_000.0, 5, at)),
        "latitude"
    );
    assert_eq!(
        field(NearbyQuery::new(90.5, 0.0, 1_000.0, 5, at)),
        "latitude"
    );
    assert_eq!(
        field(NearbyQuery::new(51.0, -180.1, 1_000.0, 5, at)),
        "longitude"
    );
    assert_eq!(
        field(NearbyQuery::new(51.0, f64::INFINITY, 1_000.0, 5, at)),
        "longitude"
    );
    assert_eq!(field(NearbyQuery::new(51.0, 0.0, 0.0, 5, at)), "radius");
    assert_eq!(field(NearbyQuery::new(51.0, 0.0, -5.0, 5, at)), "radius");
    assert_eq!(
        field(NearbyQuery::new(51.0, 0.0, f64::NAN, 5, at)),
        "radius"
    );
    assert_eq!(field(NearbyQuery::new(51.0, 0.0, 1_000.0, 0, at)), "limit");
    let err = index
        .nearby(&NearbyQuery::new(f64::NAN, 0.0, 1_000.0, 5, at))
        .unwrap_err();
    assert!(err.to_string().contains("latitude"), "{err}");
}

#[test]
fn name_search_ignores_case_diacritics_and_punctuation() {
    let index = tiny_index();
    let at = london(2014, 3, 15, 12, 0);
    let names = |q: &str| {
        index
            .search_name(q, 10, at)
            .unwrap()
            .iter()
            .map(|m| m.service.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("clinica sao"), ["b"]);
    assert_eq!(names("SÃO JOÃO"), ["b"]);
    assert_eq!(names("pharmacy"), ["c"]);
    assert_eq!(names("chemist"), ["a"]);
    assert!(index.search_name("  --  ", 10, at).is_err());
    // On the real data: the apostrophe in "Queen Mary’s" is a curly one.
    let nhs = nhs_index()
        .search_name("queen marys hospital roehampton", 5, at)
        .unwrap();
    assert_eq!(nhs[0].service.id, "nhs:hospital:40952");
}

#[test]
fn postcode_prefix_search() {
    let index = tiny_index();
    let at = london(2014, 3, 15, 12, 0);
    let ids = |q: &str| {
        let mut v = index
            .search_postcode(q, 10, at)
            .unwrap()
            .iter()
            .map(|m| m.service.id.clone())
            .collect::<Vec<_>>();
        v.sort();
        v
    };
    assert_eq!(ids("sw1"), ["a", "b", "c"]);
    assert_eq!(ids("SW1 "), ["c"]);
    assert_eq!(ids("sw1a1"), ["a"]);
    assert_eq!(ids("SW11 1AA"), ["b"]);
    assert_eq!(ids("N1"), Vec::<String>::new());
    // Non-ASCII postcodes never break the outward-code comparison.
    let mut odd = Service::new("d", "Odd", &[Category::Other], 51.0, 0.0);
    odd.postcode = Some("ÉÉ1 2ÅÅ".into());
    let odd_index = DirectoryIndex::build([(
        "t".to_owned(),
        DirectoryContent::new("Europe/London", vec![odd]),
    )])
    .unwrap();
    assert_eq!(odd_index.search_postcode("ÉÉ ", 5, at).unwrap().len(), 0);
    assert_eq!(odd_index.search_postcode("éé1 2", 5, at).unwrap().len(), 1);
    let b44 = nhs_index().search_postcode("B44 0HL", 10, at).unwrap();
    assert!(b44.iter().any(|m| m.service.id == "nhs:pharmacy:1910"));
    assert!(b44
        .iter()
        .all(|m| m.service.postcode.as_deref() == Some("B44 0HL")));
}

// ---- OSM and CSV importers ----

#[test]
fn osm_geojson_import_maps_tags_and_reports_skips() {
    let doc = serde_json::json!({
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": "node/1",
             "properties": {"@id": "node/1", "amenity": "pharmacy", "name": "Boots", "contact:phone": "+44 20 7000 0000",
                            "opening_hours": "Mo-Sa 08:00-20:00; PH off", "addr:housenumber": "12", "addr:street": "High Street",
                            "addr:city": "London", "addr:postcode": "N1 9GU", "website": "https://example.org", "language:ro": "yes"},
             "geometry": {"type": "Point", "coordinates": [-0.1, 51.53]}},
            {"type": "Feature",
             "properties": {"type": "way", "id": 2, "tags": {"amenity": "hospital", "emergency": "yes", "name": "Royal London Hospital"},
                            "meta": {"timestamp": "2024-05-01T10:00:00Z"}},
             "geometry": {"type": "Polygon", "coordinates": [[[-0.06, 51.51], [-0.05, 51.51], [-0.05, 51.52], [-0.06, 51.52], [-0.06, 51.51]]]}},
            {"type": "Feature", "properties": {"@id": "node/3", "healthcare": "clinic", "healthcare:speciality": "sexual_health;gynaecology", "name": "Mortimer Market Centre"},
             "geometry": {"type": "Point", "coordinates": [-0.135, 51.524]}},
            {"type": "Feature", "properties": {"@id": "node/4", "amenity": "bench"}, "geometry": {"type": "Point", "coordinates": [0.0, 51.0]}},
            {"type": "Feature", "properties": {"@id": "node/5", "amenity": "pharmacy"}, "geometry": {"type": "Point", "coordinates": [0.0, 51.0]}},
            {"type": "Feature", "properties": {"@id": "way/6", "amenity": "police", "name": "Police"}, "geometry": {"type": "LineString", "coordinates": [[0.0, 51.0], [0.1, 51.0]]}},
            {"type": "Feature", "properties": {"@id": "node/7", "amenity": "police", "name": "Bad"}, "geometry": {"type": "Point", "coordinates": [200.0, 51.0]}},
            "not a feature",
            {"type": "Feature", "id": "node/1", "properties": {"@id": "node/1", "amenity": "pharmacy", "name": "Boots", "healthcare": "pharmacy"},
             "geometry": {"type": "Point", "coordinates": [-0.1, 51.53]}}
        ]
    });
    let import = import_osm_geojson("export.geojson", doc.to_string().as_bytes()).unwrap();
    let r = &import.files[0];
    assert_eq!(
        (r.rows, r.imported, r.merged, r.skipped.len()),
        (9, 3, 1, 5)
    );
    assert!(r.is_balanced());
    let reasons: Vec<(usize, &SkipReason)> = r.skipped.iter().map(|s| (s.row, &s.reason)).collect();
    assert_eq!(reasons[0], (4, &SkipReason::NotAService));
    assert_eq!(reasons[1], (5, &SkipReason::MissingName));
    assert!(matches!(
        reasons[2],
        (6, SkipReason::UnsupportedGeometry(_))
    ));
    assert_eq!(reasons[3], (7, &SkipReason::InvalidCoordinates));
    assert!(matches!(reasons[4], (8, SkipReason::Unreadable(_))));

    let boots = &import.services[0];
    assert_eq!(boots.id, "osm:node/1");
    assert_eq!(boots.categories, [Category::Pharmacy]);
    assert_eq!(boots.phone.as_deref(), Some("+44 20 7000 0000"));
    assert_eq!(boots.address.as_deref(), Some("12 High Street, London"));
    assert_eq!(boots.postcode.as_deref(), Some("N1 9GU"));
    assert_eq!(boots.languages, ["ro"]);
    assert_eq!(
        boots.opening_hours.as_deref(),
        Some("Mo-Sa 08:00-20:00; PH off")
    );
    let hospital = &import.services[1];
    assert_eq!(hospital.id, "osm:way/2");
    assert_eq!(hospital.categories, [Category::AccidentAndEmergency]);
    assert!((hospital.latitude - 51.515).abs() < 1e-9 && (hospital.longitude + 0.055).abs() < 1e-9);
    assert_eq!(hospital.last_updated, NaiveDate::from_ymd_opt(2024, 5, 1));
    assert_eq!(
        import.services[2].categories,
        [Category::SexualHealthClinic]
    );

    assert!(import_osm_geojson("x", b"{\"type\": \"Feature\"}").is_err());
    assert!(import_osm_geojson("x", b"not json").is_err());
}

#[test]
fn csv_import_reads_named_columns_and_reports_bad_rows() {
    let csv = "Name,Category,Lat,Lng,Post code,Phone,Opening hours,Languages,Notes\r\n\
               Outreach Drop-in,Sex work project;Needle exchange,51.52,-0.08,E1 6AN,020 7000 0001,Mo 18:00-21:00,en|ro|pt,\"Walk in, no ID needed\"\r\n\
               SARC Haven,sarc,51.5,-0.1,SE5 9RS,,24/7,,\r\n\
               No Place,gp,,,,,,,\r\n\
               Somewhere,hairdresser,51.5,-0.1,,,,,\r\n\
               Too,Few,Fields\r\n\
               Far,GP,91,0,,,,,\r\n\
               Outreach Drop-in,Domestic abuse,51.52,-0.08,,,,,\r\n";
    let import = import_csv("projects.csv", csv.as_bytes()).unwrap();
    let r = &import.files[0];
    assert_eq!(
        (r.rows, r.imported, r.merged, r.skipped.len()),
        (7, 2, 1, 4)
    );
    let rows: Vec<(usize, SkipReason)> = r
        .skipped
        .iter()
        .map(|s| (s.row, s.reason.clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (4, SkipReason::MissingCoordinates),
            (5, SkipReason::UnknownCategory("hairdresser".into())),
            (
                6,
                SkipReason::WrongFieldCount {
                    expected: 9,
                    found: 3
                }
            ),
            (7, SkipReason::InvalidCoordinates),
        ]
    );
    let dropin = &import.services[0];
    assert_eq!(
        dropin.categories,
        [
            Category::SexWorkProject,
            Category::NeedleExchange,
            Category::DomesticAbuseService
        ]
    );
    assert_eq!(dropin.languages, ["en", "ro", "pt"]);
    assert_eq!(dropin.notes.as_deref(), Some("Walk in, no ID needed"));
    assert_eq!(
        import.services[1].categories,
        [Category::SexualAssaultReferralCentre]
    );

    // Windows-1252 with semicolons, and an id column.
    let latin =
        b"id;name;latitude;longitude;categories\n7;Clinique \xe9t\xe9;48.85;2.35;sexual health\n";
    let import = import_csv("fr.csv", latin).unwrap();
    assert_eq!(import.services[0].name, "Clinique été");
    assert_eq!(import.services[0].id, "csv:7");
    // A header without the required columns is an error for the whole file.
    let err = import_csv("bad.csv", b"title,where\nx,y\n").unwrap_err();
    assert!(err.to_string().contains("name"), "{err}");
}

#[test]
fn directory_content_round_trips_and_validates() {
    let content = DirectoryContent::new("Europe/London", nhs().services[..50].to_vec());
    content.validate().unwrap();
    let back = DirectoryContent::from_json(&content.to_json().unwrap()).unwrap();
    assert_eq!(back, content);
    let mut dup = content.clone();
    dup.services.push(dup.services[0].clone());
    assert!(dup.validate().is_err());
    let mut bad_tz = content.clone();
    bad_tz.time_zone = "Mars/Olympus".into();
    assert!(bad_tz.validate().is_err());
    assert!(DirectoryIndex::build([("x".to_owned(), bad_tz)]).is_err());
}

// ---- three states (issue 21) ----

fn hours_index() -> DirectoryIndex {
    // Five services 1..5 km north of a point in London, with hours of each kind.
    let at = |i: u32, hours: Option<&str>| {
        let mut s = Service::new(
            &format!("s{i}"),
            &format!("Service {i}"),
            &[Category::Pharmacy],
            51.5 + 0.009 * f64::from(i),
            -0.12,
        );
        s.opening_hours = hours.map(str::to_owned);
        s
    };
    DirectoryIndex::build([(
        "test".to_owned(),
        DirectoryContent::new(
            "Europe/London",
            vec![
                at(1, Some("Mo-Fr 09:00-17:00 || \"by appointment\"")),
                at(2, Some("Su-Th 11:00-01:00; Fr-Sa 11:00-03:00")),
                at(3, Some("Fr-Sa 22:00+")),
                at(4, Some("Mo-Fr 9:00-5:00 pm")),
                at(5, None),
            ],
        ),
    )])
    .unwrap()
}

#[test]
fn open_now_lists_only_open_services_and_the_maybe_open_ones_apart() {
    let index = hours_index();
    // Sunday 00:30 after a Saturday: the late bar's Saturday hours run on to 03:00.
    let q = NearbyQuery::new(51.5, -0.12, 10_000.0, 10, london(2026, 3, 8, 0, 30));
    let found = index.nearby_open(&q).unwrap();
    let ids = |hits: &[vigil_core::directory::Hit<'_>]| {
        hits.iter()
            .map(|h| h.service.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&found.open), ["s2"]);
    // "by appointment" (a comment without a state), an open end, hours not understood and
    // no hours: all maybe open, none shown as open.
    assert_eq!(ids(&found.maybe_open), ["s1", "s3", "s4", "s5"]);
    let maybe = &found.maybe_open;
    assert_eq!(maybe[0].hours.comment.as_deref(), Some("by appointment"));
    assert_eq!(
        maybe[1].hours.comment.as_deref(),
        Some("closing time not known")
    );
    assert_eq!(maybe[2].hours.source, HoursSource::NotUnderstood);
    assert_eq!(maybe[3].hours.source, HoursSource::NotPublished);
    assert!(maybe.iter().all(|h| h.hours.state == OpenState::Unknown));
    // The plain open-now filter agrees.
    let open_only = index.nearby(&q.clone().open(OpenFilter::OpenOnly)).unwrap();
    assert_eq!(ids(&open_only), ["s2"]);
}

#[test]
fn opens_and_closes_at_use_the_three_states() {
    let index = hours_index();
    let q = NearbyQuery::new(51.5, -0.12, 10_000.0, 10, london(2026, 3, 4, 16, 0));
    let hits = index.nearby(&q).unwrap();
    // Wednesday 16:00: open, then "by appointment" (unknown) from 17:00, not closed.
    assert_eq!(hits[0].hours.state, OpenState::Open);
    assert_eq!(hits[0].hours.next_change, Some(london(2026, 3, 4, 17, 0)));
    assert_eq!(hits[0].hours.next_state, Some(OpenState::Unknown));
    // Friday 21:00: the open end starts at 22:00 as unknown, not as an opening.
    let q = NearbyQuery::new(51.5, -0.12, 10_000.0, 10, london(2026, 3, 6, 21, 0));
    let late = &index.nearby(&q).unwrap()[2];
    assert_eq!(late.service.id, "s3");
    assert_eq!(late.hours.state, OpenState::Closed);
    assert_eq!(late.hours.next_change, Some(london(2026, 3, 6, 22, 0)));
    assert_eq!(late.hours.next_state, Some(OpenState::Unknown));
}
