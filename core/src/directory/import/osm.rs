//! OpenStreetMap GeoJSON, as exported from Overpass (overpass-turbo / osmtogeojson). Both
//! property layouts are read: flat tags (`{"@id": "node/1", "amenity": ...}`) and the older
//! nested one (`{"type": "node", "id": 1, "tags": {...}, "meta": {...}}`).

use std::collections::HashMap;

use chrono::NaiveDate;
use geo::{Centroid, Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};

use super::{join_address, FileReport, Import, SkipReason};
use crate::directory::{check_coordinates, Category, DirectoryError, Service};
use crate::{Error, Result};

/// Imports the features of a GeoJSON FeatureCollection. `file` names the input in the
/// report. Points are used as they are; polygons and multipolygons by their centroid;
/// lines and other geometries are skipped and reported.
pub fn import_osm_geojson(file: &str, bytes: &[u8]) -> Result<Import> {
    let doc: Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::Decode(crate::directory::json_position("GeoJSON", &e)))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(DirectoryError::NotGeoJson("top-level type must be FeatureCollection").into());
    }
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or(DirectoryError::NotGeoJson("no features array"))?;
    let mut report = FileReport::new(file);
    let mut services: Vec<Service> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (i, feature) in features.iter().enumerate() {
        let row = i + 1;
        report.rows += 1;
        match read_feature(feature) {
            Ok(service) => {
                if let Some(&existing) = by_id.get(&service.id) {
                    merge_into(&mut services[existing], service);
                    report.merged += 1;
                } else {
                    by_id.insert(service.id.clone(), services.len());
                    services.push(service);
                    report.imported += 1;
                }
            }
            Err(reason) => report.skip(row, reason),
        }
    }
    Ok(Import {
        services,
        files: vec![report],
    })
}

/// The same OSM object exported twice (e.g. once per matching query): keep the first,
/// fill its gaps from the second.
fn merge_into(into: &mut Service, from: Service) {
    for c in from.categories {
        if !into.categories.contains(&c) {
            into.categories.push(c);
        }
    }
    into.address = into.address.take().or(from.address);
    into.postcode = into.postcode.take().or(from.postcode);
    into.phone = into.phone.take().or(from.phone);
    into.website = into.website.take().or(from.website);
    into.opening_hours = into.opening_hours.take().or(from.opening_hours);
    into.notes = into.notes.take().or(from.notes);
    into.last_updated = into.last_updated.max(from.last_updated);
}

fn read_feature(feature: &Value) -> Result<Service, SkipReason> {
    let feature = feature
        .as_object()
        .ok_or_else(|| SkipReason::Unreadable("feature is not an object".into()))?;
    let props = feature.get("properties").and_then(Value::as_object);
    let empty = Map::new();
    let props = props.unwrap_or(&empty);
    // Nested layout keeps tags under "tags"; flat layout has them at the top.
    let tags = props
        .get("tags")
        .and_then(Value::as_object)
        .unwrap_or(props);
    let tag = |k: &str| {
        tags.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };

    let id = osm_id(feature, props).ok_or(SkipReason::MissingId)?;
    let categories = categories(&tag).ok_or(SkipReason::NotAService)?;
    let name = tag("name")
        .or_else(|| tag("name:en"))
        .or_else(|| tag("official_name"))
        .ok_or(SkipReason::MissingName)?;
    let (latitude, longitude) = location(feature.get("geometry"))?;

    let mut s = Service::new(&format!("osm:{id}"), name, &categories, latitude, longitude);
    s.phone = tag("phone")
        .or_else(|| tag("contact:phone"))
        .map(str::to_owned);
    s.website = tag("website")
        .or_else(|| tag("contact:website"))
        .or_else(|| tag("url"))
        .map(str::to_owned);
    s.opening_hours = tag("opening_hours").map(str::to_owned);
    s.postcode = tag("addr:postcode").map(str::to_owned);
    s.address = tag("addr:full").map(str::to_owned).or_else(|| {
        let street = match (
            tag("addr:housenumber"),
            tag("addr:street").or_else(|| tag("addr:place")),
        ) {
            (Some(n), Some(st)) => Some(format!("{n} {st}")),
            (None, Some(st)) => Some(st.to_owned()),
            (Some(n), None) => Some(n.to_owned()),
            (None, None) => None,
        };
        join_address(
            [
                tag("addr:housename"),
                street.as_deref(),
                tag("addr:suburb"),
                tag("addr:city"),
            ]
            .into_iter()
            .flatten(),
        )
    });
    let mut languages: Vec<String> = tags
        .iter()
        .filter_map(|(k, v)| {
            let lang = k.strip_prefix("language:")?;
            (v.as_str() == Some("yes") && !lang.is_empty()).then(|| lang.to_owned())
        })
        .collect();
    crate::sort::sort(&mut languages);
    s.languages = languages;
    s.notes = tag("description").map(str::to_owned);
    s.last_updated = tag("check_date")
        .or_else(|| tag("survey:date"))
        .and_then(parse_date)
        .or_else(|| {
            let meta_ts = props
                .get("meta")
                .and_then(|m| m.get("timestamp"))
                .and_then(Value::as_str);
            props
                .get("@timestamp")
                .and_then(Value::as_str)
                .or(meta_ts)
                .and_then(parse_date)
        });
    Ok(s)
}

