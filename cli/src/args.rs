//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use vigil_core::bookings::{BookingKind, BookingStatus};
use vigil_core::checkin::Channel;
use vigil_core::screening::{AlertCategory, Risk};

/// Vigil: encrypted booking log, check-ins, screening and a directory of services, on the
/// command line. Nothing leaves this computer.
#[derive(Debug, Parser)]
#[command(name = "vigil", version)]
#[command(after_help = "\
Passphrase: from --passphrase-file FILE, else the VIGIL_PASSPHRASE environment variable, \
else a hidden prompt when a terminal is attached.

Exit status: 0 success, 1 unexpected or storage failure, 2 wrong command line, 3 wrong \
or missing passphrase (vault or backup), 4 no vault, 5 vault already exists, 6 value \
rejected, 7 tampered or corrupt data (vault, bundle or backup), 8 vault wiped after failed \
unlocks, 9 written by a newer Vigil, 10 record not found or no check-in armed, 11 locked \
or device secret missing, 12 bundle refused (untrusted key, rollback, wrong kind), 13 wrong \
check-in code, 14 the path is not a Vigil vault. With --json, the error document's `code` \
is the core's stable error kind (wrong_code, nothing_armed, ...; see docs/bindings.md).")]
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

    /// Country whose dialling rules apply to numbers written without a country code, for
    /// this command (default: the vault's setting, GB until changed with `vigil settings`)
    #[arg(long, global = true, value_name = "CC", env = "VIGIL_REGION")]
    pub region: Option<String>,

    /// Time zone for the times you type and read, e.g. Europe/London [default: the TZ
    /// variable, else the system's zone]
    #[arg(long, global = true, value_name = "ZONE", env = "VIGIL_TZ")]
    pub tz: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault (and its device-secret file beside it)
    Init(InitArgs),
    /// The booking log
    #[command(subcommand)]
    Booking(BookingCommand),
    /// Your own notes about clients, used by `vigil screen`
    #[command(subcommand)]
    Note(NoteCommand),
    /// Check a phone number, e-mail, handle (platform:name) or plate against your notes and alerts
    Screen(ScreenArgs),
    /// The people alerted when you do not check in
    #[command(subcommand)]
    Buddy(BuddyCommand),
    /// Check-in timers: your buddies are alerted if you do not check in
    #[command(subcommand)]
    Checkin(CheckinCommand),
    /// Pair with another phone, so it can hold your check-in deadline (or you theirs)
    #[command(subcommand)]
    Pair(PairCommand),
    /// Watches you hold for paired workers: receive their messages, list them
    #[command(subcommand)]
    Watch(WatchCommand),
    /// Publishers whose signed bundles you accept
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Import a signed bundle (a directory of services or alerts) from a trusted publisher
    Import(ImportArgs),
    /// The directory of health and support services
    ///
    /// Needs your passphrase: the directory is kept inside the encrypted vault, so the
    /// files do not show which services you keep or look up, and a decoy vault shows its
    /// own everyday services.
    #[command(subcommand)]
    Services(ServicesCommand),
    /// Report a dangerous client: drafted here, sent encrypted to a project you trust
    #[command(subcommand)]
    Report(ReportCommand),
    /// Publisher tools: keys and signed bundles
    #[command(subcommand)]
    Publish(PublishCommand),
    /// Set a duress passphrase: it opens a harmless decoy vault instead of yours
    #[command(subcommand)]
    Duress(DuressCommand),
    /// Wipe the vault after N consecutive wrong passphrases (0 removes the limit)
    UnlockLimit(UnlockLimitArgs),
    /// Make sure nothing holds the vault unlocked
    Lock,
    /// Your settings, kept in the vault: region, languages, UTC offset, idle lock
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Write the whole vault to an encrypted file that the standard age tools can read
    Export(ExportArgs),
    /// Merge an export into the vault (created if missing)
    Restore(RestoreArgs),
    /// Destroy the vault for good: key slots first, then every file
    Wipe(WipeArgs),
    /// A guided tour on built-in defaults, in a temporary directory; touches no real vault
    Tour(TourArgs),
    /// Measure this device: unlock, bookings, screening and the directory on generated
    /// data, in a temporary directory; touches no real vault
    Bench(BenchArgs),
    /// Print a completion script for your shell, e.g. `vigil completions bash >
    /// ~/.local/share/bash-completion/completions/vigil`
    Completions(CompletionsArgs),
    /// Print the manual page (with the exit statuses), e.g. `vigil man | man -l -`
    Man,
}

