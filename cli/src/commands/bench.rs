//! `vigil bench`: the phone-relevant figures of docs/PERFORMANCE.md on this device
//! (`vigil_core::benchmark`). Built for a phone's target and run there through `adb shell`,
//! it gives the first device figures beside the desktop table.

use std::io::Write;

use vigil_core::benchmark::{self, BenchConfig, BenchReport};

use crate::args::BenchArgs;
use crate::error::{CliError, CliResult, Exit};

pub fn run(args: &BenchArgs, json: bool) -> CliResult {
    let config = if args.quick {
        BenchConfig::quick()
    } else {
        BenchConfig::full()
    };
    // The core makes a folder of its own in there and removes it again.
    let parent = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    let report = benchmark::run(&parent, &config, &mut |figure| {
        if !json {
            eprintln!("vigil: measuring {figure}...");
        }
    })
    .map_err(|e| {
        CliError::from(e).with_hint(format!(
            "the temporary vaults go in {}; name another writable folder with --dir",
            parent.display()
        ))
    })?;
    let text = if json {
        report.to_json()?
    } else {
        human(&report)
    };
    match writeln!(std::io::stdout().lock(), "{}", text.trim_end()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(
            Exit::Failure,
            format!("could not write the output: {e}"),
        )),
    }
}

fn human(report: &BenchReport) -> String {
    let mut out = format!(
        "Vigil {} on {}/{}{}\n",
        report.vigil_version,
        report.os,
        report.arch,
        if report.optimized {
            ""
        } else {
            " (debug build: these figures mean little)"
        }
    );
    for f in &report.figures {
        out.push_str(&format!(
            "{:<36} {:>12}  (best {}, {} runs)  {}\n",
            f.name,
            duration(f.median_us),
            duration(f.min_us),
            f.runs,
            f.what
        ));
    }
    if let (Some(vault), Some(plain)) = (
        report.figure("bookings_insert_list"),
        report.figure("bookings_insert_list_plain_sqlite"),
    ) {
        out.push_str(&format!(
            "vault / plain SQLite for bookings: {:.2}x\n",
            vault.median_us / plain.median_us
        ));
    }
    out
}

/// Microseconds in the unit a person reads best.
fn duration(us: f64) -> String {
    if us >= 1_000_000.0 {
        format!("{:.2} s", us / 1e6)
    } else if us >= 1_000.0 {
        format!("{:.1} ms", us / 1e3)
    } else {
        format!("{us:.1} µs")
    }
}
