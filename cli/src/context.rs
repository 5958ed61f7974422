//! What every command shares: where the vault is, how the passphrase and the device secret
//! are obtained, how results are printed, and progress on a terminal.

use std::fs;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;
use vigil_core::app::{App, VaultHome};
use vigil_core::checkin::BackgroundRunner;
use vigil_core::screening::Region;
use vigil_core::vault::Vault;
use zeroize::Zeroizing;

use crate::error::{CliError, CliResult, Exit};

/// Length of the device secret, in bytes.
pub const DEVICE_SECRET_LEN: usize = 32;

/// Where a secret may come from, in order of preference.
pub struct SecretSource<'a> {
    /// What it is, for prompts and messages ("Vigil passphrase", "duress passphrase", ...):
    /// the prompt names it ("Vigil passphrase:", and for a new one "New duress
    /// passphrase:" then "Repeat the new duress passphrase:").
    pub what: &'a str,
    pub file_flag: &'a str,
    pub file: Option<&'a Path>,
    pub env: &'a str,
}

pub struct Context {
    pub vault: PathBuf,
    pub passphrase_file: Option<PathBuf>,
    pub json: bool,
    /// ISO country code for numbers written without a country code, for this command only
    /// (`--region`); otherwise the region stored in the vault's settings.
    pub region: Option<String>,
    /// The time zone times are read and shown in (`--tz`, `TZ`, the system's).
    pub zone: crate::time::Zone,
    /// The vault passphrase once read: a command that needs it twice (unlock, then the
    /// core's own check) asks once.
    pub passphrase_cache: std::cell::OnceCell<Zeroizing<String>>,
}

impl Context {
    /// The platform's default vault location, e.g. `~/.local/share/vigil/vault.db`.
    pub fn default_vault() -> Option<PathBuf> {
        dirs::data_dir().map(|d| d.join("vigil").join("vault.db"))
    }

    /// The device-secret file of the vault: `<vault>.device`.
    pub fn device_secret_path(&self) -> PathBuf {
        device_secret_path(&self.vault)
    }

    /// The vault passphrase, from `--passphrase-file`, `VIGIL_PASSPHRASE`, or a prompt
    /// (`new`: a new one, asked twice). An existing one is asked once per command.
    pub fn passphrase(&self, new: bool) -> CliResult<Zeroizing<String>> {
        if let (false, Some(p)) = (new, self.passphrase_cache.get()) {
            return Ok(p.clone());
        }
        let p = read_secret(
            &SecretSource {
                what: "Vigil passphrase",
                file_flag: "--passphrase-file",
                file: self.passphrase_file.as_deref(),
                env: "VIGIL_PASSPHRASE",
            },
            new,
        )?;
        if !new {
            let _ = self.passphrase_cache.set(p.clone());
        }
        Ok(p)
    }

