#!/usr/bin/env python3
"""Build core/data/directory.json (the offline crisis / peer-support directory)
from the reference CSVs in ../shared/directory/ (relative to the repo root).

    python3 scripts/build_directory.py [SRC_DIR] [--out PATH]

Python 3 standard library only. The output is a pure function of the two CSVs
and of the hand-written tables below, so re-running it gives the same file.

Rules (a wrong crisis number is dangerous):
  * Numbers are never invented, guessed, computed or "fixed". phone_e164 comes
    only from the CSV phone_e164 column; short codes only from the CSV phone /
    police / ambulance / fire / general_emergency cells, as written there.
  * Every entry keeps its sources (source_url + sources) and the CSV notes
    verbatim.
  * Every per-row judgement (structured hours, cost, age range,
    confidentiality, description) cites the CSV text it was derived from. The
    citation is checked at build time: if the CSV text changed, the judgement
    is dropped (field -> null) and a warning is printed, so a stale judgement
    can never silently outlive its source.
  * Numbers that Google libphonenumber rejects (see
    scripts/check_directory_numbers.py) and that the README / CSV notes do not
    explain are left out (LIBPHONENUMBER_REJECTED below), never altered.

The script validates its own output and exits non-zero if anything is wrong.
"""

import argparse
import csv
import json
import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = REPO_ROOT / ".." / "shared" / "directory"
DEFAULT_OUT = REPO_ROOT / "core" / "data" / "directory.json"

FORMAT = "kinship-directory"
VERSION = 1
# The date the reference CSVs were compiled from their sources (README:
# "Compiled on 2026-11-27"). Nothing was call-tested; that is documented in the
# README, not here. Fixed (not "today") so that the build is reproducible.
GENERATED_ON = "2026-11-27"
VERIFIED_ON = "2026-11-27"

LIBPHONENUMBER_EXCEPTION = "not in libphonenumber short-number metadata; kept from the cited source"

KINDS = (
    "emergency",
    "crisis_hotline",
    "text_line",
    "chat",
    "online_community",
    "in_person_group",
    "mentorship_program",
    "counseling",
)
# CSV kinds that are not one of KINDS are mapped here. The current CSV only
# uses crisis_hotline, text_line, online_community and in_person_group, so the
# map is not exercised today; it documents how other values would be mapped.
# A kind that is neither in KINDS nor here makes the row be left out (reported).
KIND_MAP = {
    "hotline": "crisis_hotline",
    "helpline": "crisis_hotline",
    "crisis_line": "crisis_hotline",
    "phone": "crisis_hotline",
    "sms": "text_line",
    "text": "text_line",
    "webchat": "chat",
    "online_chat": "chat",
    "forum": "online_community",
    "community": "online_community",
    "support_group": "in_person_group",
    "peer_group": "in_person_group",
    "group": "in_person_group",
    "mentoring": "mentorship_program",
    "mentorship": "mentorship_program",
    "therapy": "counseling",
    "counselling": "counseling",
}

SERVICES = ("general", "police", "ambulance", "fire")
SERVICE_COLUMNS = (("police", "police"), ("ambulance", "ambulance"), ("fire", "fire"))
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = list(DAYS)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]

E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
SHORT_CODE_RE = re.compile(r"^[0-9]{2,8}( [0-9]{1,4})*$")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
URL_RE = re.compile(r"^https?://\S+$")
# "Text START to 678-678", "Text 988", "Text 0477 13 11 14"
SMS_RE = re.compile(r"^Text (?:([A-Z][A-Za-z0-9]*) to )?([0-9][0-9 -]*[0-9])$")

ALWAYS = {"always": True}


def weekly(time_zone, *spans):
    """spans: (days, "HH:MM", "HH:MM"); close < open means it ends next day."""
    return {
        "time_zone": time_zone,
        "weekly": [{"days": list(d), "open": o, "close": c} for d, o, c in spans],
    }


def cite(field, quote, value):
    """A judgement `value` derived from CSV column `field`; `quote` (a string or
    list of strings) must occur verbatim in that column, else it is dropped."""
    return {"field": field, "quote": quote, "value": value}


# ---------------------------------------------------------------------------
# Per-helpline judgements. Keys are CSV ids. Each field cites the CSV text it
# was derived from (checked at build time). Fields:
#   hours            structured hours (cites the `hours` column verbatim)
#   description      1-2 plain factual sentences taken from the CSV notes
#   cost             "free" only where the CSV says free / toll-free
#   age_range        {"min","max"} only where the CSV states ages
#   confidentiality  short factual note only where the CSV states one
#   short_code       explicit override of the short-code spelling (rare)
#   sms              explicit SMS parse where the generic parser cannot
# Anything absent is null. Rows without an entry get nulls (and a warning).
# ---------------------------------------------------------------------------
J = {}