#[derive(Debug, Args)]
pub struct TourArgs {
    /// Also show the technical details of each step (ciphers, key derivation, formats)
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// A tenth of the data or less (seconds instead of minutes); the unlock still runs at
    /// the real key-derivation cost
    #[arg(long)]
    pub quick: bool,

    /// Where the temporary vaults go [default: a new folder in the system's temporary
    /// directory, e.g. /data/local/tmp on Android]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Print the settings
    Show,
    /// Change some settings (the others stay as they are)
    Set(SettingsSetArgs),
}

#[derive(Debug, Args)]
pub struct SettingsSetArgs {
    /// Country whose dialling rules apply to numbers written without a country code (GB, RO, ...)
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Language of the messages written for you, most preferred first (repeatable)
    #[arg(long = "language", value_name = "LANG")]
    pub languages: Vec<String>,
    /// Your UTC offset in minutes for the times in buddy messages, or `device` to follow the
    /// computer's clock
    #[arg(long, value_name = "MINUTES|device", allow_hyphen_values = true)]
    pub utc_offset: Option<String>,
    /// Minutes without use after which a phone app locks the vault
    #[arg(long, value_name = "MINUTES")]
    pub idle_lock_minutes: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Add a note about a client (at least one of --phone, --email, --handle, --plate)
    Add(NoteAddArgs),
    /// List your notes, most recently changed first
    List,
    /// Show one note and the bookings with the same client
    Show(RecordArg),
    /// Change a note's label, risk or text (what is not given stays)
    Edit(NoteEditArgs),
    /// Delete a note for good
    Delete(RecordArg),
}

/// A record, by the id `list` shows.
#[derive(Debug, Args)]
pub struct RecordArg {
    /// The record's id (32 hexadecimal digits, as `list` shows it)
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct NoteEditArgs {
    /// The note's id (see `vigil note list`)
    #[arg(value_name = "ID")]
    pub id: String,
    /// A new short name you recognise
    #[arg(long, value_name = "L")]
    pub label: Option<String>,
    /// A new risk level
    #[arg(long, value_name = "LEVEL", value_parser = core_enum(&Risk::ALL, Risk::as_str))]
    pub risk: Option<Risk>,
    /// A new text (replaces the old one; "" empties it)
    #[arg(long, value_name = "T")]
    pub text: Option<String>,
}

#[derive(Debug, Args)]
pub struct NoteAddArgs {
    /// The client's phone number, in any usual form (repeatable)
    #[arg(long, value_name = "P")]
    pub phone: Vec<String>,
    /// The client's e-mail address (repeatable)
    #[arg(long, value_name = "E")]
    pub email: Vec<String>,
    /// platform:name, e.g. instagram:@someone
    #[arg(long, value_name = "H")]
    pub handle: Vec<String>,
    /// Number plate (part of one is enough to match later)
    #[arg(long, value_name = "X")]
    pub plate: Vec<String>,
    /// How careful to be with this client: what `vigil screen` answers for them
    #[arg(long, value_name = "LEVEL", value_parser = core_enum(&Risk::ALL, Risk::as_str))]
    pub risk: Risk,
    /// A short name you recognise [default: the first identifier]
    #[arg(long, value_name = "L")]
    pub label: Option<String>,
    /// What happened, in your words (kept encrypted, never shared)
    #[arg(long, value_name = "T")]
    pub text: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Start a report draft (from a booking with --from-booking); nothing is sent
    New(ReportNewArgs),
    /// List your report drafts, most recently changed first
    List,
    /// Show one report draft in full
    Show(RecordArg),
    /// Change a draft (what is not given stays; identifiers or categories given replace them)
    Edit(ReportEditArgs),
    /// Delete a draft for good
    Delete(RecordArg),
    /// Encrypt a draft to a trusted project's report key and write the file to hand over
    Send(ReportSendArgs),
}

/// The fields of a report, all optional.
#[derive(Debug, Args)]
pub struct ReportFields {
    /// When it happened, in your words
    #[arg(long, value_name = "TEXT")]
    pub when: Option<String>,
    /// When it happened, as a time (used to match reports of the same client)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Where, in your words
    #[arg(long, value_name = "TEXT")]
    pub place: Option<String>,
    /// Rough location: latitude (sent rounded to about a kilometre)
    #[arg(long, value_name = "LAT", requires = "lon", allow_hyphen_values = true)]
    pub lat: Option<f64>,
    /// Rough location: longitude
    #[arg(long, value_name = "LON", requires = "lat", allow_hyphen_values = true)]
    pub lon: Option<f64>,
    /// Rough location: radius in metres (at least 1000 is sent)
    #[arg(long, value_name = "M", default_value_t = 2000.0)]
    pub radius_m: f64,
    /// What happened, as the alert feeds name it (repeatable)
    #[arg(long, value_name = "CATEGORY",
          value_parser = core_enum(&AlertCategory::ALL, AlertCategory::as_str))]
    pub category: Vec<AlertCategory>,
    /// What happened, in your words
    #[arg(long = "what", value_name = "TEXT")]
    pub what_happened: Option<String>,
    /// The client's phone number (repeatable)
    #[arg(long, value_name = "P")]
    pub phone: Vec<String>,
    /// The client's e-mail address (repeatable)
    #[arg(long, value_name = "E")]
    pub email: Vec<String>,
    /// The client's handle, platform:name (repeatable)
    #[arg(long, value_name = "H")]
    pub handle: Vec<String>,
    /// The client's number plate (repeatable)
    #[arg(long, value_name = "X")]
    pub plate: Vec<String>,
    /// What he looks like, his car, anything that identifies him
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Whether the project may pass the report to the police: yes or no [default: no]
    #[arg(long, value_name = "YES_NO", value_parser = clap::builder::BoolishValueParser::new())]
    pub police_consent: Option<bool>,
    /// How the project may contact you (without it the report is anonymous)
    #[arg(long, value_name = "TEXT", conflicts_with = "anonymous")]
    pub contact: Option<String>,
    /// Do not give any contact
    #[arg(long)]
    pub anonymous: bool,
}

