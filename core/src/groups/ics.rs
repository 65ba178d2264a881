//! iCalendar (RFC 5545) export of peer-group events, so people can add a group's meetings to
//! the calendar app they already use.
//!
//! Events are stored as a local wall-clock time plus an IANA time zone ("Thursday 19:00 in
//! Lisbon"). RFC 5545 allows either a `VTIMEZONE` component for each `TZID` used or plain UTC
//! times; this exporter writes UTC (`DTSTART:20261203T190000Z`). A correct `VTIMEZONE` means
//! copying the zone's transition rules out of the tz database, and calendar apps disagree on
//! how they read them; a UTC instant is read the same way everywhere and each app shows it in
//! the viewer's own zone. The conversion happens at export time, with the tz database in [`crate::zone`].
//!
//! Pure: no I/O and no clock; the caller passes `now` for `DTSTAMP`.

use chrono::{DateTime, NaiveDateTime, Utc};
use kinship_protocol::{Event, Status};

/// One event to export, with what the calendar needs that the event itself does not carry.
#[derive(Debug, Clone, Copy)]
pub struct IcsEvent<'a> {
    /// The event to export.
    pub event: &'a Event,
    /// Base URL of the server the event came from, e.g. `https://groups.example.org`; its host
    /// makes the `UID` unique across servers.
    pub server: &'a str,
    /// Name of the event's group, added to the description.
    pub group_name: &'a str,
}

/// Why events could not be exported to iCalendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    /// An event's IANA time zone is not in the tz database.
    #[error("event {event_id}: unknown time zone {zone:?}")]
    UnknownTimeZone {
        /// Id of the event.
        event_id: String,
        /// The time zone name the event carries.
        zone: String,
    },
    /// An event's local start or end time could not be converted to a UTC instant in its zone.
    #[error("event {event_id}: {local} in {zone} cannot be placed on the UTC timeline")]
    NonexistentLocalTime {
        /// Id of the event.
        event_id: String,
        /// The wall-clock time that could not be converted.
        local: NaiveDateTime,
        /// The event's IANA time zone.
        zone: String,
    },
    /// The server URL given has no host to build the event's `UID` from.
    #[error("server URL {0:?} has no host")]
    BadServerUrl(String),
}

/// A `VCALENDAR` with one `VEVENT` per event, in the order given, with CRLF line endings.
///
/// The `UID` is `<event id>@<server host>`: the same for every version of an event and every
/// export, so calendar apps update the event they already have instead of adding a copy.
/// Event ids are random 128-bit values, so the host is only a namespace; leaving out the
/// scheme, port and path keeps the `UID` stable if the server's address is written differently.
pub fn export(events: &[IcsEvent<'_>], now: DateTime<Utc>) -> Result<String, IcsError> {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Kinship//Peer groups//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    for item in events {
        write_event(&mut out, item, now)?;
    }
    line(&mut out, "END:VCALENDAR");
    Ok(out)
}

fn write_event(out: &mut String, item: &IcsEvent<'_>, now: DateTime<Utc>) -> Result<(), IcsError> {
    let event = item.event;
    let input = &event.input;
    let host =
        server_host(item.server).ok_or_else(|| IcsError::BadServerUrl(item.server.into()))?;
    if !crate::zone::is_known(&input.time_zone) {
        return Err(IcsError::UnknownTimeZone {
            event_id: event.id.clone(),
            zone: input.time_zone.clone(),
        });
    }
    let starts = to_utc(input.starts_at, event)?;
    let ends = to_utc(input.ends_at, event)?;

    line(out, "BEGIN:VEVENT");
    text(out, "UID", &format!("{}@{host}", event.id));
    line(out, &format!("DTSTAMP:{}", stamp(now)));
    line(out, &format!("LAST-MODIFIED:{}", stamp(event.updated_at)));
    line(out, &format!("SEQUENCE:{}", event.version.max(0)));
    line(out, &format!("DTSTART:{}", stamp(starts)));
    line(out, &format!("DTEND:{}", stamp(ends)));
    text(out, "SUMMARY", &input.title);
    text(out, "DESCRIPTION", &description(item));
    let location = match (&input.place, &input.online_url) {
        (Some(place), _) if place.address.trim().is_empty() => Some(place.name.clone()),
        (Some(place), _) => Some(format!("{}, {}", place.name, place.address)),
        (None, url) => url.clone(),
    };
    if let Some(location) = location {
        text(out, "LOCATION", &location);
    }
    if let Some(url) = &input.online_url {
        // A URI, not TEXT: no escaping, but nothing that could break the line either.
        let url: String = url.chars().filter(|c| !c.is_control()).collect();
        line(out, &format!("URL:{url}"));
    }
    text(out, "CATEGORIES", input.category.as_str());
    let status = match input.status {
        Status::Scheduled => "CONFIRMED",
        Status::Cancelled => "CANCELLED",
    };
    line(out, &format!("STATUS:{status}"));
    line(out, "END:VEVENT");
    Ok(())
}