# hours "24/7"; notes "For LGBTQ young people under 25" -> max 24.
J["trevor-project-lifeline"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite(
        "notes",
        ["For LGBTQ young people under 25", "Phone/text/chat", "Chat is reached from thetrevorproject.org"],
        "For LGBTQ young people under 25. Phone, text and chat; chat is reached from thetrevorproject.org.",
    ),
    age_range=cite("notes", "under 25", {"min": None, "max": 24}),
)
# no hours; notes "online community for LGBTQ youth around the world; terms
# page states use is free for ages 13 to 24".
J["trevorspace"] = dict(
    description=cite(
        "notes",
        ["moderated online community for LGBTQ youth around the world", "free for ages 13 to 24"],
        "Moderated online community for LGBTQ youth around the world. Its terms say use is free for ages 13 to 24.",
    ),
    cost=cite("notes", "use is free", "free"),
    age_range=cite("notes", "ages 13 to 24", {"min": 13, "max": 24}),
)
# hours "Monday–Friday 10 AM–6 PM Pacific" -> America/Los_Angeles Mon-Fri 10-18.
# notes "does not engage in non-consensual active rescue (Wikipedia)".
J["trans-lifeline-us"] = dict(
    hours=cite(
        "hours",
        "Monday–Friday 10 AM–6 PM Pacific (1–9 PM Eastern); closed some holidays",
        weekly("America/Los_Angeles", (WEEKDAYS, "10:00", "18:00")),
    ),
    description=cite(
        "notes",
        ["Peer support staffed by trans people", "Hours reduced since 1 Jan 2024 - not 24/7"],
        "Peer support staffed by trans people. Hours reduced since 1 January 2024; not 24/7.",
    ),
    confidentiality=cite(
        "notes",
        "does not engage in non-consensual active rescue",
        "Does not engage in non-consensual active rescue (per Wikipedia).",
    ),
)
# Same hours text as the US line. notes "Same service as the US line"; the
# no-active-rescue statement comes from the same Wikipedia article, which is
# this row's first source too.
J["trans-lifeline-ca"] = dict(
    hours=cite(
        "hours",
        "Monday–Friday 10 AM–6 PM Pacific (1–9 PM Eastern); closed some holidays",
        weekly("America/Los_Angeles", (WEEKDAYS, "10:00", "18:00")),
    ),
    description=cite(
        "notes",
        "Same service as the US line",
        "Canadian number of Trans Lifeline; same service as the US line.",
    ),
    confidentiality=cite(
        "source_url",
        "https://en.wikipedia.org/wiki/Trans_Lifeline",
        "Does not engage in non-consensual active rescue (per Wikipedia).",
    ),
)
# no hours; notes "serves youth up to age 25 per that page; peer support, not
# a crisis service per se".
J["lgbt-national-youth-talkline"] = dict(
    description=cite(
        "notes",
        ["serves youth up to age 25 per that page", "peer support, not a crisis service per se"],
        "Peer support for youth up to age 25 (per a third-party page); not a crisis service as such.",
    ),
    age_range=cite("notes", "up to age 25", {"min": None, "max": 25}),
)
# hours "Tuesdays and Wednesdays 4–7 PM Pacific ... (when running)" -> left
# null on purpose: notes say the chatrooms "are temporarily paused", and a
# structured schedule would make the app show "open now" for a paused service.
J["lgbt-national-help-center-teen-chat"] = dict(
    description=cite(
        "notes",
        ["Moderated chatrooms for ages 19 and younger", "temporarily paused"],
        "Moderated chatrooms for LGBTQ teens aged 19 and younger. Reported as temporarily paused; check status.",
    ),
    age_range=cite("notes", "ages 19 and younger", {"min": None, "max": 19}),
)
# hours "Scheduled group times (see website)" -> too vague, null.
J["q-chat-space"] = dict(
    description=cite(
        "notes",
        ["text-only, adult-facilitated online support groups for LGBTQ youth aged 13–19",
         "facilitators are not mental-health professionals"],
        "Live, text-only online support groups for LGBTQ youth aged 13–19, facilitated by adults who are not mental-health professionals.",
    ),
    age_range=cite("notes", "aged 13–19", {"min": 13, "max": 19}),
)
# hours "Most chapters meet monthly (varies by chapter)" -> too vague, null.
J["pflag-chapters"] = dict(
    description=cite(
        "notes",
        ["Peer support meetings for LGBTQ+ people, parents, families and allies", "hundreds of chapters across the US",
         "Find local chapter details on pflag.org"],
        "Peer support meetings for LGBTQ+ people, parents, families and allies, run by chapters across the US. Local chapter details are on pflag.org.",
    ),
)
# no hours (2020 hours in notes are stale); notes "Anonymous peer support for
# 2SLGBTQ+ youth aged 29 and under in Ontario; text-and-chat-only model".
J["lgbt-youthline-ontario"] = dict(
    description=cite(
        "notes",
        ["Anonymous peer support for 2SLGBTQ+ youth aged 29 and under in Ontario", "text-and-chat-only model",
         "No text number or current hours found"],
        "Anonymous peer support for 2SLGBTQ+ youth aged 29 and under in Ontario, by text and chat. No text number or current hours in the sources; see youthline.ca.",
    ),
    age_range=cite("notes", "aged 29 and under", {"min": None, "max": 29}),
    confidentiality=cite("notes", "Anonymous peer support", "Anonymous."),
)
# no hours; no phone (only a website).
J["switchboard-lgbt-uk"] = dict(
    description=cite(
        "notes",
        ["Listening service (phone, instant messaging, email), not a crisis service",
         "no stored official page gives the digits"],
        "Listening service by phone, instant messaging and email; not a crisis service. No source confirms the current phone number; see switchboard.lgbt.",
    ),
)
# hours "Weekdays 1 PM–8:30 PM" gives no zone -> the UK's zone Europe/London.
# notes "aged under 20" -> max 19.
J["mermaids-helpline"] = dict(
    hours=cite("hours", "Weekdays 1 PM–8:30 PM", weekly("Europe/London", (WEEKDAYS, "13:00", "20:30"))),
    description=cite(
        "notes",
        ["For trans, non-binary and gender-diverse young people aged under 20 (FAQ), their families and professionals; phone, email and webchat",
         "older pages still say 9–9"],
        "For trans, non-binary and gender-diverse young people under 20, their families and professionals; phone, email and webchat. Hours were reduced to weekdays 1–8:30 PM (older pages still say 9 AM–9 PM).",
    ),
    age_range=cite("notes", "aged under 20", {"min": None, "max": 19}),
)
# no hours; notes only say where the number comes from -> no description.
J["lgbt-foundation-helpline"] = dict()
# hours "3 PM–midnight every day (local time)". The text says "local time";
# Australia has several zones, so per the rule "local hours without a zone ->
# the country's main zone" this uses Australia/Sydney. For callers in other
# Australian zones the structured hours are approximate; hours_text keeps the
# exact wording. notes "Free, anonymous".
J["qlife-au"] = dict(
    hours=cite(
        "hours",
        "3 PM–midnight every day (local time), including holidays",
        weekly("Australia/Sydney", (EVERY_DAY, "15:00", "24:00")),
    ),
    description=cite(
        "notes",
        ["Free, anonymous LGBTIQ+ peer support and referral by phone and webchat",
         "does NOT provide crisis mental health services - pair with Lifeline 13 11 14 / 000"],
        "Free, anonymous LGBTIQ+ peer support and referral by phone and webchat. Not a crisis mental health service; in a crisis call Lifeline 13 11 14 or 000.",
    ),
    cost=cite("notes", "Free, anonymous", "free"),
    confidentiality=cite("notes", "Free, anonymous", "Anonymous."),
)
# no hours; notes "aged 12–19".
J["minus18-au"] = dict(
    description=cite(
        "notes",
        ["running social events (e.g. Queer Formal) and online programs for LGBTQIA+ young people aged 12–19", "Not a helpline"],
        "Social events (e.g. Queer Formal) and online programs for LGBTQIA+ young people aged 12–19. Not a helpline.",
    ),
    age_range=cite("notes", "aged 12–19", {"min": 12, "max": 19}),
)
# hours "Evenings (per 2022 source)" -> too vague, null. Phone "0800 OUTLINE"
# is a vanity spelling, not a short code, and has no phone_e164 -> no number.
J["outline-aotearoa"] = dict(
    description=cite(
        "notes",
        ["'0800 OUTLINE'", "no stored source gives the digits"],
        "LGBTQ support line. Only the vanity spelling '0800 OUTLINE' is known and no source gives its digits; see outline.org.nz.",
    ),
)
# no hours.
J["rainbowyouth-nz"] = dict(
    description=cite(
        "notes",
        ["Support, information and advocacy for queer, gender-diverse, takatāpui and intersex youth",
         "online support, social groups, events and drop-in centres (2022 source)", "Not a crisis line"],
        "Support, information and advocacy for queer, gender-diverse, takatāpui and intersex youth: online support, social groups, events and drop-in centres (2022 source). Not a crisis line.",
    ),
)
# No phone, sms, chat or website -> left out by the channel rule.
J["lgbt-ireland-helpline"] = dict()
# hours "24/7".
J["us-988-lifeline"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite(
        "notes",
        ["Calls in English and Spanish plus interpretation in 250+ languages; press 1 for Veterans Crisis Line, 2 for Spanish",
         "'Press 3' option was ENDED on 17 July 2025"],
        "Calls in English and Spanish plus interpretation in 250+ languages; press 1 for the Veterans Crisis Line, 2 for Spanish. The LGBTQ+ youth 'Press 3' option ended on 17 July 2025.",
    ),
)
# hours "24/7".
J["us-crisis-text-line"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "HOME is the general keyword", "Support by text message; HOME is the general keyword."),
)
# hours "24/7".
J["ca-988"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "Launched 30 Nov 2023; call or text", "Suicide crisis helpline; call or text. Launched 30 November 2023."),
)
# hours "24/7".
J["ca-kids-help-phone"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite(
        "notes",
        ["text keyword CONNECT", "Live chat also offered via the website"],
        "Phone and text support (text keyword CONNECT); live chat is also offered via the website.",
    ),
)
# hours "24/7, 365 days"; notes "Free from landlines and mobiles".
J["gb-samaritans"] = dict(
    hours=cite("hours", "24/7, 365 days", ALWAYS),
    description=cite(
        "notes",
        ["Free from landlines and mobiles (incl. pay-as-you-go without credit)", "Email jo@samaritans.org",
         "Same number in the Republic of Ireland"],
        "Free from landlines and mobiles, including pay-as-you-go without credit; also by email (jo@samaritans.org). Same number in the Republic of Ireland.",
    ),
    cost=cite("notes", "Free from landlines and mobiles", "free"),
)
# hours "24/7"; notes "Free on all major UK mobile networks".
J["gb-shout-85258"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "Free on all major UK mobile networks", "Support by text message; free on all major UK mobile networks."),
    cost=cite("notes", "Free on all major UK mobile networks", "free"),
)
# hours "24/7"; notes "Free to call".
J["ie-samaritans"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "Free to call", "Free to call."),
    cost=cite("notes", "Free to call", "free"),
)
# hours "24/7"; notes only flag the single 2021 source.
J["ie-text-50808"] = dict(hours=cite("hours", "24/7", ALWAYS))
# hours "24/7 (phone, text and online chat)"; no notes.
J["au-lifeline"] = dict(hours=cite("hours", "24/7 (phone, text and online chat)", ALWAYS))
# hours "24/7"; notes "Free call or text".
J["nz-1737"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite(
        "notes",
        ["Free call or text to a trained counsellor; interpreters for ~150 languages", "peer-support option 2–10 PM"],
        "Free call or text to a trained counsellor; interpreters for about 150 languages. A peer-support option runs 2–10 PM.",
    ),
    cost=cite("notes", "Free call or text", "free"),
)
# hours "24/7"; notes "Free and anonymous".
J["de-telefonseelsorge"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "Free and anonymous; chat and e-mail via website", "Free and anonymous; chat and e-mail via the website."),
    cost=cite("notes", "Free and anonymous", "free"),
    confidentiality=cite("notes", "Free and anonymous", "Anonymous."),
)
# hours "24/7"; notes "Free of charge".
J["at-telefonseelsorge-142"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "Free of charge", "Free of charge."),
    cost=cite("notes", "Free of charge", "free"),
)
# hours "Day and night (143.ch: night service; 2021 source does not state
# hours)" -> not an explicit 24/7 statement, left null (hours_text keeps it).
J["ch-die-dargebotene-hand"] = dict()
# hours "24/7"; notes "Free, confidential".
J["fr-3114"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite(
        "notes",
        ["Free, confidential; reachable from metropolitan France and overseas territories"],
        "Free and confidential; reachable from metropolitan France and overseas territories.",
    ),
    cost=cite("notes", "Free, confidential", "free"),
    confidentiality=cite("notes", "Free, confidential", "Confidential."),
)
# hours "24/7"; notes "Free, anonymous, confidential; launched 10 May 2022".
J["es-024"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "Free, anonymous, confidential; launched 10 May 2022", "Free, anonymous and confidential; launched 10 May 2022."),
    cost=cite("notes", "Free, anonymous, confidential", "free"),
    confidentiality=cite("notes", "Free, anonymous, confidential", "Anonymous and confidential."),
)
# hours "Every day 9:00–24:00" gives no zone -> Italy's zone Europe/Rome.
J["it-telefono-amico"] = dict(
    hours=cite("hours", "Every day 9:00–24:00", weekly("Europe/Rome", (EVERY_DAY, "09:00", "24:00"))),
    description=cite("notes", ["Not 24/7", "Not a dedicated suicide line"], "Not 24/7 and not a dedicated suicide line."),
)
# hours "24/7"; notes "webchat (2021 snapshot)".
J["nl-113-zelfmoordpreventie"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "webchat (2021 snapshot)", "Suicide prevention line with webchat (2021 source)."),
)
# hours "24/7 (phone)" -> always (the phone line).
J["be-zelfmoordlijn-1813"] = dict(
    hours=cite("hours", "24/7 (phone)", ALWAYS),
    description=cite("notes", "Dutch-language line; webchat has limited evening hours", "Dutch-language line; the webchat has limited evening hours."),
)
# hours "24/7"; notes "French-language, free, anonymous".
J["be-centre-prevention-suicide"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite(
        "notes",
        ["French-language, free, anonymous", "cannot guarantee answering every call"],
        "French-language, free and anonymous. The centre says it cannot guarantee answering every call.",
    ),
    cost=cite("notes", "French-language, free, anonymous", "free"),
    confidentiality=cite("notes", "French-language, free, anonymous", "Anonymous."),
)
# hours "24/7 (phone and chat; 24/7 since 1 June 2020)"; notes "Anonymous".
J["se-mind-sjalvmordslinjen"] = dict(
    hours=cite("hours", "24/7 (phone and chat; 24/7 since 1 June 2020)", ALWAYS),
    description=cite("notes", "Anonymous; staffed by trained Mind volunteers", "Anonymous; staffed by trained Mind volunteers."),
    confidentiality=cite("notes", "Anonymous; staffed", "Anonymous."),
)
# hours "24/7".
J["no-mental-helse-116123"] = dict(hours=cite("hours", "24/7", ALWAYS))
# hours "11:00–04:00 (2021 source)": no zone -> Denmark's Europe/Copenhagen;
# no days given -> read as every day; closes 04:00 the next day.
J["dk-livslinien"] = dict(
    hours=cite("hours", "11:00–04:00 (2021 source)", weekly("Europe/Copenhagen", (EVERY_DAY, "11:00", "04:00"))),
)
# hours "24/7 (Finnish line)" -> always (the listed number is the Finnish line).
J["fi-mieli-crisis-helpline"] = dict(
    hours=cite("hours", "24/7 (Finnish line)", ALWAYS),
    description=cite(
        "notes",
        ["Other language lines: Swedish", "Caller pays normal call charges"],
        "Finnish-language line; other languages have separate lines. Callers pay normal call charges.",
    ),
)
# no hours.
J["is-1717"] = dict()
# hours "24/7 (2021 source)".
J["hu-lesz-116123"] = dict(
    hours=cite("hours", "24/7 (2021 source)", ALWAYS),
    # phone "116-123": the same digits as the EU-wide 116 123 line, written
    # with a hyphen. The short_code format allows digits and single spaces
    # only, so the separator (not a digit) is written as a space.
    short_code=cite("phone", "116-123", "116 123"),
)
# hours "24/7 (2021 source)"; notes "Free, anonymous support for adults"
# ("adults" states no age, so age_range stays null).
J["lt-vilties-linija"] = dict(
    hours=cite("hours", "24/7 (2021 source)", ALWAYS),
    description=cite("notes", "Free, anonymous support for adults", "Free, anonymous support for adults."),
    cost=cite("notes", "Free, anonymous support", "free"),
    confidentiality=cite("notes", "Free, anonymous support", "Anonymous."),
)
# hours "11:00–23:00; Fri–Sat 11:00–03:00 (2021 source)": no zone ->
# Europe/Luxembourg; the unqualified span is read as the other days (Sun–Thu);
# Fri and Sat close 03:00 the next day.
J["lu-454545"] = dict(
    hours=cite(
        "hours",
        "11:00–23:00; Fri–Sat 11:00–03:00 (2021 source)",
        weekly(
            "Europe/Luxembourg",
            (["mon", "tue", "wed", "thu", "sun"], "11:00", "23:00"),
            (["fri", "sat"], "11:00", "03:00"),
        ),
    ),
)
# no hours.
J["mt-appogg-179"] = dict()
# hours "Every day 16:00–24:00 (2021 source)": no zone -> Asia/Nicosia.
J["cy-samaritans"] = dict(
    hours=cite("hours", "Every day 16:00–24:00 (2021 source)", weekly("Asia/Nicosia", (EVERY_DAY, "16:00", "24:00"))),
)
# no hours.
J["gr-1018"] = dict()
# hours "24/7 including holidays (2021 source)".
J["il-eran-1201"] = dict(hours=cite("hours", "24/7 including holidays (2021 source)", ALWAYS))
# hours "12:00–05:30 (2021 source)": no zone -> Asia/Beirut; no days given ->
# every day; closes 05:30 the next day.
J["lb-embrace-1564"] = dict(
    hours=cite("hours", "12:00–05:30 (2021 source)", weekly("Asia/Beirut", (EVERY_DAY, "12:00", "05:30"))),
)
# hours "24/7 (SADAG runs 24-hour suicide helplines)".
# sms "SMS 31393 (a counsellor calls back)": the generic parser only knows
# "Text [KEYWORD to] N"; this is an SMS number with no keyword. The remark is
# kept in notes (the raw sms text is appended there).
J["za-sadag-suicide-crisis"] = dict(
    hours=cite("hours", "24/7 (SADAG runs 24-hour suicide helplines)", ALWAYS),
    sms=cite("sms", "SMS 31393 (a counsellor calls back)", {"number": "31393", "keyword": None}),
    description=cite("sms", "SMS 31393 (a counsellor calls back)", "Suicide crisis line; after an SMS a counsellor calls back."),
)
# no hours.
J["ke-befrienders-kenya"] = dict()
# hours "09:00–21:00 daily (2021 source)": no zone -> Indian/Mauritius.
J["mu-befrienders-mauritius"] = dict(
    hours=cite("hours", "09:00–21:00 daily (2021 source)", weekly("Indian/Mauritius", (EVERY_DAY, "09:00", "21:00"))),
)
J["gh-national-lifeline"] = dict()
J["lr-lifeline-liberia"] = dict()
# Phone "011 555 253" is a local number, not a short code, with no
# phone_e164, and there is no other channel -> left out by the channel rule.
J["sd-befrienders-khartoum"] = dict()
# hours "24/7"; notes "Free from landline, mobile and payphone".
J["br-cvv-188"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite(
        "notes",
        ["Free from landline, mobile and payphone; chat and e-mail via website; volunteers"],
        "Free from landline, mobile and payphone; chat and e-mail via the website; staffed by volunteers.",
    ),
    cost=cite("notes", "Free from landline, mobile and payphone", "free"),
)
# hours "24/7 (2021 source)".
J["mx-saptel"] = dict(hours=cite("hours", "24/7 (2021 source)", ALWAYS))
# no hours.
J["ar-linea-135"] = dict(
    description=cite(
        "notes",
        "135 from CABA and Greater Buenos Aires",
        "135 works from Buenos Aires city and Greater Buenos Aires.",
    ),
)
# hours "24/7"; notes "Free, anonymous".
J["ar-0800-salud-mental"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "Free, anonymous", "Free and anonymous."),
    cost=cite("notes", "Free, anonymous", "free"),
    confidentiality=cite("notes", "Free, anonymous", "Anonymous."),
)
# hours "24/7". Phone "*4141" contains "*", which a short code (digits and
# spaces only) cannot hold; dropping the "*" would change the number, so the
# row has no channel and is left out.
J["cl-4141"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    cost=cite("notes", "Free, confidential", "free"),
    confidentiality=cite("notes", "Free, confidential", "Confidential."),
)
J["co-linea-106"] = dict()
# hours "24/7 (2021 source)".
J["uy-linea-vida"] = dict(hours=cite("hours", "24/7 (2021 source)", ALWAYS))
# hours "24/7"; notes "Toll-free".
J["in-tele-manas"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    cost=cite("notes", "Toll-free", "free"),
)
# hours "24/7"; notes "Free;".
J["jp-yorisoi-hotline"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", ["Free;", "guidance options include foreign languages"], "Free; guidance options include foreign languages."),
    cost=cite("notes", "Free;", "free"),
)
# hours "Daily 16:00–21:00; 24 hours on the 10th of each month (08:00–08:00)":
# no zone -> Asia/Tokyo. The weekly schedule cannot express "the 10th of each
# month", so only the daily 16:00–21:00 is structured; hours_text keeps the
# monthly 24-hour day. notes "Free dial. Not 24/7."
J["jp-inochi-no-denwa"] = dict(
    hours=cite(
        "hours",
        "Daily 16:00–21:00; 24 hours on the 10th of each month (08:00–08:00)",
        weekly("Asia/Tokyo", (EVERY_DAY, "16:00", "21:00")),
    ),
    description=cite("notes", ["Free dial", "Not 24/7"], "Free dial; not 24/7."),
    cost=cite("notes", "Free dial", "free"),
)
# hours "24/7".
J["kr-109"] = dict(hours=cite("hours", "24/7", ALWAYS))
J["tw-1925"] = dict()
# hours "24/7 (call and WhatsApp)". sms "CareText via WhatsApp: 9151 1767" is
# WhatsApp, not SMS -> sms null, text kept in notes.
J["sg-sos-1767"] = dict(hours=cite("hours", "24/7 (call and WhatsApp)", ALWAYS))
# hours "24/7"; notes "Cantonese/English".
J["hk-samaritan-befrienders"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "Cantonese/English", "Cantonese and English."),
)
# hours "24/7"; notes "English, Cantonese, Mandarin and other languages".
J["hk-samaritans"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite(
        "notes",
        "English, Cantonese, Mandarin and other languages",
        "English, Cantonese, Mandarin and other languages.",
    ),
)
# hours "Daily 08:00–24:00 incl. public holidays": no zone -> Asia/Kuala_Lumpur.
# notes "normal call charges may apply" -> cost stays null.
J["my-talian-heal-15555"] = dict(
    hours=cite(
        "hours",
        "Daily 08:00–24:00 incl. public holidays",
        weekly("Asia/Kuala_Lumpur", (EVERY_DAY, "08:00", "24:00")),
    ),
    description=cite(
        "notes",
        ["Not 24/7; normal call charges may apply", "Outside hours: emergency 999"],
        "Not 24/7; normal call charges may apply. Outside its hours call emergency 999.",
    ),
)
# hours "24/7".
J["ph-ncmh-crisis-hotline"] = dict(hours=cite("hours", "24/7", ALWAYS))
# hours "24/7"; notes "Free; capacity-limited (long waits reported)".
J["th-1323"] = dict(
    hours=cite("hours", "24/7", ALWAYS),
    description=cite("notes", "Free; capacity-limited (long waits reported)", "Free; capacity is limited and long waits are reported."),
    cost=cite("notes", "Free;", "free"),
)
# hours "06:00–21:00 daily (2021 source)": no zone -> Asia/Tehran.
J["ir-1480"] = dict(
    hours=cite("hours", "06:00–21:00 daily (2021 source)", weekly("Asia/Tehran", (EVERY_DAY, "06:00", "21:00"))),
)
J["bn-145"] = dict()
J["xk-0800-12345"] = dict()
# hours "24/7 (2021 source)".
J["ro-anti-anxiety-helpline"] = dict(
    hours=cite("hours", "24/7 (2021 source)", ALWAYS),
    description=cite(
        "notes",
        "Anxiety helpline rather than a dedicated suicide line",
        "Anxiety helpline rather than a dedicated suicide line.",
    ),
)

