//! `vigil export` and `vigil restore`: the whole vault as an age file.

use std::fs;
use std::io::BufReader;

use chrono::Utc;
use serde_json::json;
use vigil_core::export::age::{Identity, Recipient, X25519Identity, X25519Recipient};
use vigil_core::vault::DEFAULT_KDF_ITERATIONS;

use crate::args::{ExportArgs, RestoreArgs};
use crate::context::{progress, read_secret, read_small_text, spinner, Context, SecretSource};
use crate::error::{CliError, CliResult};

fn export_source(file: Option<&std::path::Path>) -> SecretSource<'_> {
    SecretSource {
        what: "export passphrase",
        file_flag: "--export-passphrase-file",
        file,
        env: "VIGIL_EXPORT_PASSPHRASE",
    }
}

pub fn export(ctx: &Context, a: ExportArgs) -> CliResult {
    let recipients: Vec<Recipient> = if a.recipient.is_empty() {
        let passphrase = read_secret(&export_source(a.export_passphrase_file.as_deref()), true)?;
        vec![Recipient::passphrase(&passphrase)]
    } else {
        a.recipient
            .iter()
            .map(|r| r.trim().parse::<X25519Recipient>().map(Recipient::X25519))
            .collect::<Result<_, _>>()?
    };
    let app = ctx.unlock()?;
    let bar = spinner("Exporting");
    let result = app.export_to_file(&a.out, &recipients, Utc::now());
    bar.finish_and_clear();
    let report = result.map_err(|e| match e {
        vigil_core::Error::Io(io) => CliError::file("write", &a.out, io),
        other => CliError::from(other),
    })?;
    if report.unreadable_count > 0 {
        ctx.warn(&format!(
            "{} record(s) failed authentication and were left out of the export",
            report.unreadable_count
        ));
    }
    let sections: serde_json::Map<String, serde_json::Value> = report
        .sections
        .iter()
        .map(|(name, n)| ((*name).to_owned(), json!(n)))
        .collect();
    ctx.emit(
        json!({ "out": a.out, "sections": sections, "unreadable": report.unreadable_count }),
        || {
            let total: u64 = report.sections.iter().map(|(_, n)| n).sum();
            format!(
                "Exported {total} records to {}. Decrypt it with `vigil restore` or the \
                 standard age tools (`age -d`).",
                a.out.display()
            )
        },
    )
}

/// Whether the vault has check-in codes (a restore never brings them: they are tied to
/// the device secret, and a backup must not hold the duress code).
fn codes_set(app: &vigil_core::app::App) -> bool {
    app.checkins().and_then(|c| c.codes_set()).unwrap_or(false)
}

/// The passphrase of a vault `restore` creates, asked twice, in a folder made private.
fn passphrase_for_new(ctx: &Context) -> CliResult<zeroize::Zeroizing<String>> {
    if let Some(parent) = ctx.vault.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::context::create_private_dir(parent)?;
    }
    ctx.passphrase(true)
}

pub fn restore(ctx: &Context, a: RestoreArgs) -> CliResult {
    let identity = match &a.identity {
        Some(path) => {
            let text = read_small_text(path, "identity file")?;
            let line = text
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                .ok_or_else(|| {
                    CliError::usage("the identity file holds no AGE-SECRET-KEY- line")
                })?;
            Identity::X25519(line.parse::<X25519Identity>()?)
        }
        None => {
            let p = read_secret(&export_source(a.export_passphrase_file.as_deref()), false)?;
            Identity::passphrase(&p)
        }
    };
    let input = fs::File::open(&a.from).map_err(|e| CliError::file("open", &a.from, e))?;
    let len = input.metadata().map(|m| m.len()).unwrap_or(0);
    let created = !ctx.vault.exists();
    let app = if created {
        ctx.create_vault(
            &passphrase_for_new(ctx)?,
            a.kdf_iterations.unwrap_or(DEFAULT_KDF_ITERATIONS),
        )?
    } else {
        ctx.unlock()?
    };
    let bar = progress(len, "Restoring");
    let input = BufReader::new(bar.wrap_read(input));
    let now = Utc::now();
    let result = if created {
        // The core wipes the new vault if the restore fails; the device secret is ours.
        app.restore_into_new(input, &[identity], now)
            .map(|(app, r)| (codes_set(&app), r))
    } else {
        app.restore(input, &[identity], now)
            .map(|r| (codes_set(&app), r))
    };
    bar.finish_and_clear();
    let (codes_set, report) = match result {
        Ok(r) => r,
        Err(e) => {
            if created {
                let _ = ctx.destroy_device_secret();
            }
            return Err(e.into());
        }
    };
    let sections: Vec<_> = report
        .sections
        .iter()
        .map(|s| {
            json!({
                "section": s.section, "inserted": s.inserted, "updated": s.updated,
                "kept_existing": s.kept_existing,
                "services_stored": s.services_stored, "services_kept": s.services_kept,
                // The first LISTED_IN_REPORT rejections, and how many there were.
                "rejected_count": s.rejected_count,
                "rejected": s.rejected.iter().map(|r| json!({"index": r.index, "id": r.id, "reason": r.reason})).collect::<Vec<_>>(),
            })
        })
        .collect();
    ctx.emit(
        json!({
            "vault": ctx.vault, "created": created, "sections": sections,
            "skipped_sections": report.skipped_sections,
            "exported_at": report.exported_at.map(crate::time::json),
            // Backups never hold check-in codes (see docs/threat-model.md).
            "checkin_codes_restored": false,
            "checkin_codes_set": codes_set,
        }),
        || {
            let mut out = format!(
                "Restored into {}{}:",
                ctx.vault.display(),
                if created { " (new vault)" } else { "" }
            );
            for s in &report.sections {
                let rejected = if s.rejected_count == 0 {
                    String::new()
                } else {
                    format!(", {} rejected", s.rejected_count)
                };
                if s.section == "directory" {
                    // Its records are parts of thousands of services: count services.
                    out.push_str(&format!(
                        "\n  directory: {} services stored, {} already up to date ({} part(s){rejected})",
                        s.services_stored,
                        s.services_kept,
                        s.inserted + s.updated + s.kept_existing,
                    ));
                    continue;
                }
                out.push_str(&format!(
                    "\n  {}: {} new, {} updated, {} kept (already up to date){rejected}",
                    s.section.replace('_', " "),
                    s.inserted,
                    s.updated,
                    s.kept_existing,
                ));
            }
            out.push_str(if codes_set {
                "\nCheck-in codes are never in a backup: this vault keeps the codes it had."
            } else {
                "\nCheck-in codes are never in a backup (they belong to this computer's device \
                 secret): set them with `vigil checkin set-codes` before arming a check-in."
            });
            out
        },
    )
}
