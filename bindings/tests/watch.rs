//! "Watch over me" through the bindings: a pairing's number changed after saving.

use std::time::{Duration as StdDuration, SystemTime};

use vigil_core::error::ErrorKind;
use vigil_core::vault::MIN_KDF_ITERATIONS;
use vigil_ffi::{PairingInput, Session, Vault};

fn vault(dir: &std::path::Path, name: &str, secret: &[u8]) -> std::sync::Arc<Session> {
    Vault::new(dir.join(name).to_string_lossy().into_owned())
        .create(
            "correct horse battery".into(),
            secret.to_vec(),
            Some(MIN_KDF_ITERATIONS),
        )
        .unwrap()
}

#[test]
fn a_pairings_number_is_changed_read_as_when_pairing_and_refused_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::UNIX_EPOCH + StdDuration::from_secs(1_780_000_000);
    let a = vault(dir.path(), "a.db", b"first keystore secret for tests!");
    let b = vault(dir.path(), "b.db", b"other keystore secret for tests!");
    let code = b.own_pairing_code("Bea".into()).unwrap();
    let sas = a.preview_pairing(code.clone()).unwrap().sas;
    let pairing = a
        .add_pairing(
            PairingInput {
                code,
                sas,
                name: None,
                phone: None,
                buddy_id: None,
            },
            now,
        )
        .unwrap();
    assert_eq!(pairing.phone, None);
    // The vault's region (GB by default) reads a national number.
    let changed = a
        .set_pairing_phone(pairing.id.clone(), Some("07400 123456".into()))
        .unwrap();
    assert_eq!(changed.phone.as_deref(), Some("+447400123456"));
    assert_eq!((&changed.id, &changed.name), (&pairing.id, &pairing.name));
    assert_eq!(a.list_pairings().unwrap(), vec![changed.clone()]);
    // A bad number: InvalidInput, without the number, and nothing changed.
    let e = a
        .set_pairing_phone(pairing.id.clone(), Some("07400 12x".into()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(!e.to_string().contains("12x"), "{e}");
    assert_eq!(a.list_pairings().unwrap(), vec![changed]);
    // None removes it.
    assert_eq!(
        a.set_pairing_phone(pairing.id.clone(), None).unwrap().phone,
        None
    );
    // An unknown or malformed id.
    let unknown = vigil_core::vault::RecordId::random().unwrap().to_string();
    let e = a
        .set_pairing_phone(unknown, Some("07400 123456".into()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = a
        .set_pairing_phone("not an id".into(), Some("07400 123456".into()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}