# ---------------------------------------------------------------------------
# Per-number descriptions for emergency entries, keyed (country, digits).
# Automatic: a CSV note "general_emergency N applies to mobile phones" gives
# number N the description MOBILE_DESCRIPTION.
# ---------------------------------------------------------------------------
MOBILE_DESCRIPTION = "General emergency number for mobile phones (per the source)."
EMERGENCY_DESC = {
    # GL notes: "Mobile phones only. From landline phones dial the local police
    # station, hospital or fire brigade."
    ("GL", "112"): cite(
        "notes",
        "Mobile phones only. From landline phones dial the local police station, hospital or fire brigade.",
        "Mobile phones only; from landlines call the local police station, hospital or fire brigade.",
    ),
    # SH notes: "Values below are for Saint Helena/Ascension."
    ("SH", "999"): cite(
        "notes", "Values below are for Saint Helena/Ascension", "For Saint Helena and Ascension (Tristan da Cunha differs)."
    ),
    # SJ notes: "only 112 is available in Svalbard; no emergency numbers in Jan Mayen."
    ("SJ", "112"): cite(
        "notes",
        "only 112 is available in Svalbard; no emergency numbers in Jan Mayen",
        "Available in Svalbard; there are no emergency numbers in Jan Mayen.",
    ),
}