    /// The device secret, if the vault has one.
    pub fn device_secret(&self) -> CliResult<Option<Zeroizing<Vec<u8>>>> {
        let path = self.device_secret_path();
        match fs::read(&path) {
            Ok(bytes) if bytes.len() == DEVICE_SECRET_LEN => Ok(Some(Zeroizing::new(bytes))),
            Ok(_) => Err(CliError::new(
                Exit::Tampered,
                format!(
                    "the device-secret file {} is damaged (it must hold {DEVICE_SECRET_LEN} bytes)",
                    path.display()
                ),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.finish_interrupted_init(),
            Err(e) => Err(CliError::file("read the device secret", &path, e)),
        }
    }

    /// An `init` stopped after the vault was complete but before its device-secret file got
    /// its name leaves the secret under the temporary name: give it its name now.
    fn finish_interrupted_init(&self) -> CliResult<Option<Zeroizing<Vec<u8>>>> {
        let tmp = device_secret_tmp_path(&self.vault);
        if !self.vault.is_file() {
            return Ok(None);
        }
        match fs::read(&tmp) {
            Ok(bytes) if bytes.len() == DEVICE_SECRET_LEN => {
                let bytes = Zeroizing::new(bytes);
                let path = self.device_secret_path();
                fs::rename(&tmp, &path)
                    .map_err(|e| CliError::file("write the device secret", &path, e))?;
                Ok(Some(bytes))
            }
            _ => Ok(None),
        }
    }

    /// Creates the vault, bound to a fresh device secret, in an order that an interruption
    /// cannot turn into a half-made vault: (1) the secret is written to
    /// `<vault>.device.tmp`; (2) the vault is created (atomically: its main file appears
    /// last); (3) the secret file gets its name. After a stop before (2) the next `init`
    /// clears the temporary file; after a stop between (2) and (3) the next command
    /// finishes the rename.
    pub fn create_vault(&self, passphrase: &str, kdf_iterations: u32) -> CliResult<App> {
        if self.vault.exists() {
            return Err(self.vault_error(vigil_core::Error::VaultExists));
        }
        let device = self.device_secret_path();
        if device.exists() {
            // Only a moved or deleted vault leaves this: it may be the only way into that
            // vault, so it is not overwritten.
            return Err(CliError::new(
                Exit::VaultExists,
                format!(
                    "a device-secret file {} exists but no vault beside it",
                    device.display()
                ),
            )
            .with_hint(
                "if the vault was moved, move this file along with it; if it is not needed, \
                 destroy it with `vigil wipe --yes` and run init again",
            ));
        }
        let tmp = device_secret_tmp_path(&self.vault);
        shred(&tmp)?;
        let secret = random_device_secret()?;
        write_new_secret_file(&tmp, &secret[..])
            .map_err(|e| CliError::file("write the device secret", &tmp, e))?;
        let spinner = spinner("Deriving the vault key");
        let created = self
            .home()
            .create(passphrase, Some(&secret[..]), kdf_iterations);
        spinner.finish_and_clear();
        let app = match created {
            Ok(app) => app,
            Err(e) => {
                let _ = shred(&tmp);
                return Err(self.vault_error(e));
            }
        };
        if let Err(e) = fs::rename(&tmp, &device) {
            drop(app);
            let _ = Vault::wipe(&self.vault);
            let _ = shred(&tmp);
            return Err(CliError::file("write the device secret", &device, e));
        }
        if let Some(dir) = device.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        self.prepare(app)
    }

    /// Destroys the device-secret file (and an interrupted init's temporary one): each is
    /// overwritten in place with random bytes and synced before it is unlinked. Returns
    /// whether there was one.
    pub fn destroy_device_secret(&self) -> CliResult<bool> {
        let device = self.device_secret_path();
        let existed = shred(&device)?;
        shred(&device_secret_tmp_path(&self.vault))?;
        Ok(existed)
    }

    /// The device secret, which this command cannot do without.
    pub fn require_device_secret(&self) -> CliResult<Zeroizing<Vec<u8>>> {
        self.device_secret()?.ok_or_else(|| {
            CliError::new(
                Exit::Locked,
                format!(
                    "the device-secret file {} is missing",
                    self.device_secret_path().display()
                ),
            )
            .with_hint("`vigil init` creates it beside the vault; copy it along with the vault")
        })
    }

    /// The vault's location, for the application layer.
    pub fn home(&self) -> VaultHome {
        VaultHome::new(&self.vault)
    }

    /// The `--region` of this command, checked (`None`: the vault's stored region).
    pub fn region_override(&self) -> CliResult<Option<Region>> {
        Ok(self
            .region
            .as_deref()
            .map(str::parse::<Region>)
            .transpose()?)
    }

    /// Escalation without the passphrase: what a phone's alarm does while the vault is locked.
    pub fn runner(&self) -> CliResult<BackgroundRunner> {
        Vault::open(&self.vault).map_err(|e| self.vault_error(e))?;
        let secret = self.require_device_secret()?;
        Ok(self.home().runner(&secret)?)
    }

    /// Opens and unlocks the vault: the existence check comes first, so a missing vault is
    /// reported before anyone is asked for a passphrase.
    pub fn unlock(&self) -> CliResult<App> {
        Vault::open(&self.vault).map_err(|e| self.vault_error(e))?;
        let passphrase = self.passphrase(false)?;
        let secret = self.device_secret()?;
        let spinner = spinner("Unlocking the vault");
        let app = self.home().unlock(
            &passphrase,
            secret.as_ref().map(|s| s.as_slice()),
            chrono::Utc::now(),
        );
        spinner.finish_and_clear();
        if let Err(vigil_core::Error::WipedAfterFailedAttempts) = app {
            // The core destroyed the vault's keys and files; the device secret is the CLI's.
            self.destroy_device_secret()?;
        }
        self.prepare(app?)
    }

    /// What this process knows and the vault does not: the desktop clock's UTC offset and
    /// this command's `--region`.
    fn prepare(&self, mut app: App) -> CliResult<App> {
        app.set_device_utc_offset(self.zone.offset_minutes_at(chrono::Utc::now()))?;
        app.use_region_for_session(self.region_override()?);
        Ok(app)
    }

    /// Adds the path to the errors where it is what the person needs to see.
    pub fn vault_error(&self, e: vigil_core::Error) -> CliError {
        let mut err = CliError::from(e);
        if matches!(
            err.exit,
            Exit::NoVault | Exit::VaultExists | Exit::NotAVault
        ) {
            err.message = format!("{} ({})", err.message, self.vault.display());
        }
        err
    }

    /// Prints the result of a command: one JSON document with `--json`, otherwise the text
    /// `human` builds.
    pub fn emit(&self, json: Value, human: impl FnOnce() -> String) -> CliResult {
        let mut out = std::io::stdout().lock();
        let written = if self.json {
            // Serialized first: serde_json's writer hides the io error's kind, and a closed
            // pipe must be recognised below as it is in text mode.
            serde_json::to_string_pretty(&json)
                .map_err(std::io::Error::other)
                .and_then(|text| writeln!(out, "{text}"))
        } else {
            let text = human();
            if text.is_empty() {
                Ok(())
            } else {
                writeln!(out, "{}", text.trim_end())
            }
        };
        match written {
            Ok(()) => Ok(()),
            // `vigil booking list | head`: a closed pipe is not a failure of the command.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(CliError::new(
                Exit::Failure,
                format!("could not write the output: {e}"),
            )),
        }
    }