#[derive(Debug, Args)]
pub struct ReportNewArgs {
    /// Fill in the client and place of this booking (its id, see `vigil booking list`)
    #[arg(long, value_name = "BOOKING_ID")]
    pub from_booking: Option<String>,
    #[command(flatten)]
    pub fields: ReportFields,
}

#[derive(Debug, Args)]
pub struct ReportEditArgs {
    /// The draft's id (see `vigil report list`)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Remove the rough location
    #[arg(long, conflicts_with = "lat")]
    pub no_location: bool,
    #[command(flatten)]
    pub fields: ReportFields,
}

#[derive(Debug, Args)]
pub struct ReportSendArgs {
    /// The draft's id (see `vigil report list`)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Where to write the encrypted file (a folder: a name that says nothing is chosen)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The trusted publisher to send it to [default: the only one that takes reports]
    #[arg(long, value_name = "NAME")]
    pub to: Option<String>,
    /// Also add the client to your own notes (see `vigil note`)
    #[arg(long)]
    pub note: bool,
    /// The risk of that note [default: danger]
    #[arg(long, value_name = "LEVEL", requires = "note",
          value_parser = core_enum(&Risk::ALL, Risk::as_str))]
    pub note_risk: Option<Risk>,
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// A phone number (or its last 6+ digits), e-mail, platform:handle or number plate
    #[arg(allow_hyphen_values = true)]
    pub input: String,
}

#[derive(Debug, Subcommand)]
pub enum BuddyCommand {
    /// Add a buddy
    Add(BuddyAddArgs),
    /// List buddies
    List,
    /// Show one buddy
    Show(BuddyWhich),
    /// Change a buddy's details (what is not given stays)
    Edit(BuddyEditArgs),
    /// Give a buddy a new name (e.g. when two have the same one)
    Rename(BuddyRenameArgs),
    /// Remove a buddy (check-ins already armed still alert them)
    Remove(BuddyWhich),
    /// The languages buddy messages can be written in
    Languages,
}

#[derive(Debug, Args)]
pub struct BuddyWhich {
    /// The buddy's name, or their id when two share a name (see `vigil buddy list`)
    #[arg(value_name = "NAME|ID")]
    pub who: String,
}

#[derive(Debug, Args)]
pub struct BuddyRenameArgs {
    /// The buddy's name, or their id when two share a name (see `vigil buddy list`)
    #[arg(value_name = "NAME|ID")]
    pub who: String,
    /// The new name
    #[arg(value_name = "NEW_NAME")]
    pub new_name: String,
}

#[derive(Debug, Args)]
pub struct BuddyEditArgs {
    /// The buddy's name, or their id when two share a name (see `vigil buddy list`)
    #[arg(value_name = "NAME|ID")]
    pub who: String,
    /// A new name
    #[arg(long)]
    pub name: Option<String>,
    /// A new phone number, in any usual form
    #[arg(long, value_name = "P")]
    pub phone: Option<String>,
    /// A new message language (`vigil buddy languages` lists them)
    #[arg(long)]
    pub language: Option<String>,
    /// A new first way to reach them
    #[arg(long, value_parser = core_enum(&Channel::ALL, Channel::as_str))]
    pub channel: Option<Channel>,
    /// Write their SMS without diacritics
    #[arg(long, value_name = "yes|no", value_parser = clap::builder::BoolishValueParser::new())]
    pub plain_letters: Option<bool>,
}

