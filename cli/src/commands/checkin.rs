//! `vigil buddy ...` and `vigil checkin ...`.
//!
//! `checkin ok`, `status` and `tick` go through the background runner: they need the
//! device secret only, never the passphrase, exactly like a phone's alarm while the vault
//! is locked. A desktop cannot send an SMS or place a call, so `tick` performs a buddy
//! message by printing it for the person to send, and reports it done.

use chrono::Utc;
use serde_json::{json, Value};
use vigil_core::app::{BookingTiming, BuddyRef, Escalation};
use vigil_core::checkin::{
    templates, Action, ActionKind, BuddyDraft, Channel, CheckinId, CheckinStatus, EndedHow, Outcome,
};
use vigil_core::vault::RecordId;

use crate::args::{BuddyAddArgs, BuddyCommand, CheckinCommand, CheckinIdArgs, CheckinStartArgs};
use crate::context::{read_codes, Context};
use crate::error::{CliError, CliResult, Exit};
use crate::time::json as json_time;

pub fn buddy(ctx: &Context, command: BuddyCommand) -> CliResult {
    ctx.require_device_secret()?;
    let app = ctx.unlock()?;
    let checkins = app.checkins()?;
    match command {
        BuddyCommand::Add(BuddyAddArgs {
            name,
            phone,
            language,
            channel,
            plain_letters,
        }) => {
            let buddy = app
                .add_buddy(BuddyDraft {
                    name,
                    phone,
                    channel,
                    language,
                    plain_letters,
                })
                .map_err(language_hint)?;
            ctx.emit(json!(buddy), || {
                let letters = match (plain_letters, buddy.plain_letters) {
                    (None, true) => "Their SMS are written without diacritics, as is usual \
                                     in their language (--plain-letters no to change)."
                        .to_owned(),
                    (None, false) => "Their SMS keep diacritics; long alerts may then cost \
                                      more SMS (--plain-letters yes to write without)."
                        .to_owned(),
                    (Some(true), _) => "Their SMS are written without diacritics.".to_owned(),
                    (Some(false), _) => "Their SMS keep diacritics.".to_owned(),
                };
                format!("Added buddy {} ({}). {letters}", buddy.name, buddy.phone)
            })
        }
        BuddyCommand::Languages => {
            let list = templates::language_list();
            ctx.emit(json!({ "languages": list }), || {
                list.iter()
                    .map(|l| {
                        format!(
                            "{:<6} {:<22} plain letters by default: {}\n",
                            l.tag,
                            l.name,
                            if l.plain_letters_default { "yes" } else { "no" }
                        )
                    })
                    .collect()
            })
        }
        BuddyCommand::List => {
            let listing = checkins.buddies()?;
            if !listing.unreadable.is_empty() {
                ctx.warn(&format!(
                    "{} buddy record(s) failed authentication and are not shown",
                    listing.unreadable.len()
                ));
            }
            ctx.emit(
                json!({ "buddies": listing.items, "unreadable": listing.unreadable }),
                || {
                    if listing.items.is_empty() {
                        return "No buddies yet: add one with `vigil buddy add`.".to_owned();
                    }
                    listing.items.iter().map(buddy_line).collect()
                },
            )
        }
        BuddyCommand::Show(w) => {
            let b = app.find_buddy(&buddy_ref(&w.who))?;
            ctx.emit(json!(b), || buddy_line(&b))
        }
        BuddyCommand::Rename(r) => {
            let b = app.find_buddy(&buddy_ref(&r.who))?;
            let draft = BuddyDraft {
                name: r.new_name,
                ..draft_of(&b)
            };
            let b = app.update_buddy(&b.id, draft)?;
            ctx.emit(json!(b), || format!("Renamed: {}", buddy_line(&b)))
        }
        BuddyCommand::Edit(e) => {
            let old = app.find_buddy(&buddy_ref(&e.who))?;
            let mut draft = draft_of(&old);
            if let Some(name) = e.name {
                draft.name = name;
            }
            if let Some(phone) = e.phone {
                draft.phone = phone;
            }
            if let Some(language) = e.language {
                draft.language = language;
                // A new language brings its own usual practice unless said otherwise.
                draft.plain_letters = None;
            }
            if let Some(channel) = e.channel {
                draft.channel = channel;
            }
            if e.plain_letters.is_some() {
                draft.plain_letters = e.plain_letters;
            }
            let b = app.update_buddy(&old.id, draft).map_err(language_hint)?;
            ctx.emit(json!(b), || format!("Changed: {}", buddy_line(&b)))
        }
        BuddyCommand::Remove(w) => {
            let b = app.find_buddy(&buddy_ref(&w.who))?;
            checkins.remove_buddy(&b.id)?;
            ctx.emit(json!({ "removed": b.id }), || {
                format!(
                    "Removed buddy {}. A check-in already armed still alerts them.",
                    b.name
                )
            })
        }
    }
}

