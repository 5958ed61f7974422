//! The in-memory directory: every accepted publisher's services, a spatial index over
//! them, and the queries the app asks.
//!
//! Points live in the R-tree as 3-D unit vectors. The straight-line (chord) distance
//! between two unit vectors grows strictly with the great-circle angle between them
//! (chord = 2·sin(θ/2)), so the tree's exact Euclidean nearest-neighbour order *is* the
//! great-circle order, with no latitude distortion and no wrap-around at the antimeridian.
//! Reported distances are geo's haversine metres on the same sphere.

use std::collections::HashMap;
use std::sync::OnceLock;

use geo::{Distance, Haversine, Point};
use rstar::primitives::GeomWithData;
use rstar::RTree;

use super::hours::{HoursEvaluator, HoursStatus, OpenState, ParsedHours};
use super::text::{fold_for_search, normalize_postcode};
use super::{check_coordinates, Category, DirectoryContent, Service};
use crate::clock::Timestamp;
use crate::{Error, Result};

/// The sphere radius used for every distance (geo's mean Earth radius, metres).
pub const EARTH_RADIUS_M: f64 = Haversine.radius();

/// Which services a nearby query keeps, by their state at the query time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpenFilter {
    /// Every service, whatever its hours.
    #[default]
    Any,
    /// Only services known to be open.
    OpenOnly,
    /// Services open, or whose hours are not known (so worth a phone call).
    OpenOrUnknown,
    /// Only services whose state is not known: the "maybe open" group listed after the
    /// open ones (see [`DirectoryIndex::nearby_open`]).
    UnknownOnly,
}

impl OpenFilter {
    fn keeps(self, state: OpenState) -> bool {
        match self {
            OpenFilter::Any => true,
            OpenFilter::OpenOnly => state == OpenState::Open,
            OpenFilter::OpenOrUnknown => state != OpenState::Closed,
            OpenFilter::UnknownOnly => state == OpenState::Unknown,
        }
    }
}

/// "The nearest `limit` services within `radius_m` of a point, of these categories, open
/// at `at`."
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyQuery {
    pub latitude: f64,
    pub longitude: f64,
    /// Great-circle radius in metres; must be > 0.
    pub radius_m: f64,
    /// At most this many hits; must be ≥ 1.
    pub limit: usize,
    /// Keep services having any of these categories; empty keeps every category.
    pub categories: Vec<Category>,
    /// The moment hours are evaluated for (normally now).
    pub at: Timestamp,
    pub open: OpenFilter,
}

impl NearbyQuery {
    /// The nearest `limit` services of any category within `radius_m`, whatever their hours.
    pub fn new(latitude: f64, longitude: f64, radius_m: f64, limit: usize, at: Timestamp) -> Self {
        Self {
            latitude,
            longitude,
            radius_m,
            limit,
            categories: Vec::new(),
            at,
            open: OpenFilter::Any,
        }
    }

    pub fn categories(mut self, categories: &[Category]) -> Self {
        self.categories = categories.to_vec();
        self
    }

    pub fn open(mut self, filter: OpenFilter) -> Self {
        self.open = filter;
        self
    }

    fn validate(&self) -> Result<()> {
        check_coordinates(self.latitude, self.longitude)?;
        if !self.radius_m.is_finite() || self.radius_m <= 0.0 {
            return Err(Error::invalid(
                "radius",
                "must be a positive number of metres",
            ));
        }
        if self.limit == 0 {
            return Err(Error::invalid("limit", "must be at least 1"));
        }
        Ok(())
    }

    fn category_mask(&self) -> u16 {
        if self.categories.is_empty() {
            u16::MAX
        } else {
            self.categories.iter().fold(0, |acc, c| acc | c.bit())
        }
    }
}

/// One answer to a nearby query.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<'a> {
    pub service: &'a Service,
    /// The publisher whose bundle listed the service.
    pub publisher: &'a str,
    /// Great-circle distance from the query point, metres.
    pub distance_m: f64,
    /// State at the query time and when it next changes.
    pub hours: HoursStatus,
}

/// The answer to "what is open near here": services known to be open, and separately the
/// ones that may be open (hours unknown, a comment such as "by appointment", an open end,
/// hours not understood), each nearest first. The second group must be labelled as such:
/// a "maybe" must never send someone to a closed door believing it is open.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenNearby<'a> {
    pub open: Vec<Hit<'a>>,
    pub maybe_open: Vec<Hit<'a>>,
}

