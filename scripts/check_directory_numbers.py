#!/usr/bin/env python3
"""Check every number in the Kinship directory JSON against Google
libphonenumber (PyPI `phonenumbers`).

    python3 scripts/check_directory_numbers.py [core/data/directory.json]

For each entry and each of its countries:
  * channels.phone_e164  must be phonenumbers.is_valid_number_for_region for
    the entry's country (for "INTL" entries: is_valid_number).
  * channels.short_code  (spaces removed)
      - kind "emergency": shortnumberinfo.is_emergency_number for the country.
        Entries whose libphonenumber_exception is set (the README's CHECK rows:
        numbers the cited source gives but libphonenumber does not list) are
        allowed exceptions, reported on stderr only. The marker itself must be
        the exact agreed text and only on emergency entries.
      - other kinds: shortnumberinfo.is_valid_short_number_for_region, or, for
        a national number written without country code (e.g. Australia's
        "13 11 14", a 6-digit shared-cost number), is_valid_number_for_region.
  * channels.sms.number  like a non-emergency short code, where the library
    has short-number metadata for the country (otherwise skipped, stderr).

stdout: one line per problem, then "N passed, M failed" as the last line.
Exit status 1 if anything failed (2 if the input cannot be read).
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

EXCEPTION_TEXT = "not in libphonenumber short-number metadata; kept from the cited source"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "core" / "data" / "directory.json"


def parse(number, region):
    try:
        return phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None


def valid_short_or_national(digits, region):
    """(ok, how) for a non-emergency short code / SMS number."""
    n = parse(digits, region)
    if n is None:
        return False, "does not parse"
    if shortnumberinfo.is_valid_short_number_for_region(n, region):
        return True, "valid short number"
    if phonenumbers.is_valid_number_for_region(n, region):
        return True, "valid national number"
    return False, "not a valid short number (nor a valid national number) for " + region


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        entries = doc["entries"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 2

    print(f"phonenumbers {phonenumbers.__version__}; {len(entries)} entries in {path}", file=sys.stderr)
    passed = failed = exceptions = skipped = 0
    problems = []

    def fail(eid, what, value, why):
        nonlocal failed
        failed += 1
        problems.append(f"FAIL {eid}: {what} {value!r}: {why}")

    for e in entries:
        eid = e.get("id")
        kind = e.get("kind")
        countries = e.get("countries") or []
        ch = e.get("channels") or {}
        marker = e.get("libphonenumber_exception")

        if marker is not None:
            if kind != "emergency":
                fail(eid, "libphonenumber_exception", marker, "only emergency entries may carry it")
            elif marker != EXCEPTION_TEXT:
                fail(eid, "libphonenumber_exception", marker, "unexpected text")

        e164 = ch.get("phone_e164")
        if e164:
            n = parse(e164, None)
            for cc in countries:
                if n is None:
                    fail(eid, "phone_e164", e164, "does not parse")
                elif cc == "INTL":
                    if phonenumbers.is_valid_number(n):
                        passed += 1
                    else:
                        fail(eid, "phone_e164", e164, "not a valid number")
                elif phonenumbers.is_valid_number_for_region(n, cc):
                    passed += 1
                else:
                    fail(eid, "phone_e164", e164, f"not a valid number for {cc}")

        code = ch.get("short_code")
        if code:
            digits = code.replace(" ", "")
            for cc in countries:
                if cc == "INTL":
                    fail(eid, "short_code", code, "a short code needs a country, not INTL")
                elif kind == "emergency":
                    if shortnumberinfo.is_emergency_number(digits, cc):
                        passed += 1
                    elif marker == EXCEPTION_TEXT:
                        passed += 1
                        exceptions += 1
                        print(f"known exception {eid}: {code} ({cc})", file=sys.stderr)
                    else:
                        fail(eid, "short_code", code, f"not an emergency number for {cc} in libphonenumber")
                else:
                    ok, how = valid_short_or_national(digits, cc)
                    if ok:
                        passed += 1
                    else:
                        fail(eid, "short_code", code, how)

        sms = ch.get("sms")
        if sms:
            number = sms.get("number") or ""
            for cc in countries:
                if cc == "INTL" or cc not in phonenumbers.SUPPORTED_SHORT_REGIONS:
                    skipped += 1
                    print(f"skipped {eid}: sms {number} (no short-number metadata for {cc})", file=sys.stderr)
                    continue
                ok, how = valid_short_or_national(number, cc)
                if ok:
                    passed += 1
                else:
                    fail(eid, "sms", number, how)

    for line in problems:
        print(line)
    print(f"{exceptions} allowed libphonenumber exceptions, {skipped} skipped", file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