# ---------------------------------------------------------------------------
# Numbers that scripts/check_directory_numbers.py (phonenumbers 9.0.43) rejects
# and that neither the README nor the row's notes explain. They are left out,
# never altered; re-add them only after verifying them with the operator (and,
# if libphonenumber still lacks them, after documenting why).
# Keys: (entry id, channel) with channel "short_code" / "sms", or
# (entry id, None) for a whole emergency entry.
# ---------------------------------------------------------------------------
_NOT_SHORT = "rejected by libphonenumber 9.0.43 (not a valid short number for the region) and not explained by the README/notes; left out"
_NOT_EMERGENCY = (
    "rejected by libphonenumber 9.0.43 (not an emergency number for the region), no CHECK note names it "
    "(it comes from a 'Mobile phones' note); left out"
)
LIBPHONENUMBER_REJECTED = {
    # Helpline short codes (is_valid_short_number_for_region and
    # is_valid_number_for_region both False).
    ("ar-linea-135", "short_code"): _NOT_SHORT,  # 135 (AR)
    ("bn-145", "short_code"): _NOT_SHORT,  # 145 (BN)
    ("br-cvv-188", "short_code"): _NOT_SHORT,  # 188 (BR)
    ("gr-1018", "short_code"): _NOT_SHORT,  # 1018 (GR)
    ("in-tele-manas", "short_code"): _NOT_SHORT,  # 14416 (IN)
    ("kr-109", "short_code"): _NOT_SHORT,  # 109 (KR)
    ("lb-embrace-1564", "short_code"): _NOT_SHORT,  # 1564 (LB)
    ("mt-appogg-179", "short_code"): _NOT_SHORT,  # 179 (MT)
    ("nl-113-zelfmoordpreventie", "short_code"): _NOT_SHORT,  # 113 (NL)
    ("ph-ncmh-crisis-hotline", "short_code"): _NOT_SHORT,  # 1553 (PH)
    ("tw-1925", "short_code"): _NOT_SHORT,  # 1925 (TW)
    # Emergency numbers that is_emergency_number (and
    # connects_to_emergency_number) reject, in rows without a CHECK note for
    # them; all are general numbers taken from "Mobile phones – N" notes.
    ("emergency-bh-112", None): _NOT_EMERGENCY,
    ("emergency-hk-911", None): _NOT_EMERGENCY,
    ("emergency-ma-112", None): _NOT_EMERGENCY,
    ("emergency-om-112", None): _NOT_EMERGENCY,
    ("emergency-qa-112", None): _NOT_EMERGENCY,
    ("emergency-sg-112", None): _NOT_EMERGENCY,
    ("emergency-th-112", None): _NOT_EMERGENCY,
}