/// One answer to a name or postcode search.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a> {
    pub service: &'a Service,
    pub publisher: &'a str,
    pub hours: HoursStatus,
}

struct Entry {
    service: Service,
    publisher: u16,
    categories: u16,
    /// Index into `DirectoryIndex::hours`, when the service publishes hours.
    hours: Option<u32>,
}

/// A distinct (publisher, `opening_hours` string) pair, parsed on first use: many services
/// share the same hours, and parsing only what queries touch keeps loading fast.
struct HoursSlot {
    publisher: u16,
    raw: Box<str>,
    parsed: OnceLock<Option<ParsedHours>>,
}

struct Publisher {
    name: String,
    evaluator: HoursEvaluator,
}

type TreePoint = GeomWithData<[f64; 3], u32>;

/// Every loaded service, indexed. Immutable once built: a new bundle means a new index.
pub struct DirectoryIndex {
    entries: Vec<Entry>,
    tree: RTree<TreePoint>,
    publishers: Vec<Publisher>,
    hours: Vec<HoursSlot>,
    /// Every entry's name folded for search, in entry order: built by the first name
    /// search, not at load (most sessions only ask what is near; issue 16, directory load).
    folded_names: OnceLock<Vec<Box<str>>>,
    /// (compact upper-case postcode, entry), sorted, for prefix search: built by the first
    /// postcode search, for the same reason.
    postcodes: OnceLock<Vec<(Box<str>, u32)>>,
    skipped_invalid: usize,
}

impl std::fmt::Debug for DirectoryIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryIndex")
            .field("services", &self.entries.len())
            .field("publishers", &self.publishers.len())
            .finish_non_exhaustive()
    }
}

impl DirectoryIndex {
    /// An index with no services.
    pub fn empty() -> Self {
        Self {
            entries: Vec::new(),
            tree: RTree::new(),
            publishers: Vec::new(),
            hours: Vec::new(),
            folded_names: OnceLock::new(),
            postcodes: OnceLock::new(),
            skipped_invalid: 0,
        }
    }

    /// Builds the index over several publishers' directories (publisher label, content).
    /// A service that fails validation is left out and counted in
    /// [`DirectoryIndex::skipped_invalid`]; an unknown time zone is an error.
    pub fn build<I>(directories: I) -> Result<Self>
    where
        I: IntoIterator<Item = (String, DirectoryContent)>,
    {
        let mut index = Self::empty();
        // Per publisher: each distinct hours string once (looked up by `&str`, so a string
        // already seen costs no allocation).
        let mut hours_ids: Vec<HashMap<Box<str>, u32>> = Vec::new();
        for (name, content) in directories {
            let publisher = u16::try_from(index.publishers.len())
                .map_err(|_| Error::invalid("publishers", "too many publishers to load"))?;
            index.publishers.push(Publisher {
                name,
                evaluator: HoursEvaluator::new(&content.time_zone)?,
            });
            hours_ids.push(HashMap::new());
            let ids = &mut hours_ids[publisher as usize];
            index.entries.reserve(content.services.len());
            for service in content.services {
                if service.validate().is_err() {
                    index.skipped_invalid += 1;
                    continue;
                }
                let hours = match service.opening_hours.as_deref().map(str::trim) {
                    Some(raw) if !raw.is_empty() => Some(match ids.get(raw) {
                        Some(&id) => id,
                        None => {
                            let id = index.hours.len() as u32;
                            index.hours.push(HoursSlot {
                                publisher,
                                raw: raw.into(),
                                parsed: OnceLock::new(),
                            });
                            ids.insert(raw.into(), id);
                            id
                        }
                    }),
                    _ => None,
                };
                index.entries.push(Entry {
                    categories: service.category_bits(),
                    service,
                    publisher,
                    hours,
                });
            }
        }
        let entry_count = u32::try_from(index.entries.len())
            .map_err(|_| Error::invalid("services", "too many services to load"))?;
        let points = (0..entry_count)
            .map(|i| {
                let s = &index.entries[i as usize].service;
                TreePoint::new(unit_vector(s.latitude, s.longitude), i)
            })
            .collect();
        index.tree = RTree::bulk_load(points);
        Ok(index)
    }