/// A language no message is written in: point at the list.
fn language_hint(e: vigil_core::Error) -> CliError {
    let language = matches!(
        e,
        vigil_core::Error::InvalidInput {
            field: "language",
            ..
        }
    );
    let err = CliError::from(e);
    if language {
        err.with_hint("`vigil buddy languages` lists the languages buddy messages are written in")
    } else {
        err
    }
}

/// A buddy named on the command line: an id when it reads as one, else a name.
fn buddy_ref(who: &str) -> BuddyRef {
    match who.trim().parse::<RecordId>() {
        Ok(id) => BuddyRef::Id(id),
        Err(_) => BuddyRef::Name(who.to_owned()),
    }
}

/// A stored buddy as a draft, to change some fields and keep the rest.
fn draft_of(b: &vigil_core::checkin::Buddy) -> BuddyDraft {
    BuddyDraft {
        name: b.name.clone(),
        phone: b.phone.clone(),
        channel: b.channel,
        language: b.language.clone(),
        plain_letters: Some(b.plain_letters),
    }
}

fn buddy_line(b: &vigil_core::checkin::Buddy) -> String {
    format!(
        "{}  {:<20} {:<16} {} ({}{})\n",
        b.id,
        b.name,
        b.phone,
        b.channel.as_str(),
        b.language,
        if b.plain_letters {
            ", plain letters"
        } else {
            ""
        }
    )
}

