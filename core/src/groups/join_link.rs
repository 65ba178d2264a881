//! Join links: one link (or QR code) that carries a group's server, its id and, for a private
//! group, its invite code.
//!
//! The form is `https://HOST[:PORT][/BASE-PATH]/join/GROUP_ID`, with `#invite=CODE` for a
//! private group. The code sits in the fragment, which a browser never sends, so it never
//! reaches a server's access log. Plain `http://` is accepted only for this device (loopback),
//! by the same rule as a server URL typed by hand, so a link cannot make the phone send a group
//! id or invite code across a network in clear.

use std::fmt;

use kinship_protocol::MAX_INVITE_CODE_CHARS;
use ureq::http::Uri;
use zeroize::Zeroize;

use super::transport::normalize_server;
use super::{FollowedGroup, Groups};
use crate::error::{Error, InputProblem, Result};

/// The longest group id, as for [`Groups::follow`].
const MAX_GROUP_ID_BYTES: usize = 64;

/// The longest join link accepted, in bytes (a QR code holds about 2.9 kB at most).
pub const MAX_LINK_BYTES: usize = 2048;

/// A parsed join link. The invite code is wiped from memory when the link is dropped, and
/// `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct JoinLink {
    /// The server's base URL, in the form [`FollowedGroup::server_url`] has: `https://host[:port]`
    /// plus any base path, no trailing slash (plain `http://` only for this device).
    pub server_url: String,
    /// The group's id on that server: 1 to 64 ASCII letters and digits.
    pub group_id: String,
    /// The invite code of a private group; `None` for a public one.
    pub invite_code: Option<String>,
}

impl JoinLink {
    /// Reads a join link (spaces around it are ignored). Refused with
    /// [`Error::InvalidInput`] (field `link`), never quoting the link: text that is not a URL,
    /// a scheme other than `https` (or `http` to this device), a user name or password, a query
    /// string, a path that does not end in `/join/GROUP_ID`, a bad group id, a fragment other
    /// than `#invite=CODE`, an empty or oversized code, or a link over [`MAX_LINK_BYTES`].
    pub fn parse(text: &str) -> Result<JoinLink> {
        let text = text.trim();
        if text.len() > MAX_LINK_BYTES {
            return Err(refuse(
                InputProblem::TooLong,
                "a join link is at most 2048 bytes",
            ));
        }
        check_characters(text)?;
        // The HTTP crate's URI parser (already in the phone library for the client) reads no
        // fragment: it is split off first. A hand-written split because the `url` crate, with
        // its IDNA tables, would put the library over its 6 MB budget; links are ASCII anyway.
        let (address, fragment) = match text.split_once('#') {
            Some((address, fragment)) => (address, Some(fragment)),
            None => (text, None),
        };
        let uri: Uri = address
            .parse()
            .map_err(|_| malformed("a join link is a web address"))?;
        let authority = uri
            .authority()
            .ok_or_else(|| malformed("a join link names a server"))?;
        if authority.as_str().contains('@') {
            return Err(malformed("a join link has no user name or password"));
        }
        let scheme = uri.scheme_str().unwrap_or_default();
        let host = authority.host().to_ascii_lowercase();
        if !is_plain_host(&host) {
            return Err(malformed(
                "a join link names a server by its domain or address",
            ));
        }
        check_scheme(scheme, &host)?;
        if uri.query().is_some() || address.contains('?') {
            return Err(malformed("a join link has no query string"));
        }
        let (base_path, group_id) = split_path(uri.path())?;
        let server_url = server_url(scheme, &host, authority.port_u16(), base_path)?;
        let invite_code = fragment.map(invite_from_fragment).transpose()?;
        Ok(JoinLink {
            server_url,
            group_id: group_id.to_owned(),
            invite_code,
        })
    }

    /// The link as text: `SERVER_URL/join/GROUP_ID`, plus `#invite=CODE` when there is a code.
    /// [`JoinLink::parse`] reads it back to an equal link.
    pub fn to_link(&self) -> String {
        let mut link = format!("{}/join/{}", self.server_url, self.group_id);
        if let Some(code) = &self.invite_code {
            link.push_str("#invite=");
            link.push_str(code);
        }
        link
    }
}

