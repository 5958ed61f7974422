//! The decoy's content and upkeep: the part of the duress layer that decides what a decoy
//! vault holds. The vault only makes, empties and seals the decoy's file
//! (`vault::decoy`), and calls [`Layer`] (through `DURESS_LAYER` in `lib.rs`) to fill it.
//!
//! What a decoy holds: a few ordinary appointments in the worker's language, the worker's
//! settings (region, languages), and the everyday part of the directory (pharmacies, GPs,
//! A&E) under neutral publisher names. Nothing about clients.
//!
//! The appointments are the vault's own: they come from a seed derived from the decoy's
//! key ([`Session::stable_seed`]), so two vaults differ, and one vault's decoy shows the
//! same people and places each time it is refilled (only the dates follow `now`).

use chrono::{Duration, DurationRound};

use crate::bookings::{Booking, BookingDraft, BookingKind, BookingStatus};
use crate::checkin::EscalationKey;
use crate::clock::Timestamp;
use crate::directory::{Category, DirectoryContent, Service};
use crate::settings;
use crate::vault::{DuressLayer, DuressOptions, RecordId, Session};
use crate::{Error, Result};

/// Purpose label of the decoy content's seed (a subkey of the decoy's key).
const SEED_PURPOSE: &[u8] = b"vigil.decoy-content.v1";

/// The duress layer as the vault calls it (see `vault::DuressLayer`).
pub(crate) struct Layer;

impl DuressLayer for Layer {
    fn fill(&self, real: Option<&Session>, decoy: &Session, now: Timestamp) -> Result<()> {
        // The worker's region and languages, so the decoy reads as hers. Copied only when
        // she stored some: a decoy with a settings row where the real vault has none (its
        // export would show one) would differ from it. A decoy remade at a duress unlock
        // cannot read the real vault: it keeps the defaults.
        let stored = match real {
            Some(real) => settings::load_stored(real)?,
            None => None,
        };
        if let Some(s) = &stored {
            settings::store(decoy, s)?;
        }
        let worker = stored.unwrap_or_default();
        let locale = Locale::for_worker(worker.language(), &worker.region);
        let mut dice = Dice::from_seed(&decoy.stable_seed(SEED_PURPOSE));
        for mut booking in ordinary_bookings(locale, now, &mut dice) {
            booking.id = decoy.new_id()?;
            decoy.bookings().put_raw(&booking)?;
        }
        Ok(())
    }

    fn copy_from_real(&self, real: &Session, decoy: &Session, now: Timestamp) -> Result<()> {
        copy_everyday_services(real, decoy, now)
    }

    fn check_options(
        &self,
        real: &Session,
        options: DuressOptions,
        device_secret: Option<&[u8]>,
    ) -> Result<()> {
        if !options.alert_buddies {
            return Ok(());
        }
        let key =
            EscalationKey::from_device_secret(device_secret.ok_or(Error::DeviceSecretRequired)?)?;
        if !crate::checkin::duress_alert_prepared(real.conn(), &key)? {
            return Err(Error::invalid(
                "duress alert",
                "choose the buddies to alert first (prepare_duress_alert)",
            ));
        }
        Ok(())
    }
}

/// Keeps the decoy's services in step with the real directory, in every vault (with or
/// without a duress passphrase), so the decoy's size says nothing. The application layer
/// runs it after every directory import and restore; a caller that imports through a bare
/// [`Session`] (the tour, tests) runs it itself.
pub fn refresh_decoy_directory(real: &Session, now: Timestamp) -> Result<()> {
    let Some(decoy) = real.decoy_session()? else {
        return Ok(());
    };
    for publisher in decoy.feeds().publishers()?.items {
        decoy.feeds().remove(&publisher.name)?;
    }
    copy_everyday_services(real, &decoy, now)
}

/// Copies the real vault's stored settings into the decoy, so a decoy opened after the
/// worker changed her region or languages does not give itself away by the old ones. The
/// application layer runs it whenever settings are stored in the real vault (set or
/// restored). Never the reverse: from a decoy session there is no decoy to write to, and
/// settings changed there stay there.
pub fn mirror_settings(real: &Session) -> Result<()> {
    let Some(decoy) = real.decoy_session()? else {
        return Ok(());
    };
    if let Some(stored) = settings::load_stored(real)? {
        settings::store(&decoy, &stored)?;
    }
    Ok(())
}

