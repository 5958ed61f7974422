//! `vigil booking add|list|show|edit|status|delete`.

use chrono::Utc;
use serde_json::{json, Value};
use std::io::Write;

use vigil_core::bookings::{Booking, BookingDraft, BookingStatus, Bookings, TimeRange};

use crate::args::{BookingAddArgs, BookingCommand, BookingEditArgs, BookingListArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult, Exit};
use crate::time::json as json_time;

pub fn run(ctx: &Context, command: BookingCommand) -> CliResult {
    match command {
        BookingCommand::Add(a) => add(ctx, a),
        BookingCommand::List(a) => list(ctx, a),
        BookingCommand::Show(a) => {
            let id = parse_id(&a.id)?;
            let app = ctx.unlock()?;
            let b = app.session().bookings().get(&id)?;
            ctx.emit(booking_json(&b, Utc::now()), || {
                table(ctx, std::slice::from_ref(&b), Utc::now())
            })
        }
        BookingCommand::Edit(a) => edit(ctx, a),
        BookingCommand::Status(a) => set_status(ctx, &a.id, a.status),
        BookingCommand::Done(a) => set_status(ctx, &a.id, BookingStatus::Done),
        BookingCommand::Cancel(a) => set_status(ctx, &a.id, BookingStatus::Cancelled),
        BookingCommand::NoShow(a) => set_status(ctx, &a.id, BookingStatus::NoShow),
        BookingCommand::Delete(a) => {
            let id = parse_id(&a.id)?;
            let app = ctx.unlock()?;
            app.session().bookings().delete(&id)?;
            ctx.emit(json!({ "deleted": id }), || {
                format!("Deleted booking {id}.")
            })
        }
    }
}

fn set_status(ctx: &Context, id: &str, status: BookingStatus) -> CliResult {
    let id = parse_id(id)?;
    let app = ctx.unlock()?;
    let b = app.set_booking_status(&id, status, Utc::now())?;
    ctx.emit(booking_json(&b, Utc::now()), || {
        format!("Booking {} is now {}.", b.id, status_word(b.details.status))
    })
}

/// A status as a person reads it (the JSON keeps the stored name).
fn status_word(s: BookingStatus) -> &'static str {
    match s {
        BookingStatus::Planned => "planned",
        BookingStatus::InProgress => "in progress",
        BookingStatus::Done => "done",
        BookingStatus::Cancelled => "cancelled",
        BookingStatus::NoShow => "a no-show",
        BookingStatus::Incident => "an incident",
    }
}

/// Only what was given changes; "" removes an optional field.
fn edit(ctx: &Context, a: BookingEditArgs) -> CliResult {
    let id = parse_id(&a.id)?;
    let now = Utc::now();
    let at = a.at.map(|t| ctx.time("--at", &t, now)).transpose()?;
    let app = ctx.unlock()?;
    let old = app.session().bookings().get(&id)?;
    let mut d = old.details.clone();
    let optional = |v: String| (!v.trim().is_empty()).then_some(v);
    if let Some(client) = a.client {
        d.client.label = client;
    }
    if let Some(phone) = a.phone {
        d.client.phone = optional(phone);
    }
    let length = old.duration();
    if let Some(at) = at {
        d.starts_at = at;
        d.ends_at = length.map(|l| at + l);
    }
    if let Some(minutes) = a.minutes {
        d.ends_at = Some(d.starts_at + vigil_core::checkin::minutes("booking length", minutes)?);
    }
    if let Some(kind) = a.kind {
        d.kind = kind;
    }
    if let Some(address) = a.address {
        d.place.address = optional(address);
    }
    if let Some(note) = a.note {
        d.notes = optional(note);
    }
    let b = app.update_booking(&id, d, now).map_err(phone_hint)?;
    ctx.emit(booking_json(&b, now), || {
        format!(
            "Changed booking {}:\n{}",
            b.id,
            table(ctx, std::slice::from_ref(&b), now)
        )
    })
}

/// A client number that is not one: say how to write it (the number is not repeated).
fn phone_hint(e: vigil_core::Error) -> crate::error::CliError {
    use vigil_core::screening::{IdentifierKind, ScreeningError};
    let phone = matches!(
        e,
        vigil_core::Error::Screening(ScreeningError::InvalidIdentifier {
            kind: IdentifierKind::Phone,
            ..
        })
    );
    let err = crate::error::CliError::from(e);
    if phone {
        err.with_hint(
            "--phone takes a number as you would dial it (07700 900123, +44 7700 900123); \
             without a country code it is read in your country (`vigil settings show`). \
             Nothing was saved.",
        )
    } else {
        err
    }
}

