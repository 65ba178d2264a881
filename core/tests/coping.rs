//! Coping library, the person's own strategies and log, suggestions and the safety plan.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use std::collections::HashSet;

use common::*;
use kinship_core::coping::library::{Library, CATALOG_JSON};
use kinship_core::{
    Category, Context, Error, NewStrategy, NewTry, Section, StrategyChanges, SuggestionKind,
};

#[test]
fn built_in_catalog_is_complete_and_valid() {
    let library = Library::load("en").expect("catalog validates");
    assert!(
        library.strategies.len() >= 40,
        "{} strategies",
        library.strategies.len()
    );
    let ids: HashSet<_> = library.strategies.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), library.strategies.len(), "ids are unique");
    for category in Category::ALL
        .into_iter()
        .filter(|c| *c != Category::Personal)
    {
        let count = library
            .strategies
            .iter()
            .filter(|s| s.category == category)
            .count();
        assert!(
            count >= 3,
            "category {} has only {count}",
            category.as_str()
        );
    }
    for context in Context::ALL {
        assert!(
            library
                .strategies
                .iter()
                .any(|s| s.suits.contains(&context)),
            "nothing suits {}",
            context.as_str()
        );
    }
    for s in &library.strategies {
        assert!(
            !s.steps.is_empty() && s.steps.iter().all(|step| !step.trim().is_empty()),
            "{}",
            s.id
        );
        assert!((1..=60).contains(&s.minutes), "{}", s.id);
        assert!(!s.summary.is_empty() && !s.title.is_empty(), "{}", s.id);
        assert!(!s.custom);
    }
    // Never a phone number in the built-in text: numbers come only from the sourced directory.
    let digits_in_urgent: Vec<_> = library
        .strategies
        .iter()
        .filter(|s| s.category == Category::UrgentHelp)
        .filter(|s| {
            s.steps
                .iter()
                .chain([&s.summary, &s.title])
                .any(|t| t.chars().filter(char::is_ascii_digit).count() >= 3)
        })
        .map(|s| s.id.clone())
        .collect();
    assert!(digits_in_urgent.is_empty(), "{digits_in_urgent:?}");
    assert!(CATALOG_JSON.contains("\"content_version\""));
}

#[test]
fn suggestions_follow_what_helped_this_person() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let coping = kinship.coping();
    let anxious = [Context::Anxious];
    let candidates: Vec<String> = coping
        .suggest(4, &anxious, 50)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert!(candidates.len() >= 3);
    let (helps, does_not, untried) = (
        &candidates[candidates.len() - 1],
        &candidates[0],
        &candidates[1],
    );

    for (i, (before, after)) in [(7, 2), (6, 2), (8, 3)].into_iter().enumerate() {
        coping
            .log_try(
                NewTry {
                    strategy_id: helps.clone(),
                    distress_before: before,
                    distress_after: after,
                    note: None,
                },
                at(i as i64),
            )
            .unwrap();
    }
    for (i, (before, after)) in [(6, 6), (5, 6), (6, 7)].into_iter().enumerate() {
        coping
            .log_try(
                NewTry {
                    strategy_id: does_not.clone(),
                    distress_before: before,
                    distress_after: after,
                    note: None,
                },
                at(10 + i as i64),
            )
            .unwrap();
    }
    let ranked = coping.suggest(4, &anxious, 50).unwrap();
    let position = |id: &str| ranked.iter().position(|s| s.id == id).unwrap();
    assert_eq!(
        position(helps),
        0,
        "the strategy that helped most comes first"
    );
    assert!(
        position(untried) < position(does_not),
        "untried beats one that made things worse"
    );
    assert!(ranked[0].score.unwrap() > ranked[position(untried)].score.unwrap());
    assert!(
        ranked.iter().all(|s| s.kind == SuggestionKind::Strategy),
        "no crisis items at distress 4"
    );

    let stats = coping.stats().unwrap();
    let helped = stats.iter().find(|s| &s.id == helps).unwrap();
    assert_eq!(helped.times_tried, 3);
    assert!((helped.mean_change - (-14.0 / 3.0)).abs() < 1e-9);
    // Stats survive lock and unlock (rebuilt from the sealed log).
    kinship.lock();
    kinship.unlock(PASS).unwrap();
    assert_eq!(coping.stats().unwrap(), stats);
}

