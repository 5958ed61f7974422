//! Buddy phone numbers to E.164.
//!
//! Deliberately small and private: the general identifier normalization lives with
//! screening; this only makes sure a buddy's number can be dialled from anywhere.

use phonenumber::{country, Mode};

use crate::{Error, Result};

/// Parses `input` (national or international form) with `default_region` (ISO 3166
/// alpha-2, e.g. "GB") for national numbers, and returns it in E.164 (`+447400123456`).
pub(crate) fn to_e164(input: &str, default_region: &str) -> Result<String> {
    let region: country::Id = default_region
        .trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| Error::invalid("region", "unknown region code"))?;
    let input = input.trim();
    if input.is_empty() {
        return Err(Error::invalid("phone", "must not be empty"));
    }
    let number = phonenumber::parse(Some(region), input)
        .map_err(|_| Error::invalid("phone", "not a phone number"))?;
    if !number.is_valid() {
        return Err(Error::invalid("phone", "not a valid number for its region"));
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_and_international_forms_agree() {
        assert_eq!(to_e164("07400 123456", "GB").unwrap(), "+447400123456");
        assert_eq!(to_e164("+44 7400 123456", "gb").unwrap(), "+447400123456");
        assert_eq!(to_e164("0044 7400 123456", "GB").unwrap(), "+447400123456");
        // An international number keeps its own country whatever the default region.
        assert_eq!(to_e164("+40 721 234 567", "GB").unwrap(), "+40721234567");
        assert_eq!(to_e164("0721 234 567", "RO").unwrap(), "+40721234567");
    }

    #[test]
    fn junk_is_refused_with_a_clear_error() {
        for bad in ["", "   ", "hello", "123"] {
            assert!(
                matches!(
                    to_e164(bad, "GB"),
                    Err(Error::InvalidInput { field: "phone", .. })
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            to_e164("07400 123456", "ZZ"),
            Err(Error::InvalidInput {
                field: "region",
                ..
            })
        ));
    }
}
