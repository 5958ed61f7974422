//! `vigil note add` and `vigil screen`.

use chrono::Utc;
use serde_json::{json, Value};
use vigil_core::app::NoteDefaults;
use vigil_core::screening::{
    IdentifierKind, Match, MatchSource, MatchStrength, Risk, ScreenedInput, ScreeningResult,
};

use crate::args::{NoteAddArgs, NoteCommand, ScreenArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult};

pub fn note(ctx: &Context, command: NoteCommand) -> CliResult {
    let NoteCommand::Add(a) = command;
    add(ctx, a)
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
    let result = app.screen(&a.input, false, Utc::now())?;
    // Exit status stays 0 when some records could not be read: it never carries the risk
    // (a DANGER answer exits 0 too), so a reader must look at the answer, and the answer
    // itself says it may be incomplete. In JSON the warning also goes to stderr, beside
    // the `unreadable` field.
    if ctx.json && result.is_incomplete() {
        ctx.warn(&damage_line(&result));
    }
    ctx.emit(result_json(&result), || human(&result))
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
            risk => risk.as_str().to_uppercase(),
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
                "alert {} from {publisher}{}: {:?}, {}",
                alert.reference,
                if *stale { " (stale feed)" } else { "" },
                alert.category,
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
