//! `vigil`: the desktop shell of Vigil and the publisher tools, on the core directly.

mod args;
mod commands;
mod context;
mod error;
mod tour;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use context::Context;
use error::{CliError, CliResult, Exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vigil: error: {}", e.message);
            if let Some(hint) = &e.hint {
                eprintln!("vigil: hint: {hint}");
            }
            ExitCode::from(e.exit as u8)
        }
    }
}

fn run(cli: Cli) -> CliResult {
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
    };
    match cli.command {
        Command::Init(a) => commands::vault::init(&ctx, a),
        Command::Booking(c) => commands::booking::run(&ctx, c),
        Command::Note(c) => commands::screening::note(&ctx, c),
        Command::Screen(a) => commands::screening::screen(&ctx, a),
        Command::Buddy(c) => commands::checkin::buddy(&ctx, c),
        Command::Checkin(c) => commands::checkin::run(&ctx, c),
        Command::Trust(c) => commands::feeds::trust(&ctx, c),
        Command::Import(a) => commands::feeds::import(&ctx, a),
        Command::Services(c) => commands::services::run(&ctx, c),
        Command::Publish(c) => commands::publish::run(&ctx, c),
        Command::Duress(c) => commands::security::duress(&ctx, c),
        Command::UnlockLimit(a) => commands::security::unlock_limit(&ctx, a),
        Command::Lock => commands::security::lock(&ctx),
        Command::Export(a) => commands::backup::export(&ctx, a),
        Command::Restore(a) => commands::backup::restore(&ctx, a),
        Command::Wipe(a) => commands::vault::wipe(&ctx, a),
        Command::Tour => tour::run(&ctx),
    }
}