    /// A time as typed for `flag` (see [`crate::time`]), anchored at `now`.
    pub fn time(
        &self,
        flag: &str,
        input: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> CliResult<chrono::DateTime<chrono::Utc>> {
        self.zone.parse(input, now).map_err(|e| {
            CliError::new(Exit::Usage, format!("{flag}: {e}"))
                .with_hint("times without an offset are read in your time zone (--tz)")
        })
    }

    /// A time for a person: local, with its zone, and how far from now when that is near.
    pub fn show(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        self.zone.show_from(t, chrono::Utc::now())
    }

    /// A note for the person (never part of the JSON document): goes to stderr.
    pub fn warn(&self, text: &str) {
        eprintln!("vigil: warning: {text}");
    }
}

/// Creates the vault's folder (and any missing parents), readable by its owner only
/// (0700) when this command makes it; an existing folder is left as it is.
pub fn create_private_dir(dir: &Path) -> CliResult {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| CliError::file("create the folder", dir, e))?;
    #[cfg(unix)]
    {
        // Explicitly, so a umask cannot widen it (only the last folder is ours for sure).
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| CliError::file("restrict the folder", dir, e))?;
    }
    Ok(())
}

pub fn device_secret_path(vault: &Path) -> PathBuf {
    let mut name = vault.as_os_str().to_owned();
    name.push(".device");
    PathBuf::from(name)
}

/// The temporary name of the device-secret file while `init` runs: `<vault>.device.tmp`.
pub fn device_secret_tmp_path(vault: &Path) -> PathBuf {
    let mut name = device_secret_path(vault).into_os_string();
    name.push(".tmp");
    PathBuf::from(name)
}

