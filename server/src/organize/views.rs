//! The organizer pages as `maud` templates. maud escapes every value it inserts, in text and
//! in attributes, so event text, ids, error messages and form values can never become markup;
//! only the style sheet is inserted as it is.

use chrono::Timelike;
use kinship_protocol::{
    Category, Event, EventInput, Status, MAX_ACCESSIBILITY_CHARS, MAX_DESCRIPTION_CHARS,
    MAX_PLACE_CHARS, MAX_TITLE_CHARS, MAX_URL_CHARS,
};
use maud::{html, Markup};

use super::forms::{parse_local_time, EventForm, FormError};
use super::MAX_TOKEN_CHARS;
use crate::web::{token_field, Session, SESSION_HOURS};

/// Zones offered as suggestions in the form (any IANA name is accepted).
const TIME_ZONES: [&str; 20] = [
    "Europe/Lisbon",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Rome",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
];

/// The sign-in page, with a notice (after signing out) or the token's error.
pub(super) fn sign_in(csrf: &str, notice: Option<&str>, error: Option<&str>) -> String {
    page(
        "Sign in",
        html! {
            main {
                h1 { "Welcome, organizer" }
                (notice_paragraph(notice))
                p { "Here you can post your group's social events, advocacy actions and workshops, keep them up to date, and let members know when plans change." }
                p { "Sign in with your group's organizer token. It was shown once when your group was created; if it's lost, whoever runs your Kinship server can give you a new one." }
                form.card method="post" action="/organize/sign-in" {
                    input type="hidden" name="csrf" value=(csrf);
                    (token_field("Organizer token", MAX_TOKEN_CHARS, error))
                    button type="submit" id="sign-in" { "Sign in" }
                }
                p.hint {
                    "You'll stay signed in for " (SESSION_HOURS) " hours on this browser. "
                    "Members' privacy comes first: this page never shows who follows your group."
                }
            }
        },
    )
}

/// The group's events, soonest first, and the form for a new one.
pub(super) fn events(
    session: &Session,
    group_name: &str,
    events: &[Event],
    notice: Option<&str>,
    form: &EventForm,
    errors: &[FormError],
) -> String {
    page(
        "Your events",
        html! {
            (signed_in_header(session, group_name))
            main {
                h1 { "Your events" }
                (notice_paragraph(notice))
                @if events.is_empty() {
                    p.empty { "No events yet. Your first one is a form away, just below." }
                } @else {
                    section aria-label="Events" id="events" {
                        @for event in events { (event_card(session, event)) }
                    }
                }
                h2 id="new-event" { "Post a new event" }
                (event_form(session, "/organize/events", "create", "Post event", form, errors))
            }
        },
    )
}

/// One event's edit page. `event_id` comes from the URL: it is escaped like everything else.
pub(super) fn edit(
    session: &Session,
    group_name: &str,
    event_id: &str,
    form: &EventForm,
    errors: &[FormError],
) -> String {
    let action = format!("/organize/events/{event_id}");
    page(
        "Edit event",
        html! {
            (signed_in_header(session, group_name))
            main {
                p { a href="/organize/events" { "← Back to your events" } }
                h1 { "Edit event" }
                (event_form(session, &action, "edit", "Save changes", form, errors))
            }
        },
    )
}

/// Where an error page sends the organizer next.
pub(super) enum Next {
    SignIn,
    Events,
    None,
}

