//! The plaintext encoding inside a sealed record, chosen by the blob's format byte.
//!
//! Format 2 (written since schema version 12) is MessagePack through `rmp-serde`, with
//! structs as arrays of their field values: no field names in every row, enum variants by
//! name, and self-describing, so `untagged`, internally tagged and `flatten`ed types still
//! read back, and a field appended later with `#[serde(default)]` reads from older rows
//! (an array that ends early). Format 1 is the JSON every row had before; it stays
//! readable (through the MessagePack decoder: see [`decode`]), and the keyed step of
//! version 12 re-seals the bulk tables into format 2.
//! Measured against postcard and CBOR in `docs/PERFORMANCE.md` ("Sealed record encoding").
//!
//! A positional encoding has one trap: a field left out by `skip_serializing_if` would shift
//! every later field into the wrong place. Before encoding, [`SkipProbe`] walks the value;
//! if any field would be skipped, that value is written with field names (a MessagePack
//! map, read by the same decoder), so every serde type stays correct, only less compact.
//! Types that are sealed and also published as JSON use [`omit_none`] / [`omit_empty`] /
//! [`omit_false`] instead, which skip only outside the vault's encoding.
//!
//! What a sealed record type must not use: struct variants of an `untagged` enum (serde
//! reads them from named fields only; use newtype variants of structs, as `Alert::area`
//! does), and fields inserted anywhere but at the end (old rows would read shifted).
//! Variants are stored by name, so enums may be reordered. New record types get the
//! round-trip test of their table like every other (`tests/export_sections.rs`).

use std::cell::Cell;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::ser::{self, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::{Error, Result};

/// The record plaintext is JSON (rows written before schema version 12).
pub(crate) const FORMAT_JSON: u8 = 1;
/// The record plaintext is MessagePack (see the module comment).
pub(crate) const FORMAT_MSGPACK: u8 = 2;

thread_local! {
    /// Set while this thread encodes a record in format 2 (read by the `omit_*` predicates).
    static ENCODING_RECORD: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread as encoding a record until dropped (also on a panic).
struct RecordEncoding(bool);

impl RecordEncoding {
    fn start() -> Self {
        Self(ENCODING_RECORD.with(|c| c.replace(true)))
    }
}

impl Drop for RecordEncoding {
    fn drop(&mut self) {
        ENCODING_RECORD.with(|c| c.set(self.0));
    }
}

fn in_record() -> bool {
    ENCODING_RECORD.with(Cell::get)
}

/// `skip_serializing_if` for a type that is both sealed and published or exported as JSON:
/// leaves a `None` out of JSON, but writes it inside a sealed record, where the encoding is
/// positional.
pub(crate) fn omit_none<T>(v: &Option<T>) -> bool {
    v.is_none() && !in_record()
}

/// As [`omit_none`], for an empty list.
pub(crate) fn omit_empty<T>(v: &[T]) -> bool {
    v.is_empty() && !in_record()
}

/// As [`omit_none`], for `false`.
pub(crate) fn omit_false(v: &bool) -> bool {
    !*v && !in_record()
}

/// The format-2 encoding of `value`.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    if let Err(e) = encode_into(value, &mut out) {
        out.zeroize();
        return Err(e);
    }
    Ok(out)
}

/// Appends the format-2 encoding of `value` to `out` (the record path encodes straight into
/// the buffer it then seals in place). On an error `out` holds part of the plaintext: the
/// caller wipes it.
pub(crate) fn encode_into<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<()> {
    let _marked = RecordEncoding::start();
    let mut writer = WipingWriter(out);
    let encoded = if skips_fields(value) {
        rmp_serde::encode::write_named(&mut writer, value)
    } else {
        rmp_serde::encode::write(&mut writer, value)
    };
    // The message of a failed encoding can quote the value; keep none of it.
    encoded.map_err(|_| Error::Decode("record could not be encoded".into()))
}

/// Appends to a vector; when it must grow, the bytes move to a larger buffer and the old one
/// is wiped before it is freed (a plain `Vec` would leave each smaller copy of the record's
/// plaintext behind in freed memory). Grows by doubling from 256 bytes, so a reused buffer
/// soon stops growing at all.
struct WipingWriter<'a>(&'a mut Vec<u8>);

