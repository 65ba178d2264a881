//! The iCalendar export of hostile event text. Events are built from the fuzz input (every
//! text field, the times, the zone, the server and group name), kept only if they pass the
//! protocol's validation as a feed page (`check_page`, `validate_group`), as on the phone; the
//! export must then be framed correctly whatever the text holds: CRLF-terminated lines folded at
//! 75 octets, no bare CR or LF, no line that is not the exporter's own property.
#![no_main]

mod common;

use chrono::{DateTime, NaiveDateTime, Utc};
use kinship_core::ics::{self, IcsEvent};
use kinship_protocol::{Category, Event, EventInput, FeedPage, Place, Status};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

const GROUP_ID: &str = "abcd1234";
/// Zones with odd offsets, half-hour and 45-minute steps, 30-minute DST and gaps at midnight.
const ZONES: &[&str] = &[
    "Europe/Lisbon",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/St_Johns",
    "Africa/Casablanca",
    "America/Santiago",
    "Antarctica/Troll",
    "Pacific/Apia",
    "UTC",
];

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok((events, server, group_name)) = build(&mut u) else {
        return;
    };
    if kinship_protocol::validate_group(&group_name, "").is_err() {
        return;
    }
    let page = FeedPage {
        changes: events,
        tombstones: Vec::new(),
        next_cursor: "1".into(),
        has_more: false,
    };
    if kinship_protocol::check_page(GROUP_ID, "0", &page).is_err() {
        return;
    }
    let items: Vec<IcsEvent<'_>> = page
        .changes
        .iter()
        .map(|event| IcsEvent {
            event,
            server: &server,
            group_name: &group_name,
        })
        .collect();
    let now = DateTime::from_timestamp(1_780_000_000, 0).expect("a time");
    if let Ok(text) = ics::export(&items, now) {
        common::assert_ics_well_formed(&text, items.len());
    }
});

fn build(u: &mut Unstructured<'_>) -> Result<(Vec<Event>, String, String)> {
    let count = u.int_in_range(1..=3)?;
    let mut events = Vec::with_capacity(count);
    for _ in 0..count {
        events.push(event(u)?);
    }
    let server = if u.arbitrary()? {
        format!("https://{}", u.arbitrary::<&str>()?)
    } else {
        u.arbitrary()?
    };
    Ok((events, server, u.arbitrary()?))
}

fn event(u: &mut Unstructured<'_>) -> Result<Event> {
    let starts_at = time(u)?;
    let ends_at = starts_at + chrono::Duration::seconds(u.int_in_range(1..=400_000)?);
    let time_zone = if u.ratio(1, 16)? {
        u.arbitrary()?
    } else {
        (*u.choose(ZONES)?).to_owned()
    };
    let online_url = if u.arbitrary()? {
        Some(format!("https://{}", u.arbitrary::<&str>()?))
    } else {
        None
    };
    let place = if u.arbitrary()? || online_url.is_none() {
        Some(Place {
            name: u.arbitrary()?,
            address: u.arbitrary()?,
        })
    } else {
        None
    };
    let input = EventInput {
        title: u.arbitrary()?,
        description: u.arbitrary()?,
        starts_at,
        ends_at,
        time_zone,
        online_url,
        place,
        accessibility: u.arbitrary()?,
        category: *u.choose(&[
            Category::Social,
            Category::Advocacy,
            Category::Workshop,
            Category::Discussion,
            Category::Other,
        ])?,
        status: if u.arbitrary()? {
            Status::Cancelled
        } else {
            Status::Scheduled
        },
    };
    Ok(Event {
        id: u.arbitrary()?,
        group_id: GROUP_ID.into(),
        version: u.arbitrary()?,
        updated_at: DateTime::<Utc>::from_timestamp(u.arbitrary::<i32>()?.into(), 0)
            .unwrap_or_default(),
        input,
        organizer_signature: None,
    })
}

/// A wall-clock time in the years the protocol allows, and a little beyond either end.
fn time(u: &mut Unstructured<'_>) -> Result<NaiveDateTime> {
    let seconds = u.int_in_range(-2_300_000_000i64..=253_500_000_000)?;
    Ok(DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .naive_utc())
}
