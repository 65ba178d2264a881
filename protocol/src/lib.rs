#![warn(missing_docs)]
//! kinship-protocol: what a Kinship peer-group server and the app's sync client say to each
//! other, and the rules every field must meet. No I/O: both sides validate with the same code.
//!
//! Events carry local wall-clock times plus an IANA time zone (what an organizer means by
//! "Thursday 19:00 in Lisbon"), a version from the group's change sequence, and room for an
//! organizer signature so a later version can let members check the server altered nothing.

pub mod zone;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// Largest request body a server accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest group name, in characters (Unicode scalar values).
pub const MAX_GROUP_NAME_CHARS: usize = 120;
/// Longest group description, in characters.
pub const MAX_GROUP_DESCRIPTION_CHARS: usize = 2_000;
/// Longest event title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest event description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
/// Longest `online_url` of an event, in characters.
pub const MAX_URL_CHARS: usize = 2_000;
/// Longest place name, and longest place address, in characters.
pub const MAX_PLACE_CHARS: usize = 300;
/// Longest accessibility note of an event, in characters.
pub const MAX_ACCESSIBILITY_CHARS: usize = 1_000;
/// Longest invite code a join request may carry. Despite the name, the server compares it with
/// the code's length in bytes.
pub const MAX_INVITE_CODE_CHARS: usize = 128;
/// The optional note on a "this number didn't work" report.
pub const MAX_REPORT_NOTE_CHARS: usize = 280;
/// Largest page of changes a client may ask for.
pub const MAX_PAGE: u32 = 500;
/// Page size of the change feed when a client asks for none.
pub const DEFAULT_PAGE: u32 = 100;

/// Who can find and read a group.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Listed by `GET /v1/groups` and readable by anyone, with no token.
    Public,
    /// Never listed; reading it needs a member token or the group's organizer token.
    Private,
}

/// A peer group as the server serves it. Its name and description are checked
/// (`validate_group`) when the group is created, not by a client that fetches it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The group's id, an opaque string made by the server.
    pub id: String,
    /// The group's name, 1 to 120 characters (`MAX_GROUP_NAME_CHARS`).
    #[cfg_attr(feature = "openapi", schema(max_length = 120))]
    pub name: String,
    /// What the group is about, 0 to 2 000 characters (`MAX_GROUP_DESCRIPTION_CHARS`); may be
    /// empty.
    pub description: String,
    /// Whether the group is listed and open to read, or needs a token.
    pub visibility: Visibility,
    /// When the group was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
}

/// What kind of gathering an event is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A social gathering.
    Social,
    /// Advocacy or activism.
    Advocacy,
    /// A workshop.
    Workshop,
    /// A discussion.
    Discussion,
    /// Anything else.
    Other,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 5] = [
        Category::Social,
        Category::Advocacy,
        Category::Workshop,
        Category::Discussion,
        Category::Other,
    ];

    /// The category's name on the wire, e.g. `"social"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Social => "social",
            Category::Advocacy => "advocacy",
            Category::Workshop => "workshop",
            Category::Discussion => "discussion",
            Category::Other => "other",
        }
    }

    /// The category whose wire name is exactly `text` (no trimming or case folding); `None` for
    /// any other text.
    pub fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// Whether an event takes place.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// It takes place as planned (the default when absent).
    #[default]
    Scheduled,
    /// It was called off. Replacing an event with this status, rather than deleting it, lets
    /// members see it marked cancelled instead of having it vanish.
    Cancelled,
}

/// Where an in-person event happens.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// The venue's name, 1 to 300 characters (`MAX_PLACE_CHARS`).
    pub name: String,
    /// The venue's address, 0 to 300 characters (`MAX_PLACE_CHARS`); may be empty.
    pub address: String,
}

/// An event as an organizer sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// The event's title: 1 to 200 characters (`MAX_TITLE_CHARS`) on one line, with no
    /// bidirectional control characters and not only invisible characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    /// Free text about the event, 0 to 5 000 characters (`MAX_DESCRIPTION_CHARS`); empty when
    /// absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: String,
    /// Local wall-clock time `YYYY-MM-DDTHH:MM:SS` in `time_zone`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-03T19:00:00"))]
    pub starts_at: NaiveDateTime,
    /// Local wall-clock end time `YYYY-MM-DDTHH:MM:SS` in `time_zone`, strictly after `starts_at`.
    /// Both times must fall in the years 1900 to 9999 (`MIN_EVENT_YEAR`, `MAX_EVENT_YEAR`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-03T21:00:00"))]
    pub ends_at: NaiveDateTime,
    /// IANA time zone, e.g. `Europe/Lisbon`.
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Lisbon"))]
    pub time_zone: String,
    /// A link to join online: `https://` or `http://`, 1 to 2 000 characters (`MAX_URL_CHARS`),
    /// visible ASCII only. An event needs this or a `place`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub online_url: Option<String>,
    /// Where the event happens in person. An event needs this or an `online_url`.
    #[serde(default)]
    pub place: Option<Place>,
    /// Notes on access (step-free entrance, captions, a quiet room...), at most 1 000
    /// characters (`MAX_ACCESSIBILITY_CHARS`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub accessibility: Option<String>,
    /// What kind of event it is.
    pub category: Category,
    /// Whether the event takes place; `scheduled` when absent.
    #[serde(default)]
    pub status: Status,
}

