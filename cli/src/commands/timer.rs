//! `vigil checkin install-timer`: a desktop only acts on a check-in when `checkin tick`
//! runs, so something must run it every minute: a systemd user timer, or cron.
//!
//! What was installed is recorded beside the vault (`<vault>.timer`, one line: the timer
//! unit's path, or `cron`), so `checkin status` can warn when nothing runs the ticks.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::args::{DeliveryArgs, InstallTimerArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult, Exit};

const UNIT: &str = "vigil-checkin";

/// The record of the installed timer: `<vault>.timer`.
pub fn marker_path(vault: &Path) -> PathBuf {
    let mut name = vault.as_os_str().to_owned();
    name.push(".timer");
    PathBuf::from(name)
}

/// Whether a timer (or a crontab line) was installed for this vault and, for systemd, its
/// unit file is still there.
pub fn installed(vault: &Path) -> bool {
    match fs::read_to_string(marker_path(vault)) {
        Ok(text) => {
            let line = text.trim();
            line == "cron" || Path::new(line).is_file()
        }
        Err(_) => false,
    }
}

pub fn install(ctx: &Context, a: InstallTimerArgs) -> CliResult {
    // The timer runs without a passphrase: it needs the vault and its device secret.
    vigil_core::vault::Vault::open(&ctx.vault).map_err(|e| ctx.vault_error(e))?;
    ctx.require_device_secret()?;
    if a.delivery.exec.is_none() {
        // Printed by a timer, a buddy message would land in the journal or cron's mail:
        // read by nobody, and kept where it should not be.
        return Err(CliError::usage("a timer needs --exec CMD to send the buddy messages")
            .with_hint(
                "give the command that sends one message, e.g. --exec 'my-sms-gateway send';                  it reads each action as JSON on its stdin (see `vigil checkin tick --help`)",
            ));
    }
    let vault = absolute(&ctx.vault)?;
    let exe = std::env::current_exe()
        .map_err(|e| CliError::new(Exit::Failure, format!("cannot find this program: {e}")))?;
    let mut argv = vec![
        exe.to_string_lossy().into_owned(),
        "--vault".to_owned(),
        vault.to_string_lossy().into_owned(),
        "checkin".to_owned(),
        "tick".to_owned(),
    ];
    argv.extend(delivery_args(&a.delivery));

    let systemd = Path::new("/run/systemd/system").is_dir();
    if a.cron || (a.dir.is_none() && !systemd) {
        let line = crontab_line(&argv);
        write_marker(&ctx.vault, "cron")?;
        return ctx.emit(json!({ "crontab": line }), || {
            format!("Add this line with `crontab -e` (it runs the check-in every minute):\n{line}")
        });
    }
    let dir = match a.dir {
        Some(dir) => dir,
        None => dirs::config_dir()
            .ok_or_else(|| CliError::new(Exit::Failure, "no configuration folder is known"))?
            .join("systemd")
            .join("user"),
    };
    fs::create_dir_all(&dir).map_err(|e| CliError::file("create the folder", &dir, e))?;
    let service = dir.join(format!("{UNIT}.service"));
    let timer = dir.join(format!("{UNIT}.timer"));
    write(&service, &service_unit(&argv))?;
    write(&timer, &timer_unit())?;
    write_marker(&ctx.vault, &timer.to_string_lossy())?;
    let enable =
        format!("systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer");
    ctx.emit(
        json!({ "service": service, "timer": timer, "enable": enable }),
        || {
            format!(
                "Wrote {} and {}.\nStart it now and at every login with:\n  {enable}",
                service.display(),
                timer.display()
            )
        },
    )
}

/// The `checkin tick` options the timer repeats.
fn delivery_args(d: &DeliveryArgs) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(cmd) = &d.exec {
        out.extend([
            "--exec".to_owned(),
            cmd.clone(),
            "--exec-timeout".to_owned(),
            d.exec_timeout.to_string(),
        ]);
    }
    if d.notify {
        out.push("--notify".to_owned());
    }
    out
}

fn service_unit(argv: &[String]) -> String {
    let exec: Vec<String> = argv.iter().map(|a| systemd_quote(a)).collect();
    format!(
        "# Written by `vigil checkin install-timer`.\n\
         [Unit]\n\
         Description=Vigil check-in: alert buddies when a check-in is missed\n\n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={}\n",
        exec.join(" ")
    )
}

fn timer_unit() -> String {
    format!(
        "# Written by `vigil checkin install-timer`.\n\
         [Unit]\n\
         Description=Run the Vigil check-in every minute\n\n\
         [Timer]\n\
         OnCalendar=*-*-* *:*:00\n\
         AccuracySec=5s\n\
         Persistent=true\n\
         Unit={UNIT}.service\n\n\
         [Install]\n\
         WantedBy=timers.target\n"
    )
}

/// One word of a systemd `ExecStart=`: double-quoted, with `\`, `"`, `%` (specifiers) and
/// `$` (variables) escaped.
fn systemd_quote(word: &str) -> String {
    let mut out = String::from("\"");
    for c in word.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A crontab line: every word single-quoted for the shell, `%` escaped (cron turns a bare
/// one into a newline), output discarded (cron would mail it).
fn crontab_line(argv: &[String]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''").replace('%', r"\%")))
        .collect();
    format!("* * * * * {} >/dev/null 2>&1", words.join(" "))
}

fn write(path: &Path, text: &str) -> CliResult {
    fs::write(path, text).map_err(|e| CliError::file("write", path, e))
}

fn write_marker(vault: &Path, text: &str) -> CliResult {
    write(&marker_path(vault), &format!("{text}\n"))
}

fn absolute(path: &Path) -> CliResult<PathBuf> {
    std::path::absolute(path).map_err(|e| CliError::file("find", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_systemd_and_cron() {
        assert_eq!(
            systemd_quote(r#"a "b" 50% $X \"#),
            r#""a \"b\" 50%% $$X \\""#
        );
        assert_eq!(
            crontab_line(&["/bin/vigil".into(), "it's 5%".into()]),
            r"* * * * * '/bin/vigil' 'it'\''s 5\%' >/dev/null 2>&1"
        );
    }
}
