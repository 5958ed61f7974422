use std::collections::HashMap;

#[derive(Copy, Clone, Debug, Eq, PartialEq, Hash, Default)]
#[cfg_attr(feature = "ser", derive(serde::Deserialize, serde::Serialize))]
pub enum DictionaryType {
    #[default]
    Passwords,
    English,
    FemaleNames,
    MaleNames,
    Surnames,
    UsTvAndFilm,
    UserInputs,
}

/// The six ranked word lists, deflated at build time from `data/frequency_lists.txt` by
/// `build.rs` (Vigil's patch: 793 KB of text would otherwise sit in every phone's copy of
/// the library; deflated it is about 390 KB, and it is inflated once, on first use).
static COMPRESSED_LISTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/frequency_lists.deflate"));

/// The lists' text, inflated once and kept for the life of the process (the dictionaries
/// below borrow their words from it, as they borrowed from string constants before).
fn lists_text() -> &'static str {
    use std::io::Read;
    let mut text = String::with_capacity(800_000);
    flate2::read::DeflateDecoder::new(COMPRESSED_LISTS)
        .read_to_string(&mut text)
        .expect("the word lists were deflated by build.rs from UTF-8 text");
    Box::leak(text.into_boxed_str())
}

lazy_static! {
    pub(crate) static ref RANKED_DICTIONARIES: HashMap<DictionaryType, HashMap<&'static str, usize>> = {
        let mut dicts = HashMap::with_capacity(6);
        for line in lists_text().lines() {
            let (name, words) = line.split_once('\t').expect("a list is NAME<tab>words");
            let dictionary = match name {
                "PASSWORDS" => DictionaryType::Passwords,
                "ENGLISH_WIKI" => DictionaryType::English,
                "FEMALE_NAMES" => DictionaryType::FemaleNames,
                "MALE_NAMES" => DictionaryType::MaleNames,
                "SURNAMES" => DictionaryType::Surnames,
                "US_TV_AND_FILM" => DictionaryType::UsTvAndFilm,
                _ => unreachable!("unknown word list {}", name),
            };
            dicts.insert(
                dictionary,
                words
                    .split(',')
                    .enumerate()
                    .map(|(i, x)| (x, i + 1))
                    .collect(),
            );
        }
        dicts
    };
}
