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
//! Variants are stored by name, so enums may be reordered. Nor, because format-1 rows are
//! read through the MessagePack decoder ([`decode`]), shapes whose JSON that decoder cannot
//! read: maps with keys other than strings (`HashMap<u32, _>`: JSON wrote the key as `"5"`),
//! integers beyond 64 bits (`u128`: JSON's number reads back as a float), and types whose
//! serde form depends on `is_human_readable` (`IpAddr`, `SocketAddr`: text in JSON, bytes or
//! a tuple for MessagePack). None is used today; a row of one would fail to read (as damage:
//! skipped by the re-seal, a wrong device secret for check-ins, a too-new watch state), not
//! read wrong. Keys repeated in a JSON object read as the typed JSON decoder read them (a
//! struct rejects them, a map keeps the last); rows are authenticated, so only this code
//! wrote them. New record types get the round-trip test of their table like every other
//! (`tests/export_sections.rs`); `legacy_shapes_the_messagepack_decoder_rejects` shows the
//! limits above.

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
/// Format-1 (JSON) rows are read through the MessagePack decoder too: the JSON is transcoded
/// to MessagePack with field names as it is parsed ([`json_as_msgpack`]) and decoded as a
/// format-2 row would be. So each record type has one typed deserializer (MessagePack)
/// instead of two: a JSON one per type was about 0.3 MB of the phone library
/// (docs/bindings.md "Size", session 7). The cost: a legacy row takes longer to read than
/// with a typed JSON decoder (docs/PERFORMANCE.md). The bulk tables are re-sealed to format
/// 2 by the keyed upgrade of version 12, so their rows pay it once; tables with no re-seal
/// step (watch state, check-in meta and states, history, settings, publishers, feed
/// versions, pairings, buddies, reports) keep a format-1 row until it changes, and an
/// unchanged one is transcoded on every read, the locked runner's included. Those rows are
/// few and small.
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
/// same integers or floats, `null` nil. Not generic, so it is compiled once.
///
/// Streamed: [`Transcode`] is driven by `serde_json`'s parser and writes each value as it is
/// parsed, so no untyped `serde_json::Value` is built (its arrays and maps, grown and freed
/// unwiped, held numbers such as the watch keys' bytes). Why no unwiped copy is left:
/// - `out`, the MessagePack row, is `Zeroizing` and grows through [`WipingWriter`], which
///   wipes each smaller buffer before freeing it;
/// - each open array or object writes its items into a buffer of its own (MessagePack puts
///   the item count first, known only at the closing bracket), also `Zeroizing` and grown
///   through `WipingWriter`, copied into its parent's buffer at the end and wiped when dropped;
/// - numbers and booleans go straight from the parser to the writer, and strings are borrowed
///   from `plain` (the caller's buffer) without a copy.
///
/// Left outside this module: `serde_json` unescapes a string that holds an escape (`\"`,
/// `\\`, a control character), and gathers the digits of a number with more than 19
/// significant digits, in a scratch buffer of its own that it does not wipe; the typed JSON
/// decoder used before version 12 did the same.
fn json_as_msgpack(plain: &[u8]) -> std::result::Result<Zeroizing<Vec<u8>>, &'static str> {
    use serde::de::DeserializeSeed;
    let mut out = Zeroizing::new(Vec::new());
    let mut json = serde_json::Deserializer::from_slice(plain);
    Transcode(&mut out)
        .deserialize(&mut json)
        .and_then(|()| json.end())
        .map_err(|e| json_category(&e))?;
    Ok(out)
}

/// Writes the next JSON value it is given as MessagePack, appended to its buffer.
struct Transcode<'a>(&'a mut Vec<u8>);

impl Transcode<'_> {
    fn writer(&mut self) -> WipingWriter<'_> {
        WipingWriter(self.0)
    }
}

/// Writing to a vector cannot fail; the arm is only for the signatures.
fn unwritable<E: serde::de::Error, W>(_: W) -> E {
    E::custom("record could not be transcoded")
}

/// The item count of an array or object as MessagePack stores it.
fn item_count<E: serde::de::Error>(n: usize) -> std::result::Result<u32, E> {
    u32::try_from(n).map_err(|_| E::custom("too many items"))
}