/// An event as the server stores and serves it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The event's id, an opaque string made by the server; `check_page` accepts 1 to 64 bytes.
    pub id: String,
    /// The id of the group the event belongs to.
    pub group_id: String,
    /// The group's change sequence number of this version; grows with every change.
    pub version: i64,
    /// When this version was written, by the server's clock (RFC 3339, UTC). Informative only:
    /// order two copies of an event by `version`, not by this time.
    pub updated_at: DateTime<Utc>,
    /// The event as the organizer sent it; its fields sit in the same JSON object as the others.
    #[serde(flatten)]
    pub input: EventInput,
    /// Reserved: an organizer's ed25519 signature over the stored event bytes, so members can
    /// one day verify that the server neither forged nor altered an event. Not yet produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizer_signature: Option<String>,
}

/// One page of a group's change feed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedPage {
    /// Events created or changed after the cursor, oldest change first, in their latest state.
    pub changes: Vec<Event>,
    /// Ids of events deleted after the cursor.
    pub tombstones: Vec<String>,
    /// Pass as `since` to get what comes next.
    pub next_cursor: String,
    /// Whether more changes were already waiting when this page was read. `false` means nothing
    /// more yet, not the end of the feed: later changes come on later polls.
    pub has_more: bool,
}

/// Body of `POST /v1/groups/{group_id}/join`: trades a private group's invite code for a
/// member token.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The group's invite code (`inv_...`); the server accepts 1 to 128 bytes
    /// (`MAX_INVITE_CODE_CHARS`).
    pub invite_code: String,
}

/// The answer to a successful join (`201 Created`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinResponse {
    /// A new member token (`mem_...`), sent as `Authorization: Bearer` to read the private group.
    /// The server keeps only its hash, so this is the one time it is shown.
    pub member_token: String,
}

/// What went wrong with a directory entry, as a person reports it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportProblem {
    /// The call, text or chat did not get through.
    DidNotConnect,
    /// The listed opening hours are wrong.
    WrongHours,
    /// The service is closed.
    Closed,
    /// Something else in the entry is wrong.
    WrongInformation,
}

impl ReportProblem {
    /// Every problem, in declaration order.
    pub const ALL: [ReportProblem; 4] = [
        ReportProblem::DidNotConnect,
        ReportProblem::WrongHours,
        ReportProblem::Closed,
        ReportProblem::WrongInformation,
    ];

    /// The problem's name on the wire, e.g. `"did_not_connect"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportProblem::DidNotConnect => "did_not_connect",
            ReportProblem::WrongHours => "wrong_hours",
            ReportProblem::Closed => "closed",
            ReportProblem::WrongInformation => "wrong_information",
        }
    }

    /// The problem named by `text`, ignoring case and surrounding white space, with `-` or a
    /// space accepted for `_` (`"did-not-connect"`); `None` for anything else.
    pub fn parse(text: &str) -> Option<ReportProblem> {
        let wanted = text.trim().to_lowercase().replace(['-', ' '], "_");
        ReportProblem::ALL
            .into_iter()
            .find(|p| p.as_str() == wanted)
    }
}

/// `POST /v1/directory/reports`: "this number didn't work", sent anonymously (no token, no
/// device identifier, no time of the call).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryReport {
    /// The id of the directory entry: 2 to 80 characters of `a`-`z`, `0`-`9` and `-`. Only its
    /// form is checked, not that the entry exists: the phone may have newer data.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9-]{2,80}$"))]
    pub entry_id: String,
    /// The directory version the phone had, so an operator can tell old data from new.
    pub directory_version: u64,
    /// What went wrong.
    pub problem: ReportProblem,
    /// An optional note from the person, at most 280 characters (`MAX_REPORT_NOTE_CHARS`), with
    /// no control characters other than line feeds and tabs.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 280))]
    pub note: Option<String>,
}

