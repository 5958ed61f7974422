//! `vigil report new|list|show|edit|delete|send`: dangerous-client reports, drafted in the
//! vault and sent as an encrypted file (see docs/reports.md).

use chrono::Utc;
use serde_json::{json, Value};
use vigil_core::identifiers::IdentifierKind;
use vigil_core::reports::{Report, ReportDraft, ReportIdentifier, RoughLocation};

use crate::args::{ReportCommand, ReportEditArgs, ReportFields, ReportNewArgs, ReportSendArgs};
use crate::commands::booking::parse_id;
use crate::commands::screening::note_json;
use crate::context::Context;
use crate::error::CliResult;
use crate::time::json as json_time;

pub fn run(ctx: &Context, command: ReportCommand) -> CliResult {
    match command {
        ReportCommand::New(a) => new(ctx, a),
        ReportCommand::List => {
            let app = ctx.unlock()?;
            let listing = app.reports().list()?;
            if !listing.unreadable.is_empty() {
                ctx.warn(&format!(
                    "{} report draft(s) failed authentication and are not shown (tampered or corrupt)",
                    listing.unreadable.len()
                ));
            }
            ctx.emit(
                json!({
                    "reports": listing.items.iter().map(report_json).collect::<Vec<_>>(),
                    "unreadable": listing.unreadable,
                }),
                || {
                    if listing.items.is_empty() {
                        return "No report drafts: start one with `vigil report new`.".to_owned();
                    }
                    listing.items.iter().map(|r| line(ctx, r)).collect()
                },
            )
        }
        ReportCommand::Show(a) => {
            let id = parse_id(&a.id)?;
            let app = ctx.unlock()?;
            let r = app.reports().get(&id)?;
            ctx.emit(report_json(&r), || show(ctx, &r))
        }
        ReportCommand::Edit(a) => edit(ctx, a),
        ReportCommand::Delete(a) => {
            let id = parse_id(&a.id)?;
            let app = ctx.unlock()?;
            app.reports().delete(&id)?;
            ctx.emit(json!({ "deleted": id }), || {
                format!("Deleted report draft {id}.")
            })
        }
        ReportCommand::Send(a) => send(ctx, a),
    }
}

/// Applies what was given on the command line to `d`.
fn apply(ctx: &Context, f: ReportFields, d: &mut ReportDraft) -> CliResult {
    let now = Utc::now();
    if let Some(v) = f.when {
        d.when = v;
    }
    if let Some(t) = f.at {
        d.occurred_at = Some(ctx.time("--at", &t, now)?);
    }
    if let Some(v) = f.place {
        d.place = v;
    }
    if let (Some(latitude), Some(longitude)) = (f.lat, f.lon) {
        d.rough_location = Some(RoughLocation {
            latitude,
            longitude,
            radius_m: f.radius_m,
        });
    }
    if !f.category.is_empty() {
        d.categories = f.category;
    }
    if let Some(v) = f.what_happened {
        d.what_happened = v;
    }
    let mut identifiers = Vec::new();
    for (kind, values) in [
        (IdentifierKind::Phone, f.phone),
        (IdentifierKind::Email, f.email),
        (IdentifierKind::Handle, f.handle),
        (IdentifierKind::Plate, f.plate),
    ] {
        identifiers.extend(
            values
                .into_iter()
                .map(|value| ReportIdentifier { kind, value }),
        );
    }
    if !identifiers.is_empty() {
        d.identifiers = identifiers;
    }
    if let Some(v) = f.description {
        d.description = v;
    }
    if let Some(v) = f.police_consent {
        d.police_consent = v;
    }
    if f.anonymous {
        d.contact = None;
    } else if let Some(c) = f.contact {
        d.contact = Some(c);
    }
    Ok(())
}

fn new(ctx: &Context, a: ReportNewArgs) -> CliResult {
    let booking = a.from_booking.as_deref().map(parse_id).transpose()?;
    let app = ctx.unlock()?;
    let now = Utc::now();
    let report = match booking {
        Some(b) => {
            let started = app.start_report_from_booking(&b, now)?;
            let mut d = started.details.clone();
            apply(ctx, a.fields, &mut d)?;
            if d == started.details {
                started
            } else {
                app.reports().update(&started.id, d, now)?
            }
        }
        None => {
            let mut d = ReportDraft::default();
            apply(ctx, a.fields, &mut d)?;
            app.reports().add(d, now)?
        }
    };
    ctx.emit(report_json(&report), || {
        format!(
            "Saved report draft {} (kept encrypted in your vault; nothing was sent).\n\
             Send it with `vigil report send {} --out FILE` when you are ready.",
            report.id, report.id
        )
    })
}

