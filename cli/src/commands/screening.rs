//! `vigil note add|list|show|edit|delete` and `vigil screen`.

use chrono::Utc;
use serde_json::{json, Value};
use vigil_core::app::NoteDefaults;
use vigil_core::screening::{
    IdentifierKind, Match, MatchSource, MatchStrength, Risk, ScreenedInput, ScreeningResult,
};

use crate::args::{NoteAddArgs, NoteCommand, NoteEditArgs, ScreenArgs};
use crate::commands::booking::{booking_json, parse_id};
use crate::context::Context;
use crate::error::{CliError, CliResult};

pub fn note(ctx: &Context, command: NoteCommand) -> CliResult {
    match command {
        NoteCommand::Add(a) => add(ctx, a),
        NoteCommand::List => {
            let app = ctx.unlock()?;
            let listing = app.screening()?.notes()?;
            if !listing.unreadable.is_empty() {
                ctx.warn(&format!(
                    "{} note(s) failed authentication and are not shown (tampered or corrupt)",
                    listing.unreadable.len()
                ));
            }
            ctx.emit(
                json!({
                    "notes": listing.items.iter().map(note_json).collect::<Vec<_>>(),
                    "unreadable": listing.unreadable,
                }),
                || {
                    if listing.items.is_empty() {
                        return "No notes yet: add one with `vigil note add`.".to_owned();
                    }
                    listing.items.iter().map(|n| note_line(ctx, n)).collect()
                },
            )
        }
        NoteCommand::Show(a) => {
            let id = parse_id(&a.id)?;
            let app = ctx.unlock()?;
            let screening = app.screening()?;
            let note = screening.get_note(&id)?;
            let bookings = app.linked_bookings(&id)?;
            let mut doc = note_json(&note);
            doc["bookings"] = json!(bookings
                .iter()
                .map(|b| booking_json(b, Utc::now()))
                .collect::<Vec<_>>());
            ctx.emit(doc, || {
                let mut out = note_line(ctx, &note);
                let ids: Vec<String> = note
                    .details
                    .identifiers
                    .iter()
                    .map(|i| i.normalized())
                    .collect();
                out.push_str(&format!("    {}\n", ids.join(", ")));
                if !note.details.text.is_empty() {
                    out.push_str(&format!("    {}\n", note.details.text));
                }
                match bookings.first() {
                    Some(last) => out.push_str(&format!(
                        "    seen in {} booking(s), last {}\n",
                        bookings.len(),
                        ctx.zone.show(last.details.starts_at)
                    )),
                    None => out.push_str("    in none of your bookings\n"),
                }
                out
            })
        }
        NoteCommand::Edit(a) => edit(ctx, a),
        NoteCommand::Delete(a) => {
            let id = parse_id(&a.id)?;
            let app = ctx.unlock()?;
            app.screening()?.delete_note(&id)?;
            ctx.emit(json!({ "deleted": id }), || format!("Deleted note {id}."))
        }
    }
}

/// Only what was given changes.
fn edit(ctx: &Context, a: NoteEditArgs) -> CliResult {
    let id = parse_id(&a.id)?;
    let app = ctx.unlock()?;
    let screening = app.screening()?;
    let mut d = screening.get_note(&id)?.details;
    if let Some(label) = a.label {
        d.label = label;
    }
    if let Some(risk) = a.risk {
        d.risk = risk;
    }
    if let Some(text) = a.text {
        d.text = text;
    }
    let note = screening.update_note(&id, d, Utc::now())?;
    ctx.emit(note_json(&note), || {
        format!("Changed: {}", note_line(ctx, &note))
    })
}

fn note_line(ctx: &Context, n: &vigil_core::screening::ClientNote) -> String {
    format!(
        "{}  {:<24} {:<10} changed {}\n",
        n.id,
        n.details.label,
        n.details.risk.as_str(),
        ctx.zone.show(n.updated_at)
    )
}

fn add(ctx: &Context, a: NoteAddArgs) -> CliResult {
    let mut identifiers = Vec::new();
    for (kind, values) in [
        (IdentifierKind::Phone, a.phone),
        (IdentifierKind::Email, a.email),
        (IdentifierKind::Handle, a.handle),
        (IdentifierKind::Plate, a.plate),
    ] {
        identifiers.extend(values.into_iter().map(|v| (kind, v)));
    }
    if identifiers.is_empty() {
        return Err(CliError::usage(
            "a note needs at least one of --phone, --email, --handle, --plate",
        ));
    }
    let app = ctx.unlock()?;
    let note = app.add_note(
        NoteDefaults {
            label: a.label,
            risk: a.risk,
            identifiers,
            text: a.text.unwrap_or_default(),
        },
        Utc::now(),
    )?;
    ctx.emit(note_json(&note), || {
        format!(
            "Noted {} as {} ({}).",
            note.details.label,
            note.details.risk.as_str(),
            note.id
        )
    })
}

pub fn screen(ctx: &Context, a: ScreenArgs) -> CliResult {
    let app = ctx.unlock()?;
    let now = Utc::now();
    let result = app.screen(&a.input, false, now)?;
    // Her own bookings with this client (a whole identifier only: a number's last digits
    // could be anyone's).
    let seen = match &result.input {
        ScreenedInput::Identifier(_) => Some(app.seen_in_bookings(&a.input, now)?),
        ScreenedInput::PartialNumber(_) => None,
    };
    // Exit status stays 0 when some records could not be read: it never carries the risk
    // (a DANGER answer exits 0 too), so a reader must look at the answer, and the answer
    // itself says it may be incomplete. In JSON the warning also goes to stderr, beside
    // the `unreadable` field.
    if ctx.json && result.is_incomplete() {
        ctx.warn(&damage_line(&result));
    }
    let mut doc = result_json(&result);
    doc["own_bookings"] = match &seen {
        Some(s) => json!({
            "count": s.bookings,
            "last": s.last.map(crate::time::json),
            "next": s.next.map(crate::time::json),
            "incidents": s.incidents,
            "no_shows": s.no_shows,
        }),
        None => Value::Null,
    };
    ctx.emit(doc, || {
        let mut out = human(&result);
        if let Some(line) = seen.as_ref().and_then(|s| seen_line(ctx, s, now)) {
            out.push_str(&format!("  {line}\n"));
        }
        out
    })
}

