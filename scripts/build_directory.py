#!/usr/bin/env python3
"""Build core/data/directory.json from the reviewable source files in data/directory/.

    python3 scripts/build_directory.py                  # writes core/data/directory.json
    python3 scripts/build_directory.py --out /tmp/d.json
    python3 scripts/build_directory.py --check          # exit 1 unless the shipped file is
                                                        # exactly what the sources give
    python3 scripts/build_directory.py --summary        # the coverage table and what was held back

Python 3.11 standard library only (tomllib). The output is a pure function of the files in
data/directory/countries/ and of VERSION and GENERATED_ON below, so building twice gives the
same bytes.

The rules (data/directory/README.md), enforced here:
  * nothing is invented: every field is copied from the source files as written;
  * every entry that ships has two sources from different sites, each of a known kind, and at
    least one of them `operator` or `official` (the one exception: `emergency` entries carried
    over from the 2026-11-27 tables, which keep `primary_missing` and ship marked unverified);
  * an entry that does not meet the rules is held back (listed, never shipped);
  * a chat link must be the page that starts the chat, not a site's home page;
  * a paused or discontinued service ships without a callable channel.
A schema error (an unknown key, a wrong type, a malformed number or time zone) fails the build.
"""

import argparse
import json
import re
import sys
import tomllib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = REPO_ROOT / "data" / "directory" / "countries"
CANDIDATES_DIR = REPO_ROOT / "data" / "directory" / "candidates"
DEFAULT_OUT = REPO_ROOT / "core" / "data" / "directory.json"

FORMAT = "kinship-directory"
# Above every version ever built in or published (1 was the 2026-11-27 tables).
VERSION = 2
GENERATED_ON = "2026-12-01"

KINDS = (
    "emergency",
    "crisis_hotline",
    "text_line",
    "chat",
    "warm_line",
    "online_community",
    "in_person_group",
    "mentorship_program",
    "counseling",
)
CRISIS_KINDS = ("crisis_hotline", "text_line", "chat")
# What the app is told about an emergency number no official page confirms yet.
PRIMARY_MISSING = "no official source cited yet"
PEER_KINDS = ("online_community", "in_person_group", "mentorship_program")
LGBTQ_AUDIENCES = {"lgbtq", "trans", "bisexual", "lesbian", "gay", "queer", "intersex", "nonbinary"}
SERVICES = ("general", "ambulance", "fire", "police")
STATUSES = ("active", "paused", "discontinued")
SOURCE_KINDS = ("operator", "official", "news", "wikipedia", "reference", "aggregator")
PRIMARY = ("operator", "official")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

ENTRY_KEYS = {
    "id", "kind", "name", "organization", "description", "audience", "languages", "countries",
    "region", "status", "emergency_services", "hours_text", "cost", "free", "on_phone_bill",
    "age_range", "confidentiality", "notes", "libphonenumber_exception", "primary_missing",
    "source_order", "migrated", "channels", "hours", "sources",
}
CHANNEL_KEYS = {
    "phone_e164", "short_code", "alt_numbers", "sms", "whatsapp_e164", "chat_url", "website",
}
HOURS_KEYS = {"always", "time_zone", "local_time_zones", "weekly", "special_days", "closed_on"}
SOURCE_KEYS = {"url", "kind", "publisher", "date", "says", "checked"}

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# A short code or national number as written locally; one leading "*" for a mobile network's
# star code (Chile's *4141), never "#".
SHORT_CODE = re.compile(r"^\*?[0-9]{2,8}$|^\*?[0-9]+( [0-9]+)+$")
ID = re.compile(r"^[a-z0-9-]{2,80}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")