/// `node/123`, from the feature id, `@id`, or the nested `type` + `id`.
fn osm_id(feature: &Map<String, Value>, props: &Map<String, Value>) -> Option<String> {
    let as_text = |v: &Value| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(id) = props.get("@id").and_then(as_text) {
        return Some(id);
    }
    if let (Some(kind), Some(id)) = (
        props.get("type").and_then(Value::as_str),
        props.get("id").and_then(as_text),
    ) {
        return Some(format!("{kind}/{id}"));
    }
    feature.get("id").and_then(as_text)
}

/// The categories a feature's tags say it has; `None` when it is not a service at all.
fn categories<'t>(tag: &impl Fn(&str) -> Option<&'t str>) -> Option<Vec<Category>> {
    let amenity = tag("amenity");
    let healthcare = tag("healthcare");
    let lists = |k: &str| -> Vec<String> {
        tag(k)
            .map(|v| {
                v.split(';')
                    .map(|p| p.trim().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default()
    };
    let speciality = lists("healthcare:speciality");
    let counselling = lists("healthcare:counselling");
    let social_for = lists("social_facility:for");
    let any_of =
        |values: &[String], wanted: &[&str]| values.iter().any(|v| wanted.contains(&v.as_str()));

    let mut cats: Vec<Category> = Vec::new();
    fn add(cats: &mut Vec<Category>, c: Category) {
        if !cats.contains(&c) {
            cats.push(c);
        }
    }
    if amenity == Some("pharmacy") || healthcare == Some("pharmacy") {
        add(&mut cats, Category::Pharmacy);
    }
    if amenity == Some("doctors") || healthcare == Some("doctor") {
        add(&mut cats, Category::GeneralPractice);
    }
    let is_hospital = amenity == Some("hospital") || healthcare == Some("hospital");
    if is_hospital && tag("emergency") == Some("yes") {
        add(&mut cats, Category::AccidentAndEmergency);
    }
    if healthcare == Some("sexual_health")
        || any_of(
            &speciality,
            &[
                "sexual_health",
                "genitourinary",
                "venereology",
                "family_planning",
                "contraception",
            ],
        )
    {
        add(&mut cats, Category::SexualHealthClinic);
    }
    if any_of(&speciality, &["sexual_assault"])
        || any_of(&social_for, &["sexual_assault", "rape_victims"])
    {
        add(&mut cats, Category::SexualAssaultReferralCentre);
    }
    if any_of(&social_for, &["sex_worker", "sex_workers"]) {
        add(&mut cats, Category::SexWorkProject);
    }
    if any_of(&social_for, &["abused", "domestic_violence"]) || any_of(&counselling, &["violence"])
    {
        add(&mut cats, Category::DomesticAbuseService);
    }
    if any_of(&counselling, &["addiction"])
        || any_of(&social_for, &["drug_addicted", "alcohol_addicted"])
        || any_of(&speciality, &["addiction"])
    {
        add(&mut cats, Category::DrugAndAlcoholService);
    }
    if tag("needle_exchange") == Some("yes") || tag("harm_reduction") == Some("yes") {
        add(&mut cats, Category::NeedleExchange);
    }
    if amenity == Some("police") {
        add(&mut cats, Category::Police);
    }
    if cats.is_empty()
        && (healthcare.is_some()
            || is_hospital
            || matches!(amenity, Some("clinic" | "social_facility" | "dentist")))
    {
        add(&mut cats, Category::Other);
    }
    (!cats.is_empty()).then_some(cats)
}

/// (latitude, longitude) of a geometry: a point itself, or a polygon's centroid.
fn location(geometry: Option<&Value>) -> Result<(f64, f64), SkipReason> {
    let geometry = geometry
        .filter(|g| !g.is_null())
        .ok_or(SkipReason::MissingCoordinates)?;
    let kind = geometry.get("type").and_then(Value::as_str);
    let coords = geometry.get("coordinates");
    let (lon, lat) = match kind {
        Some("Point") => position(coords.ok_or(SkipReason::MissingCoordinates)?)?,
        Some("Polygon") => {
            let poly = polygon(coords.ok_or(SkipReason::MissingCoordinates)?)?;
            centroid_of(poly.centroid())?
        }
        Some("MultiPolygon") => {
            let parts = coords
                .and_then(Value::as_array)
                .ok_or(SkipReason::UnsupportedGeometry("malformed multipolygon"))?;
            let polys = parts.iter().map(polygon).collect::<Result<Vec<_>, _>>()?;
            centroid_of(MultiPolygon::new(polys).centroid())?
        }
        Some("LineString" | "MultiLineString") => {
            return Err(SkipReason::UnsupportedGeometry("a line is not a place"))
        }
        _ => return Err(SkipReason::UnsupportedGeometry("unknown geometry type")),
    };
    check_coordinates(lat, lon).map_err(|_| SkipReason::InvalidCoordinates)?;
    Ok((lat, lon))
}

fn centroid_of(p: Option<geo::Point<f64>>) -> Result<(f64, f64), SkipReason> {
    let p = p.ok_or(SkipReason::UnsupportedGeometry("polygon with no points"))?;
    Ok((p.x(), p.y()))
}

fn position(v: &Value) -> Result<(f64, f64), SkipReason> {
    let a = v.as_array().ok_or(SkipReason::InvalidCoordinates)?;
    match (
        a.first().and_then(Value::as_f64),
        a.get(1).and_then(Value::as_f64),
    ) {
        (Some(lon), Some(lat)) => Ok((lon, lat)),
        _ => Err(SkipReason::InvalidCoordinates),
    }
}

fn polygon(v: &Value) -> Result<Polygon<f64>, SkipReason> {
    let rings = v
        .as_array()
        .ok_or(SkipReason::UnsupportedGeometry("malformed polygon"))?;
    let ring = |r: &Value| -> Result<LineString<f64>, SkipReason> {
        let pts = r
            .as_array()
            .ok_or(SkipReason::UnsupportedGeometry("malformed polygon ring"))?;
        pts.iter()
            .map(|p| position(p).map(|(x, y)| Coord { x, y }))
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::new)
    };
    let mut rings = rings.iter().map(ring);
    let exterior = rings
        .next()
        .ok_or(SkipReason::UnsupportedGeometry("polygon with no points"))??;
    let interiors = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

/// `2024-05-01` or an RFC 3339 timestamp's date.
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_polygon_is_placed_at_its_centre() {
        let g: Value = serde_json::json!({"type": "Polygon", "coordinates": [[[0.0, 50.0], [0.2, 50.0], [0.2, 50.2], [0.0, 50.2], [0.0, 50.0]]]});
        let (lat, lon) = location(Some(&g)).unwrap();
        assert!((lat - 50.1).abs() < 1e-9 && (lon - 0.1).abs() < 1e-9);
    }

    #[test]
    fn lines_and_empty_geometries_are_reported() {
        let line: Value =
            serde_json::json!({"type": "LineString", "coordinates": [[0.0, 50.0], [0.1, 50.0]]});
        assert!(matches!(
            location(Some(&line)),
            Err(SkipReason::UnsupportedGeometry(_))
        ));
        assert_eq!(
            location(Some(&Value::Null)),
            Err(SkipReason::MissingCoordinates)
        );
        let bad: Value = serde_json::json!({"type": "Point", "coordinates": [0.0, 95.0]});
        assert_eq!(location(Some(&bad)), Err(SkipReason::InvalidCoordinates));
    }
}