#[derive(Debug, Args)]
pub struct BuddyAddArgs {
    /// Their name, as you call them (used with `checkin start --buddy NAME`)
    #[arg(long)]
    pub name: String,
    /// Their phone number, in any usual form (numbers without a country code are read in
    /// your region)
    #[arg(long, value_name = "P")]
    pub phone: String,
    /// Language of the messages this buddy gets: en, es, pl, pt (Portugal), pt-BR (Brazil),
    /// ro (`vigil buddy languages` lists them)
    #[arg(long, default_value = "en")]
    pub language: String,
    /// How to reach them first
    #[arg(long, default_value = "sms", value_parser = core_enum(&Channel::ALL, Channel::as_str))]
    pub channel: Channel,
    /// Write their SMS without diacritics ("ł" as "l"), so alerts fit in fewer SMS
    /// [default: yes for Polish and Romanian, where that is usual; no otherwise]
    #[arg(long, value_name = "yes|no", value_parser = clap::builder::BoolishValueParser::new())]
    pub plain_letters: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum PairCommand {
    /// Show this computer's pairing code (give it to the other phone)
    Show(PairShowArgs),
    /// Pair with another phone's code, after comparing the six digits both show
    Add(PairAddArgs),
    /// Paired phones
    List,
    /// Change a paired phone's number (its keys stay: it is the same phone)
    Phone(PairPhoneArgs),
}

#[derive(Debug, Args)]
pub struct PairPhoneArgs {
    /// The pairing: its id or its name (as `pair list` shows them)
    #[arg(value_name = "PAIRING")]
    pub pairing: String,
    /// The new number, in any usual form
    #[arg(
        value_name = "NUMBER",
        required_unless_present = "none",
        conflicts_with = "none"
    )]
    pub number: Option<String>,
    /// Remove the number: messages to this phone are then passed by hand
    #[arg(long)]
    pub none: bool,
}

#[derive(Debug, Args)]
pub struct PairShowArgs {
    /// The name the other phone will know you by
    #[arg(long, value_name = "NAME")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct PairAddArgs {
    /// The other phone's pairing code (VGP1:...)
    #[arg(value_name = "CODE")]
    pub code: String,
    /// The six digits, once you have checked that both phones show the same ones.
    /// Without it the digits are shown and nothing is saved
    #[arg(long, value_name = "DIGITS")]
    pub sas: Option<String>,
    /// The name to keep for them [default: the one in their code]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Their phone number (for SMS; leave out to paste messages by hand)
    #[arg(long, value_name = "NUMBER")]
    pub phone: Option<String>,
    /// The buddy (by name) this pairing belongs to: your check-ins with that buddy are
    /// then also watched by their phone
    #[arg(long, value_name = "NAME")]
    pub buddy: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// Read watch messages (VGL1:...) given as arguments, or pasted or piped on stdin
    /// (needs no passphrase)
    Receive(WatchReceiveArgs),
    /// Watches held here for others, and what is due (needs no passphrase)
    List,
}