impl WipingWriter<'_> {
    /// Makes room for `more` bytes (the rare path, kept out of line).
    #[cold]
    #[inline(never)]
    fn grow(&mut self, more: usize) {
        let v = &mut *self.0;
        let want = (v.len() + more).max(2 * v.capacity()).max(256);
        let mut grown = Vec::with_capacity(want);
        grown.extend_from_slice(v);
        v.zeroize();
        *v = grown;
    }
}

impl std::io::Write for WipingWriter<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    /// MessagePack is written a marker byte or a field at a time: the common path is a
    /// capacity check and a copy, inlined into the encoder.
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.0.capacity() - self.0.len() < bytes.len() {
            self.grow(bytes.len());
        }
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decodes a record plaintext of `format`. An error names only its category, never content.
///
/// Format-1 (JSON) rows are read through the MessagePack decoder too: the JSON is parsed to
/// an untyped value, re-encoded as MessagePack with field names, and decoded as a format-2
/// row would be. So each record type has one typed deserializer (MessagePack) instead of
/// two: a JSON one per type was about 0.3 MB of the phone library (docs/bindings.md "Size",
/// session 7). Legacy rows are read once, by the keyed upgrade that re-seals them (or when a
/// small table was never re-sealed), so the extra step costs little where it runs.
pub(crate) fn decode<T: DeserializeOwned>(format: u8, table: &str, plain: &[u8]) -> Result<T> {
    let transcoded;
    let msgpack = match format {
        FORMAT_MSGPACK => plain,
        FORMAT_JSON => {
            transcoded = json_as_msgpack(plain)
                .map_err(|category| Error::Decode(format!("record of {table}: {category}")))?;
            transcoded.as_slice()
        }
        _ => return Err(Error::Tampered),
    };
    rmp_serde::from_slice(msgpack)
        .map_err(|e| Error::Decode(format!("record of {table}: {}", msgpack_category(&e))))
}

/// A JSON record plaintext as MessagePack with field names, which the format-2 decoder reads
/// into the same types: JSON's objects become maps (structs read them by name, enums' one-key
/// maps and variant strings are MessagePack's enum shapes too), arrays arrays, numbers the
/// same integers or floats, `null` nil. Not generic, so it is compiled once. The strings
/// of the intermediate value and the MessagePack copy are wiped before they are freed.
fn json_as_msgpack(plain: &[u8]) -> std::result::Result<Zeroizing<Vec<u8>>, &'static str> {
    let mut value: serde_json::Value =
        serde_json::from_slice(plain).map_err(|e| json_category(&e))?;
    let mut out = Zeroizing::new(Vec::new());
    let encoded = rmp_serde::encode::write_named(&mut WipingWriter(&mut out), &value);
    wipe_strings(&mut value);
    // A `Value` always encodes; the arm is only for the signature.
    encoded.map_err(|_| "unexpected shape")?;
    Ok(out)
}

/// Overwrites every string in `value` (object keys are field names, not content).
fn wipe_strings(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe_strings),
        Value::Object(map) => map.values_mut().for_each(wipe_strings),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn msgpack_category(e: &rmp_serde::decode::Error) -> &'static str {
    use rmp_serde::decode::Error as E;
    match e {
        E::InvalidMarkerRead(_) | E::InvalidDataRead(_) => "truncated",
        E::Utf8Error(_) => "syntax",
        E::DepthLimitExceeded => "nested too deeply",
        _ => "unexpected shape",
    }
}

fn json_category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "io",
        serde_json::error::Category::Syntax => "syntax",
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "truncated",
    }
}

/// Whether serializing `value` would leave out a struct field (`skip_serializing_if`).
fn skips_fields<T: Serialize + ?Sized>(value: &T) -> bool {
    matches!(value.serialize(SkipProbe), Err(Probe::Skipped))
}

/// Why the probe stopped.
#[derive(Debug)]
enum Probe {
    /// A field was skipped: the value needs field names.
    Skipped,
    /// The value's own `Serialize` failed; the real encoding reports it.
    Failed,
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Probe::Skipped => "a field was skipped",
            Probe::Failed => "serialization failed",
        })
    }
}