# ---------------------------------------------------------------------------


def split_list(text, sep):
    return [p.strip() for p in text.split(sep) if p.strip()]


def digits_of(text):
    return re.sub(r"[^0-9]", "", text)


class Report:
    def __init__(self):
        self.left_out_helplines = []  # (id, reason)
        self.left_out_numbers = []  # (where, number, reason)
        self.judgements = []  # free text
        self.warnings = []


def quote_ok(row, c):
    quotes = c["quote"] if isinstance(c["quote"], list) else [c["quote"]]
    text = row.get(c["field"]) or ""
    return all(q in text for q in quotes)


def judged(row, rid, name, report, default=None):
    """The value of judgement `name` for row `rid`, if its citation holds."""
    c = J.get(rid, {}).get(name)
    if c is None:
        return default
    if not quote_ok(row, c):
        report.warnings.append(
            f"{rid}: judgement '{name}' cites {c['field']!r} text {c['quote']!r} that is no longer in the CSV; field set to null"
        )
        return default
    return c["value"]


def parse_sms(text):
    """-> (dict|None, fully_parsed: bool)."""
    m = SMS_RE.match(text)
    if not m:
        return None, False
    keyword, number = m.group(1), digits_of(m.group(2))
    if not (3 <= len(number) <= 15):
        return None, False
    return {"number": number, "keyword": keyword}, True