#[derive(Debug, Args)]
pub struct WatchReceiveArgs {
    /// The messages [default: read from stdin, one or more, any line breaks]
    #[arg(value_name = "MESSAGE")]
    pub messages: Vec<String>,
    /// Act as if it were this time (any form `--at` takes) [default: now]
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CheckinCommand {
    /// Arm a check-in that ends in N minutes
    Start(CheckinStartArgs),
    /// Check in with your code (the duress code is accepted the same way)
    Ok(CheckinOkArgs),
    /// Move the deadline N minutes later
    Extend(CheckinExtendArgs),
    /// End a check-in without alerting anyone (before buddies are alerted)
    Cancel(CheckinIdArgs),
    /// Armed check-ins and their deadlines (needs no passphrase)
    Status,
    /// Ended check-ins: when each was armed, its deadline, how and when it ended
    History,
    /// Do what is due now: hand each action to --exec CMD, or print it (needs no passphrase)
    Tick(CheckinTickArgs),
    /// Set the check-in code and the duress code
    SetCodes(SetCodesArgs),
    /// Run `checkin tick` every minute: writes a systemd user timer, or prints a crontab line
    InstallTimer(InstallTimerArgs),
}

#[derive(Debug, Args)]
pub struct CheckinStartArgs {
    /// Minutes until the deadline (1 to 720): check in before then, or your buddies are
    /// alerted after a short grace period
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=720))]
    pub minutes: i64,
    /// The booking this check-in covers (its details go into the buddy message)
    #[arg(long, value_name = "ID")]
    pub booking: Option<String>,
    /// A buddy to alert, by name (repeatable) [default: every buddy]
    #[arg(long, value_name = "NAME")]
    pub buddy: Vec<String>,
    /// Discreet wording: your own reminders and notices (which may show on a lock
    /// screen) say only TEXT [default TEXT: "Reminder: check your calendar."]. Messages
    /// to your buddies are unchanged.
    #[arg(long, value_name = "TEXT", num_args = 0..=1, default_missing_value = "")]
    pub discreet: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckinOkArgs {
    /// Your check-in code (or the duress code). Typed here it stays in the shell's
    /// history: leave it out to be asked at a hidden prompt
    #[arg(long, value_name = "CODE", conflicts_with = "code_fd")]
    pub code: Option<String>,
    /// Read the code from this open file descriptor (for scripts; 0 is stdin)
    #[arg(long, value_name = "N")]
    pub code_fd: Option<u32>,
}