impl<'de> serde::de::DeserializeSeed<'de> for Transcode<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Transcode<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: serde::de::Error>(mut self) -> std::result::Result<(), E> {
        rmp::encode::write_nil(&mut self.writer()).map_err(unwritable)
    }

    fn visit_bool<E: serde::de::Error>(mut self, v: bool) -> std::result::Result<(), E> {
        rmp::encode::write_bool(&mut self.writer(), v).map_err(unwritable)
    }

    fn visit_i64<E: serde::de::Error>(mut self, v: i64) -> std::result::Result<(), E> {
        rmp::encode::write_sint(&mut self.writer(), v)
            .map(drop)
            .map_err(unwritable)
    }

    fn visit_u64<E: serde::de::Error>(mut self, v: u64) -> std::result::Result<(), E> {
        rmp::encode::write_uint(&mut self.writer(), v)
            .map(drop)
            .map_err(unwritable)
    }

    fn visit_f64<E: serde::de::Error>(mut self, v: f64) -> std::result::Result<(), E> {
        rmp::encode::write_f64(&mut self.writer(), v).map_err(unwritable)
    }

    fn visit_str<E: serde::de::Error>(mut self, v: &str) -> std::result::Result<(), E> {
        rmp::encode::write_str(&mut self.writer(), v).map_err(unwritable)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        mut self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        let mut items = Zeroizing::new(Vec::new());
        let mut n = 0usize;
        while seq.next_element_seed(Transcode(&mut items))?.is_some() {
            n += 1;
        }
        let mut w = self.writer();
        rmp::encode::write_array_len(&mut w, item_count(n)?).map_err(unwritable)?;
        std::io::Write::write_all(&mut w, &items).map_err(unwritable)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        mut self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        let mut entries = Zeroizing::new(Vec::new());
        let mut n = 0usize;
        while map.next_key_seed(Transcode(&mut entries))?.is_some() {
            map.next_value_seed(Transcode(&mut entries))?;
            n += 1;
        }
        let mut w = self.writer();
        rmp::encode::write_map_len(&mut w, item_count(n)?).map_err(unwritable)?;
        std::io::Write::write_all(&mut w, &entries).map_err(unwritable)
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

    /// A format-1 row as it was written: the JSON of the value. It must read back as the
    /// value, and as `serde_json`'s typed decoder (the one used before version 12) reads it.
    fn legacy_round_trip<T: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(v: &T) {
        let json = serde_json::to_vec(v).unwrap();
        let back: T = decode(FORMAT_JSON, "t", &json)
            .unwrap_or_else(|e| panic!("{v:?} from {}: {e}", String::from_utf8_lossy(&json)));
        assert_eq!(&back, v);
        assert_eq!(back, serde_json::from_slice::<T>(&json).unwrap());
        transcodes_as_the_untyped_value_did(&json);
    }

    /// The streamed transcoding writes the bytes the `serde_json::Value` path wrote, for rows
    /// whose keys were in sorted order (that `Value` sorted its maps' keys).
    fn transcodes_as_the_untyped_value_did(json: &[u8]) {
        let value: serde_json::Value = serde_json::from_slice(json).unwrap();
        if serde_json::to_vec(&value).unwrap() != json {
            return;
        }
        let before = rmp_serde::to_vec_named(&value).unwrap();
        assert_eq!(
            json_as_msgpack(json).unwrap().as_slice(),
            before,
            "{}",
            String::from_utf8_lossy(json)
        );
    }

    /// The watch identity (`watch/crypto.rs`): two 32-byte keys, written by the JSON encoder
    /// as arrays of numbers. They are transcoded byte by byte into wiped buffers (see
    /// [`json_as_msgpack`]) and read back as the typed JSON decoder read them.
    #[test]
    fn a_legacy_row_with_key_bytes_reads_as_the_json_decoder_read_it() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Identity {
            sealing: [u8; 32],
            signing_seed: [u8; 32],
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct State {
            identity: Identity,
            peers: Vec<String>,
        }
        let mut sealing = [0u8; 32];
        let mut signing_seed = [0u8; 32];
        for i in 0..32u8 {
            sealing[usize::from(i)] = i.wrapping_mul(37).wrapping_add(200);
            signing_seed[usize::from(i)] = 255 - i;
        }
        let state = State {
            identity: Identity {
                sealing,
                signing_seed,
            },
            peers: vec!["p".into()],
        };
        let json = serde_json::to_vec(&state).unwrap();
        assert!(
            json.starts_with(br#"{"identity":{"sealing":[200,"#),
            "bytes as numbers"
        );
        let back: State = decode(FORMAT_JSON, "watch_state", &json).unwrap();
        assert_eq!(back, serde_json::from_slice::<State>(&json).unwrap());
        assert_eq!(back, state);
        legacy_round_trip(&state);
        // Each byte is a MessagePack integer in an array of 32, not a JSON number.
        let msgpack = json_as_msgpack(&json).unwrap();
        let arrays = msgpack.windows(2).filter(|w| w == &[0xdc, 0x00]).count();
        assert_eq!(arrays, 2, "two arrays of 32 (array 16 marker)");
    }

    /// Shapes `serde_json` read that the MessagePack decoder does not: a record type must not
    /// use them (module comment). They fail with an error, never a wrong value; this test
    /// shows the limit, so that a change that lifts it is noticed.
    #[test]
    fn legacy_shapes_the_messagepack_decoder_rejects() {
        use std::collections::HashMap;
        use std::net::{IpAddr, SocketAddr};
        fn rejected<T: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(v: &T) {
            let json = serde_json::to_vec(v).unwrap();
            assert_eq!(
                &serde_json::from_slice::<T>(&json).unwrap(),
                v,
                "JSON read it"
            );
            let e = decode::<T>(FORMAT_JSON, "t", &json);
            assert!(
                matches!(e, Err(Error::Decode(_))),
                "{v:?} from {}: {e:?}",
                String::from_utf8_lossy(&json)
            );
        }
        // Map keys that are not strings: JSON writes them as strings.
        rejected(&HashMap::from([(5u32, "x".to_owned())]));
        rejected(&BTreeMap::from([(true, 1u8)]));
        // Beyond u64: JSON's number reads back as a float.
        rejected(&(u128::from(u64::MAX) + 1));
        // Types whose form depends on `is_human_readable` (false for MessagePack).
        rejected(&IpAddr::from([127, 0, 0, 1]));
        rejected(&"10.0.0.1:80".parse::<SocketAddr>().unwrap());
    }

    /// Keys repeated in an object (never written by the JSON encoder; rows are authenticated)
    /// read as the typed JSON decoder read them: a struct rejects them, a map keeps the last.
    #[test]
    fn duplicate_keys_read_as_the_json_decoder_read_them() {
        let json = br#"{"label":"a","n":1,"label":"b"}"#;
        assert!(serde_json::from_slice::<Inner>(json).is_err());
        assert!(decode::<Inner>(FORMAT_JSON, "t", json).is_err());
        let json = br#"{"k":1,"k":2}"#;
        let typed: BTreeMap<String, u8> = serde_json::from_slice(json).unwrap();
        let back: BTreeMap<String, u8> = decode(FORMAT_JSON, "t", json).unwrap();
        assert_eq!(back, typed);
        assert_eq!(back["k"], 2);
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
