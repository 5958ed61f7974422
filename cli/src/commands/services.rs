//! `vigil services near|search`: the directory, offline.

use chrono::Utc;
use serde_json::{json, Value};
use vigil_core::app::{App, Beyond, FoundService, PlaceSource, SearchBy};
use vigil_core::clock::Timestamp;
use vigil_core::directory::hours::parse_time_zone;
use vigil_core::directory::{
    DirectoryIndex, HoursSource, HoursStatus, NearbyQuery, OpenFilter, OpenState, Service,
};

use crate::args::{PlaceArg, ServicesCommand, ServicesNearArgs, ServicesSearchArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult, Exit};

pub fn run(ctx: &Context, command: ServicesCommand) -> CliResult {
    // Read before the unlock: a mistyped time costs no passphrase.
    let open_at = match &command {
        ServicesCommand::Near(a) => a
            .open_at
            .as_ref()
            .map(|t| ctx.time("--open-at", t, Utc::now()))
            .transpose()?,
        ServicesCommand::Search(_) => None,
    };
    let app = ctx.unlock()?;
    let loaded = app.directory()?;
    if !loaded.unreadable.is_empty() {
        ctx.warn(&format!(
            "{} part(s) of the directory failed authentication and are left out",
            loaded.unreadable.len()
        ));
    }
    for publisher in &loaded.incomplete {
        ctx.warn(&format!(
            "the directory from {publisher} is incomplete; import its bundle again"
        ));
    }
    if loaded.index.is_empty() {
        return Err(
            CliError::new(Exit::NotFound, "the directory is empty").with_hint(
                "import a directory bundle from a trusted publisher: `vigil import BUNDLE_FILE`",
            ),
        );
    }
    match command {
        ServicesCommand::Near(a) => near(ctx, &app, &loaded.index, a, open_at),
        ServicesCommand::Search(a) => search(ctx, &app, &loaded.index, a),
    }
}

fn near(
    ctx: &Context,
    app: &App,
    index: &DirectoryIndex,
    a: ServicesNearArgs,
    open_at: Option<Timestamp>,
) -> CliResult {
    let (lat, lon) = match &a.point {
        PlaceArg::Point(lat, lon) => (*lat, *lon),
        PlaceArg::Text(text) => {
            let place = app.locate(text)?.ok_or_else(|| {
                CliError::new(Exit::NotFound, "no postcode or service name in the directory matches that place")
                    .with_hint("give the point as LAT,LON (e.g. 51.5080,-0.1247), or try the postcode's first half")
            })?;
            if place.source == PlaceSource::PostcodeDistrict {
                ctx.warn("that full postcode is not in the directory: searching from the centre of its district");
            }
            (place.latitude, place.longitude)
        }
    };
    let (at, filtered) = match (a.open_now, open_at) {
        (true, _) => (Utc::now(), true),
        (false, Some(t)) => (t, true),
        (false, None) => (Utc::now(), false),
    };
    let query = NearbyQuery::new(lat, lon, a.radius_km * 1000.0, a.limit as usize, at)
        .categories(&a.category)
        .open(if filtered {
            OpenFilter::OpenOnly
        } else {
            OpenFilter::Any
        });
    // With an open filter, only services known to be open are listed as open; the ones
    // whose state is unknown follow in their own, labelled group, never mixed in.
    let found = app.services_near(&query)?;
    let (hits, maybe) = (found.services, found.maybe_open);
    // Nothing at all: name the nearest a wider search would find, and what to widen.
    let beyond = if hits.is_empty() && maybe.is_empty() {
        app.nearest_beyond(&query)?
    } else {
        None
    };
    let to_json = |hits: &[FoundService]| -> Vec<Value> {
        hits.iter()
            .map(|h| {
                let mut v = service_json(index, &h.service, &h.publisher, &h.hours);
                v["distance_m"] = json!(h.distance_m.unwrap_or_default().round());
                v
            })
            .collect()
    };
    let mut doc = json!({ "at": crate::time::json(at), "services": to_json(&hits) });
    if filtered {
        doc["maybe_open"] = json!(to_json(&maybe));
    }
    doc["place"] = json!({ "latitude": lat, "longitude": lon });
    if let Some(b) = &beyond {
        let mut v = service_json(
            index,
            &b.service.service,
            &b.service.publisher,
            &b.service.hours,
        );
        v["distance_m"] = json!(b.service.distance_m.unwrap_or_default().round());
        doc["nearest_beyond"] = json!({
            "service": v,
            "outside_radius": b.outside_radius,
            "not_open": b.not_open,
            "other_category": b.other_category,
        });
    }
    ctx.emit(doc, || {
        let lines = |hits: &[FoundService]| -> String {
            hits.iter()
                .map(|h| {
                    format!(
                        "{:>6}  {}\n",
                        distance(h.distance_m.unwrap_or_default()),
                        line(index, &h.service, &h.publisher, &h.hours, at)
                    )
                })
                .collect()
        };
        let mut out = if hits.is_empty() {
            if filtered {
                "No service known to be open matches within that radius.\n".to_owned()
            } else {
                "No service matches within that radius.\n".to_owned()
            }
        } else {
            lines(&hits)
        };
        if !maybe.is_empty() {
            out.push_str("\nMaybe open: hours not known for that time (call before going):\n");
            out.push_str(&lines(&maybe));
        }
        if let Some(b) = &beyond {
            out.push_str(&beyond_text(index, b, at, a.radius_km));
        }
        out
    })
}

