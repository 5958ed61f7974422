//! Encrypted export and import of the whole vault.
pub mod age;
