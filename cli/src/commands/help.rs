//! `vigil completions SHELL` and `vigil man`: help where a person looks for it, generated
//! from the same command-line definition as `--help`, so neither can drift.

use std::io::Write;

use clap::CommandFactory;

use crate::args::Cli;
use crate::error::{CliError, CliResult, Exit};

pub fn completions(shell: clap_complete::Shell) -> CliResult {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "vigil", &mut out);
    write(&out)
}

/// The manual page (roff), with an EXIT STATUS section listing every status.
pub fn man() -> CliResult {
    write(&man_page()?)
}

pub fn man_page() -> CliResult<Vec<u8>> {
    let cmd = Cli::command();
    let page = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    let failed =
        |e: std::io::Error| CliError::new(Exit::Failure, format!("cannot write the manual: {e}"));
    page.render_title(&mut out).map_err(failed)?;
    page.render_name_section(&mut out).map_err(failed)?;
    page.render_synopsis_section(&mut out).map_err(failed)?;
    page.render_description_section(&mut out).map_err(failed)?;
    page.render_options_section(&mut out).map_err(failed)?;
    page.render_subcommands_section(&mut out).map_err(failed)?;
    out.extend_from_slice(b".SH \"EXIT STATUS\"\n.TP\n0\nsuccess\n");
    for exit in Exit::ALL {
        out.extend_from_slice(
            format!(".TP\n{}\n{}\n", exit as u8, roff_text(exit.meaning())).as_bytes(),
        );
    }
    out.extend_from_slice(
        b".PP\nWith --json, a failure also prints one JSON document on stdout: \
          {\"error\": {\"kind\", \"code\", \"exit\", \"message\", \"hint\"}}.\n",
    );
    page.render_version_section(&mut out).map_err(failed)?;
    Ok(out)
}

/// Text for a roff paragraph: a leading `.` or `'` would be read as a request.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\\\");
    if s.starts_with(['.', '\'']) {
        format!("\\&{s}")
    } else {
        s
    }
}

fn write(bytes: &[u8]) -> CliResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(
            Exit::Failure,
            format!("could not write the output: {e}"),
        )),
    }
}
