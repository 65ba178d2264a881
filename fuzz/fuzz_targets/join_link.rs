//! Join links (`https://HOST/join/GROUP_ID#invite=CODE`), which arrive from QR codes, chats and
//! web pages anyone can write. Parsing must never panic, a link over the size bound must be
//! refused, and every link that parses must come back equal from its own text
//! (`parse(to_link(link)) == link`), without ever changing its server, group or code on the
//! way. The first byte picks a start (none, or the beginning of a real link) so the fuzzer
//! reaches the path and fragment rules without guessing a whole URL first.
#![no_main]

use kinship_core::groups::join_link::{JoinLink, MAX_LINK_BYTES};
use libfuzzer_sys::fuzz_target;

const STARTS: &[&str] = &[
    "",
    "https://",
    "https://groups.example.org/join/",
    "https://groups.example.org/join/abc123#invite=",
    "http://127.0.0.1:8080/",
    "http://[::1]:9/base/join/",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let text = format!("{}{rest}", STARTS[usize::from(pick) % STARTS.len()]);
    let Ok(link) = JoinLink::parse(&text) else {
        return;
    };
    assert!(text.trim().len() <= MAX_LINK_BYTES, "an overlong link parsed");
    let again = JoinLink::parse(&link.to_link()).expect("a parsed link's own text parses");
    assert_eq!(again, link, "a link changed on the way through to_link");
    assert!(
        link.server_url.starts_with("https://") || link.server_url.starts_with("http://"),
        "a server URL without its scheme"
    );
    assert!(!link.server_url.ends_with('/'), "a server URL with a trailing slash");
});