/// Gives the decoy the everyday part of the real directory (pharmacies, GPs, A&E) under
/// neutral publisher names, so its "nearby services" works like a real one and shows
/// nothing that points to sex work.
fn copy_everyday_services(real: &Session, decoy: &Session, now: Timestamp) -> Result<()> {
    const EVERYDAY: [Category; 3] = [
        Category::Pharmacy,
        Category::GeneralPractice,
        Category::AccidentAndEmergency,
    ];
    let loaded = real.directory().load()?;
    let feeds = real.feeds();
    for (i, name) in loaded.index.publishers().enumerate() {
        let services: Vec<Service> = loaded
            .index
            .services()
            .filter(|(p, s)| *p == name && s.categories.iter().all(|c| EVERYDAY.contains(c)))
            .map(|(_, s)| s.clone())
            .collect();
        if services.is_empty() {
            continue;
        }
        let publisher = feeds.publisher(name)?;
        let Some(key) = publisher.keys.last() else {
            continue;
        };
        let neutral = format!("Local health services {}", i + 1);
        let pinned = decoy.feeds().trust(&neutral, key.key, now)?;
        let time_zone = loaded.index.time_zone_of(name).unwrap_or("Europe/London");
        decoy.directory().store_services(
            decoy.conn(),
            pinned.id,
            &neutral,
            1,
            &DirectoryContent::new(time_zone, services),
        )?;
    }
    Ok(())
}

/// Varied, not secret, choices for the decoy: SplitMix64.
struct Dice(u64);

impl Dice {
    fn from_seed(seed: &[u8; 32]) -> Self {
        let mut first = [0u8; 8];
        first.copy_from_slice(&seed[..8]);
        Self(u64::from_le_bytes(first))
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

    /// One of `items`.
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.between(0, items.len() as i64 - 1) as usize]
    }
}

/// An everyday appointment a person might keep in a diary: its label (`{friend}`,
/// `{stylist}`, `{parent}`, `{grandparent}` are filled in per vault), minutes, kind, and
/// earliest and latest start hour.
type Entry = (&'static str, i64, BookingKind, i64, i64);

/// Appointments and names that read naturally in one language and region.
struct Locale {
    entries: &'static [Entry],
    friends: &'static [&'static str],
    stylists: &'static [&'static str],
    parent: &'static str,
    grandparent: &'static str,
}

const O: BookingKind = BookingKind::Other;
const V: BookingKind = BookingKind::Video;

const EN_GB: Locale = Locale {
    entries: &[
        ("Dentist check-up", 30, O, 9, 16),
        ("Haircut with {stylist}", 45, O, 10, 17),
        ("Video call - {parent}", 60, V, 18, 20),
        ("Gym induction", 60, O, 17, 19),
        ("Coffee with {friend}", 60, O, 10, 15),
        ("Optician", 30, O, 9, 16),
        ("Physio", 45, O, 9, 17),
        ("Nails", 60, O, 11, 17),
        ("Bank appointment", 30, O, 10, 15),
        ("Yoga class", 60, O, 18, 19),
        ("Video call - {grandparent}", 30, V, 15, 19),
        ("GP appointment", 15, O, 9, 16),
        ("Lunch with {friend}", 60, O, 12, 13),
        ("Driving lesson", 60, O, 9, 17),
    ],
    friends: &[
        "Sam", "Jo", "Becky", "Hannah", "Gemma", "Laura", "Amy", "Katie", "Sophie", "Jess",
        "Ellie", "Tom", "Dan", "Chris", "Megan", "Rachel",
    ],
    stylists: &["Jo", "Kerry", "Dani", "Leanne", "Mel", "Nikki", "Stacey"],
    parent: "Mum",
    grandparent: "Gran",
};