def short_code_of(phone):
    """A CSV phone written as a short code: digits and single spaces, 2-8
    digits, matching SHORT_CODE_RE. Otherwise None."""
    if SHORT_CODE_RE.match(phone) and 2 <= len(digits_of(phone)) <= 8:
        return phone
    return None


def empty_entry():
    return OrderedDict(
        [
            ("id", None),
            ("kind", None),
            ("name", None),
            ("organization", None),
            ("description", None),
            ("countries", []),
            ("languages", []),
            ("audience", []),
            (
                "channels",
                OrderedDict(
                    [
                        ("phone_e164", None),
                        ("short_code", None),
                        ("sms", None),
                        ("chat_url", None),
                        ("website", None),
                    ]
                ),
            ),
            ("emergency_services", []),
            ("hours", None),
            ("hours_text", None),
            ("cost", None),
            ("age_range", None),
            ("confidentiality", None),
            ("source_url", None),
            ("sources", []),
            # Emergency numbers only: the number's position in its source row, so a country's
            # numbers are offered in the order the source gives them (GB: 999 before 112).
            ("source_order", None),
            ("verified_on", VERIFIED_ON),
            ("notes", None),
            ("libphonenumber_exception", None),
        ]
    )


def has_channel(ch):
    return any(ch[k] for k in ("phone_e164", "short_code", "sms", "chat_url", "website"))


# ----------------------------------------------------------------- emergency

CHECK_NAMED_RE = re.compile(
    r"CHECK: not flagged as emergency(?: numbers)? by libphonenumber [0-9.]+(?: ShortNumberMetadata)?: ([0-9]+(?:, [0-9]+)*)"
)
CHECK_NO_METADATA_RE = re.compile(r"CHECK: libphonenumber [0-9.]+ has no emergency metadata for this region")
MOBILE_RE = re.compile(r"general_emergency ([0-9]+) applies to mobile phones")


def emergency_name(services):
    if "general" in services:
        return "Emergency services"
    words = [s for s in ("police", "ambulance", "fire") if s in services]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return text[0].upper() + text[1:]


def build_emergency(rows, report):
    entries = []
    for row in rows:
        cc = row["country_iso2"].strip()
        notes = row["notes"].strip() or None
        sources = split_list(row["source_url"], " ; ")
        numbers = OrderedDict()  # digits -> {"as_given": str, "services": set}
        columns = [(svc, row[col]) for svc, col in SERVICE_COLUMNS] + [("general", row["general_emergency"])]
        for svc, cell in columns:
            for token in split_list(cell, ";"):
                code = short_code_of(token)
                if code is None:
                    report.left_out_numbers.append(
                        (f"emergency {cc} {svc}", token, "not a 2-8 digit short code (local subscriber number or text)")
                    )
                    continue
                d = digits_of(code)
                rec = numbers.setdefault(d, {"as_given": code, "services": set()})
                if rec["as_given"] != code:
                    report.warnings.append(f"emergency {cc}: {d} written both {rec['as_given']!r} and {code!r}")
                rec["services"].add(svc)

        named_exceptions = set()
        for m in CHECK_NAMED_RE.finditer(row["notes"]):
            named_exceptions.update(x.strip() for x in m.group(1).split(","))
        # A CHECK note saying the region has no emergency metadata at all names
        # every number of the row as not flagged.
        whole_row_exception = bool(CHECK_NO_METADATA_RE.search(row["notes"]))
        for x in named_exceptions:
            if x not in numbers:
                report.warnings.append(f"emergency {cc}: CHECK note names {x}, which is not an emitted number")
        mobile = set(MOBILE_RE.findall(row["notes"]))

        for position, (d, rec) in enumerate(numbers.items()):
            services = rec["services"]
            if {"police", "ambulance", "fire"} <= services:
                services.add("general")
            e = empty_entry()
            e["id"] = f"emergency-{cc.lower()}-{d}"
            e["kind"] = "emergency"
            e["name"] = emergency_name(services)
            e["countries"] = [cc]
            e["audience"] = ["general"]
            e["channels"]["short_code"] = rec["as_given"]
            e["emergency_services"] = [s for s in SERVICES if s in services]
            e["source_order"] = position
            e["hours"] = dict(ALWAYS)
            e["source_url"] = sources[0] if sources else None
            e["sources"] = sources
            e["notes"] = notes
            if d in mobile and "general" in services:
                e["description"] = MOBILE_DESCRIPTION
            c = EMERGENCY_DESC.get((cc, d))
            if c is not None:
                if quote_ok(row, c):
                    e["description"] = c["value"]
                else:
                    report.warnings.append(f"emergency {cc} {d}: description citation no longer in CSV; dropped")
            if d in named_exceptions or whole_row_exception:
                e["libphonenumber_exception"] = LIBPHONENUMBER_EXCEPTION
            if (e["id"], None) in LIBPHONENUMBER_REJECTED:
                report.left_out_numbers.append(
                    (f"emergency {cc} {'/'.join(e['emergency_services'])}", rec["as_given"], LIBPHONENUMBER_REJECTED[(e["id"], None)])
                )
                continue
            entries.append(e)
    return entries


