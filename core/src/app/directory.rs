//! The directory as a shell uses it: loaded once per session, searched by name with a
//! fallback to postcode, and nearby queries within a sane radius.

use std::sync::Arc;

use super::App;
use crate::clock::Timestamp;
use crate::directory::{HoursStatus, LoadedDirectory, NearbyQuery, OpenFilter, Service};
use crate::{Error, Result};

/// Largest search radius: half the Earth's circumference is about 20,000 km, beyond which
/// a radius means nothing.
pub const MAX_RADIUS_KM: f64 = 20_000.0;

/// How a search text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchBy {
    /// By name; when no name matches, as a postcode (what a search box does).
    #[default]
    Auto,
    Name,
    Postcode,
}

/// A service found, owned (it outlives the cached index borrow).
#[derive(Debug, Clone, PartialEq)]
pub struct FoundService {
    pub service: Service,
    /// The publisher whose bundle listed it.
    pub publisher: String,
    pub hours: HoursStatus,
    /// Distance from the query point, for nearby queries.
    pub distance_m: Option<f64>,
}

/// What a nearby query found: with an "open only" filter, services whose hours are not
/// known for that moment follow in their own group, never mixed in.
#[derive(Debug, Clone, Default)]
pub struct NearbyServices {
    pub services: Vec<FoundService>,
    pub maybe_open: Vec<FoundService>,
}

impl App {
    /// The directory, loaded (every chunk opened) on first use and kept for the session;
    /// a directory import or a restore drops it. Its `unreadable` and `incomplete` lists
    /// are the damage report a shell must show.
    pub fn directory(&self) -> Result<Arc<LoadedDirectory>> {
        let mut cached = self.directory.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(loaded) = cached.as_ref() {
            return Ok(Arc::clone(loaded));
        }
        let loaded = Arc::new(self.session.directory().load()?);
        *cached = Some(Arc::clone(&loaded));
        Ok(loaded)
    }

    pub(super) fn forget_directory(&self) {
        *self.directory.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Searches the directory by name or postcode (see [`SearchBy`]).
    pub fn search_services(
        &self,
        text: &str,
        by: SearchBy,
        limit: usize,
        at: Timestamp,
    ) -> Result<Vec<FoundService>> {
        let dir = self.directory()?;
        let index = &dir.index;
        let found = match by {
            SearchBy::Name => index.search_name(text, limit, at)?,
            SearchBy::Postcode => index.search_postcode(text, limit, at)?,
            SearchBy::Auto => {
                let by_name = index.search_name(text, limit, at)?;
                if by_name.is_empty() {
                    index.search_postcode(text, limit, at)?
                } else {
                    by_name
                }
            }
        };
        Ok(found
            .into_iter()
            .map(|m| FoundService {
                service: m.service.clone(),
                publisher: m.publisher.to_owned(),
                hours: m.hours,
                distance_m: None,
            })
            .collect())
    }

    /// Services near a point. The radius must be positive and at most [`MAX_RADIUS_KM`].
    /// With [`OpenFilter::OpenOnly`], the ones whose state is unknown come back apart.
    pub fn services_near(&self, query: &NearbyQuery) -> Result<NearbyServices> {
        if !query.radius_m.is_finite()
            || query.radius_m <= 0.0
            || query.radius_m > MAX_RADIUS_KM * 1000.0
        {
            return Err(Error::invalid(
                "radius",
                "must be a positive number of kilometres, at most 20000",
            ));
        }
        let dir = self.directory()?;
        let own = |hits: Vec<crate::directory::Hit<'_>>| -> Vec<FoundService> {
            hits.into_iter()
                .map(|h| FoundService {
                    service: h.service.clone(),
                    publisher: h.publisher.to_owned(),
                    hours: h.hours,
                    distance_m: Some(h.distance_m),
                })
                .collect()
        };
        if query.open == OpenFilter::OpenOnly {
            let found = dir.index.nearby_open(query)?;
            Ok(NearbyServices {
                services: own(found.open),
                maybe_open: own(found.maybe_open),
            })
        } else {
            Ok(NearbyServices {
                services: own(dir.index.nearby(query)?),
                maybe_open: Vec::new(),
            })
        }
    }
}