const EN_US: Locale = Locale {
    entries: &[
        ("Dentist cleaning", 30, O, 9, 16),
        ("Haircut with {stylist}", 45, O, 10, 17),
        ("Video call - {parent}", 60, V, 18, 20),
        ("Gym orientation", 60, O, 17, 19),
        ("Coffee with {friend}", 60, O, 10, 15),
        ("Eye exam", 30, O, 9, 16),
        ("Physical therapy", 45, O, 9, 17),
        ("Nails", 60, O, 11, 17),
        ("Bank appointment", 30, O, 10, 15),
        ("Yoga class", 60, O, 18, 19),
        ("Video call - {grandparent}", 30, V, 15, 19),
        ("Doctor's appointment", 15, O, 9, 16),
        ("Lunch with {friend}", 60, O, 12, 13),
        ("Car service", 60, O, 9, 17),
    ],
    friends: &[
        "Ashley", "Jessica", "Megan", "Sam", "Kayla", "Taylor", "Lauren", "Nicole", "Amanda",
        "Mike", "Chris", "Brianna", "Jordan", "Alexis",
    ],
    stylists: &["Tiffany", "Crystal", "Dani", "Jen", "Kim", "Maria"],
    parent: "Mom",
    grandparent: "Grandma",
};

const ES: Locale = Locale {
    entries: &[
        ("Revisión en el dentista", 30, O, 9, 16),
        ("Peluquería con {stylist}", 45, O, 10, 17),
        ("Videollamada con {parent}", 60, V, 18, 20),
        ("Gimnasio", 60, O, 17, 19),
        ("Café con {friend}", 60, O, 10, 15),
        ("Óptica", 30, O, 9, 16),
        ("Fisio", 45, O, 9, 17),
        ("Uñas", 60, O, 11, 17),
        ("Cita en el banco", 30, O, 10, 15),
        ("Clase de yoga", 60, O, 18, 19),
        ("Videollamada con {grandparent}", 30, V, 15, 19),
        ("Médico de cabecera", 15, O, 9, 16),
        ("Comida con {friend}", 60, O, 12, 13),
        ("Autoescuela", 60, O, 9, 17),
    ],
    friends: &[
        "Lucía", "Carmen", "Marta", "Paula", "Elena", "Sara", "Laura", "Ana", "Javi", "Dani",
        "Pablo", "Sergio", "Irene", "Cris",
    ],
    stylists: &["Rocío", "Maite", "Pili", "Nuria", "Vane"],
    parent: "mamá",
    grandparent: "la abuela",
};

const FR: Locale = Locale {
    entries: &[
        ("Contrôle chez le dentiste", 30, O, 9, 16),
        ("Coiffeur avec {stylist}", 45, O, 10, 17),
        ("Appel vidéo avec {parent}", 60, V, 18, 20),
        ("Salle de sport", 60, O, 17, 19),
        ("Café avec {friend}", 60, O, 10, 15),
        ("Opticien", 30, O, 9, 16),
        ("Kiné", 45, O, 9, 17),
        ("Ongles", 60, O, 11, 17),
        ("Rendez-vous à la banque", 30, O, 10, 15),
        ("Cours de yoga", 60, O, 18, 19),
        ("Appel vidéo avec {grandparent}", 30, V, 15, 19),
        ("Médecin traitant", 15, O, 9, 16),
        ("Déjeuner avec {friend}", 60, O, 12, 13),
        ("Leçon de conduite", 60, O, 9, 17),
    ],
    friends: &[
        "Camille", "Léa", "Manon", "Chloé", "Julie", "Inès", "Sarah", "Lucas", "Hugo", "Théo",
        "Nina", "Emma", "Clara", "Mathilde",
    ],
    stylists: &["Sandrine", "Nathalie", "Karine", "Sylvie", "Aurélie"],
    parent: "maman",
    grandparent: "mamie",
};

impl Locale {
    /// The worker's first language decides; English follows the region (American usage
    /// in the US and Canada, British elsewhere). A language without its own list falls
    /// back to English.
    fn for_worker(language: &str, region: &str) -> &'static Locale {
        let primary = language
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "es" => &ES,
            "fr" => &FR,
            _ if matches!(region.to_ascii_uppercase().as_str(), "US" | "CA") => &EN_US,
            _ => &EN_GB,
        }
    }
}

