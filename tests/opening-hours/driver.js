// Evaluates opening_hours values with opening_hours.js, the reference implementation of
// OpenStreetMap's opening_hours syntax, for core/tests/opening_hours_reference.rs.
//
// Input (file named by argv[2]): {"values": [string], "instants": [epoch milliseconds]}.
// Output (stdout): [{"error": string} | {"states": string}], one per value; `states` has
// one character per instant: o (open), c (closed), u (unknown).
// Run with TZ=Europe/London: opening_hours.js evaluates in the process's local time.
'use strict';

const fs = require('fs');
const OpeningHours = require('opening_hours');

// England: opening_hours.js takes public holidays (PH) from its own calendar for this place.
const NOMINATIM = {
  lat: 51.5,
  lon: -0.12,
  address: { country_code: 'gb', state: 'England' },
};

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const instants = input.instants;
const first = new Date(Math.min(...instants));
const last = new Date(Math.max(...instants) + 60 * 1000);

const out = input.values.map((value) => {
  let oh;
  try {
    // mode 0: time ranges only, as the opening_hours key uses.
    oh = new OpeningHours(value, NOMINATIM, { mode: 0, warnings_severity: 0 });
  } catch (e) {
    return { error: String(e).split('\n')[0].slice(0, 200) };
  }
  // One pass over the year: [from, to, unknown, comment] intervals; outside them: closed.
  const intervals = oh.getOpenIntervals(first, last);
  let states = '';
  for (const t of instants) {
    let s = 'c';
    for (const [from, to, unknown] of intervals) {
      if (from.getTime() <= t && t < to.getTime()) {
        s = unknown ? 'u' : 'o';
        break;
      }
    }
    states += s;
  }
  return { states };
});

process.stdout.write(JSON.stringify(out));