fn search(ctx: &Context, app: &App, index: &DirectoryIndex, a: ServicesSearchArgs) -> CliResult {
    let now = Utc::now();
    let by = if a.postcode {
        SearchBy::Postcode
    } else {
        SearchBy::Auto
    };
    let found = app.search_services(&a.text, by, a.limit as usize, now)?;
    let items: Vec<Value> = found
        .iter()
        .map(|m| service_json(index, &m.service, &m.publisher, &m.hours))
        .collect();
    ctx.emit(json!({ "services": items }), || {
        if found.is_empty() {
            return "Nothing found.".to_owned();
        }
        found
            .iter()
            .map(|m| format!("{}\n", line(index, &m.service, &m.publisher, &m.hours, now)))
            .collect()
    })
}

fn service_json(
    index: &DirectoryIndex,
    s: &Service,
    publisher: &str,
    hours: &HoursStatus,
) -> Value {
    json!({
        "id": s.id, "name": s.name, "categories": s.categories,
        "latitude": s.latitude, "longitude": s.longitude,
        "address": s.address, "postcode": s.postcode, "phone": s.phone, "website": s.website,
        "opening_hours": s.opening_hours, "languages": s.languages, "notes": s.notes,
        "last_updated": s.last_updated, "publisher": publisher,
        "open": hours.state, "hours_comment": hours.comment, "hours_source": hours.source,
        "hours_text": hours_text(index, publisher, hours, None),
        "next_change": hours.next_change.map(crate::time::json),
        "next_state": hours.next_state,
    })
}

/// "open, closes 17:00", "closed, opens Mon 09:00", "maybe open (by appointment)",
/// "open until 22:00, then maybe open": the same three states for now and for the next
/// change, in the publisher's time zone.
fn hours_text(
    index: &DirectoryIndex,
    publisher: &str,
    hours: &HoursStatus,
    at: Option<Timestamp>,
) -> String {
    let mut out = match (hours.state, hours.source) {
        (OpenState::Open, _) => "open".to_owned(),
        (OpenState::Closed, _) => "closed".to_owned(),
        (OpenState::Unknown, HoursSource::NotUnderstood) => {
            "maybe open (hours not understood)".to_owned()
        }
        (OpenState::Unknown, HoursSource::NotPublished) => {
            "maybe open (no hours published)".to_owned()
        }
        (OpenState::Unknown, HoursSource::Published) => "maybe open (hours unknown)".to_owned(),
    };
    if let Some(comment) = &hours.comment {
        if hours.state == OpenState::Unknown && hours.source == HoursSource::Published {
            out = format!("maybe open ({comment})");
        } else {
            out.push_str(&format!(" ({comment})"));
        }
    }
    let (Some(when), Some(next)) = (hours.next_change, hours.next_state) else {
        return out;
    };
    let tz = index
        .time_zone_of(publisher)
        .and_then(|name| parse_time_zone(name).ok());
    let when = match tz {
        Some(tz) => {
            let local = when.with_timezone(&tz);
            let same_day =
                at.is_some_and(|a| a.with_timezone(&tz).date_naive() == local.date_naive());
            if same_day {
                local.format("%H:%M").to_string()
            } else {
                local.format("%a %d %b %H:%M").to_string()
            }
        }
        None => when.to_rfc3339(),
    };
    let next = match (hours.state, next) {
        (OpenState::Open, OpenState::Closed) => format!(", closes {when}"),
        (OpenState::Open, OpenState::Unknown) => format!(" until {when}, then maybe open"),
        (OpenState::Closed, OpenState::Open) => format!(", opens {when}"),
        (OpenState::Closed, OpenState::Unknown) => format!(", maybe open from {when}"),
        (OpenState::Unknown, OpenState::Open) => format!(", opens {when}"),
        (OpenState::Unknown, OpenState::Closed) => format!(", closed from {when}"),
        _ => String::new(),
    };
    out + &next
}

fn line(
    index: &DirectoryIndex,
    s: &Service,
    publisher: &str,
    hours: &HoursStatus,
    at: Timestamp,
) -> String {
    let open = hours_text(index, publisher, hours, Some(at));
    let categories: Vec<&str> = s.categories.iter().map(|c| c.as_str()).collect();
    let mut out = format!("{} [{}] {open}", s.name, categories.join(", "));
    if let Some(address) = &s.address {
        out.push_str(&format!("\n        {address}"));
        if let Some(pc) = &s.postcode {
            out.push_str(&format!(" {pc}"));
        }
    }
    if let Some(phone) = &s.phone {
        out.push_str(&format!("\n        tel {phone}"));
    }
    out.push_str(&format!("\n        from {publisher}"));
    out
}

/// "The nearest outside your filters: ... 6.3 km away. Widen with --radius-km 7."
fn beyond_text(index: &DirectoryIndex, b: &Beyond, at: Timestamp, radius_km: f64) -> String {
    let s = &b.service;
    let d = s.distance_m.unwrap_or_default();
    let mut why = Vec::new();
    let mut widen = Vec::new();
    if b.outside_radius {
        why.push(format!("{} away", distance(d)));
        widen.push(format!(
            "--radius-km {}",
            (d / 1000.0).ceil().max(radius_km + 1.0)
        ));
    }
    if b.not_open {
        why.push("not known to be open then".to_owned());
        widen.push("leave out --open-now / --open-at".to_owned());
    }
    if b.other_category {
        why.push("of another category (none of those asked for is listed)".to_owned());
        widen.push("leave out --category".to_owned());
    }
    format!(
        "Nearest outside your filters ({}):\n{:>6}  {}\nTo include it: {}.\n",
        why.join(", "),
        distance(d),
        line(index, &s.service, &s.publisher, &s.hours, at),
        widen.join("; ")
    )
}

fn distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}