class SchemaError(Exception):
    pass


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args(argv)
    try:
        files = load_files(SOURCE_DIR)
        shipped, held = build(files)
    except SchemaError as err:
        print(f"build_directory: {err}", file=sys.stderr)
        return 1
    document = {
        "format": FORMAT,
        "version": VERSION,
        "generated_on": GENERATED_ON,
        "entries": shipped,
    }
    # One entry per line: compact for the library, still diffable line by line.
    text = (
        '{"format":"%s","version":%d,"generated_on":"%s","entries":[\n' % (FORMAT, VERSION, GENERATED_ON)
        + ",\n".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in shipped)
        + "\n]}\n"
    )
    if args.summary:
        print_summary(shipped, held, files)
    if args.check:
        current = DEFAULT_OUT.read_text(encoding="utf-8") if DEFAULT_OUT.exists() else ""
        if current != text:
            print(
                "build_directory: core/data/directory.json is not what data/directory gives: "
                "run python3 scripts/build_directory.py",
                file=sys.stderr,
            )
            return 1
        print(f"core/data/directory.json matches data/directory ({len(shipped)} entries)")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(shipped)} entries, {len(held)} held back)", file=sys.stderr)
    return 0


# --- reading --------------------------------------------------------------------------------


def load_files(folder):
    files = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise SchemaError(f"{path.name}: not valid TOML: {err}") from err
        country = data.get("country")
        if path.stem != country:
            raise SchemaError(f"{path.name}: `country` must be {path.stem!r}, not {country!r}")
        if country != "INTL" and not COUNTRY.match(country):
            raise SchemaError(f"{path.name}: not an ISO 3166-1 alpha-2 code")
        unknown = set(data) - {"country", "country_name", "entries"}
        if unknown:
            raise SchemaError(f"{path.name}: unknown top-level keys {sorted(unknown)}")
        files[country] = data
    if not files:
        raise SchemaError(f"no country files in {folder}")
    return files


# --- building -------------------------------------------------------------------------------


def build(files):
    """(entries that ship, [(entry id, country, why held back)])."""
    shipped, held, ids = [], [], set()
    for country, data in files.items():
        for raw in data.get("entries", []):
            entry_id = raw.get("id", "?")
            where = f"{country}.toml: {entry_id}"
            check_schema(raw, where)
            if entry_id in ids:
                raise SchemaError(f"{where}: duplicate id")
            ids.add(entry_id)
            reasons = hold_back_reasons(raw)
            if reasons:
                held.append((entry_id, country, "; ".join(reasons)))
                continue
            shipped.append(to_json(raw, country))
    shipped.sort(key=lambda e: (e["countries"][0] != "INTL", e["countries"][0], e["id"]))
    return shipped, held


def check_schema(e, where):
    def fail(problem):
        raise SchemaError(f"{where}: {problem}")

    unknown = set(e) - ENTRY_KEYS
    if unknown:
        fail(f"unknown keys {sorted(unknown)}")
    if not isinstance(e.get("id"), str) or not ID.match(e["id"]):
        fail("id must be [a-z0-9-], 2 to 80 characters")
    if e.get("kind") not in KINDS:
        fail(f"kind must be one of {KINDS}")
    if not isinstance(e.get("name"), str) or not e["name"].strip():
        fail("no name")
    for key in ("organization", "description", "region", "hours_text", "cost",
                "confidentiality", "notes", "libphonenumber_exception", "primary_missing"):
        if key in e and (not isinstance(e[key], str) or not e[key].strip()):
            fail(f"{key} must be non-empty text")
    for key in ("free", "on_phone_bill", "migrated"):
        if key in e and not isinstance(e[key], bool):
            fail(f"{key} must be true or false")
    for key in ("audience", "languages", "countries", "emergency_services"):
        if key in e and not (isinstance(e[key], list) and all(isinstance(x, str) for x in e[key])):
            fail(f"{key} must be a list of text")
    for c in e.get("countries", []):
        if c != "INTL" and not COUNTRY.match(c):
            fail(f"country {c!r} is not ISO 3166-1 alpha-2")
    if e.get("status", "active") not in STATUSES:
        fail(f"status must be one of {STATUSES}")
    services = e.get("emergency_services", [])
    if any(s not in SERVICES for s in services):
        fail(f"emergency_services must be among {SERVICES}")
    if (e["kind"] == "emergency") != bool(services):
        fail("emergency entries, and only they, list the services they reach")
    if "source_order" in e and not isinstance(e["source_order"], int):
        fail("source_order must be a whole number")
    if "age_range" in e:
        age = e["age_range"]
        if not isinstance(age, dict) or set(age) - {"min", "max"} or not all(
            isinstance(v, int) and 0 <= v <= 120 for v in age.values()
        ):
            fail("age_range must be { min = N, max = N }")
    check_channels(e.get("channels", {}), fail, e.get("status", "active") == "active")
    if "hours" in e:
        check_hours(e["hours"], fail)
    sources = e.get("sources", [])
    if not isinstance(sources, list) or not sources:
        fail("at least one [[entries.sources]]")
    for source in sources:
        check_source(source, fail)


