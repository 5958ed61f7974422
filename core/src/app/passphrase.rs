//! How strong a new passphrase is, and the floor below which a shell must not accept one
//! without the worker saying so: the same estimate on every shell (zxcvbn).
//!
//! The vault's key derivation slows each guess, but a passphrase found in the first
//! million guesses falls to a copied vault in hours. Nothing here ever holds the
//! passphrase beyond the call, and no message repeats it.

use serde::Serialize;

use crate::{Error, Result};

/// The lowest zxcvbn score (0-4) accepted without an explicit override: 3 means about
/// 10^8 to 10^10 guesses, beyond an offline attack on a slow key derivation.
pub const MIN_PASSPHRASE_SCORE: u8 = 3;

/// zxcvbn's estimate of a passphrase, in words a shell can show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassphraseStrength {
    /// 0 (guessed at once) to 4 (very hard to guess).
    pub score: u8,
    /// log10 of the estimated number of guesses.
    pub guesses_log10: f64,
    /// At or above [`MIN_PASSPHRASE_SCORE`].
    pub acceptable: bool,
    /// What makes it weak, if zxcvbn says ("This is a top-10 common password").
    pub warning: Option<String>,
    /// How to make it stronger.
    pub suggestions: Vec<String>,
}

/// Estimates `passphrase`'s strength; `related` are words an attacker would try first
/// (the worker's name, the app's name).
pub fn passphrase_strength(passphrase: &str, related: &[&str]) -> PassphraseStrength {
    let mut words = vec!["vigil"];
    words.extend_from_slice(related);
    let estimate = zxcvbn::zxcvbn(passphrase, &words);
    let score = u8::from(estimate.score());
    let (warning, suggestions) = match estimate.feedback() {
        Some(f) => (
            f.warning().map(|w| w.to_string()),
            f.suggestions().iter().map(|s| s.to_string()).collect(),
        ),
        None => (None, Vec::new()),
    };
    PassphraseStrength {
        score,
        guesses_log10: estimate.guesses_log10(),
        acceptable: score >= MIN_PASSPHRASE_SCORE,
        warning,
        suggestions,
    }
}

/// The check a shell runs on a new vault passphrase before creating the vault: below the
/// floor it is refused unless `allow_weak` (the worker's explicit choice).
pub fn check_new_passphrase(passphrase: &str, allow_weak: bool) -> Result<PassphraseStrength> {
    let strength = passphrase_strength(passphrase, &[]);
    if !strength.acceptable && !allow_weak {
        return Err(Error::invalid(
            "passphrase",
            "too easy to guess: someone who copies the vault could find it; use four or more \
             unrelated words",
        ));
    }
    Ok(strength)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passphrases_are_below_the_floor_and_long_ones_above() {
        for weak in ["abc12", "password1", "vigil2026", "qwertyuiop"] {
            let s = passphrase_strength(weak, &[]);
            assert!(!s.acceptable, "{weak}: {s:?}");
            assert!(check_new_passphrase(weak, false).is_err());
            assert!(check_new_passphrase(weak, true).is_ok());
        }
        let strong = passphrase_strength("lantern orbit pickle tundra", &[]);
        assert!(strong.acceptable, "{strong:?}");
        assert_eq!(strong.score, 4);
    }

    #[test]
    fn the_refusal_does_not_repeat_the_passphrase() {
        let e = check_new_passphrase("hunter2", false)
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hunter2"), "{e}");
    }
}
