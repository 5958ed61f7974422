//! `vigil publish ...`: the tools a local project uses to publish its directory and its
//! alerts as signed bundles. They need no vault.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use ring::rand::SystemRandom;
use serde_json::json;
use vigil_core::directory::import::{
    import_csv_path, import_nhs_choices, import_osm_geojson, read_source, read_source_path, Import,
    SkipReason, SkippedRow, NHS_ATTRIBUTION,
};
use vigil_core::directory::{build_directory_bundle, DirectoryContent};
use vigil_core::export::age::{X25519Identity, X25519Recipient};
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, FeedError, PublisherKey,
    DEFAULT_MAX_BUNDLE_BYTES,
};
use vigil_core::reports::review::{build_review, read_review, write_review, AlertsSource};
use vigil_core::reports::{open_report, Refusal, MAX_REPORT_FILE_BYTES};
use vigil_core::screening::{AlertImport, Region};
use vigil_core::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};
use zeroize::Zeroizing;

use crate::args::{
    KeygenArgs, PublishAlertsArgs, PublishCommand, PublishDirectoryArgs, PublishReportsArgs,
    SignArgs, SourceFormat,
};
use crate::context::{read_small_text, steps, Context};
use crate::error::{CliError, CliResult, Exit};

pub fn run(ctx: &Context, command: PublishCommand) -> CliResult {
    match command {
        PublishCommand::Keygen(a) => keygen(ctx, a),
        PublishCommand::Directory(a) => directory(ctx, a),
        PublishCommand::Alerts(a) => alerts(ctx, a),
        PublishCommand::ReportKey(a) => report_key(ctx, a),
        PublishCommand::Reports(a) => reports(ctx, a),
    }
}

fn keygen(ctx: &Context, a: KeygenArgs) -> CliResult {
    let (pkcs8, public) = generate_publisher_key(&SystemRandom::new())?;
    let key = PublisherKey::from_pkcs8(&pkcs8)?;
    write_new(&a.out, key.to_key_file().as_bytes(), true)?;
    let public_file = with_suffix(&a.out, ".pub");
    write_new(&public_file, format!("{public}\n").as_bytes(), false)?;
    ctx.emit(
        json!({
            "public_key": public.to_string(),
            "key_id": public.key_id().to_string(),
            "key_file": a.out,
            "public_key_file": public_file,
        }),
        || {
            format!(
                "{public}\n(key {})\n\nSecret key written to {} (readable by you only): keep it offline \
                 and backed up; whoever has it can publish in your name.\nPublic key also in \
                 {}: give it to the people who will trust your bundles \
                 (`vigil trust add --name NAME --key {}`); `vigil trust list` shows it as \
                 key {}.",
                public.key_id(),
                a.out.display(),
                public_file.display(),
                public_file.display(),
                public.key_id()
            )
        },
    )
}

pub fn load_key(path: &Path) -> CliResult<PublisherKey> {
    let text = read_small_text(path, "key file")?;
    PublisherKey::from_key_file(&text).map_err(|e| {
        CliError::from(e).with_hint("use the secret key file that `vigil publish keygen` wrote")
    })
}