/// A fresh random device secret.
///
/// On a desktop there is no keystore: the file it is kept in is its whole protection, so
/// anyone who copies the vault's folder has it too. The vault key is bound to it all the
/// same, so that a copy of the vault file alone cannot be attacked, and so that destroying
/// this one small file (first, at a wipe) makes the vault unreadable even with the
/// passphrase.
pub fn random_device_secret() -> CliResult<Zeroizing<[u8; DEVICE_SECRET_LEN]>> {
    let mut secret = Zeroizing::new([0u8; DEVICE_SECRET_LEN]);
    SystemRandom::new()
        .fill(&mut secret[..])
        .map_err(|_| CliError::new(Exit::Failure, "the system random generator failed"))?;
    Ok(secret)
}

/// Writes a new file (it must not exist), readable by its owner only, synced to the disk.
fn write_new_secret_file(path: &Path, secret: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(secret)?;
    file.sync_all()
}

/// Overwrites a secret file in place with random bytes, syncs, unlinks it.
fn shred(path: &Path) -> CliResult<bool> {
    vigil_core::vault::shred_file(path).map_err(|e| match e {
        vigil_core::Error::Io(io) => CliError::file("destroy", path, io),
        other => CliError::from(other),
    })
}

/// Largest key, identity or passphrase file the command reads: these hold one line, and a
/// path that names a device or a pipe must not fill memory.
pub const MAX_SMALL_FILE_BYTES: u64 = 64 * 1024;

/// Reads a small text file (a key, an identity, a passphrase) within
/// [`MAX_SMALL_FILE_BYTES`]; the contents are wiped from memory when dropped.
pub fn read_small_text(path: &Path, what: &str) -> CliResult<Zeroizing<String>> {
    let mut bytes = Zeroizing::new(Vec::new());
    fs::File::open(path)
        .and_then(|f| f.take(MAX_SMALL_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| CliError::file(&format!("read the {what}"), path, e))?;
    if bytes.len() as u64 > MAX_SMALL_FILE_BYTES {
        return Err(CliError::new(
            Exit::Invalid,
            format!(
                "the {what} {} is larger than {} KiB, so it cannot be one",
                path.display(),
                MAX_SMALL_FILE_BYTES / 1024
            ),
        ));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        CliError::new(
            Exit::Invalid,
            format!("the {what} {} is not UTF-8 text", path.display()),
        )
    })?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Reads a secret from its file, its environment variable, or a hidden prompt on the
/// terminal, in that order. Without a terminal and without another source it fails at once
/// rather than wait for input that will never come.
pub fn read_secret(source: &SecretSource<'_>, confirm: bool) -> CliResult<Zeroizing<String>> {
    let secret = if let Some(path) = source.file {
        let text = read_small_text(path, &format!("{} file", source.what)).map_err(|e| {
            e.with_hint(format!(
                "{} names a file holding the {}",
                source.file_flag, source.what
            ))
        })?;
        Zeroizing::new(strip_line_end(&text).to_owned())
    } else if let Some(value) = std::env::var_os(source.env) {
        let value = value.into_string().map_err(|_| {
            CliError::new(
                Exit::Passphrase,
                format!("{} is not valid UTF-8", source.env),
            )
        })?;
        Zeroizing::new(value)
    } else if std::io::stdin().is_terminal() {
        let (ask, repeat) = prompts(source.what, confirm);
        let first = prompt(&ask)?;
        if let Some(repeat) = repeat {
            let again = prompt(&repeat)?;
            if *again != *first {
                return Err(CliError::new(
                    Exit::Passphrase,
                    format!("the two {}s differ; nothing was changed", source.what),
                ));
            }
        }
        first
    } else {
        return Err(CliError::new(
            Exit::Passphrase,
            format!("no {} given and no terminal to ask on", source.what),
        )
        .with_hint(format!(
            "pass {} FILE or set {}",
            source.file_flag, source.env
        )));
    };
    if secret.is_empty() {
        return Err(CliError::new(
            Exit::Passphrase,
            format!("the {} is empty", source.what),
        ));
    }
    Ok(secret)
}

/// The prompt for a secret, and for a new one the prompt that confirms it: each names
/// what it asks for, so a duress passphrase is never typed at the vault's prompt.
pub fn prompts(what: &str, new: bool) -> (String, Option<String>) {
    if new {
        (
            format!("New {what}: "),
            Some(format!("Repeat the new {what}: ")),
        )
    } else {
        let mut chars = what.chars();
        let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
        (
            format!("{}{}: ", first.unwrap_or_default(), chars.as_str()),
            None,
        )
    }
}

/// Codes (check-in and duress): those given on the command line, else one a line from
/// file descriptor `fd`, else asked at hidden prompts (`new`: each asked twice). `names`
/// says what each is ("check-in code", "duress code"), `given` holds the flags' values.
pub fn read_codes(
    names: &[&str],
    given: Vec<Option<String>>,
    fd: Option<u32>,
    new: bool,
) -> CliResult<Vec<Zeroizing<String>>> {
    if given.iter().all(Option::is_some) {
        return Ok(given.into_iter().flatten().map(Zeroizing::new).collect());
    }
    if let Some(fd) = fd {
        let path = PathBuf::from(format!("/dev/fd/{fd}"));
        let text = read_small_text(&path, "code input")
            .map_err(|e| e.with_hint("--code-fd names an open file descriptor (0 is stdin)"))?;
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        if lines.len() < names.len() || lines[..names.len()].iter().any(|l| l.is_empty()) {
            return Err(CliError::usage(format!(
                "--code-fd must give {} on {} line(s)",
                names.join(" then "),
                names.len()
            )));
        }
        return Ok(lines[..names.len()]
            .iter()
            .map(|l| Zeroizing::new((*l).to_owned()))
            .collect());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "no {} given and no terminal to ask on",
            names.join(" or ")
        ))
        .with_hint("give it with --code-fd N (for scripts), or run this in a terminal"));
    }
    let mut out = Vec::with_capacity(names.len());
    for (name, value) in names.iter().zip(given) {
        if let Some(v) = value {
            out.push(Zeroizing::new(v));
            continue;
        }
        let (ask, repeat) = prompts(name, new);
        let first = prompt(&ask)?;
        if let Some(repeat) = repeat {
            if *prompt(&repeat)? != *first {
                return Err(CliError::usage(format!(
                    "the two {name}s differ; nothing was changed"
                )));
            }
        }
        out.push(first);
    }
    Ok(out)
}

