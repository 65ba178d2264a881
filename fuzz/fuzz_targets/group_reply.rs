//! A peer-group server's answers when a person follows a group: the group itself (checked as
//! `Groups::follow` checks it: the id asked for, a usable name and description) and the member
//! token of a join. The first byte chooses which.
#![no_main]

use kinship_protocol::{Group, JoinResponse};
use libfuzzer_sys::fuzz_target;

const GROUP_ID: &str = "abcd1234";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 1 {
        let _ = serde_json::from_slice::<JoinResponse>(rest);
        return;
    }
    let Ok(group) = serde_json::from_slice::<Group>(rest) else {
        return;
    };
    if group.id != GROUP_ID {
        return;
    }
    if kinship_protocol::validate_group(&group.name, &group.description).is_ok() {
        // What the phone then shows: one name of at most 120 characters, no control
        // characters other than line feeds and tabs.
        assert!(group.name.chars().count() <= kinship_protocol::MAX_GROUP_NAME_CHARS);
        assert!(!group.name.trim().is_empty());
        assert!(!group
            .name
            .chars()
            .chain(group.description.chars())
            .any(|c| c.is_control() && c != '\n' && c != '\t'));
    }
});