pub fn run(ctx: &Context, command: CheckinCommand) -> CliResult {
    let now = Utc::now();
    match command {
        CheckinCommand::Start(a) => start(ctx, a),
        CheckinCommand::Ok(a) => {
            let runner = ctx.runner()?;
            let code = read_codes(&["check-in code"], vec![a.code], a.code_fd, false)?;
            // Through the app layer: paired buddies' phones get SAFE (or DURESS-SAFE).
            let receipt = Escalation::check_in(&runner, &code[0], now)?;
            // The same words for the normal and the duress code: someone may be watching.
            ctx.emit(
                json!({ "checked_in": receipt.checkins, "at": json_time(receipt.at) }),
                || "Checked in. Your check-in is over.".to_owned(),
            )
        }
        CheckinCommand::Extend(a) => {
            ctx.require_device_secret()?;
            let app = ctx.unlock()?;
            let id = which(ctx, &app, &a.which)?;
            let status = app.extend_checkin(
                &id,
                vigil_core::checkin::minutes("extension", a.minutes)?,
                now,
            )?;
            ctx.emit(status_json(&status), || {
                format!("New deadline: {}.", ctx.show(status.deadline))
            })
        }
        CheckinCommand::Cancel(a) => {
            ctx.require_device_secret()?;
            let app = ctx.unlock()?;
            let id = which(ctx, &app, &a)?;
            app.cancel_checkin(&id, now)?;
            ctx.emit(json!({ "cancelled": id }), || {
                "Cancelled; nobody was alerted.".to_owned()
            })
        }
        CheckinCommand::Status => {
            // What anyone looking at the screen may see: the listed check-ins only. The
            // runner's next wake-up is not shown here, because after a duress check-in it
            // is the silent alerts' (the normal end has none); `checkin tick` reports it
            // for the alarm loop, which is where it belongs.
            let runner = ctx.runner()?;
            let listing = runner.list()?;
            let timer = super::timer::installed(&ctx.vault);
            if !timer {
                ctx.warn(
                    "no timer runs `vigil checkin tick`: a missed check-in alerts nobody until \
                     it runs (set one up with `vigil checkin install-timer --exec CMD`)",
                );
            }
            ctx.emit(
                json!({
                    "checkins": listing.items.iter().map(lock_screen_json).collect::<Vec<_>>(),
                    "unreadable": listing.unreadable,
                    "timer_installed": timer,
                }),
                || {
                    if listing.items.is_empty() {
                        return "No check-in is armed.".to_owned();
                    }
                    let mut out = String::new();
                    for s in &listing.items {
                        out.push_str(&format!(
                            "{}  {}  deadline {}  buddies alerted after {}{}\n",
                            s.id,
                            match s.phase {
                                vigil_core::checkin::Phase::Armed => "armed",
                                vigil_core::checkin::Phase::Escalating => "alerting buddies",
                                vigil_core::checkin::Phase::Ended => "ended",
                            },
                            ctx.show(s.deadline),
                            ctx.show(s.escalates_at),
                            if s.buddies_alerted > 0 {
                                format!(" ({} alerted)", s.buddies_alerted)
                            } else {
                                String::new()
                            }
                        ));
                    }
                    out
                },
            )
        }
        CheckinCommand::Tick(a) => {
            let runner = ctx.runner()?;
            let now = match &a.now {
                Some(t) => ctx.time("--now", t, now)?,
                None => now,
            };
            if a.delivery.notify && !super::deliver::can_notify() {
                ctx.warn("notify-send is not installed: no desktop notifications");
            }
            let actions = runner.tick(now)?;
            let mut done = Vec::with_capacity(actions.len());
            let mut failed = 0;
            for action in &actions {
                let mut doc = action_json(action);
                if !ctx.json && a.delivery.exec.is_none() {
                    println!("{}", describe(action));
                }
                let delivered = super::deliver::perform(&a.delivery, action, &doc);
                if a.delivery.exec.is_some() && !ctx.json {
                    // Data-free: the id, the type and how it went (this may go to a log).
                    println!(
                        "{} {}: {}",
                        action.id,
                        doc["type"].as_str().unwrap_or("action"),
                        delivered.summary
                    );
                }
                if matches!(delivered.outcome, Outcome::Failed { .. }) {
                    failed += 1;
                }
                doc["outcome"] = match &delivered.outcome {
                    Outcome::Sent => json!("sent"),
                    Outcome::Failed { .. } => json!("failed"),
                };
                runner.report_outcome(&action.id, delivered.outcome, now)?;
                done.push(doc);
            }
            // Watch over me: messages to paired phones, and the watches held here.
            let watch_actions = super::watch::perform_all(ctx, &runner, &a.delivery, now)?;
            failed += watch_actions
                .iter()
                .filter(|d| d["outcome"] == "failed")
                .count();
            let actions_len = actions.len() + watch_actions.len();
            done.extend(watch_actions);
            let next = Escalation::next_wakeup(&runner)?;
            ctx.emit(
                json!({
                    "now": json_time(now),
                    "actions": done,
                    "failed": failed,
                    "next_wakeup": next.map(json_time),
                }),
                || {
                    let mut out = format!("{} action(s) done.", actions_len - failed);
                    if failed > 0 {
                        out.push_str(&format!(
                            " {failed} failed: the next tick tries again or the next way."
                        ));
                    }
                    if let Some(next) = next {
                        out.push_str(&format!(
                            " Next tick due by {}.",
                            ctx.zone.show_from(next, now)
                        ));
                    }
                    out
                },
            )
        }
        CheckinCommand::InstallTimer(a) => super::timer::install(ctx, a),
        CheckinCommand::History => history(ctx),
        CheckinCommand::SetCodes(a) => {
            ctx.require_device_secret()?;
            let codes = read_codes(
                &["check-in code", "duress code"],
                vec![a.code, a.duress_code],
                a.code_fd,
                true,
            )?;
            let app = ctx.unlock()?;
            app.checkins()?.set_codes(&codes[0], &codes[1])?;
            ctx.emit(json!({ "codes_set": true }), || {
                "Check-in code and duress code set. Either one ends a check-in and looks the \
                 same; the duress code also alerts your buddies silently."
                    .to_owned()
            })
        }
    }
}