# ----------------------------------------------------------------- helplines


def build_helplines(rows, report):
    entries = []
    for row in rows:
        row = {k: (v or "").strip() for k, v in row.items()}
        rid = row["id"]
        if rid not in J:
            report.warnings.append(f"{rid}: no per-row judgements recorded; judgement fields left null")
        csv_kind = row["kind"]
        kind = csv_kind if csv_kind in KINDS else KIND_MAP.get(csv_kind)
        if kind is None:
            report.left_out_helplines.append((rid, f"unknown kind {csv_kind!r}"))
            continue
        if kind != csv_kind:
            report.judgements.append(f"{rid}: CSV kind {csv_kind!r} mapped to {kind!r}")

        e = empty_entry()
        e["id"] = rid
        e["kind"] = kind
        e["name"] = row["name"]
        e["organization"] = row["organization"] or None
        e["countries"] = [row["country_iso2"]]
        e["languages"] = split_list(row["languages"], ";")
        audience = split_list(row["audience_tags"], ";")
        e["audience"] = list(OrderedDict.fromkeys(audience)) or ["general"]
        notes_extra = []

        ch = e["channels"]
        ch["phone_e164"] = row["phone_e164"] or None
        phone = row["phone"]
        if phone and not row["phone_e164"]:
            override = judged(row, rid, "short_code", report)
            code = override if override is not None else short_code_of(phone)
            if override is not None:
                report.judgements.append(f"{rid}: phone {phone!r} written as short code {override!r} (separator only; same digits)")
            if code is None:
                report.left_out_numbers.append(
                    (rid, phone, "phone is not a short code (digits and single spaces) and the CSV gives no phone_e164")
                )
            elif (rid, "short_code") in LIBPHONENUMBER_REJECTED:
                report.left_out_numbers.append((rid, phone, LIBPHONENUMBER_REJECTED[(rid, "short_code")]))
            else:
                ch["short_code"] = code
        if row["sms"]:
            sms, full = parse_sms(row["sms"])
            if sms is None:
                sms = judged(row, rid, "sms", report)
                if sms is not None:
                    report.judgements.append(f"{rid}: sms {row['sms']!r} parsed by hand as {sms}")
            if not full:
                # keep the source's own wording next to the notes
                notes_extra.append(f"[sms column] {row['sms']}")
            if sms is None:
                report.left_out_numbers.append((rid, row["sms"], "sms text not parseable unambiguously (kept in notes)"))
            elif (rid, "sms") in LIBPHONENUMBER_REJECTED:
                report.left_out_numbers.append((rid, row["sms"], LIBPHONENUMBER_REJECTED[(rid, "sms")]))
            else:
                ch["sms"] = OrderedDict([("number", sms["number"]), ("keyword", sms["keyword"])])
        ch["chat_url"] = row["chat_url"] or None
        ch["website"] = row["website"] or None

        e["hours"] = judged(row, rid, "hours", report)
        e["hours_text"] = row["hours"] or None
        e["description"] = judged(row, rid, "description", report)
        e["cost"] = judged(row, rid, "cost", report)
        age = judged(row, rid, "age_range", report)
        e["age_range"] = OrderedDict([("min", age["min"]), ("max", age["max"])]) if age else None
        e["confidentiality"] = judged(row, rid, "confidentiality", report)
        sources = split_list(row["source_url"], " ; ")
        e["source_url"] = sources[0] if sources else None
        e["sources"] = sources
        notes = row["notes"] or None
        if notes_extra:
            notes = " ".join(([notes] if notes else []) + notes_extra)
        e["notes"] = notes

        if not has_channel(ch):
            present = [c for c in ("phone", "sms") if row[c]]
            why = "no phone, sms, chat or website"
            if present:
                why = "no usable phone, sms, chat or website (" + "; ".join(
                    f"{c} {row[c]!r} not usable, see numbers left out" for c in present
                ) + ")"
            report.left_out_helplines.append((rid, why))
            continue
        entries.append(e)
    for rid in J:
        if rid not in {r["id"] for r in rows}:
            report.warnings.append(f"judgements recorded for {rid}, which is not in the CSV")
    return entries


# ---------------------------------------------------------------- validation


def valid_zone(name):
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(name)
        return True
    except Exception:
        # tz database not installed: fall back to a shape check
        return bool(re.match(r"^[A-Z][A-Za-z_]+(/[A-Za-z_+-]+)+$", name))


def validate_hours(h):
    if h is None:
        return []
    if h == {"always": True}:
        return []
    errs = []
    if set(h) != {"time_zone", "weekly"}:
        return [f"hours has keys {sorted(h)}"]
    if not isinstance(h["time_zone"], str) or not valid_zone(h["time_zone"]):
        errs.append(f"bad time_zone {h['time_zone']!r}")
    if not isinstance(h["weekly"], list) or not h["weekly"]:
        return errs + ["weekly must be a non-empty list"]
    for span in h["weekly"]:
        if set(span) != {"days", "open", "close"}:
            errs.append(f"span keys {sorted(span)}")
            continue
        if not span["days"] or any(d not in DAYS for d in span["days"]) or len(set(span["days"])) != len(span["days"]):
            errs.append(f"bad days {span['days']}")
        o, c = span["open"], span["close"]
        if not TIME_RE.match(o) or o == "24:00":
            errs.append(f"bad open {o!r}")
        if not TIME_RE.match(c) or c == "00:00":
            errs.append(f"bad close {c!r}")
        if o == c:
            errs.append(f"open == close {o!r}")
    return errs