fn directory(ctx: &Context, a: PublishDirectoryArgs) -> CliResult {
    let key = load_key(&a.sign.key)?;
    let bar = steps(3);
    bar.inc(1);
    bar.set_message("Reading the source files");
    let import = read_directory_source(&a.from, a.format)?;
    let content = DirectoryContent::new(&a.time_zone, import.services.clone());
    bar.inc(1);
    bar.set_message(format!(
        "Compressing and signing {} services",
        content.services.len()
    ));
    let now = Utc::now();
    let bundle = build_directory_bundle(
        &key,
        &content,
        a.sign.version,
        now,
        now + Duration::days(a.sign.valid_days),
    )
    .map_err(too_large_hint)?;
    bar.inc(1);
    bar.set_message("Writing the bundle");
    write_replace(&a.sign.out, &bundle)?;
    bar.finish_and_clear();
    let skipped: Vec<_> = import.skipped().collect();
    if !skipped.is_empty() && !ctx.json {
        eprintln!(
            "vigil: {} source row(s) left out of the bundle:",
            skipped.len()
        );
        for line in skipped_summary(&skipped) {
            eprintln!("  {line}");
        }
        eprintln!("  (--json lists every row with its reason)");
    }
    ctx.emit(
        json!({
            "bundle": a.sign.out, "kind": "directory", "version": a.sign.version,
            "services": content.services.len(), "files": import.files,
            "skipped_by_reason": skipped_counts(&skipped),
            "key_id": key.key_id().to_string(), "bytes": bundle.len(),
            "attribution": (a.format == SourceFormat::Nhs).then_some(NHS_ATTRIBUTION),
        }),
        || {
            let mut out = format!(
                "Signed directory bundle version {} with {} services ({} bytes) with key {}: {}",
                a.sign.version,
                content.services.len(),
                bundle.len(),
                key.key_id(),
                a.sign.out.display()
            );
            if a.format == SourceFormat::Nhs {
                out.push_str(&format!("\n{NHS_ATTRIBUTION}"));
            }
            out
        },
    )
}

/// The skipped rows grouped by reason, largest group first: "250 rows with no
/// coordinates (e.g. Clinics.csv rows 273, 280, 291, and 247 more)". The reason is
/// the core's words for it, never the name of an enum variant.
pub fn skipped_summary(skipped: &[&SkippedRow]) -> Vec<String> {
    let mut groups: Vec<(String, Vec<&SkippedRow>)> = Vec::new();
    for row in skipped {
        let label = reason_group(&row.reason);
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((label, vec![row])),
        }
    }
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    groups
        .iter()
        .map(|(label, rows)| {
            let shown: Vec<String> = rows
                .iter()
                .take(3)
                .map(|r| format!("{} row {}", r.file, r.row))
                .collect();
            let more = rows.len().saturating_sub(3);
            format!(
                "{} {} {label} (e.g. {}{})",
                rows.len(),
                if rows.len() == 1 { "row" } else { "rows" },
                shown.join(", "),
                if more > 0 {
                    format!(", and {more} more")
                } else {
                    String::new()
                }
            )
        })
        .collect()
}

/// How many rows were skipped for each reason, by the reason's words (for --json).
fn skipped_counts(skipped: &[&SkippedRow]) -> serde_json::Map<String, serde_json::Value> {
    let mut counts = serde_json::Map::new();
    for row in skipped {
        let n = counts.entry(reason_group(&row.reason)).or_insert(json!(0));
        *n = json!(n.as_u64().unwrap_or(0) + 1);
    }
    counts
}

/// A reason as a group of rows is described: the variants that carry details (which
/// category, which field count) are grouped as one, in words.
fn reason_group(reason: &SkipReason) -> String {
    match reason {
        SkipReason::WrongFieldCount { .. } => "with the wrong number of fields".to_owned(),
        SkipReason::UnknownCategory(_) => "with a category Vigil does not know".to_owned(),
        SkipReason::BadOpeningTimes(_) => "with opening times that cannot be read".to_owned(),
        SkipReason::UnsupportedGeometry(_) => {
            "with a shape that cannot be placed on the map".to_owned()
        }
        SkipReason::Unreadable(_) => "that could not be read as a record".to_owned(),
        SkipReason::NotAService => "that are not a kind of service Vigil lists".to_owned(),
        SkipReason::UnknownOrganisation => {
            "with opening times for a service not in the files".to_owned()
        }
        SkipReason::DuplicateId => "repeating an id already read".to_owned(),
        other => format!("with {other}"),
    }
}

