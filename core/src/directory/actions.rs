//! One-tap actions: the URIs a phone only has to open.
//!
//! `tel:+<E.164>` for full numbers and `tel:<digits>` for national short codes (RFC 3966),
//! `sms:<number>?body=<keyword>` (RFC 5724), and `https:` links. An action is built only from
//! a number that passes the checks here; the tests check every bundled number again with a
//! numbering-plan library.

use super::model::Channels;

/// A labelled action, e.g. ("Call 988", "tel:988").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Action {
    pub label: String,
    pub uri: String,
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

/// A national short code as written locally: digit groups separated by single spaces,
/// 2 to 8 digits in all ("988", "116 123", "13 11 14").
pub fn is_short_code(code: &str) -> bool {
    let groups: Vec<&str> = code.split(' ').collect();
    let digits: usize = groups.iter().map(|g| g.len()).sum();
    (2..=8).contains(&digits)
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

/// The actions an entry offers, most direct first: call, text, chat, website.
pub fn actions_for(channels: &Channels) -> Vec<Action> {
    let mut actions = Vec::new();
    if let Some(number) = channels.phone_e164.as_deref().filter(|n| is_e164(n)) {
        actions.push(Action {
            label: format!("Call {number}"),
            uri: format!("tel:{number}"),
        });
    }
    if let Some(code) = channels.short_code.as_deref().filter(|c| is_short_code(c)) {
        let digits: String = code.chars().filter(char::is_ascii_digit).collect();
        actions.push(Action {
            label: format!("Call {code}"),
            uri: format!("tel:{digits}"),
        });
    }
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
        actions.push(Action { label, uri });
    }
    if let Some(url) = channels.chat_url.as_deref().filter(|u| is_web_url(u)) {
        actions.push(Action {
            label: "Chat online".into(),
            uri: url.to_owned(),
        });
    }
    if let Some(url) = channels.website.as_deref().filter(|u| is_web_url(u)) {
        actions.push(Action {
            label: "Website".into(),
            uri: url.to_owned(),
        });
    }
    actions
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
    use crate::directory::model::Sms;

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
        for bad in ["9", "116  123", "1-800", "123456789", ""] {
            assert!(!is_short_code(bad), "{bad}");
        }
        let channels = Channels {
            phone_e164: Some("+1 not a number".into()),
            short_code: Some("116 123".into()),
            sms: Some(Sms {
                number: "678678".into(),
                keyword: Some("START NOW".into()),
            }),
            chat_url: Some("javascript:alert(1)".into()),
            website: Some("https://example.org/help".into()),
        };
        let uris: Vec<String> = actions_for(&channels).into_iter().map(|a| a.uri).collect();
        assert_eq!(
            uris,
            [
                "tel:116123",
                "sms:678678?body=START%20NOW",
                "https://example.org/help"
            ]
        );
    }
}