impl DirectoryReport {
    /// Checks the entry id's form and the note's length and characters.
    pub fn validate(&self) -> Result<(), FieldError> {
        let id_ok = (2..=80).contains(&self.entry_id.len())
            && self
                .entry_id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            return Err(field("entry_id", "must be a directory entry id"));
        }
        if let Some(note) = &self.note {
            check_text("note", note, 0, MAX_REPORT_NOTE_CHARS)?;
        }
        Ok(())
    }
}

/// Every error response: `{"error": {"code": "...", "message": "..."}}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The code and message of an error response.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A machine-readable code such as `unauthorized`, `not_found` or `invalid`: programs decide
    /// on this and the HTTP status only.
    pub code: String,
    /// An explanation in English, for people; not meant to be parsed.
    pub message: String,
}

/// A field that breaks the rules, named for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    /// The field's name as in the JSON, e.g. `ends_at` or `place.name`.
    pub field: &'static str,
    /// What is wrong with it, in English; it never quotes the field's content.
    pub problem: String,
}

impl EventInput {
    /// Checks every field: lengths, a known time zone, an end after the start, URLs, and that
    /// an event has a place or an online link.
    pub fn validate(&self) -> Result<(), FieldError> {
        check_text("title", &self.title, 1, MAX_TITLE_CHARS)?;
        check_line("title", &self.title)?;
        check_text("description", &self.description, 0, MAX_DESCRIPTION_CHARS)?;
        if !is_canonical_zone(&self.time_zone) {
            return Err(field("time_zone", "not an IANA time zone"));
        }
        for (name, at) in [("starts_at", self.starts_at), ("ends_at", self.ends_at)] {
            if !(MIN_EVENT_YEAR..=MAX_EVENT_YEAR).contains(&chrono::Datelike::year(&at)) {
                return Err(field(name, "the year must be 1900 to 9999"));
            }
        }
        if self.ends_at <= self.starts_at {
            return Err(field("ends_at", "must be after starts_at"));
        }
        if let Some(url) = &self.online_url {
            check_text("online_url", url, 1, MAX_URL_CHARS)?;
            if !is_web_url(url) {
                return Err(field("online_url", "must be an https:// or http:// link"));
            }
        }
        if let Some(place) = &self.place {
            check_text("place.name", &place.name, 1, MAX_PLACE_CHARS)?;
            check_text("place.address", &place.address, 0, MAX_PLACE_CHARS)?;
        }
        if self.online_url.is_none() && self.place.is_none() {
            return Err(field("place", "an event needs a place or an online_url"));
        }
        if let Some(notes) = &self.accessibility {
            check_text("accessibility", notes, 0, MAX_ACCESSIBILITY_CHARS)?;
        }
        Ok(())
    }
}

/// The rule every feed page must meet, which the server's pages keep and the phone checks
/// before applying one: every change is an event of `group_id` with valid fields and an id of
/// 1 to 64 characters, the page holds at most [`MAX_PAGE`] items, and its cursor moves on from
/// `previous_cursor` (it may stay only on the last page). Cursors are opaque but start with the
/// sequence number. The error says what broke the rule, never a field's content.
pub fn check_page(
    group_id: &str,
    previous_cursor: &str,
    page: &FeedPage,
) -> Result<(), &'static str> {
    let seq = |cursor: &str| cursor.split('.').next().unwrap_or("").parse::<i64>();
    match (seq(previous_cursor), seq(&page.next_cursor)) {
        // A page that says there is more must move forward, or paging would never end.
        (Ok(old), Ok(new)) if new > old || (new == old && !page.has_more) => {}
        _ => return Err("cursor"),
    }
    if page.changes.len() + page.tombstones.len() > MAX_PAGE as usize {
        return Err("too many items");
    }
    for event in &page.changes {
        if event.group_id != group_id {
            return Err("an event of another group");
        }
        if event.input.validate().is_err() {
            return Err("an invalid event");
        }
        if event.id.is_empty() || event.id.len() > 64 {
            return Err("an event id");
        }
    }
    Ok(())
}

/// Years an event may fall in: outside them a phone's date arithmetic (and any calendar) has
/// no use for it.
pub const MIN_EVENT_YEAR: i32 = 1900;
/// The last year an event may fall in (see [`MIN_EVENT_YEAR`]).
pub const MAX_EVENT_YEAR: i32 = 9999;

/// A zone as the tz database names it, in its own spelling: `europe/lisbon` and the database's
/// placeholder `Factory` are refused, so one zone has one name on every phone.
pub fn is_canonical_zone(name: &str) -> bool {
    name != "Factory"
        && jiff::tz::TimeZone::get(name)
            .ok()
            .and_then(|zone| zone.iana_name().map(|canonical| canonical == name))
            .unwrap_or(false)
}

