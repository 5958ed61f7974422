//! Where "near" is, and what to say when nothing is near: the rules a search screen needs
//! on every shell.
//!
//! A place is found in the directory itself (no geocoding service: nothing leaves the
//! device): a postcode's services give its centre, a postcode's district the centre of
//! the district, a service's name that service's place. When a nearby query finds
//! nothing, [`App::nearest_beyond`] names the nearest service that a wider query would
//! find, and which filter left it out.

use super::{App, FoundService, SearchBy, MAX_RADIUS_KM};
use crate::directory::{NearbyQuery, OpenFilter, OpenState};
use crate::Result;

/// How a place was found in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceSource {
    /// Services at this postcode.
    Postcode,
    /// No service has the full postcode: the centre of its district (the outward code,
    /// `WC2N` of `WC2N 5HS`), a few hundred metres to a few kilometres off.
    PostcodeDistrict,
    /// A service of that name.
    ServiceName,
}

/// A place to search around.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub latitude: f64,
    pub longitude: f64,
    pub source: PlaceSource,
    /// How many services the place was taken from.
    pub services: usize,
}

/// The nearest service a wider query would find, and why the query left it out.
#[derive(Debug, Clone, PartialEq)]
pub struct Beyond {
    pub service: FoundService,
    /// Further than the radius.
    pub outside_radius: bool,
    /// Not known to be open at the query's time (only with an open filter).
    pub not_open: bool,
    /// None of the asked categories has any service: this one is of another category.
    pub other_category: bool,
}

/// Services a postcode's centre is averaged over.
const PLACE_SAMPLE: usize = 50;

impl App {
    /// A postcode or a service's name, as a point (see the module's notes). `None` when
    /// the directory knows no such place.
    pub fn locate(&self, text: &str) -> Result<Option<Place>> {
        let at = chrono::Utc::now();
        let by_postcode = |t: &str| self.search_services(t, SearchBy::Postcode, PLACE_SAMPLE, at);
        let found = by_postcode(text)?;
        if !found.is_empty() {
            return Ok(Some(centre(&found, PlaceSource::Postcode)));
        }
        if let Some((district, _)) = text.trim().split_once(char::is_whitespace) {
            let found = by_postcode(district)?;
            if !found.is_empty() {
                return Ok(Some(centre(&found, PlaceSource::PostcodeDistrict)));
            }
        }
        let found = self.search_services(text, SearchBy::Name, 1, at)?;
        Ok(found
            .first()
            .map(|_| centre(&found, PlaceSource::ServiceName)))
    }

    /// For a nearby query that found nothing: the nearest service it would have found with
    /// a wider radius; failing that, ignoring whether it is open; failing that, of any
    /// category. `None` when the directory is empty.
    pub fn nearest_beyond(&self, query: &NearbyQuery) -> Result<Option<Beyond>> {
        let wide = |q: NearbyQuery| NearbyQuery {
            radius_m: MAX_RADIUS_KM * 1000.0,
            limit: 1,
            ..q
        };
        let first = |q: NearbyQuery| -> Result<Option<FoundService>> {
            let found = self.services_near(&wide(q))?;
            Ok(found.services.into_iter().next())
        };
        let filtered = query.open == OpenFilter::OpenOnly;
        let tries = [
            (query.clone(), false),
            (query.clone().open(OpenFilter::Any), false),
            (
                query.clone().open(OpenFilter::Any).categories(&[]),
                !query.categories.is_empty(),
            ),
        ];
        for (q, other_category) in tries {
            if let Some(service) = first(q)? {
                let distance = service.distance_m.unwrap_or_default();
                return Ok(Some(Beyond {
                    outside_radius: distance > query.radius_m,
                    not_open: filtered && service.hours.state != OpenState::Open,
                    other_category,
                    service,
                }));
            }
        }
        Ok(None)
    }
}

fn centre(found: &[FoundService], source: PlaceSource) -> Place {
    let n = found.len() as f64;
    Place {
        latitude: found.iter().map(|f| f.service.latitude).sum::<f64>() / n,
        longitude: found.iter().map(|f| f.service.longitude).sum::<f64>() / n,
        source,
        services: found.len(),
    }
}
