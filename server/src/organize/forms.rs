//! The event form as typed, and its way to and from an [`EventInput`]: every field is kept as
//! a string so that a mistake can be shown beside its field with everything else kept.

use chrono::{NaiveDateTime, Timelike};
use kinship_protocol::{Category, EventInput, FieldError, Place, Status};
use serde::Deserialize;

/// The event form as typed: every field a string, so a mistake can be shown and kept.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct EventForm {
    pub(super) csrf: String,
    pub(super) form_id: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) starts_at: String,
    pub(super) ends_at: String,
    pub(super) time_zone: String,
    pub(super) online_url: String,
    pub(super) place_name: String,
    pub(super) place_address: String,
    pub(super) accessibility: String,
    pub(super) category: String,
    pub(super) status: String,
}

/// A problem to show beside a form field (`field` is the input's id).
pub(super) struct FormError {
    pub(super) field: &'static str,
    pub(super) message: String,
}

pub(super) fn form_to_input(form: &EventForm) -> Result<EventInput, Vec<FormError>> {
    let mut errors = Vec::new();
    let starts_at = parse_local_time(&form.starts_at);
    if starts_at.is_none() {
        errors.push(FormError {
            field: "starts_at",
            message: "Please give the date and time it starts, like 2026-12-03 19:00.".into(),
        });
    }
    let ends_at = parse_local_time(&form.ends_at);
    if ends_at.is_none() {
        errors.push(FormError {
            field: "ends_at",
            message: "Please give the date and time it ends, like 2026-12-03 21:00.".into(),
        });
    }
    let category = Category::parse(form.category.trim());
    if category.is_none() {
        errors.push(FormError {
            field: "category",
            message: "Please choose a kind of event.".into(),
        });
    }
    let status = match form.status.trim() {
        "" | "scheduled" => Some(Status::Scheduled),
        "cancelled" => Some(Status::Cancelled),
        _ => None,
    };
    if status.is_none() {
        errors.push(FormError {
            field: "status",
            message: "Please choose whether the event is on or cancelled.".into(),
        });
    }
    let (Some(starts_at), Some(ends_at), Some(category), Some(status)) =
        (starts_at, ends_at, category, status)
    else {
        return Err(errors);
    };
    let optional = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    };
    let place = match (form.place_name.trim(), form.place_address.trim()) {
        ("", "") => None,
        (name, address) => Some(Place {
            name: name.to_owned(),
            address: address.to_owned(),
        }),
    };
    let input = EventInput {
        title: form.title.trim().to_owned(),
        description: form.description.trim_end().to_owned(),
        starts_at,
        ends_at,
        time_zone: form.time_zone.trim().to_owned(),
        online_url: optional(&form.online_url),
        place,
        accessibility: optional(&form.accessibility),
        category,
        status,
    };
    match input.validate() {
        Ok(()) => Ok(input),
        Err(err) => Err(vec![field_error(&err)]),
    }
}

/// The protocol's rule, said for a person and pointed at the right input.
fn field_error(err: &FieldError) -> FormError {
    let (field, label) = match err.field {
        "title" => ("title", "The title"),
        "description" => ("description", "The description"),
        "time_zone" => ("time_zone", "The time zone"),
        "starts_at" => ("starts_at", "The start"),
        "ends_at" => ("ends_at", "The end"),
        "online_url" => ("online_url", "The online link"),
        "place.name" | "place" => ("place_name", "The place name"),
        "place.address" => ("place_address", "The address"),
        "accessibility" => ("accessibility", "The accessibility notes"),
        _ => ("title", "This event"),
    };
    let message = match (err.field, err.problem.as_str()) {
        ("time_zone", _) => {
            "Please give an IANA time zone, such as Europe/Lisbon or America/New_York.".to_owned()
        }
        ("ends_at", "must be after starts_at") => "The end must be after the start.".to_owned(),
        ("online_url", "must be an https:// or http:// link") => {
            "The online link must start with https:// (or http://) and have no spaces.".to_owned()
        }
        ("place", _) => {
            "An event needs a place or an online link: please fill in one of them.".to_owned()
        }
        (_, problem) => format!("{label} {problem}."),
    };
    FormError { field, message }
}

/// `YYYY-MM-DDTHH:MM` as HTML's datetime-local sends it, or with seconds (a space works too).
pub(super) fn parse_local_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

fn format_local_time(time: &NaiveDateTime) -> String {
    if time.second() == 0 && time.nanosecond() == 0 {
        time.format("%Y-%m-%dT%H:%M").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

pub(super) fn input_to_form(input: &EventInput) -> EventForm {
    EventForm {
        csrf: String::new(),
        form_id: String::new(),
        title: input.title.clone(),
        description: input.description.clone(),
        starts_at: format_local_time(&input.starts_at),
        ends_at: format_local_time(&input.ends_at),
        time_zone: input.time_zone.clone(),
        online_url: input.online_url.clone().unwrap_or_default(),
        place_name: input
            .place
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        place_address: input
            .place
            .as_ref()
            .map(|p| p.address.clone())
            .unwrap_or_default(),
        accessibility: input.accessibility.clone().unwrap_or_default(),
        category: input.category.as_str().to_owned(),
        status: match input.status {
            Status::Scheduled => "scheduled",
            Status::Cancelled => "cancelled",
        }
        .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_local_with_and_without_seconds() {
        let a = parse_local_time("2026-12-03T19:00").unwrap();
        let b = parse_local_time("2026-12-03T19:00:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(format_local_time(&a), "2026-12-03T19:00");
        let c = parse_local_time("2026-12-03T19:00:30").unwrap();
        assert_eq!(format_local_time(&c), "2026-12-03T19:00:30");
        assert!(parse_local_time("tomorrow").is_none());
        assert!(parse_local_time("").is_none());
    }

    fn good_form() -> EventForm {
        EventForm {
            title: "Queer book club".into(),
            starts_at: "2026-12-03T19:00".into(),
            ends_at: "2026-12-03T21:00".into(),
            time_zone: "Europe/Lisbon".into(),
            place_name: "Livraria".into(),
            category: "social".into(),
            ..EventForm::default()
        }
    }

    #[test]
    fn forms_become_valid_inputs_or_field_errors() {
        let input = form_to_input(&good_form()).ok().unwrap();
        assert_eq!(input.status, Status::Scheduled);
        assert_eq!(input.place.unwrap().address, "");
        assert!(input.online_url.is_none());

        let mut form = good_form();
        form.ends_at = "2026-12-03T18:00".into();
        let errors = form_to_input(&form).err().unwrap();
        assert_eq!(errors[0].field, "ends_at");

        let mut form = good_form();
        form.place_name.clear();
        assert_eq!(form_to_input(&form).err().unwrap()[0].field, "place_name");

        let mut form = good_form();
        form.starts_at = "soon".into();
        form.category = "party".into();
        let fields: Vec<_> = form_to_input(&form)
            .err()
            .unwrap()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["starts_at", "category"]);
    }

    #[test]
    fn a_form_round_trips_through_an_input() {
        let input = form_to_input(&good_form()).ok().unwrap();
        let form = input_to_form(&input);
        assert_eq!(form_to_input(&form).ok().unwrap(), input);
    }
}