/// One line of text that shows something: no line breaks, no bidirectional overrides (which
/// can make a title read as something else), and not only invisible characters.
fn check_line(name: &'static str, value: &str) -> Result<(), FieldError> {
    if value.contains(['\n', '\r']) {
        return Err(field(name, "must be one line"));
    }
    let bidi_control = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if value.chars().any(bidi_control) {
        return Err(field(name, "contains bidirectional control characters"));
    }
    let invisible = |c: char| {
        c.is_whitespace()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}' | '\u{034f}' | '\u{180e}')
    };
    if value.chars().all(invisible) {
        return Err(field(name, "shows nothing"));
    }
    Ok(())
}

/// Checks a group's name and description.
pub fn validate_group(name: &str, description: &str) -> Result<(), FieldError> {
    check_text("name", name, 1, MAX_GROUP_NAME_CHARS)?;
    check_text("description", description, 0, MAX_GROUP_DESCRIPTION_CHARS)
}

/// `http(s)://host...` with no spaces or control characters.
pub fn is_web_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && url.chars().all(|c| c.is_ascii_graphic())
        }
        None => false,
    }
}

fn check_text(name: &'static str, value: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let chars = value.chars().count();
    if chars < min || (min > 0 && value.trim().is_empty()) {
        return Err(field(name, "is required"));
    }
    if chars > max {
        return Err(field(name, &format!("is longer than {max} characters")));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(field(name, "contains control characters"));
    }
    Ok(())
}

fn field(field: &'static str, problem: &str) -> FieldError {
    FieldError {
        field,
        problem: problem.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EventInput {
        serde_json::from_str(
            r#"{"title":"Queer book club","starts_at":"2026-12-03T19:00:00","ends_at":"2026-12-03T21:00:00",
               "time_zone":"Europe/Lisbon","place":{"name":"Livraria","address":"Rua 1"},"category":"social"}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_good_event_validates_and_defaults_apply() {
        let event = sample();
        assert!(event.validate().is_ok());
        assert_eq!(event.status, Status::Scheduled);
        assert_eq!(event.description, "");
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut e = sample();
        e.ends_at = e.starts_at;
        assert_eq!(e.validate().unwrap_err().field, "ends_at");
        let mut e = sample();
        e.time_zone = "Mars/Olympus".into();
        assert_eq!(e.validate().unwrap_err().field, "time_zone");
        let mut e = sample();
        e.title = "x".repeat(MAX_TITLE_CHARS + 1);
        assert_eq!(e.validate().unwrap_err().field, "title");
        let mut e = sample();
        e.place = None;
        assert_eq!(e.validate().unwrap_err().field, "place");
        let mut e = sample();
        e.online_url = Some("javascript:alert(1)".into());
        assert_eq!(e.validate().unwrap_err().field, "online_url");
        assert!(serde_json::from_str::<EventInput>(r#"{"title":"x"}"#).is_err());
    }

    #[test]
    fn titles_zones_and_years_that_would_mislead_or_break_a_phone_are_refused() {
        let refused = |change: &dyn Fn(&mut EventInput)| {
            let mut event = sample();
            change(&mut event);
            event.validate().map(|_| ()).map_err(|e| e.field)
        };
        assert_eq!(
            refused(&|e| e.title = "\u{200b}\u{200b} \u{feff}".into()),
            Err("title")
        );
        assert_eq!(
            refused(&|e| e.title = "Meeting \u{202e}DEVOM".into()),
            Err("title")
        );
        assert_eq!(
            refused(&|e| e.title = "Line one\nLine two".into()),
            Err("title")
        );
        assert_eq!(
            refused(&|e| e.time_zone = "europe/lisbon".into()),
            Err("time_zone")
        );
        assert_eq!(
            refused(&|e| e.time_zone = "Factory".into()),
            Err("time_zone")
        );
        let far = chrono::NaiveDate::from_ymd_opt(262_142, 1, 1)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        assert_eq!(refused(&|e| e.ends_at = far), Err("ends_at"));
        let long_ago = chrono::NaiveDate::from_ymd_opt(-500, 1, 1)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        assert_eq!(refused(&|e| e.starts_at = long_ago), Err("starts_at"));
        // What stays allowed: accents, emoji, a right-to-left script without overrides.
        assert_eq!(refused(&|e| e.title = "Café 🏳️‍🌈 مجموعة".into()), Ok(()));
    }

    #[test]
    fn canonical_zone_names_pass() {
        for name in [
            "UTC",
            "Europe/Lisbon",
            "America/New_York",
            "Asia/Kolkata",
            "Etc/UTC",
        ] {
            assert!(is_canonical_zone(name), "{name}");
        }
    }
}
