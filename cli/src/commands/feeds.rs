//! `vigil trust ...` and `vigil import`: pinning publisher keys and accepting their
//! signed bundles.

use std::fs;
use std::io::Read;
use std::path::Path;

use chrono::Utc;
use serde_json::json;
use vigil_core::app::{App, ImportStep, Imported};
use vigil_core::feeds::{BundleKind, PublicKey, DEFAULT_MAX_BUNDLE_BYTES, ENVELOPE_OVERHEAD};

use crate::args::{ImportArgs, TrustAddArgs, TrustCommand};
use crate::context::{progress, read_small_text, Context};
use crate::error::{CliError, CliResult, Exit};

pub fn trust(ctx: &Context, command: TrustCommand) -> CliResult {
    match command {
        TrustCommand::Add(TrustAddArgs { name, key }) => {
            let text = read_small_text(&key, "public key file")?;
            let public: PublicKey = text.trim().parse().map_err(|e: vigil_core::Error| {
                CliError::from(e).with_hint("the file must hold one line starting with vigil-pub:")
            })?;
            let app = ctx.unlock()?;
            let publisher = app.session().feeds().trust(&name, public, Utc::now())?;
            ctx.emit(publisher_json(&publisher), || {
                format!(
                    "Trusted {} with key {}. Bundles signed by this key can now be imported.",
                    publisher.name,
                    public.key_id()
                )
            })
        }
        TrustCommand::List => {
            let app = ctx.unlock()?;
            let session = app.session();
            let now = Utc::now();
            let publishers = session.feeds().publishers()?;
            let feeds = session.feeds().status(now)?;
            ctx.emit(
                json!({
                    "publishers": publishers.items.iter().map(publisher_json).collect::<Vec<_>>(),
                    "unreadable": publishers.unreadable,
                    "feeds": feeds.iter().map(|f| json!({
                        "publisher": f.publisher, "kind": f.kind, "version": f.version,
                        "issued_at": crate::time::json(f.issued_at),
                        "expires_at": crate::time::json(f.expires_at), "stale": f.stale,
                    })).collect::<Vec<_>>(),
                }),
                || {
                    if publishers.items.is_empty() {
                        return "No trusted publishers.".to_owned();
                    }
                    let mut out = String::new();
                    for p in &publishers.items {
                        let keys: Vec<String> =
                            p.keys.iter().map(|k| k.key_id.to_string()).collect();
                        let keys: Vec<String> = keys.iter().map(|k| format!("key {k}")).collect();
                        out.push_str(&format!("{}  {}\n", p.name, keys.join(", ")));
                        for f in feeds.iter().filter(|f| f.publisher_id == p.id) {
                            out.push_str(&format!(
                                "  {} version {}{}\n",
                                f.kind,
                                f.version,
                                if f.stale { " (stale)" } else { "" }
                            ));
                        }
                    }
                    out
                },
            )
        }
    }
}

/// A trusted publisher with its times in the one JSON form (RFC 3339 UTC, to the second),
/// like every other time the command prints.
fn publisher_json(p: &vigil_core::feeds::TrustedPublisher) -> serde_json::Value {
    let mut doc = json!(p);
    doc["trusted_at"] = json!(crate::time::json(p.trusted_at));
    doc["keys"] = json!(p
        .keys
        .iter()
        .map(|k| {
            let mut key = json!(k);
            key["pinned_at"] = json!(crate::time::json(k.pinned_at));
            key
        })
        .collect::<Vec<_>>());
    doc
}

pub fn import(ctx: &Context, a: ImportArgs) -> CliResult {
    let bytes = read_bundle(&a.bundle)?;
    let app = ctx.unlock()?;
    let summary = import_bundle(&app, &bytes)?;
    ctx.emit(summary.json, || summary.text)
}

/// What an import did, both ways of telling it.
pub struct ImportSummary {
    pub json: serde_json::Value,
    pub text: String,
}

/// Imports a bundle of any kind (the application layer picks the importer) and tells
/// what it stored.
pub fn import_bundle(app: &App, bytes: &[u8]) -> CliResult<ImportSummary> {
    let bar = crate::context::steps(ImportStep::count(None));
    let imported = app.import_bundle_with_progress(bytes, Utc::now(), |step| {
        let (message, kind) = match step {
            ImportStep::Verifying => ("Checking the signature".to_owned(), None),
            ImportStep::Storing(BundleKind::Directory) => (
                "Storing the services".to_owned(),
                Some(BundleKind::Directory),
            ),
            ImportStep::Storing(kind) => ("Storing the alerts".to_owned(), Some(kind)),
            ImportStep::UpdatingDecoy => ("Updating the decoy vault".to_owned(), None),
        };
        if let Some(kind) = kind {
            bar.set_length(ImportStep::count(Some(kind)));
        }
        bar.inc(1);
        bar.set_message(message);
    });
    bar.finish_and_clear();
    let result = match imported? {
        Imported::Directory(accepted) => {
            let s = accepted.status;
            ImportSummary {
                json: json!({
                    "kind": "directory", "publisher": s.publisher, "version": s.version,
                    "services": accepted.imported.services, "stale": s.stale,
                    "expires_at": crate::time::json(s.expires_at),
                }),
                text: format!(
                    "Imported directory version {} from {}: {} services.{}",
                    s.version,
                    s.publisher,
                    accepted.imported.services,
                    stale_note(s.stale)
                ),
            }
        }
        Imported::Alerts(accepted) => {
            let s = accepted.status;
            let i = accepted.imported;
            let skipped: Vec<_> = i
                .skipped
                .iter()
                .map(|k| json!({ "line": k.line, "reason": k.reason }))
                .collect();
            let mut text = format!(
                "Imported alerts version {} from {}: {} alerts.{}",
                s.version,
                s.publisher,
                i.imported,
                stale_note(s.stale)
            );
            for k in &i.skipped {
                text.push_str(&format!("\n  skipped line {}: {}", k.line, k.reason));
            }
            ImportSummary {
                json: json!({
                    "kind": "alerts", "publisher": s.publisher, "version": s.version,
                    "alerts": i.imported, "dropped_identifiers": i.dropped_identifiers,
                    "skipped": skipped, "stale": s.stale, "expires_at": crate::time::json(s.expires_at),
                }),
                text,
            }
        }
    };
    Ok(result)
}

fn stale_note(stale: bool) -> &'static str {
    if stale {
        " It is past its expiry date: shown as stale until the publisher issues a new one."
    } else {
        ""
    }
}

/// Reads a bundle file whole, within the size limit the core enforces anyway.
pub fn read_bundle(path: &Path) -> CliResult<Vec<u8>> {
    let file = fs::File::open(path).map_err(|e| CliError::file("open the bundle", path, e))?;
    // The largest bundle the core accepts: the payload limit plus header and signature.
    let limit = DEFAULT_MAX_BUNDLE_BYTES + ENVELOPE_OVERHEAD;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > limit {
        return Err(CliError::new(
            Exit::Invalid,
            format!(
                "{} is larger than the bundle limit of {} MiB",
                path.display(),
                DEFAULT_MAX_BUNDLE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bar = progress(len, "Reading");
    let mut bytes = Vec::with_capacity(len as usize);
    // Bounded even when the size is unknown (a pipe, a device reports 0).
    bar.wrap_read(file)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::file("read the bundle", path, e))?;
    bar.finish_and_clear();
    if bytes.len() as u64 > limit {
        return Err(CliError::new(
            Exit::Invalid,
            format!(
                "{} is larger than the bundle limit of {} MiB",
                path.display(),
                DEFAULT_MAX_BUNDLE_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(bytes)
}
