//! The decoy vault opened by the duress passphrase.
//!
//! It lives in the auxiliary database beside the main file, which *every* vault has from
//! creation, filled with the same ordinary-looking content: sealed under a throw-away key
//! when no duress passphrase is set, under the key wrapped in the duress slot when one is.
//! Same files, same sizes, same header either way.

use std::path::Path;

use chrono::{Duration, DurationRound};
use ring::rand::SecureRandom;
use rusqlite::Connection;

use super::{keys::KEY_LEN, storage, RecordId, SecretKey, Session};
use crate::bookings::{Booking, BookingDraft, BookingKind, BookingStatus};
use crate::clock::Timestamp;
use crate::{Error, Result};

/// Varied, not secret, choices for the decoy: SplitMix64 seeded from the system RNG.
struct Dice(u64);

impl Dice {
    fn new(rng: &dyn SecureRandom) -> Result<Self> {
        let mut seed = [0u8; 8];
        rng.fill(&mut seed).map_err(|_| Error::Random)?;
        Ok(Self(u64::from_le_bytes(seed)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// Everyday appointments a person might keep in a diary: (label, minutes, kind, earliest
/// and latest start hour).
const ORDINARY: &[(&str, i64, BookingKind, i64, i64)] = &[
    ("Dentist check-up", 30, BookingKind::Other, 9, 16),
    ("Haircut with Jo", 45, BookingKind::Other, 10, 17),
    ("Video call - Mum", 60, BookingKind::Video, 18, 20),
    ("Gym induction", 60, BookingKind::Other, 17, 19),
    ("Coffee with Sam", 60, BookingKind::Other, 10, 15),
    ("Optician", 30, BookingKind::Other, 9, 16),
    ("Physio", 45, BookingKind::Other, 9, 17),
    ("Nails", 60, BookingKind::Other, 11, 17),
    ("Bank appointment", 30, BookingKind::Other, 10, 15),
    ("Yoga class", 60, BookingKind::Other, 18, 19),
    ("Video call - Gran", 30, BookingKind::Video, 15, 19),
];

/// Ordinary bookings around `now`, made the way a person enters them: starts on a
/// quarter hour, whole minutes; each entered on its own earlier day at an ordinary hour
/// (seconds and milliseconds as a clock gives them), never after `now`. Past ones are
/// marked done some time after they ended. Nothing about clients.
fn ordinary_bookings(now: Timestamp, dice: &mut Dice) -> Vec<Booking> {
    let midnight = now
        .duration_trunc(Duration::days(1))
        .unwrap_or(now - Duration::seconds(now.timestamp().rem_euclid(86_400)));
    // Three past and two coming appointments, on distinct days.
    let mut pool: Vec<usize> = (0..ORDINARY.len()).collect();
    let mut days: Vec<i64> = Vec::new();
    let mut out = Vec::new();
    for (past, (lo, hi)) in [(true, (-14, -1)), (true, (-14, -1)), (true, (-14, -1))]
        .into_iter()
        .chain([(false, (1, 10)), (false, (1, 10))])
    {
        let pick = pool.remove(dice.between(0, pool.len() as i64 - 1) as usize);
        let (label, minutes, kind, first_hour, last_hour) = ORDINARY[pick];
        let mut day = dice.between(lo, hi);
        while days.contains(&day) {
            day = if day == hi { lo } else { day + 1 };
        }
        days.push(day);
        let starts_at = midnight
            + Duration::days(day)
            + Duration::hours(dice.between(first_hour, last_hour))
            + Duration::minutes(15 * dice.between(0, 3));
        // Entered one to ten days before, on an earlier day than today, between 08:00
        // and 22:59.
        let entered_day = midnight + Duration::days((day - dice.between(1, 10)).min(-1));
        let mut created_at = entered_day
            + Duration::hours(dice.between(8, 22))
            + Duration::minutes(dice.between(0, 59))
            + Duration::seconds(dice.between(0, 59))
            + Duration::milliseconds(dice.between(0, 999));
        while out.iter().any(|b: &Booking| b.created_at == created_at) {
            created_at += Duration::seconds(1);
        }
        let mut details = BookingDraft::new(label, starts_at, minutes, kind);
        let mut updated_at = created_at;
        if past {
            details.status = BookingStatus::Done;
            let ended = starts_at + Duration::minutes(minutes);
            let marked = ended
                + Duration::minutes(dice.between(5, 300))
                + Duration::seconds(dice.between(0, 59))
                + Duration::milliseconds(dice.between(0, 999));
            updated_at = marked.min(now).max(created_at);
        }
        out.push(Booking {
            id: RecordId::from_bytes([0; 16]),
            details,
            created_at,
            updated_at,
        });
    }
    // In the order they were entered, as a diary fills.
    out.sort_by_key(|b| b.created_at);
    out
}

/// Creates the auxiliary database with decoy content sealed under the session's key
/// (at vault creation, or when the file has gone missing or is damaged).
pub(crate) fn create(
    main_path: &Path,
    session_for: impl FnOnce(Connection) -> Session,
    now: Timestamp,
) -> Result<Session> {
    let aux = storage::aux_path(main_path);
    remove(main_path)?;
    let conn = storage::connect(&aux, true)?;
    super::schema::upgrade(&conn)?;
    let session = session_for(conn);
    refill(&session, now)?;
    Ok(session)
}

/// Refills the existing auxiliary database in place (see [`refill`]); makes it afresh
/// only when it is missing or damaged.
pub(crate) fn refresh(
    main_path: &Path,
    session_for: impl FnOnce(Connection) -> Session,
    now: Timestamp,
) -> Result<Session> {
    match storage::connect(&storage::aux_path(main_path), false) {
        Ok(conn) => {
            super::schema::upgrade(&conn)?;
            let session = session_for(conn);
            refill(&session, now)?;
            Ok(session)
        }
        Err(Error::VaultNotFound | Error::CorruptHeader(_)) => create(main_path, session_for, now),
        Err(e) => Err(e),
    }
}

/// Replaces everything in the decoy with fresh ordinary content, in place: one
/// transaction on the existing file (same inode, same mode, same birth time), then a
/// checkpoint so nothing of the old content stays in the WAL.
pub(crate) fn refill(decoy: &Session, now: Timestamp) -> Result<()> {
    let mut dice = Dice::new(decoy.rng())?;
    let conn = decoy.conn();
    let tx = conn.unchecked_transaction()?;
    let tables: Vec<String> = tx
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in &tables {
        // Names come from the schema itself, not from input.
        tx.execute(&format!("DELETE FROM \"{table}\""), [])?;
    }
    for mut booking in ordinary_bookings(now, &mut dice) {
        booking.id = decoy.new_id()?;
        decoy.bookings().put_raw(&booking)?;
    }
    tx.commit()?;
    decoy.checkpoint()
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

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Timelike, Utc};

    use super::*;

    #[test]
    fn generated_bookings_look_entered_by_a_person_for_many_seeds() {
        // A clock with seconds and sub-seconds, at an awkward time of day.
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 7, 41).unwrap() + Duration::milliseconds(670);
        for seed in 0..500 {
            let bookings = ordinary_bookings(now, &mut Dice(seed));
            assert_eq!(bookings.len(), 5);
            let mut labels: Vec<_> = bookings.iter().map(|b| &b.details.client.label).collect();
            labels.sort();
            labels.dedup();
            assert_eq!(labels.len(), 5, "no appointment twice");
            let mut created: Vec<_> = bookings.iter().map(|b| b.created_at).collect();
            created.sort();
            created.dedup();
            assert_eq!(created.len(), 5, "distinct created_at (seed {seed})");
            for b in &bookings {
                b.details.validate().unwrap();
                let s = b.details.starts_at;
                assert_eq!((s.second(), s.nanosecond(), s.minute() % 15), (0, 0, 0));
                assert!((9..=20).contains(&s.hour()), "{s}");
                assert!(b.created_at < s && b.created_at.date_naive() < now.date_naive());
                assert!((8..=23).contains(&b.created_at.hour()), "{}", b.created_at);
                assert!(b.updated_at >= b.created_at && b.updated_at <= now);
                let past = s < now;
                assert_eq!(past, b.details.status == BookingStatus::Done, "{s}");
            }
        }
    }
}