/// A page that says what went wrong and that nothing was changed.
pub(super) fn failure(title: &str, text: &str, next: Next) -> String {
    page(
        title,
        html! {
            h1 { (title) }
            p { (text) }
            @match next {
                Next::SignIn => p { a.button href="/organize" { "Sign in again" } },
                Next::Events => p { a.button href="/organize/events" { "Back to your events" } },
                Next::None => {},
            }
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Parts

/// A whole document.
fn page(title: &str, body: Markup) -> String {
    crate::web::document("organizer", title, body)
}

fn notice_paragraph(notice: Option<&str>) -> Markup {
    html! {
        @if let Some(notice) = notice {
            p.notice role="status" { (notice) }
        }
    }
}

fn signed_in_header(session: &Session, group_name: &str) -> Markup {
    html! {
        header {
            p { "Kinship organizer · " strong { (group_name) } }
            form method="post" action="/organize/sign-out" {
                input type="hidden" name="csrf" value=(session.csrf);
                button.secondary type="submit" id="sign-out" { "Sign out" }
            }
        }
    }
}

fn event_card(session: &Session, event: &Event) -> Markup {
    let input = &event.input;
    let cancelled = input.status == Status::Cancelled;
    let place = input.place.as_ref().map(|place| {
        if place.address.is_empty() {
            place.name.clone()
        } else {
            format!("{}, {}", place.name, place.address)
        }
    });
    html! {
        article.event.cancelled[cancelled] id={ "event-" (event.id) } {
            h3.event-title { (input.title) }
            p.meta {
                @if cancelled { span.badge.cancelled.status { "Cancelled" } }
                span.badge { (category_label(input.category)) } " " (when(input))
            }
            @if let Some(place) = place { p.meta { "Where: " (place) } }
            @if let Some(url) = &input.online_url {
                // Validated as http(s):// with no spaces, so it is safe as a link once escaped.
                p.meta { "Online: " a href=(url) rel="noopener noreferrer" { (url) } }
            }
            @if let Some(notes) = &input.accessibility { p.meta { "Accessibility: " (notes) } }
            @if !input.description.is_empty() { p.description { (input.description) } }
            div.actions {
                a.button.secondary.edit href={ "/organize/events/" (event.id) } {
                    "Edit" span.visually-hidden { " " (input.title) }
                }
                @if !cancelled {
                    form.cancel method="post" action={ "/organize/events/" (event.id) "/cancel" } {
                        input type="hidden" name="csrf" value=(session.csrf);
                        button.danger type="submit" {
                            "Cancel this event" span.visually-hidden { " " (input.title) }
                        }
                    }
                }
            }
        }
    }
}

/// The event form, with each problem beside its field and listed on top.
fn event_form(
    session: &Session,
    action: &str,
    form_id_attr: &str,
    submit: &str,
    form: &EventForm,
    errors: &[FormError],
) -> Markup {
    let error_for = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    };
    let categories: Vec<(&str, &str)> = Category::ALL
        .iter()
        .map(|c| (c.as_str(), category_label(*c)))
        .collect();
    html! {
        @if !errors.is_empty() {
            div.problems role="alert" {
                p { strong { "Almost there: please check what's marked below." } }
                ul {
                    @for error in errors {
                        li { a href={ "#" (error.field) } { (error.message) } }
                    }
                }
            }
        }
        form.card method="post" action=(action) id=(form_id_attr) {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="form_id" value=(form.form_id);
            (input_field(&Field { max: MAX_TITLE_CHARS, required: true, ..Field::text("title", "Title", &form.title, error_for("title")) }))
            (textarea_field("description", "Description", &form.description, MAX_DESCRIPTION_CHARS,
                Some("What will happen, who it's for, what to bring. Optional."), error_for("description")))
            div.row {
                @for (id, label, value) in [("starts_at", "Starts", &form.starts_at), ("ends_at", "Ends", &form.ends_at)] {
                    (input_field(&Field {
                        kind: "datetime-local",
                        // A time with seconds keeps them (the control would otherwise refuse it).
                        step: parse_local_time(value).is_some_and(|t| t.second() != 0).then_some("1"),
                        required: true,
                        hint: Some("Local time where the event happens."),
                        ..Field::text(id, label, value, error_for(id))
                    }))
                }
            }
            (input_field(&Field {
                list: Some("time-zones"),
                max: 64,
                required: true,
                hint: Some("An IANA name such as Europe/Lisbon or America/New_York."),
                ..Field::text("time_zone", "Time zone", &form.time_zone, error_for("time_zone"))
            }))
            datalist id="time-zones" {
                @for zone in TIME_ZONES { option value=(zone) {} }
            }
            fieldset {
                legend { "Where is it?" }
                p.hint { "Give a place, an online link, or both." }
                div.row {
                    (input_field(&Field { max: MAX_PLACE_CHARS, ..Field::text("place_name", "Place name", &form.place_name, error_for("place_name")) }))
                    (input_field(&Field { max: MAX_PLACE_CHARS, ..Field::text("place_address", "Address", &form.place_address, error_for("place_address")) }))
                }
                (input_field(&Field {
                    kind: "url",
                    max: MAX_URL_CHARS,
                    hint: Some("For online or hybrid events: https://..."),
                    ..Field::text("online_url", "Online link", &form.online_url, error_for("online_url"))
                }))
            }
            (textarea_field("accessibility", "Accessibility", &form.accessibility, MAX_ACCESSIBILITY_CHARS,
                Some("Step-free access, quiet room, captions, gender-neutral toilets... Optional."), error_for("accessibility")))
            div.row {
                (select_field("category", "Kind of event", &categories, &form.category, error_for("category")))
                (select_field("status", "Status",
                    &[("scheduled", "On: it's happening"), ("cancelled", "Cancelled: called off")],
                    &form.status, error_for("status")))
            }
            button type="submit" { (submit) }
        }
    }
}

/// One `<input>` with its label, hint and error.
struct Field<'a> {
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    value: &'a str,
    /// `maxlength`, or 0 for none.
    max: usize,
    required: bool,
    /// `step="1"` for a time with seconds.
    step: Option<&'static str>,
    /// The id of a `<datalist>` of suggestions.
    list: Option<&'static str>,
    hint: Option<&'static str>,
    error: Option<&'a str>,
}

impl<'a> Field<'a> {
    fn text(
        id: &'static str,
        label: &'static str,
        value: &'a str,
        error: Option<&'a str>,
    ) -> Field<'a> {
        Field {
            id,
            label,
            kind: "text",
            value,
            max: 0,
            required: false,
            step: None,
            list: None,
            hint: None,
            error,
        }
    }
}

