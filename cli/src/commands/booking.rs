//! `vigil booking add|list`.

use chrono::Utc;
use serde_json::{json, Value};
use vigil_core::bookings::{Booking, BookingDraft, TimeRange};

use crate::args::{BookingAddArgs, BookingCommand, BookingListArgs};
use crate::context::Context;
use crate::error::CliResult;
use crate::time::json as json_time;

pub fn run(ctx: &Context, command: BookingCommand) -> CliResult {
    match command {
        BookingCommand::Add(a) => add(ctx, a),
        BookingCommand::List(a) => list(ctx, a),
    }
}

fn add(ctx: &Context, a: BookingAddArgs) -> CliResult {
    let at = ctx.time("--at", &a.at, Utc::now())?;
    let mut draft = BookingDraft::new(&a.client, at, a.minutes, a.kind);
    draft.client.phone = a.phone;
    draft.place.address = a.address;
    draft.place.latitude = a.lat;
    draft.place.longitude = a.lon;
    draft.notes = a.note;
    let app = ctx.unlock()?;
    let booking = app.session().bookings().add(draft, Utc::now())?;
    ctx.emit(booking_json(&booking), || {
        format!(
            "Logged booking {} at {}.",
            booking.id,
            ctx.show(booking.details.starts_at)
        )
    })
}

fn list(ctx: &Context, a: BookingListArgs) -> CliResult {
    let now = Utc::now();
    let from = a.from.map(|t| ctx.time("--from", &t, now)).transpose()?;
    let to = a.to.map(|t| ctx.time("--to", &t, now)).transpose()?;
    let app = ctx.unlock()?;
    let listing = app.session().bookings().list(TimeRange { from, to })?;
    if !listing.unreadable.is_empty() {
        ctx.warn(&format!(
            "{} booking(s) failed authentication and are not shown (tampered or corrupt)",
            listing.unreadable.len()
        ));
    }
    ctx.emit(
        json!({
            "bookings": listing.items.iter().map(booking_json).collect::<Vec<_>>(),
            "unreadable": listing.unreadable,
        }),
        || table(ctx, &listing.items),
    )
}

/// The JSON shape of a booking: times as RFC 3339 UTC, to the second (as everywhere).
pub fn booking_json(b: &Booking) -> Value {
    let d = &b.details;
    json!({
        "id": b.id,
        "client": {
            "label": d.client.label,
            "phone": d.client.phone,
            "email": d.client.email,
            "handle": d.client.handle,
        },
        "starts_at": json_time(d.starts_at),
        "ends_at": d.ends_at.map(json_time),
        "kind": d.kind,
        "status": d.status,
        "place": {
            "address": d.place.address,
            "latitude": d.place.latitude,
            "longitude": d.place.longitude,
        },
        "terms": d.terms,
        "notes": d.notes,
        "created_at": json_time(b.created_at),
        "updated_at": json_time(b.updated_at),
    })
}

fn table(ctx: &Context, bookings: &[Booking]) -> String {
    if bookings.is_empty() {
        return "No bookings.".to_owned();
    }
    let mut out = String::new();
    for b in bookings {
        let d = &b.details;
        let minutes = b
            .duration()
            .map_or_else(|| "open".to_owned(), |m| format!("{} min", m.num_minutes()));
        out.push_str(&format!(
            "{}  {}  {:<8} {:<8} {:<10} {}\n",
            b.id,
            ctx.zone.show(d.starts_at),
            d.kind.as_str(),
            minutes,
            d.status.as_str(),
            d.client.label
        ));
        if let Some(address) = &d.place.address {
            out.push_str(&format!("{:34}at {address}\n", ""));
        }
    }
    out
}