#[derive(Debug, Args)]
pub struct CheckinIdArgs {
    /// Which check-in, when more than one is armed (see `vigil checkin status`); without
    /// it, the only one armed
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckinExtendArgs {
    /// Minutes to add to the deadline (1 to 720)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=720))]
    pub minutes: i64,
    #[command(flatten)]
    pub which: CheckinIdArgs,
}

#[derive(Debug, Args)]
pub struct CheckinTickArgs {
    /// Act as if it were this time (any form `--at` takes) [default: now]
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

/// How `checkin tick` performs its actions (also written into the timer by `install-timer`).
#[derive(Debug, Clone, Args)]
pub struct DeliveryArgs {
    /// Run CMD (with `sh -c`) once per action, the action as one JSON document on its
    /// stdin (fields: id, attempt, type, and per type text, name, phone, channel, ...).
    /// Exit status 0 means done; anything else is reported as failed, with the first line
    /// of its stderr as the reason, and the check-in tries the next channel or buddy.
    /// Without --exec each action is printed, and counted as done.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Seconds after which a CMD still running is stopped and its action counted as failed
    #[arg(long, value_name = "SECS", default_value_t = 60, requires = "exec",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub exec_timeout: u64,
    /// Also show your own reminders as desktop notifications (through `notify-send`, when
    /// installed). Buddy messages, and so discreet duress alerts, never show one.
    #[arg(long)]
    pub notify: bool,
}

#[derive(Debug, Args)]
pub struct InstallTimerArgs {
    /// Where to write vigil-checkin.service and vigil-checkin.timer
    /// [default: ~/.config/systemd/user]
    #[arg(long, value_name = "DIR", conflicts_with = "cron")]
    pub dir: Option<PathBuf>,
    /// Print a crontab line instead of writing systemd units (the default where systemd is
    /// not running)
    #[arg(long)]
    pub cron: bool,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

#[derive(Debug, Args)]
pub struct SetCodesArgs {
    /// The check-in code that ends a check-in (at least 4 characters). Typed here it stays
    /// in the shell's history: leave it out to be asked at a hidden prompt
    #[arg(long, value_name = "C", conflicts_with = "code_fd")]
    pub code: Option<String>,
    /// The duress code: ends a check-in the same way and silently alerts your buddies
    /// (different from the check-in code). Leave it out to be asked at a hidden prompt
    #[arg(long, value_name = "D", conflicts_with = "code_fd")]
    pub duress_code: Option<String>,
    /// Read both codes from this open file descriptor, one a line: the check-in code, then
    /// the duress code (for scripts; 0 is stdin)
    #[arg(long, value_name = "N")]
    pub code_fd: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Trust a publisher's public key (from `vigil publish keygen`)
    Add(TrustAddArgs),
    /// List trusted publishers and their accepted bundles
    List,
}

#[derive(Debug, Args)]
pub struct TrustAddArgs {
    /// A name for the publisher, as you will recognise it in `trust list`
    #[arg(long)]
    pub name: String,
    /// A file holding the public key (vigil-pub:...)
    #[arg(long, value_name = "PUBLIC_KEY_FILE")]
    pub key: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The signed bundle (.vgl) to import; its signature is checked before anything is read
    #[arg(value_name = "BUNDLE_FILE")]
    pub bundle: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ServicesCommand {
    /// The nearest services to a point
    Near(ServicesNearArgs),
    /// Services by name; when no name matches, by postcode (only postcodes with --postcode)
    Search(ServicesSearchArgs),
}

#[derive(Debug, Args)]
pub struct ServicesNearArgs {
    /// Where: LAT,LON in decimal degrees (51.5074,-0.1278), or a postcode ("WC2N 5HS") or a
    /// service's name from the directory
    #[arg(value_name = "PLACE", allow_hyphen_values = true, value_parser = parse_place)]
    pub point: PlaceArg,
    /// How far to look, in kilometres
    #[arg(long, value_name = "R", default_value_t = 5.0)]
    pub radius_km: f64,
    /// Only these categories (repeatable), e.g. sexual_health_clinic, pharmacy, sarc, "A&E"
    #[arg(long, value_name = "C", value_parser = parse_category)]
    pub category: Vec<vigil_core::directory::Category>,
    /// Only services known to be open now; those that may be open (hours unknown, "by
    /// appointment", closing time not known) follow in a separate "maybe open" group
    #[arg(long, conflicts_with = "open_at")]
    pub open_now: bool,
    /// Only services known to be open at this time (2026-12-01 21:00, tomorrow 9am, in 2h,
    /// ...), then the "maybe open" group
    #[arg(long, value_name = "TIME")]
    pub open_at: Option<String>,
    /// At most this many services
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct ServicesSearchArgs {
    /// Part of a service's name (or, with --postcode, of a postcode)
    pub text: String,
    /// Search postcodes instead of names
    #[arg(long)]
    pub postcode: bool,
    /// At most this many services
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
}

#[derive(Debug, Subcommand)]
pub enum PublishCommand {
    /// Make a signing key; prints the public key to give to the apps
    Keygen(KeygenArgs),
    /// Sign a directory bundle from GeoJSON, NHS Choices files or CSV
    Directory(PublishDirectoryArgs),
    /// Sign an alerts bundle from a JSON Lines file (see docs/screening.md), adding
    /// approved reviews and withdrawing alerts
    Alerts(PublishAlertsArgs),
    /// Make the X25519 key pair workers encrypt their reports to (see docs/reports.md)
    ReportKey(KeygenArgs),
    /// Decrypt every report file in a folder into a review file (JSON Lines) to edit
    Reports(PublishReportsArgs),
}

#[derive(Debug, Args)]
pub struct PublishReportsArgs {
    /// The folder holding the report files as received
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// The secret report key file from `vigil publish report-key`
    #[arg(long, value_name = "KEY_FILE")]
    pub key: PathBuf,
    /// Where to write the review file (plaintext: keep it encrypted, see docs/reports.md)
    #[arg(long, value_name = "REVIEW")]
    pub out: PathBuf,
    /// Reports about the same identifier at most this many days apart are merged
    #[arg(long, value_name = "DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub window_days: i64,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the secret key (refuses to overwrite)
    #[arg(long, value_name = "KEY_FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceFormat {
    Geojson,
    Nhs,
    Csv,
}

#[derive(Debug, Args)]
pub struct PublishDirectoryArgs {
    /// The source file (for --format nhs: the folder holding the NHS files)
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// The source's format: GeoJSON, the NHS Choices extract folder, or CSV (see
    /// docs/directory.md)
    #[arg(long, value_enum)]
    pub format: SourceFormat,
    #[command(flatten)]
    pub sign: SignArgs,
    /// IANA time zone the opening hours are written in
    #[arg(long, default_value = "Europe/London")]
    pub time_zone: String,
}

#[derive(Debug, Args)]
pub struct PublishAlertsArgs {
    /// The alerts, one JSON object a line (see docs/screening.md) [default: none yet]
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// A review file from `vigil publish reports`: its approved entries are added
    #[arg(long, value_name = "REVIEW")]
    pub review: Option<PathBuf>,
    /// Withdraw the alert with this id: importers remove it (repeatable)
    #[arg(long, value_name = "ALERT_ID")]
    pub withdraw: Vec<String>,
    /// Publish this report key (the .pub file of `vigil publish report-key`) in the feed
    #[arg(long, value_name = "PUB_FILE")]
    pub report_key: Option<PathBuf>,
    /// Where to keep the alerts as published, for the next version [default: --from]
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Region for numbers without a country code, for a feed started without --from
    #[arg(long = "feed-region", value_name = "CC", default_value = "GB")]
    pub feed_region: String,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The secret key file from `vigil publish keygen`
    #[arg(long, value_name = "KEY_FILE")]
    pub key: PathBuf,
    /// Must grow with every bundle of this kind you publish
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub version: u64,
    /// Days until the apps show the bundle as stale
    #[arg(long, value_name = "DAYS", default_value_t = 90,
          value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub valid_days: i64,
    /// Where to write the signed bundle
    #[arg(long, value_name = "BUNDLE")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum DuressCommand {
    /// Set (or replace) the duress passphrase
    Set(DuressSetArgs),
    /// Remove the duress passphrase
    Clear,
}

#[derive(Debug, Args)]
pub struct DuressSetArgs {
    /// Unlocking with the duress passphrase also destroys your real data for good
    #[arg(long)]
    pub destroy_real: bool,
    /// Unlocking with the duress passphrase also alerts your buddies silently
    #[arg(long)]
    pub alert_buddies: bool,
    /// With --alert-buddies: the buddy to alert, by name (repeatable) [default: every buddy]
    #[arg(long, value_name = "NAME", requires = "alert_buddies")]
    pub buddy: Vec<String>,
    /// Read the duress passphrase from this file
    #[arg(long, value_name = "FILE")]
    pub duress_passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct UnlockLimitArgs {
    /// Consecutive wrong passphrases before the vault wipes itself; 0 removes the limit
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub attempts: u32,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to write the encrypted export (an age file, readable by you only)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Encrypt to this age public key instead of a passphrase (repeatable)
    #[arg(long, value_name = "AGE_PUBLIC_KEY")]
    pub recipient: Vec<String>,
    /// Read the export passphrase from this file
    #[arg(long, value_name = "FILE")]
    pub export_passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The export to read (from `vigil export`)
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// An age identity file (AGE-SECRET-KEY-...) instead of the export passphrase
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Read the export passphrase from this file
    #[arg(long, value_name = "FILE")]
    pub export_passphrase_file: Option<PathBuf>,
    /// When the vault is created: PBKDF2 iterations (tests only)
    #[arg(long, hide = true, value_parser = parse_kdf_iterations)]
    pub kdf_iterations: Option<u32>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// PBKDF2 iterations. For tests only: the default is the safe choice.
    #[arg(long, hide = true, value_parser = parse_kdf_iterations)]
    pub kdf_iterations: Option<u32>,
    /// Accept a passphrase that is easy to guess (refused otherwise): someone who copies
    /// the vault and its device-secret file could then open it
    #[arg(long)]
    pub allow_weak_passphrase: bool,
}

#[derive(Debug, Subcommand)]
pub enum BookingCommand {
    /// Log a booking
    Add(BookingAddArgs),
    /// List bookings, newest first
    List(BookingListArgs),
    /// Show one booking
    Show(RecordArg),
    /// Change a booking (what is not given stays)
    Edit(BookingEditArgs),
    /// Say how a booking went: done, cancelled, no-show, incident (or back to planned)
    Status(BookingStatusArgs),
    /// Mark a booking done (it happened)
    Done(RecordArg),
    /// Mark a booking cancelled
    Cancel(RecordArg),
    /// Mark a booking as a no-show (the client did not come)
    NoShow(RecordArg),
    /// Delete a booking for good
    Delete(RecordArg),
}

#[derive(Debug, Args)]
pub struct BookingStatusArgs {
    /// The booking's id (see `vigil booking list`)
    #[arg(value_name = "ID")]
    pub id: String,
    /// The new status
    #[arg(value_name = "STATUS",
          value_parser = core_enum(&BookingStatus::ALL, BookingStatus::as_str))]
    pub status: BookingStatus,
}

#[derive(Debug, Args)]
pub struct BookingEditArgs {
    /// The booking's id (see `vigil booking list`)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Who the booking is with
    #[arg(long, value_name = "LABEL")]
    pub client: Option<String>,
    /// The client's phone number ("" removes it)
    #[arg(long, value_name = "P")]
    pub phone: Option<String>,
    /// A new start time (any form `booking add --at` takes); the length stays
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// A new length in minutes
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=10_080))]
    pub minutes: Option<i64>,
    /// A new kind
    #[arg(long, value_parser = core_enum(&BookingKind::ALL, BookingKind::as_str))]
    pub kind: Option<BookingKind>,
    /// Where it happens ("" removes it)
    #[arg(long, value_name = "TEXT")]
    pub address: Option<String>,
    /// A private note ("" removes it)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct BookingAddArgs {
    /// Who the booking is with (a label you recognise). A check-in covering this booking
    /// shows it to your buddies exactly as typed ("Meeting with: LABEL")
    #[arg(long, value_name = "LABEL")]
    pub client: String,
    /// The client's phone number
    #[arg(long, value_name = "P")]
    pub phone: Option<String>,
    /// Start time in your time zone (--tz): 2026-12-01 21:00, 2026-12-01T21:00, 21:00,
    /// tomorrow 9pm, in 2h; or with an offset, 2026-12-01T21:00+01:00
    #[arg(long, value_name = "TIME")]
    pub at: String,
    /// Length in minutes
    #[arg(long, value_name = "N", default_value_t = 60,
          value_parser = clap::value_parser!(i64).range(1..=10_080))]
    pub minutes: i64,
    /// Kind of booking
    #[arg(long, default_value = "incall", value_parser = core_enum(&BookingKind::ALL, BookingKind::as_str))]
    pub kind: BookingKind,
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
    /// Only bookings starting at or after this time (2026-12-01, today 00:00, ...)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Only bookings starting at or before this time
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Only past bookings that still have no status (planned or in progress)
    #[arg(long)]
    pub no_status: bool,
}

