//! How a desktop performs a check-in action: hands it to the person's own command (an SMS
//! gateway, a Signal or Matrix sender, a mail command) or prints it, and optionally shows
//! the worker's own reminders as a desktop notification.
//!
//! Nothing here writes a name, a number or a message text anywhere but the person's own
//! command's stdin and the terminal: the outcome printed for cron's mail is the action's
//! id, its type and an exit status.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vigil_core::checkin::{Action, ActionKind, Outcome};

use crate::args::DeliveryArgs;

/// Longest failure reason passed on to the core (it shows it to the worker).
const MAX_REASON_CHARS: usize = 200;

/// What became of one action.
pub struct Delivered {
    pub outcome: Outcome,
    /// A short, data-free summary for the terminal: "done", "failed (exit status 3)".
    pub summary: String,
}

/// Performs `action` as `how` says; `json` is the action as the person's command reads it.
pub fn perform(how: &DeliveryArgs, action: &Action, json: &serde_json::Value) -> Delivered {
    if how.notify {
        notify(action);
    }
    match &how.exec {
        None => Delivered {
            outcome: Outcome::Sent,
            summary: "printed".to_owned(),
        },
        Some(cmd) => run(cmd, Duration::from_secs(how.exec_timeout), json),
    }
}

/// Performs an action that is only a JSON document (a watch message or notice): printed
/// by the caller, or handed to the person's command like any other.
pub fn perform_doc(how: &DeliveryArgs, json: &serde_json::Value) -> Delivered {
    match &how.exec {
        None => Delivered {
            outcome: Outcome::Sent,
            summary: "printed".to_owned(),
        },
        Some(cmd) => run(cmd, Duration::from_secs(how.exec_timeout), json),
    }
}

/// Runs `sh -c CMD` with the action on stdin; its stdout goes to our stderr (our stdout is
/// the command's result, one JSON document with `--json`).
fn run(cmd: &str, timeout: Duration, json: &serde_json::Value) -> Delivered {
    let failed = |reason: String, summary: String| Delivered {
        outcome: Outcome::Failed { reason },
        summary,
    };
    let mut child = match Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::piped())
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            return failed(
                format!("could not start the --exec command: {}", e.kind()),
                "failed (could not start the --exec command)".to_owned(),
            )
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its stdin closes the pipe: not a failure by itself.
        let _ = stdin.write_all(format!("{json}\n").as_bytes());
    }
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(64 * 1024).read_to_end(&mut text);
        }
        String::from_utf8_lossy(&text).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break None,
        }
    };
    let Some(status) = status else {
        return failed(
            format!(
                "the --exec command did not finish within {} s",
                timeout.as_secs()
            ),
            format!("failed (still running after {} s)", timeout.as_secs()),
        );
    };
    // A killed command may leave a grandchild holding stderr open: do not wait for it then.
    let stderr = if status.success() {
        String::new()
    } else {
        reader.join().unwrap_or_default()
    };
    if status.success() {
        return Delivered {
            outcome: Outcome::Sent,
            summary: "done".to_owned(),
        };
    }
    let code = match status.code() {
        Some(code) => format!("exit status {code}"),
        None => "stopped by a signal".to_owned(),
    };
    let first = stderr.lines().map(str::trim).find(|l| !l.is_empty());
    let reason = match first {
        Some(line) => line.chars().take(MAX_REASON_CHARS).collect(),
        None => format!("the --exec command failed ({code})"),
    };
    failed(reason, format!("failed ({code})"))
}

/// A desktop notification for the worker's own notices only: a buddy message (a duress
/// alert among them) never shows one. A missing `notify-send` is not an error.
fn notify(action: &Action) {
    let ActionKind::NotifyWorker { text, .. } = &action.kind else {
        return;
    };
    let Some(program) = find_on_path("notify-send") else {
        return;
    };
    let _ = Command::new(program)
        .arg("--")
        .arg(text)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Whether `notify-send` can be used here (for a warning when `--notify` is given).
pub fn can_notify() -> bool {
    find_on_path("notify-send").is_some()
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}
