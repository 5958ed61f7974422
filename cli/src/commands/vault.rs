//! Creating and destroying the vault.

use serde_json::json;
use vigil_core::vault::{Vault, DEFAULT_KDF_ITERATIONS};

use crate::args::{InitArgs, WipeArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult};

/// `vigil init`: the vault, bound to a new device secret kept beside it (see
/// [`Context::create_vault`]). The secret also keys the check-in escalation state and the
/// unlock attempt counter, as the keystore does on a phone.
pub fn init(ctx: &Context, args: InitArgs) -> CliResult {
    if ctx.vault.exists() {
        return Err(ctx.vault_error(vigil_core::Error::VaultExists));
    }
    if let Some(parent) = ctx.vault.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::context::create_private_dir(parent)?;
    }
    let passphrase = ctx.passphrase(true)?;
    let strength = vigil_core::app::check_new_passphrase(&passphrase, args.allow_weak_passphrase)
        .map_err(|e| {
        let mut hint = String::new();
        let s = vigil_core::app::passphrase_strength(&passphrase, &[]);
        if let Some(w) = &s.warning {
            hint.push_str(&format!("{w}. "));
        }
        hint.push_str(
            "Choose a longer one (e.g. four unrelated words), or pass \
                 --allow-weak-passphrase to accept it anyway",
        );
        CliError::from(e).with_hint(hint)
    })?;
    if !strength.acceptable {
        ctx.warn(&format!(
            "this passphrase is easy to guess (strength {} of 4): anyone who copies the vault \
             and its device-secret file could open it",
            strength.score
        ));
    }
    let iterations = args.kdf_iterations.unwrap_or(DEFAULT_KDF_ITERATIONS);
    let session = ctx.create_vault(&passphrase, iterations)?;
    drop(session);
    let device = ctx.device_secret_path();
    ctx.emit(
        json!({
            "vault": ctx.vault,
            "device_secret_file": device,
            "kdf_iterations": iterations,
            "passphrase_strength": strength.score,
        }),
        || {
            format!(
                "Created an encrypted vault at {}\n\
                 Device secret: {} (readable by you only)\n\
                 Keep the two files together: the vault cannot be opened without the \
                 device-secret file. On a desktop that file is the only protection of the \
                 secret: anyone who copies the whole folder has it too, so your passphrase is \
                 what protects the vault.",
                ctx.vault.display(),
                device.display()
            )
        },
    )
}

/// `vigil wipe --yes`: needs no passphrase (a panic wipe must work on a locked vault) and
/// is idempotent. Refuses a path that holds something other than a vault before touching
/// anything; then destroys the device-secret file first (overwritten, synced, unlinked),
/// then the vault (its slot file the same way, then every other file).
pub fn wipe(ctx: &Context, args: WipeArgs) -> CliResult {
    if !args.yes {
        return Err(CliError::usage(format!(
            "refusing to wipe {} without --yes: the vault and everything in it would be \
             destroyed for good",
            ctx.vault.display()
        ))
        .with_hint("run `vigil wipe --yes` if that is what you want"));
    }
    let existed = Vault::probe(&ctx.vault).map_err(|e| ctx.vault_error(e))?;
    let had_device = ctx.destroy_device_secret()?;
    Vault::wipe(&ctx.vault).map_err(|e| ctx.vault_error(e))?;
    let existed = existed || had_device;
    ctx.emit(json!({ "vault": ctx.vault, "wiped": existed }), || {
        if existed {
            format!(
                "Wiped {}: the keys were destroyed first, then every file of the vault.",
                ctx.vault.display()
            )
        } else {
            format!("No vault at {}; nothing to wipe.", ctx.vault.display())
        }
    })
}