def check_channels(ch, fail, active):
    if not isinstance(ch, dict):
        fail("channels must be a table")
    unknown = set(ch) - CHANNEL_KEYS
    if unknown:
        fail(f"unknown channel keys {sorted(unknown)}")
    if "phone_e164" in ch and "short_code" in ch:
        fail("a full number and a short code in one entry")
    for key in ("phone_e164", "whatsapp_e164"):
        if key in ch and not (isinstance(ch[key], str) and E164.match(ch[key])):
            fail(f"{key} is not an E.164 number (+ and 7 to 15 digits)")
    if "short_code" in ch and not (isinstance(ch["short_code"], str) and is_short_code(ch["short_code"])):
        fail("short_code must be digits and single spaces, after at most one leading *")
    for number in ch.get("alt_numbers", []):
        if not (isinstance(number, str) and (E164.match(number) or is_short_code(number))):
            fail(f"alt number {number!r} is neither E.164 nor a short code")
    if "sms" in ch:
        sms = ch["sms"]
        if not isinstance(sms, dict) or set(sms) - {"number", "keyword"}:
            fail("sms must be { number = ..., keyword = ... }")
        if not re.match(r"^\+?[0-9]{3,15}$", sms.get("number", "")):
            fail("sms number is malformed")
    for key in ("chat_url", "website"):
        if key in ch and not is_web_url(ch[key]):
            fail(f"{key} must be an http(s) URL")
    if "chat_url" in ch and is_home_page(ch["chat_url"]):
        fail("chat_url is a home page, not the page where the chat starts")
    if not ch and active:
        fail("no way to reach it")


def check_hours(h, fail):
    if not isinstance(h, dict) or set(h) - HOURS_KEYS:
        fail(f"hours keys must be among {sorted(HOURS_KEYS)}")
    if "always" in h:
        if h["always"] is not True or set(h) - {"always", "special_days", "closed_on"}:
            fail("`always = true` stands alone (with closed_on at most)")
    else:
        zones = [h["time_zone"]] if "time_zone" in h else h.get("local_time_zones", [])
        if ("time_zone" in h) == ("local_time_zones" in h) or not zones:
            fail("hours need `always`, a `time_zone` or `local_time_zones`")
        for zone in zones:
            if zone not in ZONES:
                fail(f"unknown time zone {zone}")
        weekly = h.get("weekly", [])
        if not weekly:
            fail("a schedule needs at least one weekly slot")
        for slot in weekly:
            if set(slot) != {"days", "open", "close"}:
                fail("a slot is { days = [...], open = HH:MM, close = HH:MM }")
            if not slot["days"] or any(d not in DAYS for d in slot["days"]):
                fail("days must be mon..sun")
            if not (HHMM.match(slot["open"]) and HHMM.match(slot["close"])) or slot["open"] in ("24:00", slot["close"]):
                fail("times must be HH:MM, open before 24:00 and not equal to close")
    for special in h.get("special_days", []):
        if set(special) != {"day_of_month", "always"} or special["always"] is not True or not (
            isinstance(special["day_of_month"], int) and 1 <= special["day_of_month"] <= 31
        ):
            fail("special_days are { day_of_month = 1..31, always = true }")
    for closed in h.get("closed_on", []):
        if not re.match(r"^([0-9]{4}-)?[01][0-9]-[0-3][0-9]$", str(closed)):
            fail("closed_on takes MM-DD or YYYY-MM-DD")


