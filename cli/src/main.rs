//! `vigil`: the desktop shell of Vigil and the publisher tools, on the core directly.

mod args;
mod colour;
mod commands;
mod context;
mod error;
mod time;
mod tour;

use std::io::Write;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Parser;

use args::{Cli, Command};
use context::Context;
use error::{CliError, CliResult, Exit};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            // Help and version text are ours, not the person's input.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e)
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                && !json_requested() =>
        {
            let _ = e.print();
            return ExitCode::from(Exit::Usage as u8);
        }
        Err(e) => return fail(&usage_error(&e), json_requested()),
    };
    let json = cli.global.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, json),
    }
}

/// Reports a failure: on stderr for a person, and with `--json` also as exactly one JSON
/// document on stdout (`{"error": {"kind", "code", "exit", "message", "hint"}}`, `code`
/// being the core's stable kind code or null), so a script
/// always has something to parse. The exit status is the same either way.
fn fail(e: &CliError, json: bool) -> ExitCode {
    eprintln!("vigil: error: {}", e.message);
    if let Some(hint) = &e.hint {
        eprintln!("vigil: hint: {hint}");
    }
    if json {
        let doc = serde_json::json!({
            "error": {
                "kind": e.exit.kind(),
                "code": e.code,
                "exit": e.exit as u8,
                "message": e.message,
                "hint": e.hint,
            }
        });
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        // A closed pipe is ignored here as in `Context::emit`: the status says it all.
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
    ExitCode::from(e.exit as u8)
}

/// Whether `--json` is on the command line, for errors clap reports before parsing ends.
fn json_requested() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// clap's own messages quote the rejected value (`invalid value 'not a time 07700 900461'
/// for '--at'`): a phone number or a name typed in the wrong place would end up in the
/// terminal's scrollback, a log or a bug report. This says which argument was wrong and
/// why, built only from the command's own argument names, never from what was typed.
fn usage_error(e: &clap::Error) -> CliError {
    let context = |kind: ContextKind| -> Option<String> {
        match e.get(kind)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join(", ")),
            ContextValue::StyledStr(s) => Some(s.to_string()),
            ContextValue::StyledStrs(v) => Some(
                v.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            ContextValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    // An argument definition such as `--at <TIME>`: from the command, never from input.
    let arg = || context(ContextKind::InvalidArg).unwrap_or_else(|| "an argument".into());
    let message = match e.kind() {
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue)
                .map(|v| format!("; use one of: {v}"))
                .unwrap_or_default();
            format!("the value given for {} is not valid{valid}", arg())
        }
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(e)
                .map(ToString::to_string)
                .unwrap_or_else(|| "not valid".into());
            // Parsers such as clap's number ranges repeat the value in their reason.
            let reason = match context(ContextKind::InvalidValue) {
                Some(value) if !value.is_empty() => reason.replace(&value, "the value"),
                _ => reason,
            };
            format!("the value given for {} is not valid: {reason}", arg())
        }
        ErrorKind::UnknownArgument => {
            let suggestion = context(ContextKind::SuggestedArg)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            format!("an unknown option or an unexpected value was given{suggestion}")
        }
        ErrorKind::InvalidSubcommand => {
            let suggestion = context(ContextKind::SuggestedSubcommand)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            format!("unknown command{suggestion}")
        }
        ErrorKind::MissingRequiredArgument => {
            format!("a required argument is missing: {}", arg())
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "a command is missing".into()
        }
        ErrorKind::ArgumentConflict => {
            let other = context(ContextKind::PriorArg).unwrap_or_else(|| "another one".into());
            format!("{} cannot be used with {other}", arg())
        }
        ErrorKind::NoEquals => format!("{} needs its value after `=`", arg()),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("{} was given the wrong number of values", arg())
        }
        ErrorKind::InvalidUtf8 => format!("{} is not valid UTF-8", arg()),
        _ => "the command line is not valid".into(),
    };
    CliError::usage(message).with_hint(
        "run the command with --help to see its arguments (the value you typed is not repeated here)",
    )
}

fn run(cli: Cli) -> CliResult {
    // Help for the person's shell and manual: no vault involved.
    match &cli.command {
        Command::Completions(a) => return commands::help::completions(a.shell),
        Command::Man => return commands::help::man(),
        Command::Bench(a) => return commands::bench::run(a, cli.global.json),
        _ => {}
    }
    let vault = match cli.global.vault {
        Some(path) => path,
        None => Context::default_vault().ok_or_else(|| {
            CliError::new(
                Exit::Usage,
                "this system has no data directory for the default vault",
            )
            .with_hint("name the vault with --vault PATH")
        })?,
    };
    let ctx = Context {
        vault,
        passphrase_file: cli.global.passphrase_file,
        json: cli.global.json,
        region: cli.global.region,
        zone: time::Zone::find(cli.global.tz.as_deref())
            .map_err(|e| CliError::new(Exit::Usage, e))?,
        passphrase_cache: std::cell::OnceCell::new(),
    };
    match cli.command {
        Command::Init(a) => commands::vault::init(&ctx, a),
        Command::Booking(c) => commands::booking::run(&ctx, c),
        Command::Note(c) => commands::screening::note(&ctx, c),
        Command::Screen(a) => commands::screening::screen(&ctx, a),
        Command::Buddy(c) => commands::checkin::buddy(&ctx, c),
        Command::Checkin(c) => commands::checkin::run(&ctx, c),
        Command::Pair(c) => commands::watch::pair(&ctx, c),
        Command::Watch(c) => commands::watch::watch(&ctx, c),
        Command::Trust(c) => commands::feeds::trust(&ctx, c),
        Command::Import(a) => commands::feeds::import(&ctx, a),
        Command::Services(c) => commands::services::run(&ctx, c),
        Command::Report(c) => commands::report::run(&ctx, c),
        Command::Publish(c) => commands::publish::run(&ctx, c),
        Command::Duress(c) => commands::security::duress(&ctx, c),
        Command::UnlockLimit(a) => commands::security::unlock_limit(&ctx, a),
        Command::Lock => commands::security::lock(&ctx),
        Command::Settings(c) => commands::settings::run(&ctx, c),
        Command::Export(a) => commands::backup::export(&ctx, a),
        Command::Restore(a) => commands::backup::restore(&ctx, a),
        Command::Wipe(a) => commands::vault::wipe(&ctx, a),
        Command::Tour(a) => tour::run(&ctx, a.verbose),
        Command::Bench(a) => commands::bench::run(&a, ctx.json),
        Command::Completions(a) => commands::help::completions(a.shell),
        Command::Man => commands::help::man(),
    }
}
