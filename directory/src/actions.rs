//! One-tap actions: the URIs a phone only has to open.
//!
//! `tel:+<E.164>` for full numbers and `tel:<digits>` for national short codes (RFC 3966; a
//! mobile network's star code keeps its `*`, as in Chile's `tel:*4141`),
//! `sms:<number>?body=<keyword>` (RFC 5724), `https://wa.me/<digits>` for WhatsApp, and
//! `https:` links. An action is built only from a number that passes the checks here; the
//! tests check every bundled number again with a numbering-plan library. Every action says
//! what trace it leaves on the phone, so the app can warn before the tap.

use crate::model::Channels;

/// A labelled action, e.g. ("Call 988", "tel:988").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Action {
    /// The text to show on the button, e.g. `Call 988` or `Text START to 678678`.
    pub label: String,
    /// The URI the phone opens: `tel:`, `sms:`, `https://wa.me/...` or a web link.
    pub uri: String,
    /// How the action reaches the service.
    pub kind: ActionKind,
    /// What tapping it leaves behind for someone who picks up the phone.
    pub trace: Trace,
    /// The number is a star code (`*4141`): Apple's Phone app refuses to dial a `tel:` link
    /// with `*` in it, so on iOS the app shows the number to be typed on the keypad. Android
    /// dials it from the link.
    pub dial_by_hand: bool,
    /// For a call: whether it is free, where the operator says so (`None`: not known).
    pub free: Option<bool>,
    /// For a call: whether it shows on the phone bill, where the operator says so.
    pub on_phone_bill: Option<bool>,
}

/// How an action reaches a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// A phone call (`tel:`).
    Call,
    /// An SMS (`sms:`), with the service's keyword as the body where it has one.
    Text,
    /// A WhatsApp chat (`https://wa.me/<digits>`).
    WhatsApp,
    /// A web chat, at the entry's `chat_url`.
    Chat,
    /// The service's website.
    Website,
}

/// The trace an action leaves on the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trace {
    /// An entry in the phone's call log.
    CallLog,
    /// A thread in the messages app.
    SmsThread,
    /// A chat in WhatsApp.
    MessagingAppChat,
    /// The page in the browser's history.
    BrowserHistory,
}

impl Action {
    /// An action of `kind`, with the trace that kind leaves and, for a call to a star code, the
    /// `dial_by_hand` flag.
    pub fn new(kind: ActionKind, label: String, uri: String) -> Action {
        let trace = match kind {
            ActionKind::Call => Trace::CallLog,
            ActionKind::Text => Trace::SmsThread,
            ActionKind::WhatsApp => Trace::MessagingAppChat,
            ActionKind::Chat | ActionKind::Website => Trace::BrowserHistory,
        };
        let dial_by_hand = kind == ActionKind::Call && uri.contains('*');
        Action {
            label,
            uri,
            kind,
            trace,
            dial_by_hand,
            free: None,
            on_phone_bill: None,
        }
    }

    /// The action with what the operator says a call costs and whether it shows on the bill
    /// (only calls carry it: an entry's cost is about calling).
    pub fn with_call_cost(self, free: Option<bool>, on_phone_bill: Option<bool>) -> Action {
        if self.kind == ActionKind::Call {
            Action {
                free,
                on_phone_bill,
                ..self
            }
        } else {
            self
        }
    }
}

/// `+` then 7 to 15 digits, the first not 0 (E.164 allows 15 at most).
pub fn is_e164(number: &str) -> bool {
    match number.strip_prefix('+') {
        Some(digits) => {
            (7..=15).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit())
                && !digits.starts_with('0')
        }
        None => false,
    }
}

/// A number dialled as written locally: a short code or a national number without its
/// country code, digit groups separated by single spaces, 2 to 12 digits in all ("988",
/// "116 123", "13 11 14", "1800 184 527", which cannot be dialled from abroad), optionally
/// after one `*` for a mobile network's star code ("*4141").
pub fn is_short_code(code: &str) -> bool {
    let code = code.strip_prefix('*').unwrap_or(code);
    let groups: Vec<&str> = code.split(' ').collect();
    let digits: usize = groups.iter().map(|g| g.len()).sum();
    (2..=12).contains(&digits)
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
}

