#!/usr/bin/env python3
"""Cuts the `vigil tour` sample out of the 2014 NHS Choices snapshot.

Usage: python3 cli/data/select-nhs-sample.py ../shared/datasets/nhs-choices cli/data/nhs-sample

The tour asks for pharmacies near Charing Cross, London. From each of the four service
files it keeps every service (OrganisationID) with coordinates within RADIUS_M of that
point, topped up with the next nearest to at least MIN_SERVICES so that every file has
something to import, and all rows of each kept OrganisationID (so the importer still
merges repeated IDs). PharmacyOpeningTimes.csv keeps every row of the kept pharmacies. Rows are copied byte for byte in their original order, so the sample
keeps the snapshot's dialect: Windows-1252, CRLF, `¬` (0xAC) separators, unquoted fields.
"""

import math
import sys
from pathlib import Path

# The point the tour queries (cli/src/tour.rs, directory_steps).
CENTRE = (51.5080, -0.1247)
# Farther than the farthest pharmacy the tour prints (1,086 m), so its answer is unchanged.
RADIUS_M = 1_200.0
# At least this many services per file, nearest first, even beyond RADIUS_M.
MIN_SERVICES = 10
# The sample must stay small: fail rather than cut services out of RADIUS_M.
LIMIT = 40

SEP = b"\xac"
EOL = b"\r\n"
SERVICE_FILES = ["Clinics.csv", "Hospital.csv", "Pharmacy.csv", "GPPractices.csv"]
HOURS_FILE = "PharmacyOpeningTimes.csv"


def distance_m(lat, lon):
    """Haversine distance from CENTRE, in metres."""
    r = 6_371_008.8
    p1, p2 = math.radians(CENTRE[0]), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lon - CENTRE[1])
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def split(path):
    data = path.read_bytes()
    assert EOL in data, f"{path} is not CRLF"
    lines = data.split(EOL)
    if lines and lines[-1] == b"":
        lines.pop()
    return lines[0], lines[1:]


def select_services(src, name):
    header, rows = split(src / name)
    cols = header.split(SEP)
    i_id, i_lat, i_lon = (cols.index(c) for c in (b"OrganisationID", b"Latitude", b"Longitude"))
    nearest = {}
    for row in rows:
        f = row.split(SEP)
        if len(f) != len(cols) or not f[i_lat] or not f[i_lon]:
            continue
        d = distance_m(float(f[i_lat]), float(f[i_lon]))
        nearest[f[i_id]] = min(d, nearest.get(f[i_id], d))
    ranked = sorted(nearest, key=lambda k: (nearest[k], k))
    within = sum(1 for k in ranked if nearest[k] <= RADIUS_M)
    assert within <= LIMIT, f"{name}: {within} services within {RADIUS_M} m, over {LIMIT}"
    keep = set(ranked[: max(within, MIN_SERVICES)])
    kept = [r for r in rows if r.split(SEP)[i_id] in keep]
    return header, kept, keep


def write(dst, name, header, rows):
    (dst / name).write_bytes(EOL.join([header, *rows]) + EOL)
    print(f"{name}: {len(rows)} rows")


def main():
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    dst.mkdir(parents=True, exist_ok=True)
    pharmacies = set()
    for name in SERVICE_FILES:
        header, rows, ids = select_services(src, name)
        if name == "Pharmacy.csv":
            pharmacies = ids
        write(dst, name, header, rows)
    header, rows = split(src / HOURS_FILE)
    write(dst, HOURS_FILE, header, [r for r in rows if r.split(SEP)[0] in pharmacies])


if __name__ == "__main__":
    main()