    fn folded_names(&self) -> &[Box<str>] {
        self.folded_names.get_or_init(|| {
            self.entries
                .iter()
                .map(|e| fold_for_search(&e.service.name).into())
                .collect()
        })
    }

    fn postcodes(&self) -> &[(Box<str>, u32)] {
        self.postcodes.get_or_init(|| {
            let mut postcodes: Vec<(Box<str>, u32)> = self
                .entries
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    let key = normalize_postcode(e.service.postcode.as_deref()?);
                    (!key.is_empty()).then(|| (key.into_boxed_str(), i as u32))
                })
                .collect();
            postcodes.sort_unstable();
            postcodes
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Services left out at build time because they failed validation.
    pub fn skipped_invalid(&self) -> usize {
        self.skipped_invalid
    }

    /// The publisher labels loaded, in load order.
    pub fn publishers(&self) -> impl Iterator<Item = &str> {
        self.publishers.iter().map(|p| p.name.as_str())
    }

    /// The time zone a publisher's directory declared (IANA name).
    pub fn time_zone_of(&self, publisher: &str) -> Option<&'static str> {
        self.publishers
            .iter()
            .find(|p| p.name == publisher)
            .map(|p| p.evaluator.time_zone().name())
    }

    /// Every loaded service with its publisher.
    pub fn services(&self) -> impl Iterator<Item = (&str, &Service)> {
        self.entries.iter().map(|e| {
            (
                self.publishers[e.publisher as usize].name.as_str(),
                &e.service,
            )
        })
    }

