//! Forensics: after `vigil wipe --yes` on a real ext4 file system, the raw disk image holds
//! no 16-byte piece of the wrapped vault key or of the device secret.
//!
//! Needs root (mkfs, a loop device, mount); anywhere else it says why it skips. The control
//! scan before the wipe must find both, so the test can fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use common::PASSPHRASE;

/// Bytes of the slot file before the first slot (its magic), and one slot's length.
const SLOT_FILE_HEADER: usize = 8;
const WRAPPED_LEN: usize = 12 + 33 + 16;
const WINDOW: usize = 16;

/// Unmounts and detaches the loop device however the test ends.
struct LoopMount {
    device: String,
    mount: PathBuf,
    mounted: bool,
}

impl LoopMount {
    fn unmount(&mut self) {
        if self.mounted {
            let ok = Process::new("umount")
                .arg(&self.mount)
                .status()
                .is_ok_and(|s| s.success());
            self.mounted = !ok;
        }
    }
}

impl Drop for LoopMount {
    fn drop(&mut self) {
        self.unmount();
        let _ = Process::new("losetup").args(["-d", &self.device]).status();
    }
}

fn run(cmd: &mut Process) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(format!(
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Formats `image` as ext4 (4 KiB blocks, no discard) and mounts it on `mount`.
fn mount_image(image: &Path, mount: &Path) -> Result<LoopMount, String> {
    std::fs::File::create(image)
        .and_then(|f| f.set_len(32 << 20))
        .map_err(|e| e.to_string())?;
    run(Process::new("mkfs.ext4")
        .args(["-q", "-F", "-b", "4096", "-E", "nodiscard"])
        .arg(image))?;
    let device = run(Process::new("losetup")
        .args(["--find", "--show"])
        .arg(image))?;
    let mut guard = LoopMount {
        device,
        mount: mount.to_path_buf(),
        mounted: false,
    };
    std::fs::create_dir_all(mount).map_err(|e| e.to_string())?;
    run(Process::new("mount").arg(&guard.device).arg(mount))?;
    guard.mounted = true;
    Ok(guard)
}

/// How many of the 16-byte windows of `secret` occur anywhere in `haystack`.
fn windows_found(haystack: &[u8], secret: &[u8]) -> usize {
    let windows: std::collections::HashSet<&[u8]> = secret.windows(WINDOW).collect();
    // A cheap filter on the first two bytes keeps the scan of a whole image fast.
    let mut first = vec![false; 1 << 16];
    for w in &windows {
        first[usize::from(w[0]) << 8 | usize::from(w[1])] = true;
    }
    let mut found = std::collections::HashSet::new();
    for i in 0..haystack.len().saturating_sub(WINDOW - 1) {
        if first[usize::from(haystack[i]) << 8 | usize::from(haystack[i + 1])] {
            let w = &haystack[i..i + WINDOW];
            if windows.contains(w) {
                found.insert(w);
            }
        }
    }
    found.len()
}

fn vigil(vault: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
    cmd.env("VIGIL_PASSPHRASE", PASSPHRASE)
        .arg("--vault")
        .arg(vault)
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

#[test]
fn after_a_wipe_the_raw_disk_holds_no_piece_of_the_wrapped_key_or_the_device_secret() {
    if !Process::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
    {
        eprintln!("skipped: needs root to make and mount a file-system image");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("disk.img");
    let mount = dir.path().join("mnt");
    let mut guard = match mount_image(&image, &mount) {
        Ok(g) => g,
        Err(reason) => {
            eprintln!("skipped: could not mount an ext4 image: {reason}");
            return;
        }
    };
    let vault = mount.join("vault.db");
    vigil(&vault)
        .args(["init", "--kdf-iterations", "100000"])
        .assert()
        .success();
    for (client, at) in [
        ("Tom", "2026-11-28T20:00:00Z"),
        ("Sam", "2026-11-29T21:00:00Z"),
        ("Alex", "2026-11-30T19:30:00Z"),
    ] {
        vigil(&vault)
            .args(["booking", "add", "--client", client, "--at", at])
            .assert()
            .success();
    }
    let mut slot_file = vault.as_os_str().to_owned();
    slot_file.push("-keys");
    let slots = std::fs::read(&slot_file).unwrap();
    let real_slot = slots[SLOT_FILE_HEADER..SLOT_FILE_HEADER + WRAPPED_LEN].to_vec();
    let mut device = vault.as_os_str().to_owned();
    device.push(".device");
    let device_secret = std::fs::read(&device).unwrap();
    assert_eq!(device_secret.len(), 32);

    // Control: on the disk before the wipe, both are there to be found.
    run(&mut Process::new("sync")).unwrap();
    let before = std::fs::read(&image).unwrap();
    let slot_windows = WRAPPED_LEN - WINDOW + 1;
    let device_windows = 32 - WINDOW + 1;
    assert_eq!(windows_found(&before, &real_slot), slot_windows);
    assert_eq!(windows_found(&before, &device_secret), device_windows);
    drop(before);

    vigil(&vault).args(["wipe", "--yes"]).assert().success();
    guard.unmount();
    assert!(!guard.mounted, "umount failed");
    drop(guard);

    let after = std::fs::read(&image).unwrap();
    let slot_left = windows_found(&after, &real_slot);
    let device_left = windows_found(&after, &device_secret);
    eprintln!(
        "raw image after the wipe: {slot_left}/{slot_windows} windows of the real slot, \
         {device_left}/{device_windows} of the device secret"
    );
    assert_eq!(
        slot_left, 0,
        "pieces of the wrapped vault key survived the wipe"
    );
    assert_eq!(
        device_left, 0,
        "pieces of the device secret survived the wipe"
    );
}