/// The description, then accessibility notes, then the group's name, as separate paragraphs.
fn description(item: &IcsEvent<'_>) -> String {
    let input = &item.event.input;
    let mut parts = Vec::new();
    if !input.description.trim().is_empty() {
        parts.push(input.description.trim().to_owned());
    }
    if let Some(notes) = input.accessibility.as_deref().map(str::trim) {
        if !notes.is_empty() {
            parts.push(format!("Accessibility: {notes}"));
        }
    }
    parts.push(format!("Group: {}", item.group_name));
    parts.join("\n\n")
}

/// The UTC instant of a wall-clock time in the event's zone (see [`crate::zone::local_to_utc`]
/// for ambiguous and nonexistent times).
fn to_utc(local: NaiveDateTime, event: &Event) -> Result<DateTime<Utc>, IcsError> {
    crate::zone::local_to_utc(&event.input.time_zone, local).ok_or_else(|| {
        IcsError::NonexistentLocalTime {
            event_id: event.id.clone(),
            local,
            zone: event.input.time_zone.clone(),
        }
    })
}

/// `scheme://user@host:port/path` → `host`, lowercased; IPv6 literals keep their brackets.
fn server_host(server: &str) -> Option<String> {
    let rest = server.split_once("://").map_or(server, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host_port.find(']') {
        Some(end) if host_port.starts_with('[') => &host_port[..=end],
        _ => host_port.split(':').next().unwrap_or(""),
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// `YYYYMMDDTHHMMSSZ`.
fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A property with a TEXT value, escaped.
fn text(out: &mut String, name: &str, value: &str) {
    line(out, &format!("{name}:{}", escape(value)));
}

/// RFC 5545 TEXT escaping: `\` `;` `,` and newlines (as `\n`); other control characters,
/// which TEXT may not hold, are dropped (tabs are allowed and kept).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.replace("\r\n", "\n").chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' | '\r' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (never inside a UTF-8 character), each
/// continuation line starting with one space, and ends every line with CRLF.
fn line(out: &mut String, content: &str) {
    let mut rest = content;
    let mut limit = 75;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = 74; // the leading space counts
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinship_protocol::{Category, EventInput, Place};

    fn at(text: &str) -> NaiveDateTime {
        text.parse().unwrap()
    }

    fn now() -> DateTime<Utc> {
        at("2026-06-01T12:00:00").and_utc()
    }

    fn sample() -> Event {
        Event {
            id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
            group_id: "abcd1234".into(),
            version: 7,
            updated_at: at("2026-05-30T08:15:00").and_utc(),
            input: EventInput {
                title: "Queer book club".into(),
                description: "We read short stories.".into(),
                starts_at: at("2026-12-03T19:00:00"),
                ends_at: at("2026-12-03T21:00:00"),
                time_zone: "Europe/Lisbon".into(),
                online_url: None,
                place: Some(Place {
                    name: "Livraria".into(),
                    address: "Rua 1, Lisboa".into(),
                }),
                accessibility: Some("Step-free entrance".into()),
                category: Category::Social,
                status: Status::Scheduled,
            },
            organizer_signature: None,
        }
    }

    fn export_one(event: &Event) -> Result<String, IcsError> {
        let item = IcsEvent {
            event,
            server: "https://Groups.Example.org:8443/api/",
            group_name: "Lisbon; Pride, Youth",
        };
        export(&[item], now())
    }

    fn unfold(ics: &str) -> String {
        ics.replace("\r\n ", "")
    }

    /// The unfolded value of the first `name` property.
    fn prop(ics: &str, name: &str) -> String {
        let prefix = format!("{name}:");
        unfold(ics)
            .split("\r\n")
            .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
            .unwrap_or_else(|| panic!("no {name} in {ics}"))
    }

    #[test]
    fn a_calendar_has_the_header_and_every_field() {
        let ics = export_one(&sample()).unwrap();
        assert!(ics.starts_with(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kinship//Peer groups//EN\r\n\
             CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
        ));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
        assert_eq!(
            prop(&ics, "UID"),
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0@groups.example.org"
        );
        assert_eq!(prop(&ics, "DTSTAMP"), "20260601T120000Z");
        assert_eq!(prop(&ics, "LAST-MODIFIED"), "20260530T081500Z");
        assert_eq!(prop(&ics, "SUMMARY"), "Queer book club");
        assert_eq!(
            prop(&ics, "DESCRIPTION"),
            "We read short stories.\\n\\nAccessibility: Step-free entrance\\n\\n\
             Group: Lisbon\\; Pride\\, Youth"
        );
        assert_eq!(prop(&ics, "LOCATION"), "Livraria\\, Rua 1\\, Lisboa");
        assert_eq!(prop(&ics, "CATEGORIES"), "social");
        assert_eq!(prop(&ics, "STATUS"), "CONFIRMED");
        assert!(!ics.contains("URL:"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("a\\b;c,d\ne\r\nf\u{7}g\th"),
            "a\\\\b\\;c\\,d\\ne\\nfg\th"
        );
    }

    #[test]
    fn an_online_event_uses_its_link_for_location_and_url() {
        let mut event = sample();
        event.input.place = None;
        event.input.online_url = Some("https://meet.example.org/room?a=1,2;3".into());
        let ics = export_one(&event).unwrap();
        assert_eq!(
            prop(&ics, "LOCATION"),
            "https://meet.example.org/room?a=1\\,2\\;3"
        );
        assert_eq!(prop(&ics, "URL"), "https://meet.example.org/room?a=1,2;3");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut event = sample();
        event.input.title = "Café ❤️ 🏳️‍🌈 ação ".repeat(20).chars().take(200).collect();
        assert_eq!(event.input.title.chars().count(), 200);
        let ics = export_one(&event).unwrap();
        let lines: Vec<&str> = ics.split_terminator("\r\n").collect();
        assert!(lines.iter().all(|l| l.len() <= 75), "{lines:?}");
        assert!(lines.iter().filter(|l| l.starts_with(' ')).count() > 3);
        assert!(lines.iter().all(|l| !l.starts_with("  ")));
        assert_eq!(prop(&ics, "SUMMARY"), event.input.title);
    }

    #[test]
    fn local_times_become_utc_across_daylight_saving() {
        let mut event = sample();
        event.input.starts_at = at("2026-07-01T19:00:00");
        event.input.ends_at = at("2026-12-03T19:00:00");
        let ics = export_one(&event).unwrap();
        assert_eq!(prop(&ics, "DTSTART"), "20260701T180000Z");
        assert_eq!(prop(&ics, "DTEND"), "20261203T190000Z");
    }

    #[test]
    fn ambiguous_times_take_the_earlier_instant_and_gaps_shift_forward() {
        let mut event = sample();
        // Lisbon 2026-10-25: 02:00 WEST goes back to 01:00 WET, so 01:30 happens twice.
        event.input.starts_at = at("2026-10-25T01:30:00");
        // Lisbon 2026-03-29: 01:00 WET jumps to 02:00 WEST; 01:30 is read as 02:30 WEST.
        event.input.ends_at = at("2026-03-29T01:30:00");
        let ics = export_one(&event).unwrap();
        assert_eq!(prop(&ics, "DTSTART"), "20261025T003000Z");
        assert_eq!(prop(&ics, "DTEND"), "20260329T013000Z");
    }

    #[test]
    fn cancelled_events_say_so() {
        let mut event = sample();
        event.input.status = Status::Cancelled;
        assert_eq!(prop(&export_one(&event).unwrap(), "STATUS"), "CANCELLED");
    }

    #[test]
    fn uid_is_stable_across_versions_and_sequence_follows_the_version() {
        let first = sample();
        let mut second = sample();
        second.version = 42;
        second.input.title = "Queer book club (moved)".into();
        let (a, b) = (export_one(&first).unwrap(), export_one(&second).unwrap());
        assert_eq!(prop(&a, "UID"), prop(&b, "UID"));
        assert_eq!(prop(&a, "SEQUENCE"), "7");
        assert_eq!(prop(&b, "SEQUENCE"), "42");
        second.version = -3;
        assert_eq!(prop(&export_one(&second).unwrap(), "SEQUENCE"), "0");
    }

    #[test]
    fn server_hosts_are_read_from_urls() {
        assert_eq!(server_host("https://a.org").as_deref(), Some("a.org"));
        assert_eq!(
            server_host("http://u:p@A.org:80/x?y#z").as_deref(),
            Some("a.org")
        );
        assert_eq!(server_host("https://[::1]:8443/").as_deref(), Some("[::1]"));
        assert_eq!(server_host("https:///path"), None);
    }

    #[test]
    fn an_unknown_zone_is_an_error() {
        let mut event = sample();
        event.input.time_zone = "Mars/Olympus".into();
        assert_eq!(
            export_one(&event).unwrap_err(),
            IcsError::UnknownTimeZone {
                event_id: event.id.clone(),
                zone: "Mars/Olympus".into()
            }
        );
    }

    #[test]
    fn an_empty_calendar_is_valid() {
        let ics = export(&[], now()).unwrap();
        assert!(!ics.contains("VEVENT"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }
}