pub fn read_directory_source(from: &Path, format: SourceFormat) -> CliResult<Import> {
    let label = from
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(match format {
        SourceFormat::Nhs => {
            if !from.is_dir() {
                return Err(CliError::usage(format!(
                    "{} is not a folder; for --format nhs, --from names the folder holding \
                     the NHS files",
                    from.display()
                )));
            }
            import_nhs_choices(from, None)?
        }
        SourceFormat::Csv => import_csv_path(from)?,
        SourceFormat::Geojson => import_osm_geojson(&label, &read_source_path(from)?)?,
    })
}

/// The alerts content to sign: the file as it is, or, with a review, withdrawals or a
/// report key, the file edited (and saved for the next version).
fn alerts_content(a: &PublishAlertsArgs, now: chrono::DateTime<Utc>) -> CliResult<Vec<u8>> {
    // Never more than the apps accept in a bundle, so an endless input (a pipe, a device)
    // is refused instead of filling memory; `sign_bundle` then checks the exact size.
    let content = match &a.from {
        Some(from) => {
            let input = fs::File::open(from)
                .map_err(|e| CliError::file("open the alerts file", from, e))?;
            let label = from.display().to_string();
            Some(read_source(&label, input, DEFAULT_MAX_BUNDLE_BYTES)?)
        }
        None => None,
    };
    let edits = a.review.is_some() || !a.withdraw.is_empty() || a.report_key.is_some();
    if !edits {
        return content.ok_or_else(|| {
            CliError::usage("nothing to publish")
                .with_hint("give the alerts with --from, approved reviews with --review, or both")
        });
    }
    let invalid = |m: String| CliError::new(Exit::Invalid, m);
    let mut source = match &content {
        Some(bytes) => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| invalid("the alerts file is not UTF-8".into()))?;
            AlertsSource::parse(text).map_err(|m| invalid(format!("the alerts file: {m}")))?
        }
        None => AlertsSource::new(
            a.feed_region
                .parse::<Region>()
                .map_err(|_| CliError::usage("--feed-region is not a country code (e.g. GB)"))?,
        ),
    };
    if let Some(path) = &a.report_key {
        source.set_report_key(&load_report_recipient(path)?);
    }
    for id in &a.withdraw {
        source
            .withdraw(id)
            .map_err(|m| invalid(format!("cannot withdraw: {m}")))?;
    }
    if let Some(path) = &a.review {
        let text = read_small_text(path, "review file")?;
        let entries = read_review(&text).map_err(|m| invalid(format!("the review file, {m}")))?;
        source
            .add_approved(&entries, now)
            .map_err(|m| invalid(format!("the review file: {m}")))?;
    }
    let text = source.to_text();
    let save = a.save.as_ref().or(a.from.as_ref()).ok_or_else(|| {
        CliError::usage("name a file with --save to keep the alerts for the next version")
    })?;
    write_replace(save, text.as_bytes())?;
    Ok(text.into_bytes())
}

/// A report key for the feed: the `.pub` file (`age1...`) of `vigil publish report-key`.
fn load_report_recipient(path: &Path) -> CliResult<X25519Recipient> {
    let text = read_small_text(path, "report key file")?;
    text.trim().parse().map_err(|_| {
        CliError::new(
            Exit::Invalid,
            "the report key file holds no age public key (age1...)",
        )
        .with_hint("use the .pub file that `vigil publish report-key` wrote")
    })
}

fn report_key(ctx: &Context, a: KeygenArgs) -> CliResult {
    let identity = X25519Identity::generate().map_err(vigil_core::Error::from)?;
    let public = identity.to_public();
    let mut secret = Zeroizing::new(String::from("# Vigil report key: keep it secret\n"));
    secret.push_str(&identity.to_secret_string());
    secret.push('\n');
    write_new(&a.out, secret.as_bytes(), true)?;
    let public_file = with_suffix(&a.out, ".pub");
    write_new(&public_file, format!("{public}\n").as_bytes(), false)?;
    ctx.emit(
        json!({
            "report_key": public.to_string(),
            "key_file": a.out,
            "public_key_file": public_file,
        }),
        || {
            format!(
                "{public}\n\nSecret report key written to {} (readable by you only): whoever has \
                 it can read every report sent to you; keep it offline and backed up. Any age \
                 tool opens the reports with it (`age -d -i {}`).\nPublish the public key in \
                 your alerts feed: `vigil publish alerts ... --report-key {}`.",
                a.out.display(),
                a.out.display(),
                public_file.display()
            )
        },
    )
}

