"""Parses every Swift file under a folder with tree-sitter-swift and fails on a syntax error.

The Apple-only files of the iOS shell (SwiftUI views, Keychain, UserNotifications, CallKit
glue) cannot be compiled on Linux; this catches the syntax errors there at least. It also
checks that every string key the Swift code uses (a snake_case literal such as
"unlock_title") is in each language's VigilKit/Sources/VigilKit/Resources/<lang>.lproj/
Localizable.strings (written by android/tools/strings.py), and that no SwiftUI view passes
a key to SwiftUI's own lookup (which reads the app bundle, where the strings are not).
  python parse-swift.py ios
"""

import pathlib
import re
import sys

import tree_sitter
import tree_sitter_swift

# tree-sitter-swift 0.7.4 reports an error on `@_documentation(...)` attributes inside
# `#if swift(>=5.8)` (only in generated code): blank them, keeping line numbers.
DOC_ATTRIBUTE = re.compile(r"#if swift\(>=5\.8\)\s*@_documentation\([^)]*\)\s*#endif")


def first_error(node):
    """The first ERROR or MISSING node under `node`, depth first."""
    if node.is_missing:
        return node
    if not node.has_error:
        return None
    # The deepest one: a whole file that fails to parse is one ERROR node around it.
    for child in node.children:
        found = first_error(child)
        if found is not None:
            return found
    return node


def main(root: str) -> int:
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))
    files = sorted(
        p
        for p in pathlib.Path(root).rglob("*.swift")
        if ".build" not in p.parts and not (p.parent.name == "VigilCore" and p.parent.parent.name == "Sources")
    )
    failed = 0
    for path in files:
        text = DOC_ATTRIBUTE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), path.read_text())
        tree = parser.parse(text.encode())
        error = first_error(tree.root_node)
        if error is not None:
            line, column = error.start_point
            print(f"{path}:{line + 1}:{column + 1}: syntax error", file=sys.stderr)
            failed += 1
    print(f"parsed {len(files)} Swift files, {failed} with syntax errors")
    missing = missing_strings(pathlib.Path(root), files)
    for path, key in missing:
        print(f"{path}: string key {key!r} is not in every Localizable.strings", file=sys.stderr)
    bypass = swiftui_lookups(pathlib.Path(root), files)
    for path, line in bypass:
        print(f"{path}:{line}: a string key looked up by SwiftUI: use L10n.text", file=sys.stderr)
    return 1 if failed or missing or bypass or not files else 0


STRING_KEY = re.compile(r'"([a-z]+(?:_[a-z]+)+)"')
STRINGS_ENTRY = re.compile(r'^"([A-Za-z_]+)" = ', re.M)


LANGUAGES = ["en", "es", "pl", "pt", "pt-BR", "ro"]
# A literal key handed to SwiftUI (`Text("save")`, `LocalizedStringKey(...)`,
# `NSLocalizedString`): SwiftUI would look it up in the app bundle and show the key.
SWIFTUI_LOOKUP = re.compile(
    r'(?:\b(?:Text|Button|TextField|SecureField|Toggle|Picker|DatePicker|NavigationLink|Label)'
    r'|\.navigationTitle|\.alert)\(\s*"[a-z]+(?:_[a-z]+)*"|LocalizedStringKey|NSLocalizedString'
)


def missing_strings(root, files):
    """(file, key) for each snake_case literal in the app's Swift missing in a language."""
    resources = root / "VigilKit" / "Sources" / "VigilKit" / "Resources"
    known = [
        set(STRINGS_ENTRY.findall((resources / f"{lang}.lproj" / "Localizable.strings").read_text()))
        for lang in LANGUAGES
    ]
    app_code = [root / "Vigil", root / "VigilKit" / "Sources" / "VigilKit"]
    return [
        (path, key)
        for path in files
        if any(folder in path.parents for folder in app_code)
        for key in sorted(set(STRING_KEY.findall(path.read_text())))
        if any(key not in language for language in known)
    ]


def swiftui_lookups(root, files):
    """(file, line) of each key SwiftUI would look up itself instead of L10n."""
    app = root / "Vigil"
    found = []
    for path in files:
        if app not in path.parents:
            continue
        text = path.read_text()
        for match in SWIFTUI_LOOKUP.finditer(text):
            found.append((path, text.count("\n", 0, match.start()) + 1))
    return found


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "ios"))
