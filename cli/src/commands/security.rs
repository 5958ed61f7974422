//! `vigil duress ...`, `vigil unlock-limit`, `vigil lock`: coercion resistance.

use chrono::Utc;
use serde_json::json;
use vigil_core::app::BuddyRef;
use vigil_core::vault::DuressOptions;

use crate::args::{DuressCommand, DuressSetArgs, UnlockLimitArgs};
use crate::context::{read_secret, Context, SecretSource};
use crate::error::CliResult;

pub fn duress(ctx: &Context, command: DuressCommand) -> CliResult {
    let mut app = ctx.unlock()?;
    match command {
        DuressCommand::Set(DuressSetArgs {
            destroy_real,
            alert_buddies,
            buddy,
            duress_passphrase_file,
        }) => {
            // The core checks the current passphrase again: the one just used (not asked
            // twice).
            let current = ctx.passphrase(false)?;
            let duress = read_secret(
                &SecretSource {
                    what: "duress passphrase",
                    file_flag: "--duress-passphrase-file",
                    file: duress_passphrase_file.as_deref(),
                    env: "VIGIL_DURESS_PASSPHRASE",
                },
                true,
            )?;
            if alert_buddies {
                // The buddies' contacts are copied under the escalation key, which the
                // device secret gives.
                ctx.require_device_secret()?;
            }
            let options = DuressOptions {
                destroy_real,
                alert_buddies,
            };
            let buddies: Vec<BuddyRef> = buddy.into_iter().map(BuddyRef::Name).collect();
            app.set_duress(&current, &duress, options, &buddies, Utc::now())?;
            ctx.emit(
                json!({ "duress": true, "destroy_real": destroy_real, "alert_buddies": alert_buddies }),
                || {
                    let mut out = "Duress passphrase set: it opens a harmless decoy vault through \
                                   every command, and nothing shows that it exists."
                        .to_owned();
                    if destroy_real {
                        out.push_str("\nUsing it also destroys your real vault key: your real data is then gone for good.");
                    }
                    if alert_buddies {
                        out.push_str("\nUsing it also queues a silent alert to your buddies.");
                    }
                    out
                },
            )
        }
        DuressCommand::Clear => {
            app.clear_duress()?;
            ctx.emit(json!({ "duress": false }), || {
                "Duress passphrase removed.".to_owned()
            })
        }
    }
}

pub fn unlock_limit(ctx: &Context, a: UnlockLimitArgs) -> CliResult {
    ctx.require_device_secret()?;
    let app = ctx.unlock()?;
    let limit = (a.attempts > 0).then_some(a.attempts);
    app.set_unlock_limit(limit)?;
    ctx.emit(json!({ "attempts": limit }), || match limit {
        Some(n) => format!(
            "After {n} wrong passphrases in a row the vault wipes itself. Someone who copied \
             the vault and its device-secret file first can still guess at the copy."
        ),
        None => "Unlock limit removed.".to_owned(),
    })
}

/// Each `vigil` command unlocks the vault for its own run and zeroizes the keys when it
/// ends: no process keeps the vault unlocked between commands. `lock` checks the vault is
/// there and says so, rather than pretend to do something.
pub fn lock(ctx: &Context) -> CliResult {
    if !ctx.vault.is_file() {
        return Err(ctx.vault_error(vigil_core::Error::VaultNotFound));
    }
    ctx.emit(json!({ "vault": ctx.vault, "locked": true }), || {
        "The vault is locked: every vigil command locks it (and wipes its keys from memory) \
         when it finishes, so nothing stays unlocked between commands."
            .to_owned()
    })
}
