"""Writes ios/Vigil/Resources/vigil-alarm.wav, the sound of a watch's alarm on the buddy's
iPhone (a local notification may play a sound file of the app's bundle, up to 30 s): two
alternating tones, loud, 20 s, 8 kHz mono 8-bit linear PCM (a format iOS plays for
notifications; 160 kB).
Generated, not committed (a build output): `ios/README.md`'s build steps run it before
`xcodegen generate`, which bundles what Resources/ holds.
  python3 ios/scripts/alarm-sound.py
"""

import math
import pathlib
import wave

RATE = 8000
SECONDS = 20
# Half a second each, like a siren: hard to mistake for a message's chime.
TONES = (880.0, 660.0)


def samples():
    for n in range(RATE * SECONDS):
        t = n / RATE
        freq = TONES[int(t * 2) % 2]
        # A short fade at each switch so the speaker does not click.
        phase = (t * 2) % 1
        envelope = min(1.0, phase * 40, (1 - phase) * 40)
        # 8-bit WAV samples are unsigned, silence at 128.
        yield 128 + int(0.9 * 127 * envelope * math.sin(2 * math.pi * freq * t))


def main():
    out = pathlib.Path(__file__).resolve().parent.parent / "Vigil" / "Resources" / "vigil-alarm.wav"
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(RATE)
        w.writeframes(bytes(samples()))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