fn input_field(field: &Field<'_>) -> Markup {
    let described = described_by(field.id, field.hint, field.error);
    let suggestions = field.list.is_some();
    html! {
        div.field {
            label for=(field.id) { (field.label) }
            (hint_and_error(field.id, field.hint, field.error))
            input type=(field.kind) id=(field.id) name=(field.id) value=(field.value)
                step=[field.step] list=[field.list]
                autocomplete=[suggestions.then_some("off")] spellcheck=[suggestions.then_some("false")]
                maxlength=[(field.max > 0).then_some(field.max)]
                required[field.required]
                aria-describedby=[described] aria-invalid=[field.error.map(|_| "true")];
        }
    }
}

fn textarea_field(
    id: &'static str,
    label: &'static str,
    value: &str,
    max: usize,
    hint: Option<&'static str>,
    error: Option<&str>,
) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            (hint_and_error(id, hint, error))
            // A newline right after <textarea> is dropped by parsers: one is added so that a
            // value starting with a newline survives the round trip.
            textarea id=(id) name=(id) maxlength=(max)
                aria-describedby=[described_by(id, hint, error)]
                aria-invalid=[error.map(|_| "true")] { "\n" (value) }
        }
    }
}

fn select_field(
    id: &'static str,
    label: &'static str,
    options: &[(&str, &str)],
    selected: &str,
    error: Option<&str>,
) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            (hint_and_error(id, None, error))
            select id=(id) name=(id)
                aria-describedby=[described_by(id, None, error)]
                aria-invalid=[error.map(|_| "true")] {
                @for (value, text) in options {
                    option value=(value) selected[*value == selected] { (text) }
                }
            }
        }
    }
}

fn hint_and_error(id: &str, hint: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        @if let Some(hint) = hint { p.hint id={ (id) "-hint" } { (hint) } }
        @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
    }
}

/// The ids of the hint and error paragraphs, for `aria-describedby`.
fn described_by(id: &str, hint: Option<&str>, error: Option<&str>) -> Option<String> {
    let ids: Vec<String> = [hint.map(|_| "hint"), error.map(|_| "error")]
        .into_iter()
        .flatten()
        .map(|part| format!("{id}-{part}"))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn category_label(category: Category) -> &'static str {
    match category {
        Category::Social => "Social",
        Category::Advocacy => "Advocacy",
        Category::Workshop => "Workshop",
        Category::Discussion => "Discussion",
        Category::Other => "Other",
    }
}

/// "Thu 3 Dec 2026, 19:00 – 21:00 (Europe/Lisbon)".
fn when(input: &EventInput) -> String {
    let start = input.starts_at.format("%a %-d %b %Y, %H:%M");
    let end = if input.ends_at.date() == input.starts_at.date() {
        input.ends_at.format("%H:%M").to_string()
    } else {
        input.ends_at.format("%a %-d %b %Y, %H:%M").to_string()
    };
    format!("{start} – {end} ({})", input.time_zone)
}
