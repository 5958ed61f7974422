#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ from real files in the repository,
the C2SP age test vectors and bundles signed with the fixed test key of src/checks.rs.

Run from the repository root: python3 fuzz/seeds/make_seeds.py [path/to/age-cctv]
Needs the `cryptography` package (Ed25519) for the signed bundles.
"""
import hashlib, json, os, struct, sys, zlib
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
CCTV = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "testvectors", "age-cctv")
if not os.path.isdir(CCTV):
    CCTV = "/work/shared/testvectors/age-cctv"

# The same seed as TEST_KEY_FILE in src/checks.rs.
SEED = hashlib.sha256(b"vigil fuzz test key, not secret").digest()
KEY = Ed25519PrivateKey.from_private_bytes(SEED)
T0 = 1772366400  # 2026-03-01T12:00:00Z


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def sign(kind, version, content, issued=T0, expires=T0 + 30 * 86400):
    from cryptography.hazmat.primitives import serialization as s
    pub = KEY.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    key_id = hashlib.sha256(pub).digest()[:8]
    payload = (key_id + bytes([len(kind)]) + kind + struct.pack(">Q", version)
               + struct.pack(">q", issued) + struct.pack(">q", expires)
               + struct.pack(">Q", len(content)) + content)
    msg = b"vigil.bundle.v1\0" + struct.pack(">Q", len(payload)) + payload
    return b"VGLB" + bytes([1]) + struct.pack(">Q", len(payload)) + payload + KEY.sign(msg)


def service(i, hours="Mo-Sa 09:00-18:00; PH off"):
    return {"id": f"csv:{i}", "name": f"Pharmacy {i}", "categories": ["pharmacy"],
            "latitude": 52.0 + i * 0.01, "longitude": -2.0 + i * 0.01,
            "opening_hours": hours}


DIRECTORY = [
    {"format": 1, "time_zone": "Europe/London", "services": []},
    {"format": 1, "time_zone": "Europe/London", "services": [service(1), service(2, "24/7")]},
]
ALERT = ('{"id":"A-%d","issued":"2026-02-20T22:00:00Z","identifiers":[{"kind":"phone","value":"%s"}],'
         '"area":{"place":"Leeds"},"category":"%s","description":"Marker description"}')
ALERTS = [
    '{"format":1,"region":"GB"}\n',
    '{"format":1,"region":"GB"}\n' + ALERT % (1, "07700 900123", "violence") + "\n"
    + ALERT % (2, "+44 7911 123456", "time_waster") + "\n",
]

for i, d in enumerate(DIRECTORY):
    raw = json.dumps(d).encode()
    put("directory_content", f"content-{i}.json", raw)
    put("bundle_content", f"directory-{i}", b"\x00" + raw)
    put("bundle_envelope", f"directory-{i}.vglb", sign(b"directory", i + 1, raw))
for i, a in enumerate(ALERTS):
    put("bundle_content", f"alerts-{i}", b"\x01" + a.encode())
    put("bundle_envelope", f"alerts-{i}.vglb", sign(b"alerts", i + 1, a.encode()))

# NHS: each sample file, cut to its header and first rows, behind its slot byte.
nhs = os.path.join(ROOT, "cli", "data", "nhs-sample")
for slot, name in enumerate(["Clinics.csv", "Hospital.csv", "Pharmacy.csv", "GPPractices.csv",
                             "PharmacyOpeningTimes.csv"]):
    lines = open(os.path.join(nhs, name), "rb").read().split(b"\n")[:12]
    put("nhs_csv", name, bytes([slot]) + b"\n".join(lines))

put("plain_csv", "projects.csv",
    "Name,Category,Lat,Lng,Post code,Phone,Opening hours,Languages,Notes\r\n"
    "Outreach Drop-in,Sex work project;Needle exchange,51.52,-0.08,E1 6AN,020 7000 0001,Mo 18:00-21:00,en|ro|pt,\"Walk in, no ID needed\"\r\n"
    "SARC Haven,sarc,51.5,-0.1,SE5 9RS,,24/7,,\r\nNo Place,gp,,,,,,,\r\nSomewhere,hairdresser,51.5,-0.1,,,,,\r\n"
    "Too,Few,Fields\r\nFar,GP,91,0,,,,,\r\nOutreach Drop-in,Domestic abuse,51.52,-0.08,,,,,\r\n")
put("plain_csv", "fr.csv", b"id;name;latitude;longitude;categories;last_updated\n7;Clinique \xe9t\xe9;48.85;2.35;sexual health;2025-01-02\n")

put("geojson", "export.geojson", json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "node/1", "properties": {"@id": "node/1", "amenity": "pharmacy", "name": "Boots",
     "contact:phone": "+44 20 7000 0000", "opening_hours": "Mo-Sa 08:00-20:00; PH off", "addr:housenumber": "12",
     "addr:street": "High Street", "addr:city": "London", "addr:postcode": "N1 9GU", "website": "https://example.org",
     "language:ro": "yes", "check_date": "2024-05-01"}, "geometry": {"type": "Point", "coordinates": [-0.1, 51.53]}},
    {"type": "Feature", "properties": {"type": "way", "id": 2, "tags": {"amenity": "hospital", "emergency": "yes",
     "name": "Royal London Hospital"}, "meta": {"timestamp": "2024-05-01T10:00:00Z"}},
     "geometry": {"type": "Polygon", "coordinates": [[[-0.06, 51.51], [-0.05, 51.51], [-0.05, 51.52], [-0.06, 51.52], [-0.06, 51.51]]]}},
    {"type": "Feature", "properties": {"@id": "relation/3", "healthcare": "clinic", "healthcare:speciality": "sexual_health",
     "name": "Centre"}, "geometry": {"type": "MultiPolygon", "coordinates": [[[[-0.13, 51.52], [-0.12, 51.52], [-0.12, 51.53], [-0.13, 51.52]]]]}},
    {"type": "Feature", "properties": {"@id": "way/6", "amenity": "police", "name": "Police"},
     "geometry": {"type": "LineString", "coordinates": [[0.0, 51.0], [0.1, 51.0]]}},
]}))

for i, h in enumerate(["Mo-Sa 09:00-18:00; PH off", "24/7", "Su-Th 11:00-01:00; Fr-Sa 11:00-03:00",
                       "Mo-Fr 08:00-12:00,13:00-17:30; Sa 09:00-12:00 \"by appointment\"",
                       "Mo-Fr 09:00-17:00; Dec 25 off; week 1-53/2 We 10:00-12:00",
                       "sunrise-sunset", "Mo 18:00+", "Jan-Mar Mo-Fr 10:00-14:00 || \"call first\""]):
    put("opening_hours", f"hours-{i}", h)

for i, s in enumerate(["07700 900123", "+44 7700 900123", "0044 7700 900123", "(07700) 900-123",
                       "+44 (0) 7700 900123", "tel:+44-7700-900123", "07700.900.123 ext 12",
                       "  Client.Name@Example.COM ", "mailto:A@B.co", "instagram:@Some.One", "@bob",
                       "AB12 CDE", "+1 415 555 2671", "+33 6 12 34 56 78"]):
    put("identifiers", f"id-{i}", s)

# age: the C2SP vectors' bodies (no hybrid ones, nothing over 64 KiB).
for name in sorted(os.listdir(CCTV)):
    if name.startswith("hybrid") or name in ("LICENSE", "README.md") or "hybrid" in name:
        continue
    raw = open(os.path.join(CCTV, name), "rb").read()
    head, body = raw.split(b"\n\n", 1)
    if b"compressed: zlib" in head:
        body = zlib.decompress(body)
    if len(body) <= 4096 or name == "stream_last_chunk_full":
        put("age", name, body)