def check_source(s, fail):
    if not isinstance(s, dict) or set(s) - SOURCE_KEYS:
        fail(f"source keys must be among {sorted(SOURCE_KEYS)}")
    if not is_web_url(s.get("url", "")):
        fail("a source needs an http(s) url")
    if s.get("kind") not in SOURCE_KINDS + ("unclassified",):
        fail(f"source kind must be one of {SOURCE_KINDS}")
    for key in ("date", "checked"):
        if key in s:
            value = str(s[key])
            if not re.match(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$", value):
                fail(f"source {key} must be YYYY, YYYY-MM or YYYY-MM-DD")


def hold_back_reasons(e):
    """Why an entry that is well formed still cannot ship (empty: it ships)."""
    reasons = []
    sources = e["sources"]
    if e.get("status") == "discontinued":
        reasons.append("discontinued (kept in the source file as a record)")
    if e.get("migrated"):
        reasons.append("carried over from the 2026-11-27 tables and not yet re-verified")
    if any(s["kind"] == "unclassified" or not s.get("says", "").strip() for s in sources):
        reasons.append("a source without its kind or what it says")
    # A site's front page does not count as a source: it must be the page that states it.
    stating = [s for s in sources if not is_home_page(s["url"])]
    sites = {site(s["url"]) for s in stating}
    if len(sites) < 2:
        reasons.append("fewer than two independent sources (different sites, not home pages)")
    has_primary = any(s["kind"] in PRIMARY for s in stating)
    if not has_primary:
        if e["kind"] == "emergency" and e.get("primary_missing"):
            pass  # shipped, marked unverified: a missing emergency number is worse
        else:
            reasons.append("no operator or official source")
    return reasons


def to_json(e, country):
    """The entry as core/src/directory/model.rs reads it, keys in a fixed order."""
    ch = dict(e.get("channels", {}))
    status = e.get("status", "active")
    if status != "active":
        # Never offered as callable: only the page about it stays.
        ch = {k: v for k, v in ch.items() if k == "website"}
    # The app needs each source's address, kind and date (for "may be out of date"); what a
    # source says, its publisher and the day it was read stay in data/directory for review,
    # which keeps the phone library small (they tripled the compressed data).
    sources = [{k: s[k] for k in ("url", "kind", "date") if k in s} for s in e["sources"]]
    for s in sources:
        for key in ("date", "checked"):
            if key in s:
                s[key] = str(s[key])
    primary = next((s["url"] for s in e["sources"] if s["kind"] in PRIMARY), e["sources"][0]["url"])
    checked = max((str(s.get("checked", "")) for s in e["sources"]), default="")
    out = {
        "id": e["id"],
        "kind": e["kind"],
        "name": e["name"],
        "organization": e.get("organization"),
        "description": e.get("description"),
        "countries": e.get("countries") or [country],
        "region": e.get("region"),
        "languages": e.get("languages", []),
        "audience": e.get("audience") or ["general"],
        "status": status,
        "channels": {
            "phone_e164": ch.get("phone_e164"),
            "short_code": ch.get("short_code"),
            "alt_numbers": ch.get("alt_numbers", []),
            "sms": ch.get("sms"),
            "whatsapp_e164": ch.get("whatsapp_e164"),
            "chat_url": ch.get("chat_url"),
            "website": ch.get("website"),
        },
        "emergency_services": e.get("emergency_services", []),
        "hours": hours_json(e.get("hours")),
        "hours_text": e.get("hours_text"),
        "cost": e.get("cost"),
        "free": e.get("free"),
        "on_phone_bill": e.get("on_phone_bill"),
        "age_range": e.get("age_range"),
        "confidentiality": e.get("confidentiality"),
        "source_url": primary,
        "sources": sources,
        "source_order": e.get("source_order"),
        "verified_on": checked[:10] if len(checked) >= 10 else GENERATED_ON,
        # Notes are for maintainers (judgement calls, cross-checks, what to re-check): they
        # stay in data/directory, as does the full reason behind `primary_missing`. What a
        # person needs is in the name, description, hours_text and cost.
        "notes": None,
        "libphonenumber_exception": e.get("libphonenumber_exception"),
        "primary_missing": PRIMARY_MISSING if e.get("primary_missing") and not any(
            s["kind"] in PRIMARY for s in e["sources"]) else None,
    }
    if status != "active" and out["channels"]["website"] is None:
        out["channels"]["website"] = next(
            (s["url"] for s in e["sources"] if s["kind"] in PRIMARY), None)
    return out


def hours_json(h):
    if h is None:
        return None
    if "always" in h:
        out = {"always": True}
    elif "time_zone" in h:
        out = {"time_zone": h["time_zone"], "weekly": h["weekly"]}
    else:
        out = {"local_time_zones": h["local_time_zones"], "weekly": h["weekly"]}
    if h.get("special_days"):
        out["special_days"] = h["special_days"]
    if h.get("closed_on"):
        out["closed_on"] = [str(c) for c in h["closed_on"]]
    return out


# --- helpers --------------------------------------------------------------------------------

ZONES = available_timezones() | {"UTC"}


def is_short_code(code):
    return (
        isinstance(code, str)
        and bool(SHORT_CODE.match(code))
        and 2 <= len(code.replace(" ", "").lstrip("*")) <= 12
    )


def is_web_url(url):
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and "." in parts.netloc and " " not in url


def is_home_page(url):
    """A site's front page. A host of its own for the chat (chat.example.org/) is the chat."""
    parts = urlsplit(url)
    dedicated = any(label in ("chat", "chats") for label in site(url).split(".")[:-1])
    return parts.path in ("", "/") and not parts.query and not parts.fragment and not dedicated


def site(url):
    """The site a URL belongs to, for independence: the host without `www.`."""
    host = urlsplit(url).netloc.lower().split("@")[-1].split(":")[0]
    return host[4:] if host.startswith("www.") else host


# --- summary --------------------------------------------------------------------------------


def print_summary(shipped, held, files):
    by_country = defaultdict(list)
    for e in shipped:
        for c in e["countries"]:
            by_country[c].append(e)
    has = lambda pred: sorted(c for c, es in by_country.items() if c != "INTL" and any(pred(e) for e in es))
    crisis = has(lambda e: e["kind"] in CRISIS_KINDS and e["status"] == "active")
    lgbtq = has(lambda e: set(e["audience"]) & LGBTQ_AUDIENCES)
    text_chat = has(lambda e: e["channels"]["sms"] or e["channels"]["chat_url"] or e["channels"]["whatsapp_e164"])
    peer = has(lambda e: e["kind"] in PEER_KINDS)
    mentorship = has(lambda e: e["kind"] == "mentorship_program")
    emergency = has(lambda e: e["kind"] == "emergency")
    kinds = Counter(e["kind"] for e in shipped)
    print("## Coverage\n")
    print("| what | countries |")
    print("| --- | --- |")
    for label, countries in [
        ("emergency numbers", emergency),
        ("a crisis line (call, text or chat)", crisis),
        ("an LGBTQ+ line or service", lgbtq),
        ("text or chat", text_chat),
        ("peer support (online, groups, mentorship)", peer),
        ("mentorship", mentorship),
    ]:
        print(f"| {label} | {len(countries)}: {' '.join(countries)} |")
    print("\nEntries by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    unverified = [e["id"] for e in shipped if e["primary_missing"]]
    print(f"Emergency numbers without an official source yet (shipped, marked): {len(unverified)}")
    print(f"\n## Held back ({len(held)})\n")
    for entry_id, country, why in sorted(held, key=lambda h: (h[1], h[0])):
        print(f"- {country} {entry_id}: {why}")
    candidates = 0
    for path in sorted(CANDIDATES_DIR.glob("*.toml")):
        try:
            candidates += len(tomllib.loads(path.read_text(encoding="utf-8")).get("candidates", []))
        except tomllib.TOMLDecodeError as err:
            print(f"warning: {path.name} is not valid TOML: {err}")
    print(f"\nCandidates to verify in data/directory/candidates/: {candidates}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
