//! A minimal age encrypt/decrypt tool over Vigil's own age implementation, for the
//! interoperability tests against the reference implementation (tests/python). Not a
//! product: the `vigil` command line is where users export.
//!
//! ```text
//! age_tool encrypt --in PLAIN --out FILE [--recipient age1...]... [--work-factor N]
//! age_tool decrypt --in FILE --out PLAIN [--identity AGE-SECRET-KEY-1...]
//! age_tool keygen          # prints the identity, then the recipient
//! ```
//! Without `--recipient` / `--identity` the passphrase comes from `AGE_TOOL_PASSPHRASE`.
//! Exit status 0 on success; 1 with the error's message on standard error otherwise.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::process::ExitCode;

use vigil_core::export::age::{
    AgeReader, AgeWriter, Identity, Recipient, X25519Identity, DEFAULT_WORK_FACTOR,
};

const PASSPHRASE_VAR: &str = "AGE_TOOL_PASSPHRASE";

fn passphrase() -> Result<String, String> {
    std::env::var(PASSPHRASE_VAR).map_err(|_| format!("set {PASSPHRASE_VAR} or give a key"))
}

fn run(args: &[String]) -> Result<(), String> {
    let (command, rest) = args
        .split_first()
        .ok_or("usage: age_tool encrypt|decrypt|keygen ...")?;
    let mut input = None;
    let mut output = None;
    let mut recipients = Vec::new();
    let mut identities = Vec::new();
    let mut work_factor = DEFAULT_WORK_FACTOR;
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--in" => input = Some(value()?),
            "--out" => output = Some(value()?),
            "--recipient" => recipients.push(Recipient::X25519(
                value()?.parse().map_err(|e| format!("{e}"))?,
            )),
            "--identity" => identities.push(Identity::X25519(
                value()?.parse().map_err(|e| format!("{e}"))?,
            )),
            "--work-factor" => work_factor = value()?.parse().map_err(|_| "bad work factor")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    match command.as_str() {
        "keygen" => {
            let id = X25519Identity::generate().map_err(|e| e.to_string())?;
            println!("{}", &*id.to_secret_string());
            println!("{}", id.to_public());
            Ok(())
        }
        "encrypt" => {
            if recipients.is_empty() {
                recipients.push(Recipient::passphrase_with_work_factor(
                    &passphrase()?,
                    work_factor,
                ));
            }
            let plain =
                std::fs::read(input.ok_or("--in is required")?).map_err(|e| e.to_string())?;
            let out =
                File::create(output.ok_or("--out is required")?).map_err(|e| e.to_string())?;
            let mut w =
                AgeWriter::new(BufWriter::new(out), &recipients).map_err(|e| e.to_string())?;
            w.write_all(&plain).map_err(|e| e.to_string())?;
            w.finish().map_err(|e| e.to_string())?;
            Ok(())
        }
        "decrypt" => {
            if identities.is_empty() {
                identities.push(Identity::passphrase(&passphrase()?));
            }
            let file = File::open(input.ok_or("--in is required")?).map_err(|e| e.to_string())?;
            let mut r =
                AgeReader::new(BufReader::new(file), &identities).map_err(|e| e.to_string())?;
            let out_path = output.ok_or("--out is required")?;
            let mut out = BufWriter::new(File::create(&out_path).map_err(|e| e.to_string())?);
            if let Err(e) = std::io::copy(&mut r, &mut out) {
                drop(out);
                // Never leave partial plaintext behind.
                let _ = std::fs::remove_file(&out_path);
                return Err(vigil_core::export::age::AgeError::from_io(e).to_string());
            }
            out.flush().map_err(|e| e.to_string())
        }
        other => Err(format!("unknown command {other}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("age_tool: {e}");
            ExitCode::FAILURE
        }
    }
}