def validate(doc):
    errs = []
    entries = doc["entries"]
    ids = [e["id"] for e in entries]
    if ids != sorted(ids):
        errs.append("entries not sorted by id")
    for i, n in Counter(ids).items():
        if n > 1:
            errs.append(f"duplicate id {i}")
    keys = list(empty_entry().keys())
    ch_keys = list(empty_entry()["channels"].keys())
    for e in entries:
        p = e.get("id")
        if list(e.keys()) != keys:
            errs.append(f"{p}: keys {list(e.keys())}")
            continue
        if not isinstance(p, str) or not ID_RE.match(p):
            errs.append(f"{p}: bad id")
        if e["kind"] not in KINDS:
            errs.append(f"{p}: bad kind {e['kind']!r}")
        if not e["name"]:
            errs.append(f"{p}: no name")
        if not e["countries"] or any(not (c == "INTL" or COUNTRY_RE.match(c)) for c in e["countries"]):
            errs.append(f"{p}: bad countries {e['countries']}")
        if any(not LANG_RE.match(l) for l in e["languages"]):
            errs.append(f"{p}: bad languages {e['languages']}")
        if not e["audience"]:
            errs.append(f"{p}: empty audience")
        ch = e["channels"]
        if list(ch.keys()) != ch_keys:
            errs.append(f"{p}: channel keys {list(ch.keys())}")
            continue
        if not has_channel(ch):
            errs.append(f"{p}: no channel")
        if ch["phone_e164"] is not None and not E164_RE.match(ch["phone_e164"]):
            errs.append(f"{p}: bad phone_e164 {ch['phone_e164']!r}")
        sc = ch["short_code"]
        if sc is not None and (not SHORT_CODE_RE.match(sc) or len(digits_of(sc)) > 8):
            errs.append(f"{p}: bad short_code {sc!r}")
        if sc is not None and ch["phone_e164"] is not None:
            errs.append(f"{p}: both short_code and phone_e164")
        if ch["sms"] is not None:
            s = ch["sms"]
            if list(s.keys()) != ["number", "keyword"] or not re.match(r"^[0-9]{3,15}$", s["number"] or ""):
                errs.append(f"{p}: bad sms {s}")
            if s.get("keyword") is not None and not re.match(r"^\S+$", s["keyword"]):
                errs.append(f"{p}: bad sms keyword {s}")
        for k in ("chat_url", "website"):
            if ch[k] is not None and not URL_RE.match(ch[k]):
                errs.append(f"{p}: bad {k} {ch[k]!r}")
        if e["kind"] == "emergency":
            es = e["emergency_services"]
            if not es or any(s not in SERVICES for s in es) or es != [s for s in SERVICES if s in es]:
                errs.append(f"{p}: bad emergency_services {es}")
            if e["hours"] != {"always": True}:
                errs.append(f"{p}: emergency hours must be always")
            if sc is None:
                errs.append(f"{p}: emergency without short_code")
        else:
            if e["emergency_services"] != []:
                errs.append(f"{p}: emergency_services on non-emergency entry")
            if e["libphonenumber_exception"] is not None:
                errs.append(f"{p}: libphonenumber_exception on non-emergency entry")
        if e["libphonenumber_exception"] not in (None, LIBPHONENUMBER_EXCEPTION):
            errs.append(f"{p}: bad libphonenumber_exception")
        for m in validate_hours(e["hours"]):
            errs.append(f"{p}: {m}")
        if e["cost"] not in (None, "free"):
            errs.append(f"{p}: bad cost")
        a = e["age_range"]
        if a is not None:
            if set(a) != {"min", "max"} or (a["min"] is None and a["max"] is None):
                errs.append(f"{p}: bad age_range {a}")
            elif a["min"] is not None and a["max"] is not None and a["min"] > a["max"]:
                errs.append(f"{p}: age_range min > max")
        if not e["sources"] or e["source_url"] != e["sources"][0]:
            errs.append(f"{p}: sources / source_url")
        for u in e["sources"]:
            if not URL_RE.match(u):
                errs.append(f"{p}: bad source url {u!r}")
        if e["verified_on"] != VERIFIED_ON:
            errs.append(f"{p}: verified_on")
    return errs


# --------------------------------------------------------------------- main


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", nargs="?", default=None, help="directory with emergency_numbers.csv and helplines.csv "
                    "(default: ../shared/directory relative to the repo root)")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="output JSON path (default: core/data/directory.json)")
    args = ap.parse_args(argv)
    if args.src is None:
        src = DEFAULT_SRC
    else:
        src = Path(args.src)
        if not src.is_absolute() and not src.exists():
            src = REPO_ROOT / src
    src = src.resolve()

    report = Report()
    emergency_rows = read_csv(src / "emergency_numbers.csv")
    helpline_rows = read_csv(src / "helplines.csv")
    entries = build_emergency(emergency_rows, report) + build_helplines(helpline_rows, report)
    entries.sort(key=lambda e: e["id"])
    doc = OrderedDict(
        [("format", FORMAT), ("version", VERSION), ("generated_on", GENERATED_ON), ("entries", entries)]
    )

    errors = validate(doc)
    if errors:
        for m in errors:
            print("INVALID:", m, file=sys.stderr)
        print(f"{len(errors)} validation error(s); nothing written", file=sys.stderr)
        return 1

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    out.write_text(text, encoding="utf-8")

    # ------------------------------------------------------------- summary
    print(f"wrote {out} ({len(entries)} entries) from {src}")
    print("entries per kind:")
    for k in KINDS:
        n = sum(1 for e in entries if e["kind"] == k)
        if n:
            print(f"  {k}: {n}")
    em_cc = sorted({c for e in entries if e["kind"] == "emergency" for c in e["countries"]})
    hl_cc = sorted({c for e in entries if e["kind"] != "emergency" for c in e["countries"]})
    all_cc = sorted(set(em_cc) | set(hl_cc))
    print(f"countries covered: {len(all_cc)} ({len(em_cc)} with emergency numbers, {len(hl_cc)} with helplines/services)")
    print("  " + " ".join(all_cc))
    csv_cc = sorted({r["country_iso2"].strip() for r in emergency_rows})
    missing_em = [c for c in csv_cc if c not in em_cc]
    if missing_em:
        print(f"  emergency CSV countries with no emergency entry: {' '.join(missing_em)}")
    exc = [e["id"] for e in entries if e["libphonenumber_exception"]]
    print(f"emergency entries marked libphonenumber_exception (from the CSV CHECK notes): {len(exc)}")
    print(f"helplines left out ({len(report.left_out_helplines)}):")
    for rid, why in report.left_out_helplines:
        print(f"  {rid}: {why}")
    print(f"numbers left out ({len(report.left_out_numbers)}):")
    for where, num, why in report.left_out_numbers:
        print(f"  {where}: {num!r}: {why}")
    if report.judgements:
        print("judgement calls applied:")
        for j in report.judgements:
            print(f"  {j}")
    if report.warnings:
        print(f"WARNINGS ({len(report.warnings)}):")
        for w in report.warnings:
            print(f"  {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
