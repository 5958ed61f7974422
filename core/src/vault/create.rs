//! Creating a vault: the main file, its slot file and its auxiliary (decoy) database, built
//! under a temporary name and renamed into place last.

use std::path::Path;

use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::params;

use super::keys::{KdfParams, RandomPool, SALT_LEN};
use super::slots::{self, KEY_SLOTS, REAL_SLOT};
use super::unlock::remove_files;
use super::{
    decoy, guard, storage, DuressOptions, Realm, SecretKey, Session, Vault, VaultOptions,
    FORMAT_VERSION, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS,
};
use crate::{Error, Result};

impl Vault {
    /// Creates a new vault (the main file, its slot file and its auxiliary database) and
    /// returns an unlocked session on it.
    ///
    /// Atomic: every file is built under a temporary name and the main file gets its name
    /// last, so an interrupted creation never leaves something that looks like a vault;
    /// its leftovers are cleared by the next creation (or a wipe).
    pub fn create(
        path: impl AsRef<Path>,
        passphrase: &str,
        options: &VaultOptions,
    ) -> Result<Session> {
        let path = path.as_ref().to_path_buf();
        if passphrase.is_empty() {
            return Err(Error::invalid("passphrase", "must not be empty"));
        }
        if options.kdf_iterations < MIN_KDF_ITERATIONS {
            return Err(Error::WeakKdf);
        }
        if options.kdf_iterations > MAX_KDF_ITERATIONS {
            return Err(Error::invalid(
                "kdf iterations",
                "above the allowed maximum (MAX_KDF_ITERATIONS)",
            ));
        }
        if matches!(&options.device_secret, Some(s) if s.is_empty()) {
            return Err(Error::DeviceSecretRequired);
        }
        if path.exists() {
            return Err(Error::VaultExists);
        }
        // No main file, so whatever else is there is the rest of an interrupted creation
        // or wipe: none of it belongs to a vault.
        clear_leftovers(&path)?;
        let rng = SystemRandom::new();
        let mut salt = [0u8; SALT_LEN];
        rng.fill(&mut salt).map_err(|_| Error::Random)?;
        let kdf = KdfParams {
            iterations: options.kdf_iterations,
            salt,
            device_bound: options.device_secret.is_some(),
        };
        let kek = kdf.derive_kek(passphrase, options.device_secret.as_deref())?;
        let vault_key = SecretKey::random(&rng)?;
        let building = storage::creating_path(&path);

        let result = (|| {
            let pool = RandomPool::new();
            // A device-bound vault gets its counter row below, and says so in its slot.
            let flags = if kdf.device_bound {
                slots::FLAG_GUARDED
            } else {
                0
            };
            let wrapped = (0..KEY_SLOTS)
                .map(|slot| {
                    if slot == REAL_SLOT {
                        slots::wrap(&kek.sealing_key(), &pool, &kdf, slot, flags, &vault_key)
                    } else {
                        slots::random_filler(&rng)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            slots::create_file(&building, &wrapped)?;
            let conn = storage::connect(&building, true)?;
            super::schema::create_latest(&conn)?;
            conn.execute(
                "INSERT INTO vault_header (id, format, kdf_iterations, kdf_salt, device_bound)
                 VALUES (1, ?1, ?2, ?3, ?4)",
                params![
                    FORMAT_VERSION,
                    kdf.iterations,
                    &kdf.salt[..],
                    kdf.device_bound
                ],
            )?;
            // Presence of the attempt counter is authenticated from the start: a device-bound
            // vault always has a sealed ("no limit") row, so a deleted one fails closed.
            if let Some(secret) = options.device_secret.as_deref() {
                guard::install(&conn, &kdf, secret)?;
            }
            // The decoy database exists in every vault. Its key is kept sealed under the real
            // key (and wrapped in the duress slot only once a duress passphrase is set).
            // Its dates are relative to creation; the wall clock is good enough for them.
            let decoy_key = SecretKey::random(&rng)?;
            let real = Session::new(
                conn,
                building.clone(),
                vault_key.clone(),
                kdf.clone(),
                Realm::Real,
            );
            decoy::store_key(&real, &decoy_key)?;
            real.checkpoint()?;
            let decoy = decoy::create(
                &building,
                |c| {
                    Session::new(
                        c,
                        building.clone(),
                        decoy_key,
                        kdf.clone(),
                        Realm::Decoy(DuressOptions::default()),
                    )
                },
                Some(&real),
                chrono::Utc::now(),
            )?;
            // Closing the last connection folds the WAL into the file and removes it, so
            // the files can be renamed.
            drop(decoy);
            drop(real);
            finish_creation(&building, &path)?;
            // SQLite's shared-memory file, if it outlived the connection.
            remove_files(&building)?;
            let conn = storage::connect(&path, false)?;
            Ok(Session::new(
                conn,
                path.clone(),
                vault_key.clone(),
                kdf.clone(),
                Realm::Real,
            ))
        })();
        match result {
            Ok(real) => Ok(real),
            Err(e) => {
                // Leave nothing half-made behind.
                let _ = clear_leftovers(&path);
                let _ = Vault::wipe(&path);
                Err(e)
            }
        }
    }
}

/// Gives the files built under the temporary name their real names, the main file last,
/// and makes the renames durable.
fn finish_creation(building: &Path, path: &Path) -> Result<()> {
    for suffix in ["-wal", "-journal", "-aux-wal", "-aux-journal"] {
        let mut name = building.as_os_str().to_owned();
        name.push(suffix);
        if Path::new(&name).exists() {
            return Err(Error::CorruptHeader(
                "the new vault's database was not closed cleanly",
            ));
        }
    }
    let renamed = |suffix: &str| {
        let (mut from, mut to) = (building.as_os_str().to_owned(), path.as_os_str().to_owned());
        from.push(suffix);
        to.push(suffix);
        std::fs::rename(from, to)
    };
    renamed(storage::SLOTS_SUFFIX)?;
    renamed(storage::AUX_SUFFIX)?;
    renamed("")?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Best effort: not every platform can open a directory to sync it.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Clears what an interrupted creation or wipe left beside a vault path that has no main
/// file: the slot files are shredded, the rest removed.
fn clear_leftovers(path: &Path) -> Result<()> {
    let building = storage::creating_path(path);
    slots::shred_file(&building)?;
    remove_files(&building)?;
    slots::shred_file(path)?;
    for file in storage::companion_files(path) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