/// "seen in 2 of your bookings, last 2026-11-28 21:00 GMT (1 no-show)"; `None` when none.
fn seen_line(
    ctx: &Context,
    s: &vigil_core::app::SeenInBookings,
    now: chrono::DateTime<Utc>,
) -> Option<String> {
    if s.bookings == 0 {
        return None;
    }
    let mut line = format!(
        "seen in {} of your booking{}",
        s.bookings,
        if s.bookings == 1 { "" } else { "s" }
    );
    if let Some(last) = s.last {
        line.push_str(&format!(", last {}", ctx.zone.show_from(last, now)));
    }
    if let Some(next) = s.next {
        line.push_str(&format!(", next {}", ctx.zone.show_from(next, now)));
    }
    let mut marks = Vec::new();
    if s.incidents > 0 {
        marks.push(format!("{} marked incident", s.incidents));
    }
    if s.no_shows > 0 {
        marks.push(format!("{} no-show", s.no_shows));
    }
    if !marks.is_empty() {
        line.push_str(&format!(" ({})", marks.join(", ")));
    }
    Some(line)
}

/// "2 notes and 1 alert could not be read: the answer may be incomplete".
pub fn damage_line(r: &ScreeningResult) -> String {
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let what = match (r.unreadable_notes, r.unreadable_alerts) {
        (n, 0) => count(n, "note", "notes"),
        (0, a) => count(a, "alert", "alerts"),
        (n, a) => format!(
            "{} and {}",
            count(n, "note", "notes"),
            count(a, "alert", "alerts")
        ),
    };
    format!(
        "{what} could not be read (damaged or tampered): the answer may be incomplete; \
         restore the vault from a backup (`vigil restore`)"
    )
}

pub fn result_json(r: &ScreeningResult) -> Value {
    json!({
        "input": r.input,
        "overall": r.overall,
        "matches": r.matches.iter().map(match_json).collect::<Vec<_>>(),
        // Non-zero: the answer may be incomplete (see `damage_line`).
        "unreadable": { "notes": r.unreadable_notes, "alerts": r.unreadable_alerts },
        "complete": !r.is_incomplete(),
    })
}

fn match_json(m: &Match) -> Value {
    let source = match &m.source {
        MatchSource::Note(note) => json!({ "note": note_json(note) }),
        MatchSource::Alert {
            alert,
            publisher,
            stale,
        } => {
            let mut doc = json!(alert);
            doc["issued"] = json!(crate::time::json(alert.issued));
            doc["feed_expires_at"] = json!(crate::time::json(alert.feed_expires_at));
            json!({ "alert": doc, "publisher": publisher, "stale": stale })
        }
    };
    json!({
        "strength": m.strength,
        "matched": m.matched,
        "risk": m.risk,
        "source": source,
    })
}

pub fn human(r: &ScreeningResult) -> String {
    let what = match &r.input {
        ScreenedInput::Identifier(id) => id.normalized(),
        ScreenedInput::PartialNumber(digits) => format!("…{digits}"),
    };
    let mut out = format!(
        "{what}: {}\n",
        match r.overall {
            Risk::Unknown if r.matches.is_empty() && r.is_incomplete() =>
                "no readable notes or alerts".to_owned(),
            Risk::Unknown if r.matches.is_empty() => "no notes or alerts".to_owned(),
            risk => crate::colour::risk(risk, &risk.as_str().to_uppercase()),
        }
    );
    for m in &r.matches {
        let how = match m.strength {
            MatchStrength::Exact => "exact".to_owned(),
            MatchStrength::PhoneSuffix { digits } => format!("same last {digits} digits"),
            MatchStrength::PlateFragment => "part of the plate".to_owned(),
        };
        let line = match &m.source {
            MatchSource::Note(n) => format!(
                "your note \"{}\" ({}){}",
                n.details.label,
                n.details.risk.as_str(),
                if n.details.text.is_empty() {
                    String::new()
                } else {
                    format!(": {}", n.details.text)
                }
            ),
            MatchSource::Alert {
                alert,
                publisher,
                stale,
            } => format!(
                "alert {} from {publisher}{}: {}, {}",
                alert.reference,
                if *stale { " (stale feed)" } else { "" },
                // Its stored name in words ("non payment"), never the enum's name.
                serde_json::to_value(alert.category)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                    .unwrap_or_default(),
                alert.description
            ),
        };
        out.push_str(&format!(
            "  {} [{how}, {}] {line}\n",
            m.matched.normalized(),
            m.risk.as_str()
        ));
    }
    if r.is_incomplete() {
        out.push_str(&format!("  warning: {}\n", damage_line(r)));
    }
    out
}

/// A note as JSON, its times in the one JSON form (RFC 3339 UTC, to the second).
pub fn note_json(note: &vigil_core::screening::ClientNote) -> Value {
    let mut doc = json!(note);
    doc["created_at"] = json!(crate::time::json(note.created_at));
    doc["updated_at"] = json!(crate::time::json(note.updated_at));
    doc
}
