//! `vigil services near|search`: the directory, offline.

use chrono::Utc;
use serde_json::{json, Value};
use vigil_core::directory::{HoursStatus, NearbyQuery, OpenFilter, OpenState, Service};

use crate::args::{ServicesCommand, ServicesNearArgs, ServicesSearchArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult, Exit};

pub fn run(ctx: &Context, command: ServicesCommand) -> CliResult {
    let session = ctx.unlock()?;
    let loaded = session.directory().load()?;
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
    let index = &loaded.index;
    if index.is_empty() {
        return Err(
            CliError::new(Exit::NotFound, "the directory is empty").with_hint(
                "import a directory bundle from a trusted publisher: `vigil import BUNDLE_FILE`",
            ),
        );
    }
    match command {
        ServicesCommand::Near(a) => near(ctx, index, a),
        ServicesCommand::Search(a) => search(ctx, index, a),
    }
}

fn near(
    ctx: &Context,
    index: &vigil_core::directory::DirectoryIndex,
    a: ServicesNearArgs,
) -> CliResult {
    if !a.radius_km.is_finite() || a.radius_km <= 0.0 || a.radius_km > 20_000.0 {
        return Err(CliError::usage(
            "--radius-km must be a positive number of kilometres",
        ));
    }
    let (lat, lon) = a.point;
    let (at, open) = match (a.open_now, a.open_at) {
        (true, _) => (Utc::now(), OpenFilter::OpenOnly),
        (false, Some(t)) => (t, OpenFilter::OpenOnly),
        (false, None) => (Utc::now(), OpenFilter::Any),
    };
    let query = NearbyQuery::new(lat, lon, a.radius_km * 1000.0, a.limit as usize, at)
        .categories(&a.category)
        .open(open);
    let hits = index.nearby(&query)?;
    let items: Vec<Value> = hits
        .iter()
        .map(|h| {
            let mut v = service_json(h.service, h.publisher, &h.hours);
            v["distance_m"] = json!(h.distance_m.round());
            v
        })
        .collect();
    ctx.emit(json!({ "at": at.to_rfc3339(), "services": items }), || {
        if hits.is_empty() {
            return "No service matches within that radius.".to_owned();
        }
        hits.iter()
            .map(|h| {
                format!(
                    "{:>6}  {}\n",
                    distance(h.distance_m),
                    line(h.service, h.publisher, &h.hours)
                )
            })
            .collect()
    })
}

fn search(
    ctx: &Context,
    index: &vigil_core::directory::DirectoryIndex,
    a: ServicesSearchArgs,
) -> CliResult {
    let now = Utc::now();
    let found = if a.postcode {
        index.search_postcode(&a.text, a.limit as usize, now)?
    } else {
        index.search_name(&a.text, a.limit as usize, now)?
    };
    let items: Vec<Value> = found
        .iter()
        .map(|m| service_json(m.service, m.publisher, &m.hours))
        .collect();
    ctx.emit(json!({ "services": items }), || {
        if found.is_empty() {
            return "Nothing found.".to_owned();
        }
        found
            .iter()
            .map(|m| format!("{}\n", line(m.service, m.publisher, &m.hours)))
            .collect()
    })
}

fn service_json(s: &Service, publisher: &str, hours: &HoursStatus) -> Value {
    json!({
        "id": s.id, "name": s.name, "categories": s.categories,
        "latitude": s.latitude, "longitude": s.longitude,
        "address": s.address, "postcode": s.postcode, "phone": s.phone, "website": s.website,
        "opening_hours": s.opening_hours, "languages": s.languages, "notes": s.notes,
        "last_updated": s.last_updated, "publisher": publisher,
        "open": hours.state, "next_change": hours.next_change.map(|t| t.to_rfc3339()),
    })
}

fn line(s: &Service, publisher: &str, hours: &HoursStatus) -> String {
    let open = match hours.state {
        OpenState::Open => "open",
        OpenState::Closed => "closed",
        OpenState::Unknown => "hours unknown",
    };
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

fn distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}