    /// The nearest services to a point within a radius, filtered by category and by
    /// opening state, nearest first, each with its distance and hours status.
    pub fn nearby(&self, query: &NearbyQuery) -> Result<Vec<Hit<'_>>> {
        query.validate()?;
        let mask = query.category_mask();
        let center = unit_vector(query.latitude, query.longitude);
        let max_chord2 = chord2_for_radius(query.radius_m);
        let origin = Point::new(query.longitude, query.latitude);
        let mut memo = StateMemo::default();
        let mut hits = Vec::with_capacity(query.limit.min(64));
        // Once `limit` hits are found, points at the same distance as the last one are
        // still taken, so that ties are broken the same way as everywhere else (by load
        // order), not by the tree's layout.
        let mut tie_bound = f64::INFINITY;
        for (point, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&center) {
            // Points come in exact chord order; past the radius nothing can qualify.
            if d2 > max_chord2 || d2 > tie_bound {
                break;
            }
            let entry = &self.entries[point.data as usize];
            if entry.categories & mask == 0 {
                continue;
            }
            let distance_m = haversine(origin, &entry.service);
            if distance_m > query.radius_m {
                continue;
            }
            if query.open != OpenFilter::Any && !query.open.keeps(memo.state(self, entry, query.at))
            {
                continue;
            }
            hits.push((point.data, distance_m));
            if hits.len() == query.limit {
                tie_bound = d2 * (1.0 + 1e-12) + 1e-24;
            }
        }
        Ok(self.finish(hits, query.limit, query.at))
    }

    /// The nearest services open at `query.at` (up to `query.limit`), and the nearest
    /// ones whose state then is unknown (up to `query.limit` more), whatever `query.open`.
    pub fn nearby_open(&self, query: &NearbyQuery) -> Result<OpenNearby<'_>> {
        let open = self.nearby(&query.clone().open(OpenFilter::OpenOnly))?;
        let maybe_open = self.nearby(&query.clone().open(OpenFilter::UnknownOnly))?;
        Ok(OpenNearby { open, maybe_open })
    }

    /// The same answer as [`DirectoryIndex::nearby`] by scanning every service: the
    /// reference the index is tested and benchmarked against.
    pub fn nearby_by_scan(&self, query: &NearbyQuery) -> Result<Vec<Hit<'_>>> {
        query.validate()?;
        let mask = query.category_mask();
        let origin = Point::new(query.longitude, query.latitude);
        let mut memo = StateMemo::default();
        let mut all: Vec<(u32, f64)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.categories & mask != 0)
            .map(|(i, e)| (i as u32, haversine(origin, &e.service)))
            .filter(|&(_, d)| d <= query.radius_m)
            .collect();
        all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut hits = Vec::with_capacity(query.limit.min(64));
        for (i, d) in all {
            let entry = &self.entries[i as usize];
            if query.open != OpenFilter::Any && !query.open.keeps(memo.state(self, entry, query.at))
            {
                continue;
            }
            hits.push((i, d));
            if hits.len() == query.limit {
                break;
            }
        }
        Ok(self.finish(hits, query.limit, query.at))
    }

    fn finish(&self, mut hits: Vec<(u32, f64)>, limit: usize, at: Timestamp) -> Vec<Hit<'_>> {
        hits.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        hits.truncate(limit);
        hits.into_iter()
            .map(|(i, distance_m)| {
                let entry = &self.entries[i as usize];
                Hit {
                    service: &entry.service,
                    publisher: &self.publishers[entry.publisher as usize].name,
                    distance_m,
                    hours: self.status_of(entry, at),
                }
            })
            .collect()
    }

    /// Services whose name contains `query`, ignoring case, diacritics and punctuation.
    /// Names starting with the query come first, then names with a word starting with it,
    /// then the rest; alphabetical within each group.
    pub fn search_name(&self, query: &str, limit: usize, at: Timestamp) -> Result<Vec<Match<'_>>> {
        let needle = fold_for_search(query);
        if needle.is_empty() {
            return Err(Error::invalid(
                "name query",
                "must contain a letter or digit",
            ));
        }
        let word_start = format!(" {needle}");
        let mut found: Vec<(u8, &str, u32)> = self
            .folded_names()
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let name: &str = name;
                let rank = if name.starts_with(&needle) {
                    0
                } else if name.contains(&word_start) {
                    1
                } else if name.contains(&needle) {
                    2
                } else {
                    return None;
                };
                Some((rank, name, i as u32))
            })
            .collect();
        found.sort_unstable();
        found.truncate(limit);
        Ok(found
            .into_iter()
            .map(|(_, _, i)| self.matched(i, at))
            .collect())
    }

    /// Services whose postcode starts with `prefix`. A prefix without a space matches the
    /// compact form (`SW1` matches `SW1A 1AA` and `SW11 1AA`); with a space, the part
    /// before it must be the whole outward code (`SW1 ` matches only `SW1 …`).
    pub fn search_postcode(
        &self,
        prefix: &str,
        limit: usize,
        at: Timestamp,
    ) -> Result<Vec<Match<'_>>> {
        let compact = normalize_postcode(prefix);
        if compact.is_empty() {
            return Err(Error::invalid("postcode", "must contain a letter or digit"));
        }
        let trimmed = prefix.trim_start();
        let outward = trimmed
            .find(char::is_whitespace)
            .map(|at| normalize_postcode(&trimmed[..at]));
        let postcodes = self.postcodes();
        let start = postcodes.partition_point(|(pc, _)| **pc < *compact);
        let mut found = Vec::new();
        for (pc, i) in &postcodes[start..] {
            if !pc.starts_with(compact.as_str()) {
                break;
            }
            if let Some(out) = &outward {
                // A UK inward code is always three characters (counted as characters:
                // postcodes elsewhere may not be ASCII).
                let cut = pc.char_indices().rev().nth(2).map_or(0, |(i, _)| i);
                if pc.get(..cut) != Some(out.as_str()) {
                    continue;
                }
            }
            found.push(*i);
            if found.len() == limit {
                break;
            }
        }
        Ok(found.into_iter().map(|i| self.matched(i, at)).collect())
    }

    fn matched(&self, i: u32, at: Timestamp) -> Match<'_> {
        let entry = &self.entries[i as usize];
        Match {
            service: &entry.service,
            publisher: &self.publishers[entry.publisher as usize].name,
            hours: self.status_of(entry, at),
        }
    }

    fn parsed(&self, slot: u32) -> Option<&ParsedHours> {
        let slot = self.hours.get(slot as usize)?;
        slot.parsed
            .get_or_init(|| {
                self.publishers[slot.publisher as usize]
                    .evaluator
                    .parse(&slot.raw)
            })
            .as_ref()
    }

    fn state_of(&self, entry: &Entry, at: Timestamp) -> OpenState {
        entry
            .hours
            .and_then(|h| self.parsed(h))
            .map_or(OpenState::Unknown, |p| p.state_at(at))
    }

    fn status_of(&self, entry: &Entry, at: Timestamp) -> HoursStatus {
        match entry.hours {
            None => HoursStatus::NOT_PUBLISHED,
            Some(h) => self
                .parsed(h)
                .map_or(HoursStatus::NOT_UNDERSTOOD, |p| p.status_at(at)),
        }
    }
}