/// An SMS destination: a short code or a full number, digits only (a leading `+` allowed).
pub fn is_sms_number(number: &str) -> bool {
    let digits = number.strip_prefix('+').unwrap_or(number);
    (3..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A public web link: the protocol's URL rule (`http(s)://host...`, no spaces or control
/// characters) and a host with a domain, as every published service has.
pub fn is_web_url(url: &str) -> bool {
    let host = url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .unwrap_or("");
    kinship_protocol::is_web_url(url) && host.contains('.') && !host.starts_with('.')
}

/// The actions an entry offers, most direct first: call (the second number after the first),
/// text, WhatsApp, chat, website.
pub fn actions_for(channels: &Channels) -> Vec<Action> {
    let mut actions = call_actions(channels);
    actions.extend(message_actions(channels));
    if let Some(url) = channels.website.as_deref().filter(|u| is_web_url(u)) {
        actions.push(Action::new(
            ActionKind::Website,
            "Website".into(),
            url.to_owned(),
        ));
    }
    actions
}

/// Calls: the number, then the second number the operator publishes.
pub fn call_actions(channels: &Channels) -> Vec<Action> {
    let numbers = channels
        .phone_e164
        .iter()
        .chain(&channels.short_code)
        .chain(&channels.alt_numbers);
    numbers.filter_map(|n| call(n)).collect()
}

/// Text, WhatsApp and chat.
pub fn message_actions(channels: &Channels) -> Vec<Action> {
    let mut actions = Vec::new();
    if let Some(sms) = channels.sms.as_ref().filter(|s| is_sms_number(&s.number)) {
        let (label, uri) = match &sms.keyword {
            Some(keyword) => (
                format!("Text {keyword} to {}", sms.number),
                format!("sms:{}?body={}", sms.number, percent_encode(keyword)),
            ),
            None => (
                format!("Text {}", sms.number),
                format!("sms:{}", sms.number),
            ),
        };
        actions.push(Action::new(ActionKind::Text, label, uri));
    }
    if let Some(number) = channels.whatsapp_e164.as_deref().filter(|n| is_e164(n)) {
        actions.push(Action::new(
            ActionKind::WhatsApp,
            format!("WhatsApp {number}"),
            format!("https://wa.me/{}", &number[1..]),
        ));
    }
    if let Some(url) = channels.chat_url.as_deref().filter(|u| is_web_url(u)) {
        actions.push(Action::new(
            ActionKind::Chat,
            "Chat online".into(),
            url.to_owned(),
        ));
    }
    actions
}

/// A call to a full number or to a number dialled as written locally.
fn call(number: &str) -> Option<Action> {
    if is_e164(number) {
        return Some(Action::new(
            ActionKind::Call,
            format!("Call {number}"),
            format!("tel:{number}"),
        ));
    }
    is_short_code(number).then(|| {
        let digits: String = number.chars().filter(|c| *c != ' ').collect();
        Action::new(
            ActionKind::Call,
            format!("Call {number}"),
            format!("tel:{digits}"),
        )
    })
}

/// Percent-encodes everything but RFC 3986 unreserved characters (for `sms:` bodies).
fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sms;

    #[test]
    fn numbers_are_checked_before_any_action_is_built() {
        assert!(is_e164("+18664887386"));
        for bad in [
            "18664887386",
            "+0123456789",
            "+1 866",
            "+1234",
            "+1234567890123456",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
        assert!(is_short_code("988") && is_short_code("116 123") && is_short_code("13 11 14"));
        assert!(is_short_code("1800 184 527"));
        assert!(is_short_code("*4141"));
        for bad in [
            "9",
            "116  123",
            "1-800",
            "1234567890123",
            "",
            "**4141",
            "41*41",
            "*",
            "#4141",
            "* 4141",
        ] {
            assert!(!is_short_code(bad), "{bad}");
        }
        let star = call("*4141").unwrap();
        assert_eq!(
            (star.uri.as_str(), star.label.as_str(), star.dial_by_hand),
            ("tel:*4141", "Call *4141", true)
        );
        assert!(!call("116 123").unwrap().dial_by_hand);
        let channels = Channels {
            phone_e164: Some("+1 not a number".into()),
            short_code: Some("116 123".into()),
            sms: Some(Sms {
                number: "678678".into(),
                keyword: Some("START NOW".into()),
            }),
            alt_numbers: vec!["+4412345".into(), "bad".into(), "13 11 14".into()],
            whatsapp_e164: Some("+5511999990000".into()),
            chat_url: Some("javascript:alert(1)".into()),
            website: Some("https://example.org/help".into()),
        };
        let actions = actions_for(&channels);
        let uris: Vec<&str> = actions.iter().map(|a| a.uri.as_str()).collect();
        assert_eq!(
            uris,
            [
                "tel:116123",
                "tel:+4412345",
                "tel:131114",
                "sms:678678?body=START%20NOW",
                "https://wa.me/5511999990000",
                "https://example.org/help"
            ]
        );
        let traces: Vec<Trace> = actions.iter().map(|a| a.trace).collect();
        assert_eq!(
            traces,
            [
                Trace::CallLog,
                Trace::CallLog,
                Trace::CallLog,
                Trace::SmsThread,
                Trace::MessagingAppChat,
                Trace::BrowserHistory
            ]
        );
    }
}