#[derive(Debug, Args)]
pub struct WipeArgs {
    /// Confirm: the vault cannot be recovered afterwards
    #[arg(long)]
    pub yes: bool,
}

/// Where `services near` looks: a point, or a text the directory may know.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaceArg {
    Point(f64, f64),
    Text(String),
}

/// Two numbers with a comma are a point (checked); anything else is a place's name.
fn parse_place(s: &str) -> Result<PlaceArg, String> {
    let numeric = s
        .split_once(',')
        .is_some_and(|(a, b)| a.trim().parse::<f64>().is_ok() || b.trim().parse::<f64>().is_ok());
    if numeric {
        let (lat, lon) = parse_point(s)?;
        Ok(PlaceArg::Point(lat, lon))
    } else if s.trim().is_empty() {
        Err("expected LAT,LON, a postcode or a place".to_owned())
    } else {
        Ok(PlaceArg::Text(s.trim().to_owned()))
    }
}

/// `LAT,LON`.
fn parse_point(s: &str) -> Result<(f64, f64), String> {
    let (lat, lon) = s
        .split_once(',')
        .ok_or("expected LAT,LON such as 51.5074,-0.1278")?;
    let lat: f64 = lat
        .trim()
        .parse()
        .map_err(|_| "the latitude is not a number")?;
    let lon: f64 = lon
        .trim()
        .parse()
        .map_err(|_| "the longitude is not a number")?;
    vigil_core::directory::check_coordinates(lat, lon).map_err(|e| e.to_string())?;
    Ok((lat, lon))
}

