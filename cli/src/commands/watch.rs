//! `vigil pair ...` and `vigil watch ...`: "watch over me" on a desktop.
//!
//! A desktop can be the buddy who holds a worker's deadline: it reads her messages pasted
//! or piped in (`watch receive`, no passphrase: the device secret opens what it needs,
//! like a phone receiving an SMS while locked) and raises the alarm at `checkin tick`,
//! which every timer already runs. It can also be the worker's side: `checkin start` with
//! a paired buddy prints the WATCH message to send.

use std::io::Read;

use chrono::Utc;
use serde_json::{json, Value};
use vigil_core::app::{BuddyRef, Escalation};
use vigil_core::checkin::{BackgroundRunner, Channel};
use vigil_core::clock::Timestamp;
use vigil_core::vault::RecordId;
use vigil_core::watch::{
    is_watch_message, PairingDraft, WatchAction, WatchActionKind, MESSAGE_PREFIX,
};

use crate::args::{DeliveryArgs, PairCommand, WatchCommand};
use crate::context::Context;
use crate::error::{CliError, CliResult, Exit};
use crate::time::json as json_time;

pub fn pair(ctx: &Context, command: PairCommand) -> CliResult {
    ctx.require_device_secret()?;
    let app = ctx.unlock()?;
    match command {
        PairCommand::Show(a) => {
            let code = app.pairings()?.own_code(&a.name)?;
            ctx.emit(json!({ "code": code }), || {
                format!(
                    "{code}\n\nGive this code to the other phone (as text, or as a QR code of \
                     the same text). Then compare the six digits both show before saving."
                )
            })
        }
        PairCommand::Add(a) => {
            let preview = app.pairings()?.preview(&a.code)?;
            let Some(sas) = a.sas else {
                return ctx.emit(
                    json!({ "name": preview.name, "sas": preview.sas, "saved": false }),
                    || {
                        format!(
                            "The code is {}'s. Both phones must show these digits: {}\n\
                             Nothing was saved. If the other phone shows the same digits, run \
                             this again with --sas \"{}\".",
                            preview.name, preview.sas, preview.sas
                        )
                    },
                );
            };
            let buddy = a
                .buddy
                .map(|name| app.find_buddy(&BuddyRef::Name(name)))
                .transpose()?
                .map(|b| b.id);
            let pairing = app.add_pairing(
                PairingDraft {
                    code: a.code,
                    sas,
                    name: a.name,
                    phone: a.phone,
                    buddy,
                },
                Utc::now(),
            )?;
            ctx.emit(pairing_json(&pairing), || {
                format!(
                    "Paired with {}.{}",
                    pairing.name,
                    if pairing.buddy.is_some() {
                        " Your check-ins with this buddy are now also watched by their phone."
                    } else {
                        ""
                    }
                )
            })
        }
        PairCommand::List => {
            let listing = app.pairings()?.list()?;
            ctx.emit(
                json!({
                    "pairings": listing.items.iter().map(pairing_json).collect::<Vec<_>>(),
                    "unreadable": listing.unreadable,
                }),
                || {
                    if listing.items.is_empty() {
                        return "No paired phone.".to_owned();
                    }
                    listing
                        .items
                        .iter()
                        .map(|p| {
                            format!(
                                "{}  {:<20} {}{}\n",
                                p.id,
                                p.name,
                                p.phone.as_deref().unwrap_or("(no number)"),
                                if p.buddy.is_some() { "  (buddy)" } else { "" }
                            )
                        })
                        .collect()
                },
            )
        }
        PairCommand::Phone(a) => {
            let id = find_pairing(&app, &a.pairing)?;
            let pairing = app.set_pairing_phone(&id, a.number.as_deref())?;
            ctx.emit(pairing_json(&pairing), || match &pairing.phone {
                Some(p) => format!("{}'s number is now {p}.", pairing.name),
                None => format!(
                    "{} has no number now: messages to that phone are passed by hand.",
                    pairing.name
                ),
            })
        }
    }
}

/// A pairing by id, or by its name when exactly one pairing has it (any case).
fn find_pairing(app: &vigil_core::app::App, who: &str) -> CliResult<RecordId> {
    if let Ok(id) = who.trim().parse::<RecordId>() {
        return Ok(id);
    }
    let matches: Vec<RecordId> = app
        .pairings()?
        .list()?
        .items
        .into_iter()
        .filter(|p| p.name.to_lowercase() == who.trim().to_lowercase())
        .map(|p| p.id)
        .collect();
    match matches.as_slice() {
        [id] => Ok(*id),
        [] => Err(CliError::new(
            Exit::NotFound,
            "no pairing has that id or name (see `vigil pair list`)",
        )),
        _ => Err(CliError::new(
            Exit::Invalid,
            "more than one pairing has that name: give its id (see `vigil pair list`)",
        )),
    }
}

fn pairing_json(p: &vigil_core::watch::Pairing) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "phone": p.phone,
        "buddy": p.buddy,
        "paired_at": json_time(p.paired_at),
    })
}

/// Splits pasted text into messages: each starts at `VGL1:`; line breaks inside one are
/// ignored (a message wrapped by a mail client or terminal).
fn split_messages(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split(MESSAGE_PREFIX).skip(1) {
        let body: String = part.chars().filter(|c| !c.is_whitespace()).collect();
        out.push(format!("{MESSAGE_PREFIX}{body}"));
    }
    out
}

