"""A dangerous-client report file is a standard age file: pyrage (rage) decrypts it with the
project's report key and finds the same document `vigil publish reports` reads. Then the
whole loop on the command line: review -> signed feed -> import -> screen finds the number
written another way.

Needs: `pip install pyrage`, and cargo on PATH (the `vigil` binary is built once).
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

try:
    from pyrage import decrypt
    from pyrage import x25519 as pyrage_x25519
except ImportError as e:  # pragma: no cover - a clear message beats a collection error
    raise ImportError("these tests need pyrage: pip install pyrage") from e

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))


@pytest.fixture(scope="module")
def vigil_bin():
    subprocess.run(
        ["cargo", "build", "-q", "-p", "vigil-cli", "--bin", "vigil"],
        cwd=REPO,
        check=True,
        timeout=1800,
    )
    path = target_dir() / "debug" / "vigil"
    assert path.exists(), f"vigil was not built at {path}"
    return path


@pytest.fixture
def vigil(vigil_bin, tmp_path):
    vault = tmp_path / "vault.db"

    def run(*args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
        env["VIGIL_PASSPHRASE"] = PASSPHRASE
        result = subprocess.run(
            [str(vigil_bin), "--vault", str(vault), "--json", *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"vigil {args[:2]} failed: {result.stderr}"
        return json.loads(result.stdout)

    return run


def secret_line(path):
    lines = [l.strip() for l in Path(path).read_text().splitlines()]
    return next(l for l in lines if l and not l.startswith("#"))


def test_pyrage_decrypts_the_report_and_the_loop_reaches_screen(vigil, tmp_path):
    p = tmp_path
    vigil("init", "--kdf-iterations", "100000")
    vigil("publish", "keygen", "--out", p / "pub.key")
    vigil("publish", "report-key", "--out", p / "report.key")
    vigil(
        "publish", "alerts", "--report-key", p / "report.key.pub", "--save", p / "alerts.jsonl",
        "--key", p / "pub.key", "--version", "1", "--out", p / "v1.bundle",
    )
    vigil("trust", "add", "--name", "Local Project", "--key", p / "pub.key.pub")
    vigil("import", p / "v1.bundle")

    draft = vigil(
        "report", "new", "--category", "sexual-assault", "--phone", "07700 900555",
        "--what", "Removed the condom without asking.", "--police-consent", "yes",
        "--contact", "Signal only",
    )
    inbox = p / "inbox"
    inbox.mkdir()
    sent = vigil("report", "send", draft["id"], "--out", inbox)
    data = Path(sent["file"]).read_bytes()

    # pyrage, with the secret key line of the report key file.
    identity = pyrage_x25519.Identity.from_str(secret_line(p / "report.key"))
    plain = decrypt(data, [identity])
    assert len(plain) % 4096 == 0, "the plaintext is padded to 4 KiB blocks"
    doc = json.loads(plain)
    assert doc["format"] == "vigil-report" and doc["version"] == 1
    assert doc["categories"] == ["sexual_assault"]
    assert doc["identifiers"] == [{"kind": "phone", "value": "07700 900555"}]
    assert doc["police_consent"] is True
    assert doc["contact"] == "Signal only"
    assert doc["region"] == "GB"

    # Vigil's own reader sees the same report.
    vigil("publish", "reports", "--from", inbox, "--key", p / "report.key", "--out", p / "review.jsonl")
    entry = json.loads((p / "review.jsonl").read_text().splitlines()[0])
    account = entry["accounts"][0]
    assert account["report_id"] == doc["report_id"]
    assert account["what_happened"] == doc["what_happened"]
    assert entry["identifiers"] == [{"kind": "phone", "value": "+447700900555"}]

    # Approve, publish, import, screen in another format.
    entry["approve"] = True
    (p / "review.jsonl").write_text(json.dumps(entry) + "\n")
    vigil(
        "publish", "alerts", "--from", p / "alerts.jsonl", "--review", p / "review.jsonl",
        "--key", p / "pub.key", "--version", "2", "--out", p / "v2.bundle",
    )
    vigil("import", p / "v2.bundle")
    screened = vigil("screen", "0044 7700 900 555")
    alerts = [m for m in screened["matches"] if "alert" in m["source"]]
    assert len(alerts) == 1
    assert alerts[0]["source"]["alert"]["category"] == "sexual_assault"
    assert screened["overall"] == "danger"