impl fmt::Debug for JoinLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinLink")
            .field("server_url", &self.server_url)
            .field("group_id", &self.group_id)
            .field(
                "invite_code",
                &self.invite_code.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Drop for JoinLink {
    fn drop(&mut self) {
        if let Some(code) = self.invite_code.as_mut() {
            code.zeroize();
        }
    }
}

impl Groups {
    /// Follows the group a join link names, with the link's invite code if it has one (see
    /// [`Groups::follow`]).
    pub async fn join(&self, link: &str) -> Result<FollowedGroup> {
        let link = JoinLink::parse(link)?;
        self.follow(
            &link.server_url,
            &link.group_id,
            link.invite_code.as_deref(),
        )
        .await
    }
}

fn refuse(problem: InputProblem, reason: &str) -> Error {
    Error::invalid_field(problem, "link", reason)
}

fn malformed(reason: &str) -> Error {
    refuse(InputProblem::Malformed, reason)
}

/// Printable ASCII only: the URL parser would silently drop tabs and newlines and read a
/// backslash as a slash, so the link it read would not be the one shown to the person.
fn check_characters(text: &str) -> Result<()> {
    if text.is_empty() {
        return Err(refuse(InputProblem::Missing, "the join link is empty"));
    }
    if !text.bytes().all(|b| b.is_ascii_graphic()) || text.contains('\\') {
        return Err(malformed(
            "a join link is printable ASCII without spaces or backslashes",
        ));
    }
    if !(text.starts_with("https://") || text.starts_with("http://")) {
        return Err(malformed("a join link starts with https://"));
    }
    Ok(())
}

/// `https`, or `http` only to this device (checked again by [`normalize_server`]).
fn check_scheme(scheme: &str, host: &str) -> Result<()> {
    match scheme {
        "https" => Ok(()),
        "http" if matches!(host, "127.0.0.1" | "localhost" | "[::1]") => Ok(()),
        "http" => Err(malformed(
            "a join link starts with https:// (http:// only for 127.0.0.1 or localhost)",
        )),
        _ => Err(malformed("a join link starts with https://")),
    }
}

/// Splits `/BASE/join/ID` into `/BASE` (maybe empty) and `ID`. Base-path segments are plain
/// (letters, digits, `-`, `_`, `.`, `~`) so the server URL needs no escaping to round-trip.
fn split_path(path: &str) -> Result<(&str, &str)> {
    let no_join = || malformed("a join link's path ends in /join/GROUP_ID");
    let (before_id, group_id) = path.rsplit_once('/').ok_or_else(no_join)?;
    let base_path = before_id.strip_suffix("/join").ok_or_else(no_join)?;
    if !is_group_id(group_id) {
        return Err(refuse(
            InputProblem::Malformed,
            "a group id is 1 to 64 letters and digits",
        ));
    }
    let plain_segments = base_path.is_empty()
        || base_path.strip_prefix('/').is_some_and(|rest| {
            rest.split('/').all(|segment| {
                !segment.is_empty()
                    && segment != "."
                    && segment != ".."
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
            })
        });
    if !plain_segments {
        return Err(malformed(
            "a join link's base path is letters, digits, -, _, . and ~",
        ));
    }
    Ok((base_path, group_id))
}

/// A domain name (labels of letters, digits and `-`), an IPv4 address, or an IPv6 address in
/// brackets. The URI parser is lenient about what it calls a host (`$[s.e:N]N` passes), and a
/// server URL must read back the same from the link's own text.
fn is_plain_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner.contains(':')
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The same rule as [`Groups::follow`] applies to a group id.
fn is_group_id(id: &str) -> bool {
    (1..=MAX_GROUP_ID_BYTES).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `scheme://host[:port]` (the host lower-cased, the scheme's default port left out, as a
/// browser shows it), plus the base path, checked by the rule every server URL goes through.
fn server_url(scheme: &str, host: &str, port: Option<u16>, base_path: &str) -> Result<String> {
    let default_port = if scheme == "https" { 443 } else { 80 };
    let port = port
        .filter(|&p| p != default_port)
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    let server = format!("{scheme}://{host}{port}{base_path}");
    normalize_server(&server).map_err(|_| {
        malformed("a join link starts with https:// (http:// only for 127.0.0.1 or localhost)")
    })
}

/// `invite=CODE`, where the code is 1 to 128 letters, digits, `-`, `_`, `.` or `~` (what a
/// fragment holds without escaping, so the link round-trips).
fn invite_from_fragment(fragment: &str) -> Result<String> {
    let code = fragment
        .strip_prefix("invite=")
        .ok_or_else(|| malformed("a join link's fragment is #invite=CODE"))?;
    if code.is_empty() {
        return Err(refuse(InputProblem::Missing, "the invite code is empty"));
    }
    if code.len() > MAX_INVITE_CODE_CHARS {
        return Err(refuse(
            InputProblem::TooLong,
            "an invite code is at most 128 characters",
        ));
    }
    if !code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
    {
        return Err(malformed(
            "an invite code is letters, digits, -, _, . and ~",
        ));
    }
    Ok(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> InputProblem {
        match JoinLink::parse(text) {
            Err(Error::InvalidInput { field, problem, .. }) => {
                assert_eq!(field.as_deref(), Some("link"), "{text}");
                problem
            }
            other => panic!("{text} gave {other:?}"),
        }
    }

    fn link(server_url: &str, group_id: &str, invite_code: Option<&str>) -> JoinLink {
        JoinLink {
            server_url: server_url.into(),
            group_id: group_id.into(),
            invite_code: invite_code.map(Into::into),
        }
    }

    #[test]
    fn a_public_link_parses() {
        assert_eq!(
            JoinLink::parse("https://groups.example.org/join/abc123").unwrap(),
            link("https://groups.example.org", "abc123", None)
        );
    }

    #[test]
    fn a_private_link_with_port_base_path_and_invite_parses() {
        assert_eq!(
            JoinLink::parse(" https://Groups.Example.org:8443/kinship/v2/join/G1#invite=inv_0af9 ")
                .unwrap(),
            link(
                "https://groups.example.org:8443/kinship/v2",
                "G1",
                Some("inv_0af9")
            )
        );
    }

    #[test]
    fn the_default_port_is_dropped() {
        assert_eq!(
            JoinLink::parse("https://a.example:443/join/x").unwrap(),
            link("https://a.example", "x", None)
        );
    }

    #[test]
    fn http_is_accepted_for_loopback_only() {
        for server in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:9",
        ] {
            let parsed = JoinLink::parse(&format!("{server}/join/g")).unwrap();
            assert_eq!(parsed.server_url, server);
        }
        for text in [
            "http://groups.example.org/join/g",
            "http://10.0.0.2:8080/join/g",
            "http://127.0.0.2/join/g",
            "http://localhost.evil.example/join/g",
        ] {
            assert_eq!(problem(text), InputProblem::Malformed, "{text}");
        }
    }

    #[test]
    fn text_that_is_not_a_url_is_refused() {
        assert_eq!(problem(""), InputProblem::Missing);
        assert_eq!(problem("   "), InputProblem::Missing);
        for text in [
            "join/abc",
            "https://",
            "https:///join/abc",
            "https://exa mple.org/join/abc",
            "https://example.org\\join\\abc",
            "https://exa\tmple.org/join/abc",
            "https://examplé.org/join/abc",
            "https://[::1/join/abc",
        ] {
            assert_eq!(problem(text), InputProblem::Malformed, "{text}");
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        for text in [
            "ftp://example.org/join/abc",
            "kinship://example.org/join/abc",
            "HTTPS://example.org/join/abc",
            "https:example.org/join/abc",
            "javascript:alert(1)//join/abc",
        ] {
            assert_eq!(problem(text), InputProblem::Malformed, "{text}");
        }
    }

    #[test]
    fn a_host_without_a_dot_is_refused_as_for_server_urls() {
        assert_eq!(
            problem("https://intranet/join/abc"),
            InputProblem::Malformed
        );
    }

    #[test]
    fn a_path_without_join_is_refused() {
        for text in [
            "https://example.org/",
            "https://example.org/abc",
            "https://example.org/joins/abc",
            "https://example.org/join/",
            "https://example.org/join",
            "https://example.org/join/abc/",
            "https://example.org/join/abc/more",
            "https://example.org//join/abc",
            "https://example.org/a%20b/join/abc",
            "https://example.org/a/../join/abc/x",
        ] {
            assert_eq!(problem(text), InputProblem::Malformed, "{text}");
        }
    }

    #[test]
    fn a_host_the_uri_parser_lets_through_but_no_server_has_is_refused() {
        // Found by the join_link fuzz target: the link parsed, and its own text did not.
        for host in ["$[s.e:N]N", "a..b", "ex_ample.org", "[zz::1]", "[]"] {
            assert_eq!(
                problem(&format!("https://{host}/join/abcd2d14")),
                InputProblem::Malformed,
                "{host}"
            );
        }
        assert!(JoinLink::parse("https://groups.example.org:8443/join/abc").is_ok());
    }

    #[test]
    fn a_bad_group_id_is_refused() {
        let long = "a".repeat(65);
        for id in ["ab-c", "ab_c", "%41bc", "ab.c", long.as_str()] {
            let text = format!("https://example.org/join/{id}");
            assert_eq!(problem(&text), InputProblem::Malformed, "{text}");
        }
        let longest = "a".repeat(64);
        assert!(JoinLink::parse(&format!("https://example.org/join/{longest}")).is_ok());
    }

    #[test]
    fn unknown_fragments_are_refused() {
        for fragment in [
            "#",
            "#code=x",
            "#Invite=x",
            "#invite",
            "#x&invite=y",
            "#invite=y&x=z",
            "#invite=a%20b",
            "#invite=a b",
        ] {
            let text = format!("https://example.org/join/abc{fragment}");
            assert_eq!(problem(&text), InputProblem::Malformed, "{text}");
        }
    }

    #[test]
    fn an_empty_or_oversized_invite_code_is_refused() {
        assert_eq!(
            problem("https://example.org/join/abc#invite="),
            InputProblem::Missing
        );
        let long = "c".repeat(MAX_INVITE_CODE_CHARS + 1);
        assert_eq!(
            problem(&format!("https://example.org/join/abc#invite={long}")),
            InputProblem::TooLong
        );
        let longest = "c".repeat(MAX_INVITE_CODE_CHARS);
        assert!(JoinLink::parse(&format!("https://example.org/join/abc#invite={longest}")).is_ok());
    }

    #[test]
    fn query_strings_are_refused() {
        for text in [
            "https://example.org/join/abc?",
            "https://example.org/join/abc?utm_source=x",
            "https://example.org/join/abc?invite=x",
        ] {
            assert_eq!(problem(text), InputProblem::Malformed, "{text}");
        }
    }

    #[test]
    fn userinfo_is_refused() {
        for text in [
            "https://user@example.org/join/abc",
            "https://user:pw@example.org/join/abc",
            "https://:pw@example.org/join/abc",
            "http://evil.example@127.0.0.1/join/abc",
        ] {
            assert_eq!(problem(text), InputProblem::Malformed, "{text}");
        }
    }

    #[test]
    fn an_overlong_link_is_refused() {
        let base = "x".repeat(MAX_LINK_BYTES);
        assert_eq!(
            problem(&format!("https://example.org/{base}/join/abc")),
            InputProblem::TooLong
        );
    }

    #[test]
    fn errors_never_quote_the_link() {
        let secret = "inv_topsecretcode";
        for text in [
            format!("https://user@example.org/join/abc#invite={secret}"),
            format!("http://example.org/join/abc#invite={secret}"),
            format!("https://example.org/join/abc#invite={secret}!"),
        ] {
            let err = JoinLink::parse(&text).unwrap_err();
            assert!(!format!("{err} {err:?}").contains("topsecret"), "{err:?}");
        }
    }

    #[test]
    fn debug_never_prints_the_invite_code() {
        let parsed = JoinLink::parse("https://example.org/join/abc#invite=inv_topsecret").unwrap();
        let shown = format!("{parsed:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(
            shown.contains("abc") && shown.contains("redacted"),
            "{shown}"
        );
    }

    /// What the `join_link` fuzz target checks, over links the URL parser normalises.
    #[test]
    fn every_link_that_parses_reads_back_from_its_own_text() {
        let hosts = [
            "groups.example.org",
            "GROUPS.Example.ORG",
            "ex%61mple.org",
            "example.org.",
            "xn--mnchen-3ya.de",
            "1.2.3.4",
            "0x7f.1",
            "[::ffff:1.2.3.4]",
            "a.b!c$d",
        ];
        let mut parsed = 0;
        for scheme in ["https", "http"] {
            for host in hosts
                .iter()
                .chain(&["127.0.0.1", "localhost", "[::1]", "0x7f000001"])
            {
                for port in ["", ":443", ":80", ":8080", ":0", ":65535", ":65536", ":"] {
                    for tail in [
                        "/join/a1",
                        "/b/./c/join/Z#invite=x",
                        "/b/../join/a#invite=~",
                    ] {
                        let text = format!("{scheme}://{host}{port}{tail}");
                        if let Ok(link) = JoinLink::parse(&text) {
                            parsed += 1;
                            let again = JoinLink::parse(&link.to_link()).unwrap();
                            assert_eq!(again, link, "{text}");
                        }
                    }
                }
            }
        }
        assert!(parsed > 50, "{parsed}");
    }

    #[test]
    fn links_round_trip() {
        for original in [
            link("https://groups.example.org", "abc123", None),
            link(
                "https://groups.example.org:8443/base/v1",
                "Z",
                Some("inv_01"),
            ),
            link("http://127.0.0.1:3000", "g1", Some("a-b_c.d~e")),
            link("http://[::1]:3000", "g1", None),
        ] {
            let text = original.to_link();
            assert_eq!(JoinLink::parse(&text).unwrap(), original, "{text}");
        }
        for text in [
            "https://A.Example.org:443/join/x#invite=y",
            "https://a.example.org/p.q/join/x",
        ] {
            let parsed = JoinLink::parse(text).unwrap();
            assert_eq!(JoinLink::parse(&parsed.to_link()).unwrap(), parsed);
        }
    }
}
