//! Creating and destroying the vault.

use std::fs;
use std::path::Path;

use serde_json::json;
use vigil_core::vault::{Vault, VaultOptions, DEFAULT_KDF_ITERATIONS};

use crate::args::{InitArgs, WipeArgs};
use crate::context::{self, spinner, Context};
use crate::error::{CliError, CliResult};

/// `vigil init`: the vault, then its device secret. The vault is not bound to the device
/// secret (losing the file must not lose the data); the secret keys the check-in
/// escalation state and the unlock attempt counter, as the keystore does on a phone.
pub fn init(ctx: &Context, args: InitArgs) -> CliResult {
    if ctx.vault.exists() {
        return Err(ctx.vault_error(vigil_core::Error::VaultExists));
    }
    if let Some(parent) = ctx.vault.parent().filter(|p| !p.as_os_str().is_empty()) {
        context::create_private_dir(parent)?;
    }
    let passphrase = ctx.passphrase(true)?;
    let iterations = args.kdf_iterations.unwrap_or(DEFAULT_KDF_ITERATIONS);
    let options = VaultOptions {
        kdf_iterations: iterations,
        device_secret: None,
    };
    let spinner = spinner("Deriving the vault key");
    let created = Vault::create(&ctx.vault, &passphrase, &options);
    spinner.finish_and_clear();
    let session = created.map_err(|e| ctx.vault_error(e))?;
    drop(session);
    restrict_to_owner(&ctx.vault);
    let device = ctx.device_secret_path();
    if let Err(e) = context::write_device_secret(&device) {
        // A vault without its device secret would be half made: take it back.
        let _ = Vault::wipe(&ctx.vault);
        return Err(e);
    }
    ctx.emit(
        json!({
            "vault": ctx.vault,
            "device_secret_file": device,
            "kdf_iterations": iterations,
        }),
        || {
            format!(
                "Created an encrypted vault at {}\n\
                 Device secret: {} (readable by you only)\n\
                 Keep the two files together. On a desktop the device-secret file is the only \
                 protection of that secret: anyone who copies the whole folder has it too, so \
                 your passphrase is what protects the vault.",
                ctx.vault.display(),
                device.display()
            )
        },
    )
}

/// `vigil wipe --yes`: needs no passphrase (a panic wipe must work on a locked vault) and
/// is idempotent.
pub fn wipe(ctx: &Context, args: WipeArgs) -> CliResult {
    if !args.yes {
        return Err(CliError::usage(format!(
            "refusing to wipe {} without --yes: the vault and everything in it would be \
             destroyed for good",
            ctx.vault.display()
        ))
        .with_hint("run `vigil wipe --yes` if that is what you want"));
    }
    let existed = ctx.vault.exists();
    Vault::wipe(&ctx.vault)?;
    let device = ctx.device_secret_path();
    match fs::remove_file(&device) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(CliError::file("remove", &device, e)),
    }
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

/// The vault's files hold only sealed data, but nobody else needs to read them either.
/// Best effort: a file system without permissions (FAT on a USB stick) keeps its own.
fn restrict_to_owner(vault: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut aux = vault.as_os_str().to_owned();
        aux.push("-aux");
        for file in [vault.to_path_buf(), aux.into()] {
            let _ = fs::set_permissions(&file, fs::Permissions::from_mode(0o600));
        }
    }
}