/// A record id as typed.
pub fn parse_id(s: &str) -> CliResult<vigil_core::vault::RecordId> {
    s.trim().parse().map_err(|_| {
        crate::error::CliError::new(
            crate::error::Exit::Invalid,
            "that is not a record id (32 hexadecimal digits)",
        )
        .with_hint("ids are shown by the `list` commands")
    })
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
    let booking = app.add_booking(draft, Utc::now()).map_err(phone_hint)?;
    ctx.emit(booking_json(&booking, Utc::now()), || {
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
    let bookings = app.session().bookings();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let streamed = stream_list(
        ctx,
        &bookings,
        TimeRange { from, to },
        a.no_status,
        now,
        &mut out,
    )
    .and_then(|unreadable| Ok(out.flush().map(|()| unreadable)?));
    match streamed {
        Ok(unreadable) => {
            if unreadable > 0 {
                ctx.warn(&format!(
                    "{unreadable} booking(s) failed authentication and are not shown (tampered or corrupt)"
                ));
            }
            Ok(())
        }
        // `vigil booking list | head`: a closed pipe is not a failure of the command.
        Err(vigil_core::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(vigil_core::Error::Io(e)) => Err(CliError::new(
            Exit::Failure,
            format!("could not write the output: {e}"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Writes the listing as it is read, newest first (the same document or table as one
/// `emit` would print): memory stays flat however long the log is. With `no_status`, only
/// past bookings still waiting for their outcome.
fn stream_list(
    ctx: &Context,
    bookings: &Bookings<'_>,
    range: TimeRange,
    no_status: bool,
    now: chrono::DateTime<Utc>,
    out: &mut impl Write,
) -> vigil_core::Result<usize> {
    let mut any = false;
    let mut waiting = 0usize;
    if ctx.json {
        write!(out, "{{\n  \"bookings\": [")?;
    }
    let unreadable = bookings.for_each_newest_first(range, |b| {
        if no_status && !b.awaiting_outcome(now) {
            return Ok(());
        }
        if b.awaiting_outcome(now) {
            waiting += 1;
        }
        if ctx.json {
            let text = serde_json::to_string_pretty(&booking_json(&b, now))
                .map_err(std::io::Error::other)?;
            write!(out, "{}\n    ", if any { "," } else { "" })?;
            write!(out, "{}", text.replace('\n', "\n    "))?;
        } else {
            write!(out, "{}", table_row(ctx, &b, now))?;
        }
        any = true;
        Ok(())
    })?;
    if ctx.json {
        write!(
            out,
            "{}],\n  \"unreadable\": [",
            if any { "\n  " } else { "" }
        )?;
        let mut first = true;
        if unreadable > 0 {
            bookings.for_each_unreadable(|id| {
                write!(out, "{}\n    \"{id}\"", if first { "" } else { "," })?;
                first = false;
                Ok(())
            })?;
        }
        writeln!(out, "{}]\n}}", if first { "" } else { "\n  " })?;
    } else if !any {
        writeln!(out, "No bookings.")?;
    } else if waiting > 0 {
        writeln!(
            out,
            "{waiting} past booking(s) have no status yet: say how each went with \
             `vigil booking done|cancel|no-show ID` (or `booking status ID incident`)."
        )?;
    }
    Ok(unreadable)
}

/// The JSON shape of a booking: times as RFC 3339 UTC, to the second (as everywhere).
/// `awaiting_outcome`: over, and still planned or in progress (see
/// [`Booking::awaiting_outcome`]).
pub fn booking_json(b: &Booking, now: chrono::DateTime<Utc>) -> Value {
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
        "awaiting_outcome": b.awaiting_outcome(now),
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

fn table(ctx: &Context, bookings: &[Booking], now: chrono::DateTime<Utc>) -> String {
    table_of(ctx, &bookings.iter().collect::<Vec<_>>(), now)
}

fn table_of(ctx: &Context, bookings: &[&Booking], now: chrono::DateTime<Utc>) -> String {
    if bookings.is_empty() {
        return "No bookings.".to_owned();
    }
    bookings.iter().map(|b| table_row(ctx, b, now)).collect()
}

/// One booking's lines of the table.
fn table_row(ctx: &Context, b: &Booking, now: chrono::DateTime<Utc>) -> String {
    let d = &b.details;
    let minutes = b
        .duration()
        .map_or_else(|| "open".to_owned(), |m| format!("{} min", m.num_minutes()));
    let mut out = format!(
        "{}  {}  {:<8} {:<8} {:<16} {}\n",
        b.id,
        ctx.zone.show(d.starts_at),
        d.kind.as_str(),
        minutes,
        if b.awaiting_outcome(now) {
            "past, no status"
        } else {
            status_word(d.status)
        },
        d.client.label
    );
    if let Some(address) = &d.place.address {
        out.push_str(&format!("{:34}at {address}\n", ""));
    }
    out
}
