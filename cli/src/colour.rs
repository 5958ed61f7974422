//! Colour for the words that must stand out (DANGER), only where it helps: on a terminal,
//! never when `NO_COLOR` is set (no-color.org), never for `TERM=dumb`; `CLICOLOR_FORCE`
//! asks for it even into a pipe (and `NO_COLOR` still wins).

use std::io::IsTerminal;

use vigil_core::screening::Risk;

/// Whether this process's output may carry colour codes.
pub fn enabled() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        return false;
    }
    if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    std::io::stdout().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// `text` in the colour of `risk`: bold red for danger and blocked, yellow for caution.
pub fn risk(risk: Risk, text: &str) -> String {
    let code = match risk {
        Risk::Danger | Risk::Blocked => "1;31",
        Risk::Caution => "33",
        Risk::Safe | Risk::Unknown => return text.to_owned(),
    };
    if enabled() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}
