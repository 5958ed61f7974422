//! Synthetic directories for the directory benchmarks and the memory example: the real
//! NHS Choices services, multiplied by jittering copies around each original so that the
//! density follows where services really are.

use std::path::PathBuf;

use chrono::NaiveDate;
use vigil_core::directory::import::import_nhs_choices;
use vigil_core::directory::Service;

pub fn nhs_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets/nhs-choices");
    assert!(
        dir.join("Pharmacy.csv").is_file(),
        "the NHS Choices data is missing: expected it at {}",
        dir.display()
    );
    dir
}

pub fn nhs_services() -> Vec<Service> {
    import_nhs_choices(&nhs_dir(), NaiveDate::from_ymd_opt(2014, 2, 22))
        .expect("NHS import")
        .services
}

/// A small deterministic generator, so every run measures the same data.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// `n` services: copies of the seeds moved by up to ±0.05° latitude and ±0.08° longitude
/// (about ±5.5 km), keeping their categories, hours and address fields.
pub fn synthetic(seeds: &[Service], n: usize, seed: u64) -> Vec<Service> {
    let mut rng = SplitMix(seed);
    (0..n)
        .map(|i| {
            let base = &seeds[(rng.next() % seeds.len() as u64) as usize];
            let mut s = base.clone();
            s.id = format!("syn:{i}");
            s.latitude = (base.latitude + rng.range(-0.05, 0.05)).clamp(-90.0, 90.0);
            s.longitude = (base.longitude + rng.range(-0.08, 0.08)).clamp(-180.0, 180.0);
            s
        })
        .collect()
}

/// Query points where people are: next to a random seed service.
pub fn query_points(seeds: &[Service], n: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = SplitMix(seed);
    (0..n)
        .map(|_| {
            let s = &seeds[(rng.next() % seeds.len() as u64) as usize];
            (
                s.latitude + rng.range(-0.02, 0.02),
                s.longitude + rng.range(-0.03, 0.03),
            )
        })
        .collect()
}