#[test]
fn context_narrows_and_high_distress_prefers_short_strategies() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let coping = kinship.coping();
    let sleepless = coping.suggest(3, &[Context::CantSleep], 10).unwrap();
    assert!(
        !sleepless.is_empty(),
        "the library has strategies for sleeplessness"
    );
    let unfiltered = coping.suggest(3, &[], 100).unwrap();
    assert!(
        unfiltered.iter().any(|s| !coping
            .get(&s.id)
            .unwrap()
            .suits
            .contains(&Context::CantSleep)),
        "the context filter had something to remove"
    );
    for s in sleepless {
        assert!(
            coping
                .get(&s.id)
                .unwrap()
                .suits
                .contains(&Context::CantSleep),
            "{}",
            s.id
        );
    }
    let distressed = coping.suggest(7, &[], 10).unwrap();
    assert!(!distressed.is_empty(), "something is offered at distress 7");
    for s in distressed {
        let strategy = coping.get(&s.id).unwrap();
        assert!(
            strategy.suits.contains(&Context::HighDistress) && strategy.minutes <= 10,
            "{}",
            s.id
        );
    }
    let calm = coping.suggest(5, &[], 100).unwrap();
    assert!(!calm.is_empty());
    assert!(calm.iter().all(|s| s.category != Category::UrgentHelp));
    assert!(
        coping
            .suggest(9, &[], 100)
            .unwrap()
            .iter()
            .any(|s| s.category == Category::UrgentHelp),
        "urgent help exists, so its absence at 5 means something"
    );
}

#[test]
fn high_distress_puts_the_safety_plan_and_crisis_contacts_first() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let coping = kinship.coping();
    // Even when a strategy has a great record, the plan and crisis help lead at 8+.
    let favorite = coping.suggest(3, &[], 1).unwrap()[0].id.clone();
    coping
        .log_try(
            NewTry {
                strategy_id: favorite,
                distress_before: 9,
                distress_after: 1,
                note: None,
            },
            at(0),
        )
        .unwrap();
    kinship
        .safety_plan()
        .add_contact("Sam", "+44 7700 900123", at(1))
        .unwrap();
    for distress in [8, 9, 10] {
        let ranked = coping.suggest(distress, &[Context::Lonely], 5).unwrap();
        assert_eq!(
            ranked[0].kind,
            SuggestionKind::SafetyPlan,
            "distress {distress}"
        );
        assert_eq!(ranked[1].kind, SuggestionKind::Crisis);
        let plan_actions: Vec<(&str, &str)> = ranked[0]
            .actions
            .iter()
            .map(|a| (a.label.as_str(), a.uri.as_str()))
            .collect();
        assert_eq!(plan_actions, [("Call Sam", "tel:+447700900123")]);
        assert!(
            ranked[1].actions.is_empty(),
            "no country given, so no numbers are guessed"
        );
        assert_eq!(
            ranked[2].category,
            Category::UrgentHelp,
            "reaching out comes next"
        );
        assert_eq!(
            ranked
                .iter()
                .filter(|s| s.kind == SuggestionKind::Strategy)
                .count(),
            5
        );
    }
    assert_eq!(
        coping.suggest(7, &[], 5).unwrap()[0].kind,
        SuggestionKind::Strategy
    );
}