fn parse_category(s: &str) -> Result<vigil_core::directory::Category, String> {
    vigil_core::directory::Category::parse_loose(s).ok_or_else(|| {
        let names: Vec<&str> = vigil_core::directory::Category::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        format!("unknown category; use one of: {}", names.join(", "))
    })
}

pub fn parse_kdf_iterations(s: &str) -> Result<u32, String> {
    let n: u32 = s
        .parse()
        .map_err(|_| "expected a whole number".to_owned())?;
    let min = vigil_core::vault::MIN_KDF_ITERATIONS;
    if n < min {
        return Err(format!("must be at least {min}"));
    }
    let max = vigil_core::vault::MAX_KDF_ITERATIONS;
    if n > max {
        return Err(format!("must be at most {max}"));
    }
    Ok(n)
}

/// Parses one of the core's enums by the core's own names (`other_app` is written
/// `other-app`): the command line keeps no copy of the enum, and offers every variant.
fn core_enum<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    name: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T> {
    let arg = move |v: T| name(v).replace('_', "-");
    PossibleValuesParser::new(all.iter().map(move |v| arg(*v))).try_map(move |s| {
        all.iter()
            .copied()
            .find(|v| arg(*v) == s)
            .ok_or("not one of the possible values")
    })
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
    fn kdf_iterations_have_a_floor() {
        assert!(parse_kdf_iterations("99999").is_err());
        assert_eq!(parse_kdf_iterations("100000"), Ok(100_000));
    }
}

#[cfg(test)]
mod help_tests {
    use super::*;
    use clap::CommandFactory;

    /// Every argument of every command says what it is for.
    #[test]
    fn every_flag_and_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() && sub.get_name() != "help" {
                    missing.push(format!("{path} {} (the command)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "vigil", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }
}