fn prompt(text: &str) -> CliResult<Zeroizing<String>> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|e| {
            CliError::new(
                Exit::Passphrase,
                format!("could not read from the terminal: {e}"),
            )
        })
}

/// One trailing line end is the editor's, not the passphrase's.
fn strip_line_end(text: &str) -> &str {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
}

/// Progress shown only to a person watching: hidden when stderr is not a terminal, so
/// scripts and logs never see control characters.
pub fn progress(len: u64, message: &'static str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len).with_message(message);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Numbered steps of a long job ("Storing the services [==>   ] 2/3"), on a terminal
/// only: each step's own length is not known, their number is.
pub fn steps(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:20}] step {pos}/{len}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}

/// A spinner for a step whose length is unknown (key derivation), on a terminal only.
pub fn spinner(message: &'static str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_line_end_is_dropped() {
        assert_eq!(strip_line_end("secret\n"), "secret");
        assert_eq!(strip_line_end("secret\r\n"), "secret");
        assert_eq!(strip_line_end("secret\n\n"), "secret\n");
        assert_eq!(strip_line_end(" secret "), " secret ");
    }

    #[test]
    fn every_prompt_names_what_it_asks_for() {
        assert_eq!(
            prompts("Vigil passphrase", false),
            ("Vigil passphrase: ".into(), None)
        );
        assert_eq!(
            prompts("duress passphrase", true),
            (
                "New duress passphrase: ".into(),
                Some("Repeat the new duress passphrase: ".into())
            )
        );
        assert_eq!(prompts("check-in code", false).0, "Check-in code: ");
    }

    #[test]
    fn device_secret_sits_beside_the_vault() {
        assert_eq!(
            device_secret_path(Path::new("/a/vault.db")),
            PathBuf::from("/a/vault.db.device")
        );
    }
}