#[test]
fn custom_strategies_favourites_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let coping = kinship.coping();
    let mine = coping
        .add_custom(
            NewStrategy {
                title: "Call Gran".into(),
                steps: vec![
                    "Pick up the phone".into(),
                    "  ".into(),
                    "Ask about her garden".into(),
                ],
                category: Some(Category::ConnectingWithPeers),
                suits: vec![Context::Lonely],
                ..Default::default()
            },
            at(0),
        )
        .unwrap();
    assert!(mine.id.starts_with("custom-") && mine.custom);
    assert_eq!(mine.steps.len(), 2, "blank steps are dropped");
    assert_eq!(
        coping
            .search("GARD")
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect::<Vec<_>>(),
        vec![mine.id.clone()]
    );
    assert!(coping.search("breath").unwrap().len() >= 3);
    assert!(coping
        .list(Some(Category::ConnectingWithPeers))
        .unwrap()
        .iter()
        .any(|s| s.id == mine.id));

    let edited = coping
        .edit_custom(
            &mine.id,
            StrategyChanges {
                title: Some("Call Grandma".into()),
                ..Default::default()
            },
            at(1),
        )
        .unwrap();
    assert_eq!(edited.title, "Call Grandma");
    coping.favorite(&mine.id).unwrap();
    coping.favorite("box-breathing").unwrap();
    assert!(coping.get("box-breathing").unwrap().favorite);
    coping.unfavorite("box-breathing").unwrap();
    assert!(!coping.get("box-breathing").unwrap().favorite);

    coping
        .log_try(
            NewTry {
                strategy_id: mine.id.clone(),
                distress_before: 5,
                distress_after: 3,
                note: Some("nice".into()),
            },
            at(2),
        )
        .unwrap();
    kinship.lock();
    kinship.unlock(PASS).unwrap();
    assert!(
        coping.get(&mine.id).unwrap().favorite,
        "favourites survive lock"
    );
    assert_eq!(coping.tries(Some(&mine.id)).unwrap().len(), 1);

    coping.delete_custom(&mine.id).unwrap();
    assert!(matches!(coping.get(&mine.id), Err(Error::NotFound)));
    assert!(
        coping.tries(Some(&mine.id)).unwrap().is_empty(),
        "its tries go with it"
    );
    assert!(matches!(
        coping.delete_custom("box-breathing"),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn invalid_input_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let coping = kinship.coping();
    coping
        .log_try(
            NewTry {
                strategy_id: "box-breathing".into(),
                distress_before: 5,
                distress_after: 4,
                note: None,
            },
            at(0),
        )
        .unwrap();
    kinship.checkpoint().unwrap();
    let before = snapshot(&path);
    let stats = coping.stats().unwrap();

    let bad_try = |strategy: &str, before: u8, after: u8| NewTry {
        strategy_id: strategy.into(),
        distress_before: before,
        distress_after: after,
        note: None,
    };
    assert!(matches!(
        coping.log_try(bad_try("box-breathing", 11, 3), at(1)),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        coping.log_try(bad_try("box-breathing", 3, 200), at(1)),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        coping.log_try(bad_try("no-such-strategy", 3, 2), at(1)),
        Err(Error::NotFound)
    ));
    assert!(matches!(
        coping.suggest(11, &[], 5),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        coping.favorite("no-such-strategy"),
        Err(Error::NotFound)
    ));
    let empty_title = NewStrategy {
        title: "  ".into(),
        steps: vec!["a step".into()],
        ..Default::default()
    };
    assert!(matches!(
        coping.add_custom(empty_title, at(1)),
        Err(Error::InvalidInput { .. })
    ));
    let no_steps = NewStrategy {
        title: "Walk".into(),
        ..Default::default()
    };
    assert!(matches!(
        coping.add_custom(no_steps, at(1)),
        Err(Error::InvalidInput { .. })
    ));
    let planner = kinship.safety_plan();
    assert!(matches!(
        planner.add_contact("Sam", "call me maybe", at(1)),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        planner.add_contact("", "+15551234567", at(1)),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        planner.set_section(Section::WarningSigns, vec!["x".repeat(600)], at(1)),
        Err(Error::InvalidInput { .. })
    ));

    kinship.checkpoint().unwrap();
    assert_eq!(
        changed_files(&before, &snapshot(&path)),
        Vec::<std::path::PathBuf>::new(),
        "refused input writes nothing"
    );
    assert_eq!(coping.stats().unwrap(), stats);
}

#[test]
fn safety_plan_sections_contacts_and_one_tap_actions() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let planner = kinship.safety_plan();
    assert!(planner.get().unwrap().is_empty());
    planner
        .set_section(
            Section::WarningSigns,
            vec!["Not sleeping".into(), " ".into(), "Skipping meals".into()],
            at(0),
        )
        .unwrap();
    planner
        .set_section(
            Section::InternalCoping,
            vec!["box-breathing".into(), "Walk the dog".into()],
            at(1),
        )
        .unwrap();
    planner
        .set_section(Section::ReasonsForLiving, vec!["My cat Miso".into()], at(2))
        .unwrap();
    planner
        .add_contact("Alex", "+1 (555) 010-9999", at(3))
        .unwrap();
    planner.add_contact("Jo", "0151 496 0000", at(4)).unwrap();

    kinship.lock();
    kinship.unlock(PASS).unwrap();
    let plan = planner.get().unwrap();
    assert_eq!(plan.warning_signs, ["Not sleeping", "Skipping meals"]);
    assert_eq!(plan.internal_coping, ["box-breathing", "Walk the dog"]);
    assert_eq!(plan.reasons_for_living, ["My cat Miso"]);
    let actions: Vec<_> = plan
        .help_contacts
        .iter()
        .map(|c| c.action_uri().unwrap())
        .collect();
    assert_eq!(actions, ["tel:+15550109999", "tel:01514960000"]);
    assert_eq!(plan.updated_at, Some(at(4)));

    let first = plan.help_contacts[0].clone();
    let second = plan.help_contacts[1].clone();
    planner
        .remove_matching_contact(&first.name, &first.phone, at(5))
        .unwrap();
    assert!(planner.get().unwrap().help_contacts == [second]);
    assert!(matches!(
        planner.remove_matching_contact(&first.name, &first.phone, at(6)),
        Err(Error::NotFound)
    ));
}

