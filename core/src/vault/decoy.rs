//! The decoy vault opened by the duress passphrase.
//!
//! It lives in the auxiliary database beside the main file, which *every* vault has from
//! creation, filled with the same ordinary-looking content: sealed under a throw-away key
//! when no duress passphrase is set, under the key wrapped in the duress slot when one is.
//! Same files, same sizes, same header either way.

use std::path::Path;

use chrono::Duration;
use rusqlite::Connection;

use super::{keys::KEY_LEN, storage, RecordId, SecretKey, Session};
use crate::bookings::{BookingDraft, BookingKind, BookingStatus};
use crate::clock::Timestamp;
use crate::Result;

/// Ordinary bookings, relative to when the decoy is made: nothing about clients.
fn ordinary_bookings(now: Timestamp) -> Vec<BookingDraft> {
    let day = |d: i64, h: i64| {
        let midnight = now - Duration::seconds(now.timestamp().rem_euclid(86_400));
        midnight + Duration::days(d) + Duration::hours(h)
    };
    let entry = |label: &str, at: Timestamp, minutes: i64, kind: BookingKind, done: bool| {
        let mut d = BookingDraft::new(label, at, minutes, kind);
        if done {
            d.status = BookingStatus::Done;
        }
        d
    };
    vec![
        entry(
            "Dentist check-up",
            day(-9, 10),
            30,
            BookingKind::Other,
            true,
        ),
        entry("Haircut with Jo", day(-4, 15), 45, BookingKind::Other, true),
        entry(
            "Video call - Mum",
            day(-2, 19),
            60,
            BookingKind::Video,
            true,
        ),
        entry("Gym induction", day(1, 18), 60, BookingKind::Other, false),
        entry("Coffee with Sam", day(3, 11), 60, BookingKind::Other, false),
    ]
}

/// (Re)creates the auxiliary database with decoy content sealed under `key`.
pub(crate) fn create(
    main_path: &Path,
    session_for: impl FnOnce(Connection) -> Session,
    now: Timestamp,
) -> Result<Session> {
    let aux = storage::aux_path(main_path);
    remove(main_path)?;
    let conn = storage::connect(&aux, true)?;
    storage::migrate_to(&conn, storage::latest_version())?;
    let session = session_for(conn);
    session.bookings().add_many(ordinary_bookings(now), now)?;
    session.checkpoint()?;
    Ok(session)
}

pub(crate) fn remove(main_path: &Path) -> Result<()> {
    let aux = storage::aux_path(main_path);
    for file in std::iter::once(aux.clone()).chain(["-wal", "-shm", "-journal"].iter().map(|s| {
        let mut n = aux.as_os_str().to_owned();
        n.push(s);
        n.into()
    })) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

const KEY_TABLE: &str = "decoy_key";

fn key_row() -> RecordId {
    RecordId::from_bytes([0; 16])
}

/// Seals the decoy key into the real vault.
pub(crate) fn store_key(real: &Session, key: &SecretKey) -> Result<()> {
    let body = real.seal(KEY_TABLE, &key_row(), &hex::encode(key.as_bytes()))?;
    real.conn().execute(
        "INSERT INTO decoy_key (id, body) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        rusqlite::params![key_row(), body],
    )?;
    Ok(())
}

pub(crate) fn load_key(real: &Session) -> Result<Option<SecretKey>> {
    use rusqlite::OptionalExtension;
    let Some(body) = real
        .conn()
        .query_row(
            "SELECT body FROM decoy_key WHERE id = ?1",
            [key_row()],
            |r| r.get::<_, super::SealedBody>(0).map(|b| b.0),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let text: zeroize::Zeroizing<String> =
        zeroize::Zeroizing::new(real.open(KEY_TABLE, &key_row(), &body)?);
    let mut bytes = [0u8; KEY_LEN];
    hex::decode_to_slice(text.as_bytes(), &mut bytes)
        .map_err(|_| crate::Error::Decode("decoy key".into()))?;
    let key = SecretKey::from_bytes(bytes);
    zeroize::Zeroize::zeroize(&mut bytes);
    Ok(Some(key))
}