pub fn watch(ctx: &Context, command: WatchCommand) -> CliResult {
    let runner = ctx.runner()?;
    match command {
        WatchCommand::Receive(a) => {
            let now = match &a.now {
                Some(t) => ctx.time("--now", t, Utc::now())?,
                None => Utc::now(),
            };
            let text = if a.messages.is_empty() {
                let mut s = String::new();
                std::io::stdin()
                    .take(64 * 1024)
                    .read_to_string(&mut s)
                    .map_err(|e| {
                        CliError::new(Exit::Invalid, format!("could not read stdin: {}", e.kind()))
                    })?;
                s
            } else {
                a.messages.join("\n")
            };
            let messages = split_messages(&text);
            if messages.is_empty() || !messages.iter().all(|m| is_watch_message(m)) {
                return Err(vigil_core::Error::from(
                    vigil_core::watch::WatchError::NotAWatchMessage,
                )
                .into());
            }
            let mut results = Vec::new();
            let mut refused = 0;
            for m in &messages {
                match runner.receive_watch_message(m, now) {
                    Ok(r) => results.push(json!({
                        "accepted": true, "from": r.name, "pairing": r.pairing,
                        "kind": r.kind, "watch": r.watch,
                    })),
                    Err(e) => {
                        refused += 1;
                        results.push(
                            json!({ "accepted": false, "code": e.code(), "reason": e.to_string() }),
                        );
                    }
                }
            }
            let out = ctx.emit(json!({ "messages": results }), || {
                results
                    .iter()
                    .map(|r| {
                        if r["accepted"] == true {
                            format!(
                                "Received {} from {}.\n",
                                r["kind"].as_str().unwrap_or("message").to_uppercase().replace('_', "-"),
                                r["from"].as_str().unwrap_or("?")
                            )
                        } else {
                            format!("Refused: {}\n", r["reason"].as_str().unwrap_or("?"))
                        }
                    })
                    .collect::<String>()
                    + "Run `vigil checkin tick` (or let the timer) to send the confirmation and act on it."
            });
            if refused > 0 {
                out?;
                return Err(CliError::new(
                    Exit::Refused,
                    format!("{refused} message(s) refused; nothing was changed by them"),
                ));
            }
            out
        }
        WatchCommand::List => {
            let held = runner.held_watches()?;
            ctx.emit(
                json!({
                    "watches": held.iter().map(|w| json!({
                        "id": w.id,
                        "worker": w.worker_name,
                        "worker_phone": w.worker_phone,
                        "phase": w.phase,
                        "duress": w.duress,
                        "deadline": w.terms.as_ref().map(|t| json_time(t.deadline)),
                        "alarm_due": w.alarm_due.map(json_time),
                        "alarm_at": w.alarm_at.map(json_time),
                        "address": w.terms.as_ref().and_then(|t| t.address.clone()),
                        "acknowledged": w.acknowledged,
                    })).collect::<Vec<_>>(),
                }),
                || {
                    if held.is_empty() {
                        return "No watch held.".to_owned();
                    }
                    held.iter()
                        .map(|w| {
                            format!(
                                "{}  {:<16} {:?}{}{}\n",
                                w.id,
                                w.worker_name,
                                w.phase,
                                w.alarm_due
                                    .map(|t| format!("  alarm at {}", ctx.show(t)))
                                    .unwrap_or_default(),
                                if w.duress { "  DURESS" } else { "" }
                            )
                        })
                        .collect()
                },
            )
        }
    }
}

fn describe(a: &WatchAction) -> String {
    match &a.kind {
        WatchActionKind::SendMessage {
            name,
            phone,
            channel,
            text,
            ..
        } => {
            let how = match (channel, phone) {
                (Channel::Sms, Some(p)) => format!("text {name} on {p}"),
                _ => format!("send {name}, by any app,"),
            };
            format!("[watch message] {how} exactly this:\n{text}")
        }
        WatchActionKind::NotifyBuddy { text, notice, .. } => {
            format!("[watch {}] {text}", format!("{notice:?}").to_lowercase())
        }
    }
}

fn action_json(a: &WatchAction) -> Value {
    let id = a.id.to_string();
    match &a.kind {
        WatchActionKind::SendMessage {
            pairing,
            name,
            phone,
            channel,
            kind,
            text,
        } => json!({
            "id": id, "attempt": a.attempt, "type": "watch_message", "pairing": pairing,
            "name": name, "phone": phone, "channel": channel, "kind": kind, "text": text,
        }),
        WatchActionKind::NotifyBuddy {
            watch,
            notice,
            worker_name,
            worker_phone,
            duress,
            text,
            ..
        } => json!({
            "id": id, "attempt": a.attempt, "type": "watch_notice", "watch": watch,
            "notice": notice, "worker": worker_name, "worker_phone": worker_phone,
            "duress": duress, "text": text,
        }),
    }
}

/// The watch part of `checkin tick`: every watch action performed like a check-in
/// action, its outcome reported. Returns the actions as JSON, each with its outcome.
pub fn perform_all(
    ctx: &Context,
    runner: &BackgroundRunner,
    how: &DeliveryArgs,
    now: Timestamp,
) -> CliResult<Vec<Value>> {
    let mut done = Vec::new();
    for action in runner.watch_tick(now)? {
        let mut doc = action_json(&action);
        if !ctx.json && how.exec.is_none() {
            println!("{}", describe(&action));
        }
        let delivered = super::deliver::perform_doc(how, &doc);
        if how.exec.is_some() && !ctx.json {
            println!(
                "{} {}: {}",
                action.id,
                doc["type"].as_str().unwrap_or("action"),
                delivered.summary
            );
        }
        doc["outcome"] = match &delivered.outcome {
            vigil_core::checkin::Outcome::Sent => json!("sent"),
            vigil_core::checkin::Outcome::Failed { .. } => json!("failed"),
        };
        Escalation::report_outcome(runner, &action.id, delivered.outcome, now)?;
        done.push(doc);
    }
    Ok(done)
}