#[test]
fn custom_text_notes_and_plan_contacts_never_reach_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let marker = format!("CopeMarker{}", std::process::id());
    let coping = kinship.coping();
    let mine = coping
        .add_custom(
            NewStrategy {
                title: format!("{marker} title"),
                steps: vec![format!("{marker} step")],
                tags: vec![marker.to_lowercase()],
                ..Default::default()
            },
            at(0),
        )
        .unwrap();
    coping
        .log_try(
            NewTry {
                strategy_id: mine.id.clone(),
                distress_before: 6,
                distress_after: 2,
                note: Some(format!("{marker} note")),
            },
            at(1),
        )
        .unwrap();
    coping.favorite(&mine.id).unwrap();
    let planner = kinship.safety_plan();
    planner
        .add_contact(&format!("{marker} friend"), "+44 7700 900456", at(2))
        .unwrap();
    planner
        .set_section(
            Section::ReasonsForLiving,
            vec![format!("{marker} reason")],
            at(3),
        )
        .unwrap();

    for needle in [
        marker.as_str(),
        &marker.to_lowercase(),
        "447700900456",
        "7700 900456",
    ] {
        assert!(
            files_containing(&path, needle).is_empty(),
            "{needle} before checkpoint"
        );
    }
    kinship.checkpoint().unwrap();
    kinship.lock();
    for needle in [
        marker.as_str(),
        &marker.to_lowercase(),
        "447700900456",
        "7700 900456",
    ] {
        assert!(
            files_containing(&path, needle).is_empty(),
            "{needle} after checkpoint"
        );
    }
}