/// Ordinary bookings around `now`, made the way a person enters them: starts on a
/// quarter hour, whole minutes; each entered on its own earlier day at an ordinary hour
/// (seconds and milliseconds as a clock gives them), never after `now`. Past ones are
/// marked done some time after they ended. The entries and names come first from `dice`,
/// so a vault's seed gives the same ones whatever `now` is.
fn ordinary_bookings(locale: &Locale, now: Timestamp, dice: &mut Dice) -> Vec<Booking> {
    // Who this person's diary is about: three friends and a hairdresser.
    let mut friends: Vec<&str> = Vec::new();
    while friends.len() < 3 {
        let name = dice.pick(locale.friends);
        if !friends.contains(&name) {
            friends.push(name);
        }
    }
    let stylist = dice.pick(locale.stylists);
    // Five appointments on distinct days: three past and two coming.
    let mut pool: Vec<usize> = (0..locale.entries.len()).collect();
    let picks: Vec<usize> = (0..5)
        .map(|_| pool.remove(dice.between(0, pool.len() as i64 - 1) as usize))
        .collect();
    let mut next_friend = friends.iter().cycle();
    let labels: Vec<String> = picks
        .iter()
        .map(|&i| {
            let mut label = locale.entries[i]
                .0
                .replace("{stylist}", stylist)
                .replace("{parent}", locale.parent)
                .replace("{grandparent}", locale.grandparent);
            if label.contains("{friend}") {
                label = label.replace("{friend}", next_friend.next().copied().unwrap_or("Sam"));
            }
            label
        })
        .collect();

    let midnight = now
        .duration_trunc(Duration::days(1))
        .unwrap_or(now - Duration::seconds(now.timestamp().rem_euclid(86_400)));
    let mut days: Vec<i64> = Vec::new();
    let mut out = Vec::new();
    for (n, (&pick, label)) in picks.iter().zip(labels).enumerate() {
        let past = n < 3;
        let (lo, hi) = if past { (-14, -1) } else { (1, 10) };
        let (_, minutes, kind, first_hour, last_hour) = locale.entries[pick];
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
        let mut details = BookingDraft::new(&label, starts_at, minutes, kind);
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
    crate::sort::sort_by_key(&mut out, |b| b.created_at);
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Timelike, Utc};

    use super::*;

    fn labels(locale: &Locale, now: Timestamp, seed: u64) -> Vec<String> {
        let mut l: Vec<String> = ordinary_bookings(locale, now, &mut Dice(seed))
            .into_iter()
            .map(|b| b.details.client.label)
            .collect();
        l.sort();
        l
    }

    #[test]
    fn generated_bookings_look_entered_by_a_person_for_many_seeds_and_locales() {
        // A clock with seconds and sub-seconds, at an awkward time of day.
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 7, 41).unwrap() + Duration::milliseconds(670);
        for locale in [&EN_GB, &EN_US, &ES, &FR] {
            for seed in 0..300 {
                let bookings = ordinary_bookings(locale, now, &mut Dice(seed));
                assert_eq!(bookings.len(), 5);
                let mut labels: Vec<_> = bookings.iter().map(|b| &b.details.client.label).collect();
                labels.sort();
                labels.dedup();
                assert_eq!(labels.len(), 5, "no appointment twice");
                assert!(labels.iter().all(|l| !l.contains('{')), "{labels:?}");
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

    #[test]
    fn a_seed_gives_the_same_entries_at_any_time_and_seeds_differ() {
        let a = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        let b = Utc.with_ymd_and_hms(2026, 7, 19, 22, 30, 5).unwrap();
        assert_eq!(labels(&EN_GB, a, 42), labels(&EN_GB, b, 42));
        let distinct: std::collections::BTreeSet<Vec<String>> =
            (0..50).map(|seed| labels(&EN_GB, a, seed)).collect();
        assert!(distinct.len() > 40, "{}", distinct.len());
    }

    #[test]
    fn the_locale_follows_language_then_region_and_falls_back_to_english() {
        let pick = |lang, region| Locale::for_worker(lang, region).parent;
        assert_eq!(pick("en", "GB"), "Mum");
        assert_eq!(pick("en-US", "US"), "Mom");
        assert_eq!(pick("en", "CA"), "Mom");
        assert_eq!(pick("es", "GB"), "mamá");
        assert_eq!(pick("fr-BE", "BE"), "maman");
        // A language without its own list: English, by region.
        assert_eq!(pick("ro", "RO"), "Mum");
        assert_eq!(pick("pt-BR", "US"), "Mom");
    }
}