/// A secret report key file: the `AGE-SECRET-KEY-1...` line (comment lines allowed).
fn load_report_identity(path: &Path) -> CliResult<X25519Identity> {
    let text = read_small_text(path, "report key file")?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_default();
    line.parse().map_err(|_| {
        CliError::new(Exit::Invalid, "the report key file holds no age secret key")
            .with_hint("use the secret key file that `vigil publish report-key` wrote")
    })
}

fn reports(ctx: &Context, a: PublishReportsArgs) -> CliResult {
    let identity = load_report_identity(&a.key)?;
    let mut names: Vec<PathBuf> = fs::read_dir(&a.from)
        .map_err(|e| CliError::file("read the folder", &a.from, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut docs = Vec::new();
    let mut refused = Vec::new();
    let mut opened = Vec::new();
    for path in &names {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = match read_report_file(path) {
            Ok(b) => b,
            Err(r) => {
                refused.push((name, r.to_string()));
                continue;
            }
        };
        match open_report(&bytes, &identity) {
            Ok(doc) => {
                opened.push(name);
                docs.push(doc);
            }
            Err(r) => refused.push((name, r.to_string())),
        }
    }
    let review = build_review(docs, Duration::days(a.window_days));
    let text = write_review(&review.entries)?;
    write_private(&a.out, text.as_bytes())?;
    if !ctx.json {
        for (name, reason) in &refused {
            eprintln!("vigil: refused {name}: {reason}");
        }
    }
    ctx.emit(
        json!({
            "review": a.out,
            "opened": opened,
            "refused": refused.iter().map(|(f, r)| json!({"file": f, "reason": r})).collect::<Vec<_>>(),
            "repeated": review.repeated,
            "entries": review.entries.len(),
        }),
        || {
            format!(
                "{} report(s) opened, {} refused, {} received twice; {} review entr{} written \
                 to {}.\nThe review file holds the reports in plaintext: keep it encrypted \
                 (e.g. on an encrypted disk) and delete it once published. Set \"approve\": true \
                 on the entries to publish, then `vigil publish alerts --review {}`.",
                opened.len(),
                refused.len(),
                review.repeated,
                review.entries.len(),
                if review.entries.len() == 1 { "y" } else { "ies" },
                a.out.display(),
                a.out.display()
            )
        },
    )
}

/// Reads one received file, at most a report's size.
fn read_report_file(path: &Path) -> Result<Vec<u8>, Refusal> {
    use std::io::Read;
    let file = fs::File::open(path).map_err(|_| Refusal::Unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| Refusal::Unreadable)?;
    Ok(bytes)
}

/// Replaces `path` with a file readable by its owner only (the review file is plaintext).
fn write_private(path: &Path, bytes: &[u8]) -> CliResult {
    let tmp = with_suffix(path, ".tmp");
    let _ = fs::remove_file(&tmp);
    let result = write_new(&tmp, bytes, true)
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| CliError::file("write", path, e)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn alerts(ctx: &Context, a: PublishAlertsArgs) -> CliResult {
    let key = load_key(&a.sign.key)?;
    let now = Utc::now();
    let bar = steps(4);
    bar.inc(1);
    bar.set_message("Reading the alerts");
    let content = alerts_content(&a, now)?;
    bar.inc(1);
    bar.set_message("Signing");
    let bundle = sign(&key, BundleKind::Alerts, &content, &a.sign)?;
    // The apps refuse a bundle whose content is malformed: find out now, by importing it
    // into a throw-away vault exactly as an app would, and report what it would skip.
    bar.inc(1);
    bar.set_message("Checking it as the apps will read it");
    let check = check_alerts(&key, &bundle)?;
    bar.inc(1);
    bar.set_message("Writing the bundle");
    write_replace(&a.sign.out, &bundle)?;
    bar.finish_and_clear();
    if !check.skipped.is_empty() && !ctx.json {
        eprintln!(
            "vigil: {} alert(s) would be skipped by the apps:",
            check.skipped.len()
        );
        for s in &check.skipped {
            eprintln!("  line {}: {}", s.line, s.reason);
        }
    }
    ctx.emit(
        json!({
            "bundle": a.sign.out, "kind": "alerts", "version": a.sign.version,
            "alerts": check.imported, "dropped_identifiers": check.dropped_identifiers,
            "skipped": check.skipped.iter().map(|s| json!({"line": s.line, "reason": s.reason})).collect::<Vec<_>>(),
            "key_id": key.key_id().to_string(), "bytes": bundle.len(),
            "issued_at": crate::time::json(now),
        }),
        || {
            format!(
                "Signed alerts bundle version {} with {} alerts ({} bytes) with key {}: {}",
                a.sign.version,
                check.imported,
                bundle.len(),
                key.key_id(),
                a.sign.out.display()
            )
        },
    )
}

fn sign(key: &PublisherKey, kind: BundleKind, content: &[u8], s: &SignArgs) -> CliResult<Vec<u8>> {
    let now = Utc::now();
    sign_bundle(
        key,
        &BundleDraft {
            kind,
            version: s.version,
            issued_at: now,
            expires_at: now + Duration::days(s.valid_days),
            content,
        },
    )
    .map_err(too_large_hint)
}

/// The apps refuse a bundle over the size limit, so the publisher refuses to sign one.
fn too_large_hint(e: vigil_core::Error) -> CliError {
    let too_large = matches!(e, vigil_core::Error::Feed(FeedError::TooLarge { .. }));
    let err = CliError::from(e);
    if too_large {
        err.with_hint(
            "the apps refuse bundles this large: split the source by area into several \
             publishers' bundles, or leave out services that do not need to be listed",
        )
    } else {
        err
    }
}

fn check_alerts(key: &PublisherKey, bundle: &[u8]) -> CliResult<AlertImport> {
    let dir = tempfile::tempdir()
        .map_err(|e| CliError::file("create a temporary folder in", &std::env::temp_dir(), e))?;
    // A throw-away vault, bound like every vault to a device secret (a random one).
    let session = Vault::create(
        dir.path().join("check.db"),
        "throw-away",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: Some(crate::context::random_device_secret()?.to_vec()),
        },
    )?;
    let now = Utc::now();
    session.feeds().trust("check", key.public_key(), now)?;
    let accepted = session
        .screening(Region::GB)
        .import_alerts(bundle, now)
        .map_err(|e| {
            let mut err = CliError::from(e);
            err.message = format!("the alerts file cannot be published: {}", err.message);
            err.hint = Some("see docs/screening.md for the alerts format".into());
            err
        })?;
    Ok(accepted.imported)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes a file that must not exist yet (keys are never overwritten).
pub fn write_new(path: &Path, bytes: &[u8], secret: bool) -> CliResult {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(path).map_err(|e| {
        let err = CliError::file("create", path, e);
        if path.exists() {
            CliError::new(Exit::Invalid, err.message)
                .with_hint("choose another --out; an existing key is never overwritten")
        } else {
            err
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| CliError::file("write", path, e))
}

/// Replaces `path` with `bytes` as a whole: a reader never sees half a bundle.
pub fn write_replace(path: &Path, bytes: &[u8]) -> CliResult {
    let tmp = with_suffix(path, ".tmp");
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        CliError::file("write", path, e)
    })
}