/// Ended check-ins, latest first (the duress code shows as a normal check-in).
fn history(ctx: &Context) -> CliResult {
    ctx.require_device_secret()?;
    let app = ctx.unlock()?;
    let listing = app.checkins()?.history()?;
    if !listing.unreadable.is_empty() {
        ctx.warn(&format!(
            "{} ended check-in(s) failed authentication and are not shown (tampered or corrupt)",
            listing.unreadable.len()
        ));
    }
    let now = Utc::now();
    ctx.emit(
        json!({
            "history": listing.items.iter().map(|e| json!({
                "id": e.id,
                "armed_at": json_time(e.armed_at),
                "deadline": json_time(e.deadline),
                "ended_at": json_time(e.ended_at),
                "outcome": e.how,
                "escalated": e.escalated,
                "buddies_alerted": e.buddies_alerted,
                "booking": e.booking,
            })).collect::<Vec<_>>(),
            "unreadable": listing.unreadable,
        }),
        || {
            if listing.items.is_empty() {
                return "No check-in has ended yet.".to_owned();
            }
            let mut out = String::new();
            for e in &listing.items {
                let how = match e.how {
                    EndedHow::CheckedIn if e.escalated => "checked in after the deadline",
                    EndedHow::CheckedIn => "checked in",
                    EndedHow::Cancelled => "cancelled",
                };
                out.push_str(&format!(
                    "{}  armed {}, deadline {}: {how} {}{}{}\n",
                    e.id,
                    ctx.zone.show(e.armed_at),
                    ctx.zone.show(e.deadline),
                    ctx.zone.show_from(e.ended_at, now),
                    match e.buddies_alerted {
                        0 => String::new(),
                        1 => ", 1 buddy alerted".to_owned(),
                        n => format!(", {n} buddies alerted"),
                    },
                    if e.booking.is_some() {
                        ", for a booking"
                    } else {
                        ""
                    },
                ));
            }
            out
        },
    )
}

fn start(ctx: &Context, a: CheckinStartArgs) -> CliResult {
    ctx.require_device_secret()?;
    let app = ctx.unlock()?;
    let now = Utc::now();
    let buddies: Vec<BuddyRef> = a.buddy.into_iter().map(BuddyRef::Name).collect();
    let deadline = now + vigil_core::checkin::minutes("check-in time", a.minutes)?;
    let mut plan = app.checkin_plan(deadline, &buddies)?;
    let booking = a.booking.as_deref().map(parse_id).transpose()?;
    plan.booking = booking.map(|id| app.covered_booking(&id)).transpose()?;
    // A booking at another time: the buddy messages would describe the wrong meeting.
    // Said, not refused: she may arm it early on purpose.
    let timing = booking
        .map(|id| app.covered_booking_timing(&id, now, deadline))
        .transpose()?
        .flatten();
    if let Some(t) = timing {
        ctx.warn(&match t {
            BookingTiming::StartsAfterDeadline { minutes } => format!(
                "that booking starts {} after this check-in's deadline: your buddies would be \
                 told about it before it happens (arm the check-in when it starts, or give \
                 more --minutes)",
                crate::time::span(minutes)
            ),
            BookingTiming::EndedBeforeArming { minutes } => format!(
                "that booking ended {} ago: is it the right one? (`vigil booking list`)",
                crate::time::span(minutes)
            ),
        });
    }
    // `--discreet` alone: the neutral text offered in the worker's language.
    plan.discreet_notice = a.discreet.map(|text| {
        if text.trim().is_empty() {
            templates::discreet_notice_default(&plan.worker_language)
        } else {
            text
        }
    });
    // Through the app layer: a paired buddy's phone is asked to hold the deadline too.
    let status = app.start_checkin(plan, now)?;
    let mut doc = status_json(&status);
    doc["booking_timing"] = match timing {
        Some(BookingTiming::StartsAfterDeadline { minutes }) => {
            json!({ "starts_after_deadline_minutes": minutes })
        }
        Some(BookingTiming::EndedBeforeArming { minutes }) => {
            json!({ "ended_before_arming_minutes": minutes })
        }
        None => Value::Null,
    };
    ctx.emit(doc, || {
        format!(
            "Check-in armed until {}. If you have not checked in by {}, your buddies are \
             alerted.\nCheck in with `vigil checkin ok`.{}",
            ctx.show(status.deadline),
            ctx.show(status.escalates_at),
            if super::timer::installed(&ctx.vault) {
                ""
            } else {
                "\nNo timer runs `vigil checkin tick` yet, and a desktop only acts when it \
                 runs: set one up with `vigil checkin install-timer --exec CMD`."
            }
        )
    })
}

