//! The command line, as clap sees it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use vigil_core::bookings::BookingKind;

/// Vigil: encrypted booking log, check-ins, screening and a directory of services, on the
/// command line. Nothing leaves this computer.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, propagate_version = true)]
#[command(after_help = "\
Passphrase: from --passphrase-file FILE, else the VIGIL_PASSPHRASE environment variable, \
else a hidden prompt when a terminal is attached.

Exit status: 0 success, 1 unexpected failure, 2 wrong command line, 3 wrong or missing \
passphrase, 4 no vault, 5 vault already exists, 6 value rejected, 7 tampered or corrupt \
data, 8 vault wiped after failed unlocks, 9 unsupported version, 10 record not found, \
11 locked or device secret missing.")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The vault file [default: the platform data directory, e.g. ~/.local/share/vigil/vault.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub vault: Option<PathBuf>,

    /// Read the passphrase from this file (one trailing newline is ignored)
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    /// Print exactly one JSON document on stdout
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault (and its device-secret file beside it)
    Init(InitArgs),
    /// The booking log
    #[command(subcommand)]
    Booking(BookingCommand),
    /// Destroy the vault for good: key slots first, then every file
    Wipe(WipeArgs),
    /// A guided tour on built-in defaults, in a temporary directory; touches no real vault
    Tour,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// PBKDF2 iterations. For tests only: the default is the safe choice.
    #[arg(long, hide = true, value_parser = parse_kdf_iterations)]
    pub kdf_iterations: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum BookingCommand {
    /// Log a booking
    Add(BookingAddArgs),
    /// List bookings, newest first
    List(BookingListArgs),
}

#[derive(Debug, Args)]
pub struct BookingAddArgs {
    /// Who the booking is with (a label you recognise)
    #[arg(long, value_name = "LABEL")]
    pub client: String,
    /// The client's phone number
    #[arg(long, value_name = "P")]
    pub phone: Option<String>,
    /// Start time, RFC 3339 (e.g. 2026-11-28T20:00:00Z or 2026-11-28T20:00:00+01:00)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: DateTime<Utc>,
    /// Length in minutes
    #[arg(long, value_name = "N", default_value_t = 60,
          value_parser = clap::value_parser!(i64).range(1..=10_080))]
    pub minutes: i64,
    /// Kind of booking
    #[arg(long, value_enum, default_value_t = Kind::Incall)]
    pub kind: Kind,
    /// Where it happens
    #[arg(long, value_name = "TEXT")]
    pub address: Option<String>,
    /// Latitude of the place (with --lon)
    #[arg(
        long,
        value_name = "X",
        requires = "lon",
        allow_negative_numbers = true
    )]
    pub lat: Option<f64>,
    /// Longitude of the place (with --lat)
    #[arg(
        long,
        value_name = "Y",
        requires = "lat",
        allow_negative_numbers = true
    )]
    pub lon: Option<f64>,
    /// A private note
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct BookingListArgs {
    /// Only bookings starting at or after this time (RFC 3339)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub from: Option<DateTime<Utc>>,
    /// Only bookings starting at or before this time (RFC 3339)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Args)]
pub struct WipeArgs {
    /// Confirm: the vault cannot be recovered afterwards
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Incall,
    Outcall,
    Video,
    Other,
}

impl From<Kind> for BookingKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Incall => BookingKind::Incall,
            Kind::Outcall => BookingKind::Outcall,
            Kind::Video => BookingKind::Video,
            Kind::Other => BookingKind::Other,
        }
    }
}

/// RFC 3339, with any offset; stored as UTC.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("{e}; expected an RFC 3339 time such as 2026-11-28T20:00:00Z or 2026-11-28T20:00:00+01:00")
        })
}

fn parse_kdf_iterations(s: &str) -> Result<u32, String> {
    let n: u32 = s
        .parse()
        .map_err(|_| "expected a whole number".to_owned())?;
    let min = vigil_core::vault::MIN_KDF_ITERATIONS;
    if n < min {
        return Err(format!("must be at least {min}"));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn times_keep_their_instant_across_offsets() {
        let a = parse_time("2026-11-28T20:00:00+01:00").unwrap();
        let b = parse_time("2026-11-28T19:00:00Z").unwrap();
        assert_eq!(a, b);
        assert!(parse_time("2026-11-28 19:00").is_err());
        assert!(parse_time("tomorrow").is_err());
    }

    #[test]
    fn kdf_iterations_have_a_floor() {
        assert!(parse_kdf_iterations("99999").is_err());
        assert_eq!(parse_kdf_iterations("100000"), Ok(100_000));
    }
}