/// States already computed during one query: neighbouring services often share hours.
#[derive(Default)]
struct StateMemo(HashMap<u32, OpenState>);

impl StateMemo {
    fn state(&mut self, index: &DirectoryIndex, entry: &Entry, at: Timestamp) -> OpenState {
        match entry.hours {
            None => OpenState::Unknown,
            Some(h) => *self.0.entry(h).or_insert_with(|| index.state_of(entry, at)),
        }
    }
}

fn haversine(origin: Point<f64>, s: &Service) -> f64 {
    Haversine.distance(origin, Point::new(s.longitude, s.latitude))
}

/// A point on the unit sphere.
fn unit_vector(lat_deg: f64, lon_deg: f64) -> [f64; 3] {
    let (lat, lon) = (lat_deg.to_radians(), lon_deg.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The squared chord length matching a great-circle radius, widened by a hair so that
/// rounding never drops a point on the boundary (the haversine check decides exactly).
fn chord2_for_radius(radius_m: f64) -> f64 {
    let theta = radius_m / EARTH_RADIUS_M;
    if theta >= std::f64::consts::PI {
        return f64::INFINITY;
    }
    let chord = 2.0 * (theta / 2.0).sin();
    chord * chord * (1.0 + 1e-9) + 1e-15
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chord_order_is_great_circle_order() {
        let origin = (51.5, -0.12);
        let a = unit_vector(origin.0, origin.1);
        let mut prev = (0.0, 0.0);
        for (lat, lon) in [
            (51.5001, -0.12),
            (51.51, -0.13),
            (52.0, 1.0),
            (48.85, 2.35),
            (-33.9, 151.2),
        ] {
            let b = unit_vector(lat, lon);
            let chord2: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
            let d = Haversine.distance(Point::new(origin.1, origin.0), Point::new(lon, lat));
            assert!(chord2 > prev.0 && d > prev.1);
            // chord = 2 R sin(d / 2R)
            let expected = 2.0 * (d / EARTH_RADIUS_M / 2.0).sin();
            assert!((chord2.sqrt() - expected).abs() < 1e-12);
            prev = (chord2, d);
        }
    }

    #[test]
    fn the_index_can_be_shared_across_threads() {
        // The shells query from background threads; the FFI object must be Send + Sync.
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<DirectoryIndex>();
    }

    #[test]
    fn radius_beyond_half_the_globe_covers_everything() {
        assert_eq!(chord2_for_radius(30_000_000.0), f64::INFINITY);
        assert!(chord2_for_radius(10_000.0) > 0.0);
    }

    #[test]
    fn name_and_postcode_tables_are_built_by_the_first_search_not_by_the_load() {
        let mut a = Service::new("a", "Clínica Saúde", &[Category::Other], 51.5, -0.12);
        a.postcode = Some("sw1a 1aa".into());
        let mut b = Service::new("b", "St Mary's", &[Category::Other], 51.6, -0.13);
        b.postcode = Some("SW11 1AA".into());
        let c = Service::new("c", "No postcode", &[Category::Other], 51.7, -0.14);
        let content = DirectoryContent::new("Europe/London", vec![a, b, c]);
        let index = DirectoryIndex::build([("p".to_owned(), content)]).unwrap();
        assert!(index.folded_names.get().is_none() && index.postcodes.get().is_none());
        let at = chrono::Utc::now();

        let found = index.search_name("saude", 10, at).unwrap();
        assert_eq!(
            found
                .iter()
                .map(|m| m.service.id.as_str())
                .collect::<Vec<_>>(),
            ["a"]
        );
        assert_eq!(index.folded_names().len(), 3);
        assert!(index.postcodes.get().is_none());

        let found = index.search_postcode("SW1", 10, at).unwrap();
        assert_eq!(found.len(), 2);
        let found = index.search_postcode("sw11 ", 10, at).unwrap();
        assert_eq!(
            found
                .iter()
                .map(|m| m.service.id.as_str())
                .collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(index.postcodes().len(), 2);
    }
}