#[test]
fn backup_carries_coping_data_and_the_safety_plan() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = new_profile(&dir.path().join("a"));
    let coping = source.coping();
    let mine = coping
        .add_custom(
            NewStrategy {
                title: "Sing loudly".into(),
                steps: vec!["Pick a song".into()],
                ..Default::default()
            },
            at(0),
        )
        .unwrap();
    coping
        .log_try(
            NewTry {
                strategy_id: mine.id.clone(),
                distress_before: 6,
                distress_after: 3,
                note: Some("fun".into()),
            },
            at(1),
        )
        .unwrap();
    coping
        .log_try(
            NewTry {
                strategy_id: "box-breathing".into(),
                distress_before: 7,
                distress_after: 5,
                note: None,
            },
            at(2),
        )
        .unwrap();
    coping.favorite("box-breathing").unwrap();
    source
        .safety_plan()
        .add_contact("Alex", "+15550109999", at(3))
        .unwrap();
    let file = dir.path().join("b.bin");
    source.export_backup(&file, PASS, &mut |_| {}).unwrap();

    let (target, _) = new_profile(&dir.path().join("b"));
    let summary = target.import_backup(&file, PASS, &mut |_| {}).unwrap();
    assert_eq!(
        (
            summary.strategies,
            summary.tries,
            summary.safety_plan_restored
        ),
        (1, 2, true)
    );
    assert_eq!(target.coping().get(&mine.id).unwrap().title, "Sing loudly");
    assert!(target.coping().get("box-breathing").unwrap().favorite);
    assert_eq!(target.coping().stats().unwrap(), coping.stats().unwrap());
    assert_eq!(
        target.safety_plan().get().unwrap(),
        source.safety_plan().get().unwrap()
    );
    let again = target.import_backup(&file, PASS, &mut |_| {}).unwrap();
    assert_eq!(
        (again.strategies, again.tries, again.safety_plan_restored),
        (0, 0, false),
        "no duplicates"
    );
}

/// Flips one byte in the middle of a sealed row, as disk damage or tampering would.
fn damage_row(database: &std::path::Path, table: &str, id: &str) {
    let conn = rusqlite::Connection::open(database).unwrap();
    let mut sealed: Vec<u8> = conn
        .query_row(
            &format!("SELECT sealed FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .unwrap();
    let middle = sealed.len() / 2;
    sealed[middle] ^= 0x01;
    conn.execute(
        &format!("UPDATE {table} SET sealed = ?2 WHERE id = ?1"),
        rusqlite::params![id, sealed],
    )
    .unwrap();
}

#[test]
fn damaged_plan_or_favourites_never_hide_crisis_help() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    kinship
        .safety_plan()
        .add_contact("Sam", "+447700900123", at(0))
        .unwrap();
    kinship.coping().favorite("box-breathing").unwrap();
    let path = kinship.database_file().unwrap();
    kinship.lock();
    damage_row(&path, "documents", "safety_plan");
    damage_row(&path, "documents", "coping_favorites");
    kinship.unlock(PASS).unwrap();

    let coping = kinship.coping();
    let ranked = coping.suggest(9, &[], 3).unwrap();
    assert_eq!(ranked[0].kind, SuggestionKind::SafetyPlan);
    assert!(ranked[0].summary.contains("could not be opened"));
    assert_eq!(ranked[1].kind, SuggestionKind::Crisis);
    assert!(matches!(
        kinship.safety_plan().get(),
        Err(Error::Corrupted { .. })
    ));
    // The damaged favourites list reads as empty; marking again repairs it.
    assert!(!coping.get("box-breathing").unwrap().favorite);
    coping.favorite("box-breathing").unwrap();
    assert!(coping.get("box-breathing").unwrap().favorite);
}

#[test]
fn import_skips_tries_whose_strategy_is_unknown_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = new_profile(&dir.path().join("a"));
    let coping = source.coping();
    let mine = coping
        .add_custom(
            NewStrategy {
                title: "Mine".into(),
                steps: vec!["Do it".into()],
                ..Default::default()
            },
            at(0),
        )
        .unwrap();
    coping
        .log_try(
            NewTry {
                strategy_id: mine.id.clone(),
                distress_before: 5,
                distress_after: 2,
                note: None,
            },
            at(1),
        )
        .unwrap();
    coping
        .log_try(
            NewTry {
                strategy_id: "box-breathing".into(),
                distress_before: 5,
                distress_after: 4,
                note: None,
            },
            at(2),
        )
        .unwrap();
    let source_path = source.database_file().unwrap();
    source.lock();
    damage_row(&source_path, "coping_custom", &mine.id);
    source.unlock(PASS).unwrap();
    let file = dir.path().join("b.bin");
    source.export_backup(&file, PASS, &mut |_| {}).unwrap();

    let (target, _) = new_profile(&dir.path().join("b"));
    let summary = target.import_backup(&file, PASS, &mut |_| {}).unwrap();
    assert_eq!((summary.tries, summary.skipped_tries), (1, 1));
    assert_eq!(target.coping().stats().unwrap().len(), 1);
}

