#!/usr/bin/env python3
"""Check every number in the Kinship directory JSON against Google libphonenumber (PyPI
`phonenumbers`, pinned by scripts/test because its metadata changes between releases).

    python3 scripts/check_directory_numbers.py [core/data/directory.json]

For each entry and each of its countries:
  * full numbers (channels.phone_e164, channels.whatsapp_e164, E.164 alt_numbers) must be
    is_valid_number_for_region for the country (for "INTL" entries: is_valid_number);
  * short codes (channels.short_code and short alt_numbers, spaces removed):
      - kind "emergency": shortnumberinfo.is_emergency_number for the country;
      - other kinds: is_valid_short_number_for_region, or a valid national number written
        without its country code (Australia's "13 11 14");
  * channels.sms.number like a non-emergency short code, where the library has short-number
    metadata for the country (otherwise skipped, on stderr).

libphonenumber is a check, not a gatekeeper: a number it rejects passes as "unverified" only
when its entry carries `libphonenumber_exception` (why it is kept: which sources state it).
Such a number is neither passed nor failed; it is listed on stdout as
"unverified ID: NUMBER (CC)", and the Rust test pins that list. A rejected number without the
marker fails.

stdout: one line per problem, one line per unverified number, then
"N passed, M failed, K unverified" as the last line. Exit status 1 if anything failed (2 if
the input cannot be read).
"""

import json
import sys
from pathlib import Path

try:
    import phonenumbers
    from phonenumbers import shortnumberinfo
except ImportError:  # pragma: no cover
    print("phonenumbers is not installed: pip install phonenumbers", file=sys.stderr)
    print("0 passed, 1 failed")
    sys.exit(1)

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "core" / "data" / "directory.json"


def parse(number, region):
    try:
        return phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None


def check_full(number, region):
    """(ok, why) for an E.164 number."""
    n = parse(number, None)
    if n is None:
        return False, "does not parse"
    if region == "INTL":
        return phonenumbers.is_valid_number(n), "not a valid number"
    return phonenumbers.is_valid_number_for_region(n, region), f"not a valid number for {region}"


def check_short(code, region, emergency):
    """(ok, why) for a short code or a national number written without its country code."""
    if region == "INTL":
        return False, "a short code needs a country, not INTL"
    digits = code.replace(" ", "")
    if emergency:
        ok = shortnumberinfo.is_emergency_number(digits, region)
        return ok, f"not an emergency number for {region} in libphonenumber"
    n = parse(digits, region)
    if n is None:
        return False, "does not parse"
    if shortnumberinfo.is_valid_short_number_for_region(n, region):
        return True, ""
    if phonenumbers.is_valid_number_for_region(n, region):
        return True, ""
    return False, f"not a valid short or national number for {region}"


def numbers_of(entry):
    """(field, number, is_full) for every number an entry can be reached at."""
    ch = entry.get("channels") or {}
    out = []
    if ch.get("phone_e164"):
        out.append(("phone_e164", ch["phone_e164"], True))
    if ch.get("short_code"):
        out.append(("short_code", ch["short_code"], False))
    for alt in ch.get("alt_numbers") or []:
        out.append(("alt_numbers", alt, alt.startswith("+")))
    if ch.get("whatsapp_e164"):
        out.append(("whatsapp_e164", ch["whatsapp_e164"], True))
    return out


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["entries"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 2

    print(f"phonenumbers {phonenumbers.__version__}; {len(entries)} entries in {path}", file=sys.stderr)
    passed = skipped = 0
    problems, unverified = [], []
    for e in entries:
        eid, kind = e.get("id"), e.get("kind")
        exception = (e.get("libphonenumber_exception") or "").strip()
        for cc in e.get("countries") or []:
            for field, number, full in numbers_of(e):
                if full:
                    ok, why = check_full(number, cc)
                else:
                    ok, why = check_short(number, cc, kind == "emergency" and field == "short_code")
                if ok:
                    passed += 1
                elif exception and cc != "INTL":
                    unverified.append(f"unverified {eid}: {number} ({cc})")
                else:
                    problems.append(f"FAIL {eid}: {field} {number!r}: {why}")
            sms = (e.get("channels") or {}).get("sms")
            if sms:
                number = sms.get("number") or ""
                if cc == "INTL" or cc not in phonenumbers.SUPPORTED_SHORT_REGIONS:
                    skipped += 1
                    print(f"skipped {eid}: sms {number} (no short-number metadata for {cc})", file=sys.stderr)
                    continue
                ok, why = (check_full(number, cc) if number.startswith("+")
                           else check_short(number, cc, False))
                if ok:
                    passed += 1
                elif exception:
                    unverified.append(f"unverified {eid}: sms {number} ({cc})")
                else:
                    problems.append(f"FAIL {eid}: sms {number!r}: {why}")
    for line in problems + unverified:
        print(line)
    print(f"{skipped} skipped", file=sys.stderr)
    print(f"{passed} passed, {len(problems)} failed, {len(unverified)} unverified")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