impl std::error::Error for Probe {}

impl ser::Error for Probe {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Probe::Failed
    }
}

/// A serializer that writes nothing and fails as soon as a struct field is skipped.
#[derive(Clone, Copy)]
struct SkipProbe;

type Done = std::result::Result<(), Probe>;

macro_rules! ignore_scalars {
    ($($f:ident: $t:ty),* $(,)?) => {
        $(fn $f(self, _: $t) -> Done { Ok(()) })*
    };
}

impl ser::Serializer for SkipProbe {
    type Ok = ();
    type Error = Probe;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    ignore_scalars!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f32: f32,
        serialize_f64: f64, serialize_char: char, serialize_str: &str, serialize_bytes: &[u8],
        serialize_unit_struct: &'static str,
    );

    fn serialize_none(self) -> Done {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Done {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Done {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> Done {
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> std::result::Result<Self, Probe> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> std::result::Result<Self, Probe> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> std::result::Result<Self, Probe> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self, Probe> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> std::result::Result<Self, Probe> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> std::result::Result<Self, Probe> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self, Probe> {
        Ok(self)
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, _: &T) -> Done {
        Ok(())
    }
    /// As rmp-serde answers, so that types which encode differently for people take the
    /// same path in the probe as in the encoding.
    fn is_human_readable(&self) -> bool {
        false
    }
}

macro_rules! probe_elements {
    ($($tr:ident :: $f:ident),* $(,)?) => {
        $(impl ser::$tr for SkipProbe {
            type Ok = ();
            type Error = Probe;
            fn $f<T: Serialize + ?Sized>(&mut self, v: &T) -> Done {
                v.serialize(*self)
            }
            fn end(self) -> Done {
                Ok(())
            }
        })*
    };
}

probe_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for SkipProbe {
    type Ok = ();
    type Error = Probe;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Done {
        k.serialize(*self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Done {
        v.serialize(*self)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

impl ser::SerializeStruct for SkipProbe {
    type Ok = ();
    type Error = Probe;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, v: &T) -> Done {
        v.serialize(*self)
    }
    fn skip_field(&mut self, _: &'static str) -> Done {
        Err(Probe::Skipped)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

impl ser::SerializeStructVariant for SkipProbe {
    type Ok = ();
    type Error = Probe;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, v: &T) -> Done {
        v.serialize(*self)
    }
    fn skip_field(&mut self, _: &'static str) -> Done {
        Err(Probe::Skipped)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    #[test]
    fn encoding_into_a_buffer_keeps_what_was_there_and_grows_as_needed() {
        let value = vec!["z".repeat(3000), String::new(), "short".to_owned()];
        for start_capacity in [0, 3, 300, 10_000] {
            let mut out = Vec::with_capacity(start_capacity);
            out.extend_from_slice(b"hdr");
            encode_into(&value, &mut out).unwrap();
            assert_eq!(&out[..3], b"hdr");
            assert_eq!(&out[3..], encode(&value).unwrap().as_slice());
            let back: Vec<String> = decode(FORMAT_MSGPACK, "t", &out[3..]).unwrap();
            assert_eq!(back, value);
        }
    }

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(v: &T) -> Vec<u8> {
        let bytes = encode(v).unwrap();
        let back: T = decode(FORMAT_MSGPACK, "t", &bytes).unwrap_or_else(|e| {
            panic!("{v:?}: {e}: {:?}", rmp_serde::from_slice::<T>(&bytes).err())
        });
        assert_eq!(&back, v);
        bytes
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Circle {
        lat: f64,
        lon: f64,
        radius_m: f64,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Area {
        Circle(Circle),
        Place(String),
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum External {
        Call { number: String },
        Text(String),
        Quiet,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum UntaggedStructs {
        Circle { lat: f64, lon: f64 },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type")]
    enum Internal {
        Call { number: String },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Inner {
        label: String,
        n: u32,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Flat {
        id: u8,
        #[serde(flatten)]
        inner: Inner,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Skipping {
        a: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<String>,
        c: Option<String>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Both {
        #[serde(default, skip_serializing_if = "omit_none")]
        a: Option<String>,
        #[serde(default, skip_serializing_if = "omit_empty")]
        b: Vec<u8>,
        #[serde(default, skip_serializing_if = "omit_false")]
        c: bool,
        d: u8,
    }

    #[test]
    fn every_serde_shape_the_records_use_round_trips() {
        round_trip(&vec![
            Area::Circle(Circle {
                lat: 51.501_234_567_891,
                lon: -0.141_1,
                radius_m: 250.0,
            }),
            Area::Place("Leeds".into()),
        ]);
        round_trip(&vec![
            External::Call {
                number: "+447700900123".into(),
            },
            External::Text("x".into()),
            External::Quiet,
        ]);
        round_trip(&Flat {
            id: 3,
            inner: Inner {
                label: "x".into(),
                n: 7,
            },
        });
        round_trip(&Cow::<'_, str>::Borrowed("borrowed on the way in"));
        round_trip(&BTreeMap::from([
            (1u32, "a".to_owned()),
            (2, "b".to_owned()),
        ]));
        round_trip(&(i64::MIN, u64::MAX, f64::MIN_POSITIVE, -0.0f64, '\u{1F600}'));
        round_trip(&Some(Some(1u8)));
        round_trip(&vec![Internal::Call {
            number: "+447700900123".into(),
        }]);
    }

    /// The one shape serde reads from named fields only: a sealed record type must not use
    /// it (wrap the fields in a struct and use a newtype variant, as `Alert::area` does).
    /// This test shows the limit, so that a serde change that lifts it is noticed.
    #[test]
    fn struct_variants_of_untagged_enums_need_names() {
        let u = encode(&UntaggedStructs::Circle { lat: 1.0, lon: 2.0 }).unwrap();
        assert!(decode::<UntaggedStructs>(FORMAT_MSGPACK, "t", &u).is_err());
    }

    #[test]
    fn a_skipped_field_is_written_with_names_and_does_not_shift_the_others() {
        let v = Skipping {
            a: Some("x".into()),
            b: None,
            c: Some("z".into()),
        };
        assert!(skips_fields(&v));
        let named = round_trip(&v);
        // With every field present, the compact form (no names) is used.
        let full = Skipping {
            b: Some("b".into()),
            ..v
        };
        assert!(!skips_fields(&full));
        let compact = round_trip(&full);
        // The fallback names the fields it writes; the compact form names none.
        assert!(named.windows(1).any(|w| w == b"c"), "names in the fallback");
        assert!(
            !compact.windows(1).any(|w| w == b"c"),
            "no names when nothing is skipped"
        );
    }

    #[test]
    fn the_omit_predicates_skip_in_json_only() {
        let v = Both {
            a: None,
            b: vec![],
            c: false,
            d: 1,
        };
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"d":1}"#);
        assert!(!in_record());
        let bytes = round_trip(&v);
        // Positional: an array of the four fields, no names.
        assert_eq!(bytes, [0x94, 0xc0, 0x90, 0xc2, 0x01]);
        assert!(!in_record(), "the marker is cleared after encoding");
    }

    #[test]
    fn a_field_appended_with_a_default_reads_from_older_rows() {
        #[derive(Serialize)]
        struct V1 {
            a: u8,
        }
        #[derive(Debug, PartialEq, Deserialize)]
        struct V2 {
            a: u8,
            #[serde(default)]
            b: Option<String>,
        }
        let old = encode(&V1 { a: 4 }).unwrap();
        let v: V2 = decode(FORMAT_MSGPACK, "t", &old).unwrap();
        assert_eq!(v, V2 { a: 4, b: None });
    }

    /// A format-1 row as it was written: the JSON of the value.
    fn legacy_round_trip<T: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(v: &T) {
        let json = serde_json::to_vec(v).unwrap();
        let back: T = decode(FORMAT_JSON, "t", &json)
            .unwrap_or_else(|e| panic!("{v:?} from {}: {e}", String::from_utf8_lossy(&json)));
        assert_eq!(&back, v);
    }

    /// Legacy JSON rows go through the MessagePack decoder (one typed deserializer per
    /// record type): every shape the records use must read back as the JSON decoder read it.
    #[test]
    fn legacy_json_rows_read_back_through_the_messagepack_decoder() {
        legacy_round_trip(&vec![
            Area::Circle(Circle {
                lat: 51.501_234_567_891,
                lon: -0.141_1,
                radius_m: 250.0,
            }),
            Area::Place("Leeds".into()),
        ]);
        legacy_round_trip(&vec![
            External::Call {
                number: "+447700900123".into(),
            },
            External::Text("x".into()),
            External::Quiet,
        ]);
        legacy_round_trip(&Flat {
            id: 3,
            inner: Inner {
                label: "x".into(),
                n: 7,
            },
        });
        legacy_round_trip(&vec![Internal::Call {
            number: "+447700900123".into(),
        }]);
        legacy_round_trip(&(i64::MIN, u64::MAX, f64::MIN_POSITIVE, -0.0f64, '\u{1F600}'));
        legacy_round_trip(&(0.1f64, 1e300f64, -2.5e-300f64, u8::MAX, i8::MIN, i32::MIN));
        legacy_round_trip(&(Some(Some(1u8)), None::<u8>, Some(String::new()), ()));
        legacy_round_trip(&(
            vec![0u8, 1, 255],
            [7u8; 16],
            "quote \" and \\ \u{0}".to_owned(),
        ));
        legacy_round_trip(&BTreeMap::from([
            ("a".to_owned(), vec![1.5f64]),
            ("b".to_owned(), vec![]),
        ]));
        // Fields the JSON left out (`skip_serializing_if`) take their defaults.
        legacy_round_trip(&Both {
            a: None,
            b: vec![],
            c: false,
            d: 1,
        });
        legacy_round_trip(&Skipping {
            a: None,
            b: None,
            c: Some("z".into()),
        });
        // An integer where the type has a float (JSON wrote `250`, not `250.0`).
        let c: Circle = decode(FORMAT_JSON, "t", br#"{"lat":1,"lon":-2,"radius_m":250}"#).unwrap();
        assert_eq!(
            c,
            Circle {
                lat: 1.0,
                lon: -2.0,
                radius_m: 250.0
            }
        );
        // Field order and unknown fields do not matter, as with the JSON decoder.
        let i: Inner = decode(
            FORMAT_JSON,
            "t",
            br#"{"x":[1,{"y":null}],"n":7,"label":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            i,
            Inner {
                label: "x".into(),
                n: 7
            }
        );
    }

    #[test]
    fn legacy_json_errors_keep_their_categories() {
        let cases: [(&[u8], &str); 5] = [
            (br#"{"label":"secret-label","n":"#, "truncated"),
            (br#"{"label":"secret-label","n":7"#, "truncated"),
            (br#"{"label":"secret-label" "n":7}"#, "syntax"),
            (br#"{"label":"secret-label","n":-7}"#, "unexpected shape"),
            (br#"{"label":"secret-label"}"#, "unexpected shape"),
        ];
        for (json, category) in cases {
            let e = decode::<Inner>(FORMAT_JSON, "notes", json)
                .unwrap_err()
                .to_string();
            assert!(e.contains("notes") && e.contains(category), "{e}");
            assert!(!e.contains("secret"), "{e}");
        }
        // Too large for the field's type.
        let e = decode::<Inner>(FORMAT_JSON, "t", br#"{"label":"x","n":4294967296}"#);
        assert!(e.is_err());
    }

    #[test]
    fn decoding_errors_name_a_category_never_the_content() {
        let bytes = encode(&("secret-label", 5u8)).unwrap();
        let e = decode::<(u8, u8)>(FORMAT_MSGPACK, "bookings", &bytes).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("bookings") && !text.contains("secret"),
            "{text}"
        );
        let e = decode::<(u8, u8)>(FORMAT_JSON, "bookings", br#"["secret-label",5]"#).unwrap_err();
        assert!(!e.to_string().contains("secret"));
        assert!(matches!(
            decode::<u8>(9, "bookings", &[1]),
            Err(Error::Tampered)
        ));
        // Cut short.
        let e = decode::<(String, u8)>(FORMAT_MSGPACK, "t", &bytes[..4]).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
