//! A page of a group's change feed as a hostile server could send it: JSON, then the protocol's
//! rule (`kinship_protocol::check_page`) the phone applies before storing anything. A page that
//! passes is exported to iCalendar as the app would, and the export must be well formed.
#![no_main]

mod common;

use chrono::DateTime;
use kinship_core::ics::{self, IcsEvent};
use kinship_protocol::FeedPage;
use libfuzzer_sys::fuzz_target;

const GROUP_ID: &str = "abcd1234";

fuzz_target!(|data: &[u8]| {
    let Ok(page) = serde_json::from_slice::<FeedPage>(data) else {
        return;
    };
    for cursor in ["0", "41", "41.x"] {
        if kinship_protocol::check_page(GROUP_ID, cursor, &page).is_err() {
            continue;
        }
        assert!(page.changes.len() + page.tombstones.len() <= 500);
        let items: Vec<IcsEvent<'_>> = page
            .changes
            .iter()
            .map(|event| {
                assert!(event.input.validate().is_ok());
                IcsEvent {
                    event,
                    server: "https://groups.example.org",
                    group_name: "Group",
                }
            })
            .collect();
        let now = DateTime::from_timestamp(1_780_000_000, 0).expect("a time");
        if let Ok(text) = ics::export(&items, now) {
            common::assert_ics_well_formed(&text, items.len());
        }
    }
});