#[test]
fn the_crisis_suggestion_carries_the_countrys_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let coping = kinship.coping();
    let ranked = coping.suggest_in(9, &[], 5, Some("gb")).unwrap();
    let crisis = ranked
        .iter()
        .find(|s| s.kind == SuggestionKind::Crisis)
        .expect("a crisis item at distress 9");
    let directory = kinship_core::Directory::builtin().unwrap();
    let expected = directory.crisis_contacts("GB", chrono::Utc::now());
    assert!(!crisis.actions.is_empty());
    assert_eq!(crisis.actions.len(), expected.contacts.len());
    assert_eq!(crisis.actions[0].uri, expected.contacts[0].action_uri);
    assert_eq!(crisis.actions[0].label, expected.contacts[0].label);
    let invalid = coping.suggest_in(9, &[], 5, Some("Britain"));
    assert!(matches!(
        invalid,
        Err(kinship_core::Error::InvalidInput {
            problem: kinship_core::InputProblem::Malformed,
            ..
        })
    ));
}

#[test]
fn crisis_suggestions_offer_contacts_marked_safe_first_and_leave_out_the_unsafe() {
    use kinship_core::{Awareness, PlanContact};
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let planner = kinship.safety_plan();
    let contact = |name: &str, phone: &str, safe: Option<bool>, knows: Awareness| PlanContact {
        name: name.into(),
        phone: phone.into(),
        knows_about_me: knows,
        safe_in_crisis: safe,
    };
    planner
        .add_contact_with(
            contact("Dad", "+15550100001", Some(false), Awareness::DoesNotKnow),
            at(0),
        )
        .unwrap();
    planner
        .add_contact_with(
            contact("Neighbour", "+15550100002", None, Awareness::Unsure),
            at(1),
        )
        .unwrap();
    let ally = planner
        .add_contact_with(
            contact(" Ally ", "+15550100003", Some(true), Awareness::Knows),
            at(2),
        )
        .unwrap();
    assert_eq!(ally.name, "Ally", "trimmed");
    let ranked = kinship.coping().suggest(9, &[], 3).unwrap();
    let labels: Vec<&str> = ranked[0].actions.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Call Ally", "Call Neighbour"]);

    // What they know and whether they are safe survive a lock, and can be edited.
    kinship.lock();
    kinship.unlock(PASS).unwrap();
    let plan = planner.get().unwrap();
    assert_eq!(plan.help_contacts[0].knows_about_me, Awareness::DoesNotKnow);
    assert_eq!(plan.help_contacts[2].safe_in_crisis, Some(true));
    planner
        .update_matching_contact(
            "Dad",
            "+15550100001",
            contact("Dad", "+15550100001", Some(true), Awareness::Knows),
            at(3),
        )
        .unwrap();
    let ranked = kinship.coping().suggest(9, &[], 3).unwrap();
    let labels: Vec<&str> = ranked[0].actions.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Call Dad", "Call Ally", "Call Neighbour"]);
    assert!(matches!(
        planner.update_matching_contact(
            "Nobody",
            "+15550100009",
            contact("Nobody", "+15550100009", None, Awareness::Unsure),
            at(4)
        ),
        Err(Error::NotFound)
    ));
}
