"""Interoperability of Vigil's age implementation with the reference one (rage, via pyrage).

Vigil's exports must stay readable with the standard tools if Vigil disappears, and
Vigil must read what those tools write. These tests drive `core/examples/age_tool.rs`
(Vigil's age code) through `cargo run` and check it against pyrage in both directions.

Needs: `pip install pyrage`, and cargo on PATH.
"""

import os
import subprocess
from pathlib import Path

import pytest

try:
    import pyrage
    from pyrage import passphrase as pyrage_passphrase
    from pyrage import x25519 as pyrage_x25519
except ImportError as e:  # pragma: no cover - a clear message beats a collection error
    raise ImportError("these tests need pyrage: pip install pyrage") from e

REPO = Path(__file__).resolve().parents[2]
CHUNK = 64 * 1024
PASSPHRASE = "interop passphrase ✓"

# Sizes around the 64 KiB chunk boundaries, where framing bugs live.
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17]


def age_tool(*args, passphrase=None, check=True):
    env = dict(os.environ)
    env.pop("AGE_TOOL_PASSPHRASE", None)
    if passphrase is not None:
        env["AGE_TOOL_PASSPHRASE"] = passphrase
    result = subprocess.run(
        ["cargo", "run", "-q", "-p", "vigil-core", "--example", "age_tool", "--", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"age_tool {args[0]} failed: {result.stderr}")
    return result


@pytest.fixture(scope="session", autouse=True)
def built_tool():
    """Build once, so the first test does not time out compiling."""
    subprocess.run(
        ["cargo", "build", "-q", "-p", "vigil-core", "--example", "age_tool"],
        cwd=REPO,
        check=True,
        timeout=1800,
    )


def payload(size):
    return os.urandom(size)


@pytest.mark.parametrize("size", SIZES)
def test_pyrage_decrypts_vigil_passphrase_output(tmp_path, size):
    plain = payload(size)
    (tmp_path / "plain").write_bytes(plain)
    # A low work factor keeps the suite fast; the format is the same at any cost.
    age_tool(
        "encrypt", "--in", str(tmp_path / "plain"), "--out", str(tmp_path / "out.age"),
        "--work-factor", "10", passphrase=PASSPHRASE,
    )
    encrypted = (tmp_path / "out.age").read_bytes()
    assert encrypted.startswith(b"age-encryption.org/v1\n-> scrypt ")
    assert pyrage_passphrase.decrypt(encrypted, PASSPHRASE) == plain
    with pytest.raises(pyrage.DecryptError):
        pyrage_passphrase.decrypt(encrypted, "not the passphrase")


def test_pyrage_decrypts_vigil_output_at_the_default_work_factor(tmp_path):
    plain = payload(CHUNK + 5)
    (tmp_path / "plain").write_bytes(plain)
    age_tool("encrypt", "--in", str(tmp_path / "plain"), "--out", str(tmp_path / "out.age"),
             passphrase=PASSPHRASE)
    encrypted = (tmp_path / "out.age").read_bytes()
    assert b" 18\n" in encrypted.split(b"\n---")[0], "age's default work factor"
    assert pyrage_passphrase.decrypt(encrypted, PASSPHRASE) == plain


@pytest.mark.parametrize("size", [0, CHUNK, 2 * CHUNK + 3])
def test_pyrage_decrypts_vigil_x25519_output(tmp_path, size):
    alice = pyrage_x25519.Identity.generate()
    bob = pyrage_x25519.Identity.generate()
    plain = payload(size)
    (tmp_path / "plain").write_bytes(plain)
    age_tool(
        "encrypt", "--in", str(tmp_path / "plain"), "--out", str(tmp_path / "out.age"),
        "--recipient", str(alice.to_public()), "--recipient", str(bob.to_public()),
    )
    encrypted = (tmp_path / "out.age").read_bytes()
    assert encrypted.count(b"\n-> X25519 ") == 2
    assert pyrage.decrypt(encrypted, [alice]) == plain
    assert pyrage.decrypt(encrypted, [bob]) == plain
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(encrypted, [pyrage_x25519.Identity.generate()])


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1])
def test_vigil_decrypts_pyrage_passphrase_output(tmp_path, size):
    plain = payload(size)
    # rage chooses its own scrypt work factor (calibrated to this machine).
    (tmp_path / "in.age").write_bytes(pyrage_passphrase.encrypt(plain, PASSPHRASE))
    age_tool("decrypt", "--in", str(tmp_path / "in.age"), "--out", str(tmp_path / "plain"),
             passphrase=PASSPHRASE)
    assert (tmp_path / "plain").read_bytes() == plain


def test_vigil_reports_a_wrong_passphrase_on_pyrage_output(tmp_path):
    (tmp_path / "in.age").write_bytes(pyrage_passphrase.encrypt(b"secret", PASSPHRASE))
    result = age_tool("decrypt", "--in", str(tmp_path / "in.age"), "--out", str(tmp_path / "plain"),
                      passphrase="wrong", check=False)
    assert result.returncode == 1
    assert "wrong passphrase" in result.stderr


def test_vigil_decrypts_pyrage_x25519_output(tmp_path):
    identity = pyrage_x25519.Identity.generate()
    plain = payload(2 * CHUNK + 9)
    (tmp_path / "in.age").write_bytes(pyrage.encrypt(plain, [identity.to_public()]))
    age_tool("decrypt", "--in", str(tmp_path / "in.age"), "--out", str(tmp_path / "plain"),
             "--identity", str(identity))
    assert (tmp_path / "plain").read_bytes() == plain


def test_vigil_rejects_tampered_pyrage_output_without_leaving_plaintext(tmp_path):
    identity = pyrage_x25519.Identity.generate()
    encrypted = bytearray(pyrage.encrypt(payload(3 * CHUNK), [identity.to_public()]))
    encrypted[-100] ^= 1  # inside the final chunk
    (tmp_path / "in.age").write_bytes(bytes(encrypted))
    result = age_tool("decrypt", "--in", str(tmp_path / "in.age"), "--out", str(tmp_path / "plain"),
                      "--identity", str(identity), check=False)
    assert result.returncode == 1
    assert "failed authentication" in result.stderr
    assert not (tmp_path / "plain").exists()


@pytest.mark.parametrize("size", [0, 47, 48, CHUNK + 1])
def test_vigil_decrypts_pyrage_armored_output(tmp_path, size):
    identity = pyrage_x25519.Identity.generate()
    plain = payload(size)
    armored = pyrage.encrypt(plain, [identity.to_public()], armored=True)
    assert armored.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    (tmp_path / "in.age").write_bytes(armored)
    age_tool("decrypt", "--in", str(tmp_path / "in.age"), "--out", str(tmp_path / "plain"),
             "--identity", str(identity))
    assert (tmp_path / "plain").read_bytes() == plain