fn edit(ctx: &Context, a: ReportEditArgs) -> CliResult {
    let id = parse_id(&a.id)?;
    let app = ctx.unlock()?;
    let mut d = app.reports().get(&id)?.details;
    if a.no_location {
        d.rough_location = None;
    }
    apply(ctx, a.fields, &mut d)?;
    let r = app.reports().update(&id, d, Utc::now())?;
    ctx.emit(report_json(&r), || format!("Changed: {}", line(ctx, &r)))
}

fn send(ctx: &Context, a: ReportSendArgs) -> CliResult {
    let id = parse_id(&a.id)?;
    let app = ctx.unlock()?;
    let now = Utc::now();
    let sent = app.send_report(&id, a.to.as_deref(), now)?;
    let out = if a.out.is_dir() {
        a.out.join(&sent.file_name)
    } else {
        a.out.clone()
    };
    crate::commands::publish::write_new(&out, &sent.file, false)?;
    let note = if a.note {
        Some(app.note_from_report(&id, a.note_risk, now)?)
    } else {
        None
    };
    ctx.emit(
        json!({
            "id": id,
            "file": out,
            "bytes": sent.file.len(),
            "publisher": sent.publisher,
            "sent_at": sent.report.sent_at.map(json_time),
            "note": note.as_ref().map(note_json),
        }),
        || {
            let mut text = format!(
                "Encrypted report for {} written to {} ({} bytes).\n\
                 Only that project can read it: send it the way you usually reach them.",
                sent.publisher,
                out.display(),
                sent.file.len()
            );
            match &note {
                Some(n) => text.push_str(&format!("\nAdded to your notes: {}.", n.id)),
                None => text.push_str(
                    "\nAdd him to your own notes too with `vigil report send ... --note`, or \
                     `vigil note add`.",
                ),
            }
            text
        },
    )
}

fn report_json(r: &Report) -> Value {
    let d = &r.details;
    json!({
        "id": r.id,
        "when": d.when,
        "at": d.occurred_at.map(json_time),
        "place": d.place,
        "rough_location": d.rough_location,
        "categories": d.categories,
        "what_happened": d.what_happened,
        "identifiers": d.identifiers,
        "description": d.description,
        "police_consent": d.police_consent,
        "contact": d.contact,
        "booking": d.booking,
        "created_at": json_time(r.created_at),
        "updated_at": json_time(r.updated_at),
        "sent_at": r.sent_at.map(json_time),
    })
}

fn line(ctx: &Context, r: &Report) -> String {
    let categories: Vec<&str> = r.details.categories.iter().map(|c| c.as_str()).collect();
    let state = match r.sent_at {
        Some(t) => format!("sent {}", ctx.zone.show(t)),
        None => "draft".to_owned(),
    };
    format!(
        "{}  {:<28} {:<24} changed {}\n",
        r.id,
        if categories.is_empty() {
            "(no category)".to_owned()
        } else {
            categories.join(",")
        },
        state,
        ctx.zone.show(r.updated_at)
    )
}

fn show(ctx: &Context, r: &Report) -> String {
    let d = &r.details;
    let mut out = line(ctx, r);
    let mut field = |name: &str, value: &str| {
        if !value.trim().is_empty() {
            out.push_str(&format!("    {name:<15} {value}\n"));
        }
    };
    field("when", &d.when);
    if let Some(t) = d.occurred_at {
        field("at", &ctx.zone.show(t));
    }
    field("where", &d.place);
    if let Some(l) = d.rough_location {
        field(
            "near",
            &format!(
                "{:.2}, {:.2} (within {} m)",
                l.latitude, l.longitude, l.radius_m
            ),
        );
    }
    field("what happened", &d.what_happened);
    let ids: Vec<String> = d
        .identifiers
        .iter()
        .map(|i| format!("{}: {}", i.kind, i.value))
        .collect();
    field("client", &ids.join(", "));
    field("description", &d.description);
    field(
        "police",
        if d.police_consent {
            "may be passed to the police"
        } else {
            "not for the police"
        },
    );
    field("contact", d.contact.as_deref().unwrap_or("anonymous"));
    out
}