/// The check-in a command is about: the one given, or the only one armed (the rule is
/// the app layer's); when several are armed, the hint lists them to choose from.
fn which(ctx: &Context, app: &vigil_core::app::App, args: &CheckinIdArgs) -> CliResult<CheckinId> {
    let id = args.id.as_deref().map(parse_id).transpose()?;
    app.armed_checkin(id).map_err(|e| {
        let several = matches!(e, vigil_core::Error::InvalidInput { .. });
        let mut err = CliError::from(e);
        if several {
            let listed = app
                .checkins()
                .and_then(|c| c.list())
                .map(|l| {
                    l.items
                        .iter()
                        .map(|s| format!("--id {} (deadline {})", s.id, ctx.show(s.deadline)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            err = err.with_hint(format!("name one of them: {listed}"));
        }
        err
    })
}

fn parse_id(s: &str) -> CliResult<RecordId> {
    s.trim().parse::<RecordId>().map_err(|_| {
        CliError::new(
            Exit::Invalid,
            "that is not a record id (32 hexadecimal digits)",
        )
    })
}

pub fn status_json(s: &CheckinStatus) -> Value {
    json!({
        "id": s.id,
        "phase": s.phase,
        "armed_at": json_time(s.armed_at),
        "deadline": json_time(s.deadline),
        "escalates_at": json_time(s.escalates_at),
        "booking": s.booking,
        "buddies_alerted": s.buddies_alerted,
        "acknowledged": s.acknowledged,
    })
}

/// A check-in as the locked runner lists it (what a lock screen may show).
fn lock_screen_json(s: &vigil_core::checkin::LockScreenCheckin) -> Value {
    json!({
        "id": s.id,
        "phase": s.phase,
        "deadline": json_time(s.deadline),
        "escalates_at": json_time(s.escalates_at),
        "buddies_alerted": s.buddies_alerted,
        "acknowledged": s.acknowledged,
    })
}

/// What a person reads for one action.
pub fn describe(action: &Action) -> String {
    match &action.kind {
        ActionKind::NotifyWorker { notice, text } => {
            format!("[{}] {text}", format!("{notice:?}").to_lowercase())
        }
        ActionKind::MessageBuddy {
            name,
            phone,
            channel,
            text,
            ..
        } => {
            let how = match channel {
                Channel::Sms => "text",
                Channel::Call => "call",
                Channel::OtherApp => "message",
            };
            format!("[buddy message] {how} {name} on {phone} now and say:\n{text}")
        }
        ActionKind::WorkerAlertFailed { text, .. } => format!("[alert failed] {text}"),
    }
}

pub fn action_json(action: &Action) -> Value {
    let id = action.id.to_string();
    let mut doc = match &action.kind {
        ActionKind::NotifyWorker { notice, text } => {
            json!({ "id": id, "type": "notify_worker", "notice": notice, "text": text })
        }
        ActionKind::MessageBuddy {
            buddy,
            name,
            phone,
            channel,
            language,
            purpose,
            text,
            discreet,
        } => json!({
            "id": id, "type": "message_buddy", "buddy": buddy, "name": name, "phone": phone,
            "channel": channel, "language": language, "purpose": purpose, "text": text,
            "discreet": discreet,
        }),
        ActionKind::WorkerAlertFailed {
            buddy_name,
            failed_channel,
            next_channel,
            every_channel_failed,
            reason,
            text,
            ..
        } => json!({
            "id": id, "type": "worker_alert_failed", "buddy_name": buddy_name,
            "failed_channel": failed_channel, "next_channel": next_channel,
            "every_channel_failed": every_channel_failed, "reason": reason, "text": text,
        }),
    };
    // A retry of the same message carries the same id and a higher attempt.
    doc["attempt"] = json!(action.attempt);
    doc
}
