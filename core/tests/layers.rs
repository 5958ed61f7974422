//! Dependencies run one way (docs/architecture.md): nothing below the application layer
//! imports it. `lib.rs` is the one wiring that hands the vault the duress layer, and is
//! left out.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("core/src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code lines (comments dropped) of a file that name the application layer.
fn upward_imports(text: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut in_use_group = false;
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        if code.starts_with("use crate::{") && !code.contains('}') {
            in_use_group = true;
        }
        let group_names_app = (in_use_group || code.starts_with("use crate::{"))
            && code
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == "app");
        if code.contains("crate::app") || code.contains("super::app") || group_names_app {
            hits.push(code.to_owned());
        }
        if in_use_group && code.contains("};") {
            in_use_group = false;
        }
    }
    hits
}

#[test]
fn nothing_below_the_application_layer_imports_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "the core's sources were not found");
    let mut offenders = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().to_path_buf();
        if rel.starts_with("app") || rel == Path::new("lib.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("source is readable");
        for hit in upward_imports(&text) {
            offenders.push(format!("{}: {hit}", rel.display()));
        }
    }
    assert!(offenders.is_empty(), "upward imports: {offenders:#?}");
}

#[test]
fn the_scan_sees_an_upward_import() {
    assert_eq!(
        upward_imports("use crate::app::settings::{self, Settings};\n").len(),
        1
    );
    assert_eq!(
        upward_imports("use crate::{\n    app::Settings,\n    vault::Session,\n};\n").len(),
        1
    );
    assert!(upward_imports("// see app::decoy\nuse crate::vault::Session;\n").is_empty());
}
