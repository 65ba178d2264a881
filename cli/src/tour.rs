//! `kinship tour`: a self-contained walk through everything Kinship can do so far, in a
//! temporary folder that is erased at the end. Every line it prints comes from a real call.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use chrono::{DateTime, FixedOffset, Local, TimeZone};
use kinship_core::coping::SuggestionKind;
use kinship_core::directory::private::NewPrivateEntry;
use kinship_core::{
    Category, Context, CrisisContacts, Directory, DirectoryQuery, EntryChanges, EntryFilter, Error,
    InputProblem, Kinship, NewEntry, NewStrategy, NewTry, Section, StatsRange,
};

use crate::coping_cmd::{print_logged, print_suggestions, strategy_line};
use crate::directory_cmd::print_crisis;
use crate::groups_cmd::{print_events, print_report};
use crate::journal_cmd::{print_entry, print_list, print_stats};
use crate::safety_plan_cmd::print_plan;
use crate::{CliError, CliResult};

const PASSPHRASE: &str = "a long walk by the sea";
const NEW_PASSPHRASE: &str = "sunrise over the harbour";
const DECOY_PASSPHRASE: &str = "groceries and bus times";
const DURESS_PASSPHRASE: &str = "the lighthouse is closed";
/// A word the tour writes into an entry and then looks for in every file on disk.
const MARKER: &str = "Zephyrine";

pub fn run() -> CliResult {
    let workspace = tempfile::tempdir()?;
    let dir = workspace.path().join("profile");
    println!(
        "Kinship tour — everything happens in {}",
        workspace.path().display()
    );
    println!("Nothing here touches your real profile, and the folder is deleted at the end.");

    heading("1. A private profile");
    let started = Instant::now();
    let kinship = Kinship::create(&dir, PASSPHRASE)?;
    let params = kinship.kdf_params()?;
    println!(
        "Created in {} ms. A random 256-bit data key encrypts everything; it is stored only",
        started.elapsed().as_millis()
    );
    println!(
        "wrapped under your passphrase via Argon2id ({} MiB, {} passes, {} lane).",
        params.memory_kib / 1024,
        params.iterations,
        params.parallelism
    );
    match Kinship::create(&workspace.path().join("weak"), "short") {
        Err(Error::WeakPassphrase) => println!(
            "A passphrase like \"short\" is refused: {}.",
            Error::WeakPassphrase
        ),
        other => return unexpected("weak passphrase", other.map(|_| ())),
    }

    heading("2. Writing in the journal");
    let journal = kinship.journal();
    let week = sample_week();
    for (days_ago, title, body, mood, tags) in &week {
        journal.add(
            NewEntry {
                title: title.map(str::to_owned),
                body: body.to_string(),
                mood: Some(*mood),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                strategy_ids: Vec::new(),
            },
            days_before_now(*days_ago),
        )?;
    }
    println!(
        "Wrote {} entries over the past week. The newest three:",
        week.len()
    );
    let page = journal.list(&EntryFilter::default(), 3, None)?;
    print_list(&page.entries);
    if let Some(cursor) = &page.next_cursor {
        let older = journal.list(&EntryFilter::default(), 3, Some(cursor))?;
        println!("…and the next page, by cursor:");
        print_list(&older.entries);
    }
    let proud = journal.list(
        &EntryFilter {
            tag: Some("PROUD".into()),
            ..EntryFilter::default()
        },
        10,
        None,
    )?;
    println!(
        "Filtered by the tag \"proud\" (case ignored): {} entries.",
        proud.entries.len()
    );

    heading("3. Search that forgives accents, case and unfinished words");
    for query in ["cafe", "LEA", "support gro"] {
        let found = journal.search(query, 10)?;
        println!(
            "\"{query}\" finds {} entr{}:",
            found.len(),
            if found.len() == 1 { "y" } else { "ies" }
        );
        print_list(&found);
    }
    println!("The search index lives only in memory while unlocked; it is wiped on lock.");

    heading("4. How the week went");
    print_stats(&journal.stats(&StatsRange {
        from: None,
        to: None,
        today: Local::now().date_naive(),
    })?);

    heading("5. Editing an entry");
    let first = journal.list(&EntryFilter::default(), 1, None)?.entries;
    if let Some(entry) = first.first() {
        let edited = journal.update(
            &entry.id,
            EntryChanges {
                body: Some(format!(
                    "{}\nLater: I called {MARKER}, and felt lighter.",
                    entry.body
                )),
                mood: Some(Some(5)),
                ..EntryChanges::default()
            },
            Local::now().fixed_offset(),
        )?;
        print_entry(&edited);
    }

    heading("6. Coping strategies that learn what helps you");
    let coping = kinship.coping();
    let library = coping.list(None)?;
    println!(
        "{} strategies are built in, written in plain words, for example:",
        library.len()
    );
    for id in [
        "box-breathing",
        "answer-the-inner-critic",
        "send-a-small-message",
    ] {
        if let Ok(strategy) = coping.get(id) {
            println!("  {}", strategy_line(&strategy));
        }
    }
    let anxious = [Context::Anxious];
    let first_pick = coping.suggest(6, &anxious, 3)?;
    println!("Feeling anxious at 6/10, before anything is logged, Kinship offers:");
    print_suggestions(&first_pick);
    if let Some(last) = first_pick.last() {
        for (before, after) in [(7, 3), (6, 2)] {
            let logged = coping.log_try(
                NewTry {
                    strategy_id: last.id.clone(),
                    distress_before: before,
                    distress_after: after,
                    note: Some(format!("{MARKER} helped me through the meeting")),
                },
                Local::now().fixed_offset(),
            )?;
            print_logged(&logged);
        }
    }
    let second_pick = coping.suggest(6, &anxious, 3)?;
    let tried = first_pick.last().map(|s| s.id.as_str());
    let rank = second_pick
        .iter()
        .position(|s| Some(s.id.as_str()) == tried)
        .map_or_else(|| "not in the top 3".to_owned(), |i| format!("#{}", i + 1));
    println!("After two tries that helped, the same question ranks it {rank}:");
    print_suggestions(&second_pick);
    coping.add_custom(
        NewStrategy {
            title: format!("Text {MARKER} a meme"),
            steps: vec![
                "Find the silliest one".into(),
                "Send it without overthinking".into(),
            ],
            category: Some(Category::ConnectingWithPeers),
            suits: vec![Context::Lonely],
            ..NewStrategy::default()
        },
        Local::now().fixed_offset(),
    )?;
    println!("Your own strategies and notes are sealed like the journal.");

    heading("7. A safety plan, and what comes first when it is very hard");
    let planner = kinship.safety_plan();
    let now = Local::now().fixed_offset();
    planner.set_section(
        Section::WarningSigns,
        vec!["I stop answering messages".into()],
        now,
    )?;
    planner.set_section(Section::InternalCoping, vec!["box-breathing".into()], now)?;
    planner.set_section(
        Section::ReasonsForLiving,
        vec!["Pride next summer with my friends".into()],
        now,
    )?;
    planner.add_contact(&format!("{MARKER} (my sister)"), "+44 7700 900123", now)?;
    print_plan(&kinship, &planner.get()?);
    let urgent = coping.suggest(9, &[], 2)?;
    let first_kinds: Vec<&str> = urgent
        .iter()
        .map(|s| match s.kind {
            SuggestionKind::SafetyPlan => "your safety plan",
            SuggestionKind::Crisis => "crisis help",
            SuggestionKind::Strategy => "a strategy",
        })
        .collect();
    println!(
        "\nAt distress 9/10 the first suggestions are: {}",
        first_kinds.join(", then ")
    );
    print_suggestions(&urgent);

    heading("8. Crisis contacts, one tap away, even when locked");
    let directory = Directory::builtin()?;
    let now_utc = Utc::now();
    let us = directory.crisis_contacts("US", now_utc);
    println!("No passphrase and no network needed. For the US right now:");
    let shown = CrisisContacts {
        contacts: us.contacts.iter().take(5).cloned().collect(),
        ..us.clone()
    };
    print_crisis(&shown);
    println!(
        "…{} more. A country without verified numbers gets honest advice:",
        us.contacts.len().saturating_sub(5)
    );
    let unknown = directory.crisis_contacts("AQ", now_utc);
    print_crisis(&CrisisContacts {
        contacts: unknown.contacts.iter().take(2).cloned().collect(),
        ..unknown.clone()
    });
    let trans = directory.search(
        &DirectoryQuery {
            country: Some("GB".into()),
            audience: vec!["trans".into()],
            ..DirectoryQuery::default()
        },
        &[],
        now_utc,
    );
    println!(
        "Directory search, GB, for trans people: {} result(s), e.g. {}.",
        trans.len(),
        trans
            .first()
            .map(|h| h.entry.name.as_str())
            .unwrap_or("none")
    );
    let own = kinship.personal_directory().add(
        NewPrivateEntry {
            name: format!("{MARKER}, my counsellor"),
            phone: Some("+44 20 7946 0321".into()),
            ..NewPrivateEntry::default()
        },
        Local::now().fixed_offset(),
    )?;
    println!(
        "Your own entries (a counsellor, a local group) are sealed: added {} → tel:{}.",
        own.id,
        own.channels.phone_e164.as_deref().unwrap_or("")
    );

    heading("9. Peer groups: events from a server, kept offline");
    peer_groups(&kinship)?;

    heading("10. What a thief with the files would see");
    kinship.checkpoint()?;
    let (files, found) = scan_for(&dir, MARKER)?;
    println!(
        "Scanned {files} files in the profile folder for the word \"{MARKER}\" (in an entry, a note, a strategy, a contact and a directory entry): {}.",
        if found {
            "FOUND (this is a bug)"
        } else {
            "not found anywhere — every entry is sealed"
        }
    );

    heading("11. Locking");
    kinship.lock();
    match journal.list(&EntryFilter::default(), 1, None) {
        Err(Error::Locked) => println!("Locked: reading now fails with \"{}\".", Error::Locked),
        other => return unexpected("read while locked", other.map(|_| ())),
    }
    match kinship.unlock("not my passphrase") {
        Err(Error::WrongPassphrase) => println!(
            "A wrong passphrase is refused: \"{}\".",
            Error::WrongPassphrase
        ),
        other => return unexpected("wrong passphrase", other),
    }
    let started = Instant::now();
    kinship.unlock(PASSPHRASE)?;
    println!(
        "The right one unlocks in {} ms.",
        started.elapsed().as_millis()
    );
    kinship.set_auto_lock(Some(Duration::from_millis(300)));
    std::thread::sleep(Duration::from_millis(400));
    println!(
        "With auto-lock at 0.3 s and 0.4 s idle, the vault is {}.",
        if kinship.is_unlocked() {
            "still unlocked (bug)"
        } else {
            "locked again"
        }
    );
    kinship.set_auto_lock(None);

    heading("12. Unlocking with the phone's device key");
    kinship.unlock(PASSPHRASE)?;
    let device_key = [42u8; 32];
    kinship.enable_device_key(PASSPHRASE, &device_key)?;
    kinship.lock();
    kinship.unlock_with_device_key(&device_key)?;
    println!("A 32-byte key from Android Keystore / iOS Keychain now unlocks too (behind biometrics on a phone).");
    kinship.disable_device_key()?;
    println!(
        "Disabled again: has device key = {}.",
        kinship.has_device_key()?
    );

    heading("13. Changing the passphrase");
    let started = Instant::now();
    kinship.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)?;
    println!(
        "Changed in {} ms: only the data key was rewrapped, no entry re-encrypted.",
        started.elapsed().as_millis()
    );
    kinship.lock();
    let old_refused = matches!(kinship.unlock(PASSPHRASE), Err(Error::WrongPassphrase));
    kinship.unlock(NEW_PASSPHRASE)?;
    println!(
        "Old passphrase refused: {old_refused}. New one opens all {} entries.",
        journal.count()?
    );

    heading("14. A decoy passphrase, and a duress passphrase");
    decoy_and_duress(&kinship)?;

    heading("15. Encrypted backup and restore");
    let backup = workspace.path().join("journal.kinshipbackup");
    let exported = kinship.export_backup(&backup, NEW_PASSPHRASE, &mut |_| {})?;
    println!(
        "Exported {} entries to {}.",
        exported.entries,
        backup.display()
    );
    let restored = Kinship::create(&workspace.path().join("new-phone"), NEW_PASSPHRASE)?;
    let first_import = restored.import_backup(&backup, NEW_PASSPHRASE, &mut |_| {})?;
    let second_import = restored.import_backup(&backup, NEW_PASSPHRASE, &mut |_| {})?;
    println!(
        "Restored on a \"new phone\": {} added; importing the same file again adds {} (no duplicates).",
        first_import.added, second_import.added
    );
    match restored.import_backup(&backup, "a wrong backup passphrase", &mut |_| {}) {
        Err(Error::WrongPassphrase) => println!(
            "With a wrong backup passphrase nothing changes: \"{}\".",
            Error::WrongPassphrase
        ),
        other => return unexpected("wrong backup passphrase", other.map(|_| ())),
    }

    heading("16. Entering the duress passphrase");
    enter_duress(&kinship)?;

    heading("17. Quick erase");
    kinship.quick_erase()?;
    println!(
        "Erased: keys destroyed first, then files. Profile folder still exists: {}. Opening it now: {}.",
        dir.exists(),
        match Kinship::open(&dir) {
            Err(err) => err.to_string(),
            Ok(_) => "opened (bug)".into(),
        }
    );
    restored.quick_erase()?;

    println!("\nThat was Kinship so far. Start for real with `kinship init`.");
    Ok(())
}

/// Sets a decoy passphrase and shows that it opens a separate profile, then sets a duress
/// passphrase (entered only near the end of the tour, since it erases the profile).
fn decoy_and_duress(kinship: &Kinship) -> CliResult {
    let journal = kinship.journal();
    let real_count = journal.count()?;
    kinship.set_decoy_passphrase(NEW_PASSPHRASE, DECOY_PASSPHRASE)?;
    println!("A decoy passphrase is set, for when someone makes you unlock the app.");
    kinship.lock();
    kinship.unlock(DECOY_PASSPHRASE)?;
    println!(
        "Unlocked with the decoy passphrase: a separate profile with {} entries.",
        journal.count()?
    );
    journal.add(
        NewEntry {
            title: Some("Shopping".into()),
            body: "Bread, oat milk, tomatoes. Bus at 8:15.".into(),
            mood: Some(3),
            tags: vec!["errands".into()],
            strategy_ids: Vec::new(),
        },
        Local::now().fixed_offset(),
    )?;
    println!("It is filled with harmless entries, like this one:");
    print_list(&journal.list(&EntryFilter::default(), 5, None)?.entries);
    let seen = kinship.passphrase_settings()?;
    println!(
        "Its settings show a decoy passphrase set: {}, a duress passphrase set: {}; it cannot tell that it is one.",
        seen.decoy, seen.duress
    );
    kinship.lock();
    kinship.unlock(NEW_PASSPHRASE)?;
    let real_now = journal.count()?;
    let leaked = journal.search("oat milk", 10)?.len();
    println!(
        "The real passphrase still opens all {real_now} of {real_count} entries; the decoy's entry is not among them ({leaked} found)."
    );
    if real_now != real_count || leaked != 0 {
        return Err(CliError::Other(
            "tour step 'decoy' did not behave as expected: the profiles mixed".into(),
        ));
    }
    match kinship.set_duress_passphrase(NEW_PASSPHRASE, DECOY_PASSPHRASE) {
        Err(Error::InvalidInput {
            problem: InputProblem::Duplicate,
            ..
        }) => {
            println!("A duress passphrase equal to the decoy's is refused: one passphrase opens one thing.")
        }
        other => return unexpected("duplicate duress passphrase", other),
    }
    kinship.set_duress_passphrase(NEW_PASSPHRASE, DURESS_PASSPHRASE)?;
    let settings = kinship.passphrase_settings()?;
    println!(
        "A duress passphrase is set too (settings: decoy {}, duress {}). Entering it erases this",
        settings.decoy, settings.duress
    );
    println!(
        "profile and the decoy at once, and opens a new, empty profile, as a new install looks."
    );
    println!("The tour enters it near the end, once everything else is shown.");
    Ok(())
}

/// Unlocks with the duress passphrase: the profile and its decoy are erased, and a new, empty
/// profile opens under it.
fn enter_duress(kinship: &Kinship) -> CliResult {
    let journal = kinship.journal();
    let before = journal.count()?;
    kinship.lock();
    kinship.unlock(DURESS_PASSPHRASE)?;
    let settings = kinship.passphrase_settings()?;
    println!(
        "Unlocked with the duress passphrase: {} entries (there were {before}); decoy set: {}, duress set: {}.",
        journal.count()?,
        settings.decoy,
        settings.duress
    );
    kinship.lock();
    let real_refused = matches!(kinship.unlock(NEW_PASSPHRASE), Err(Error::WrongPassphrase));
    let decoy_refused = matches!(
        kinship.unlock(DECOY_PASSPHRASE),
        Err(Error::WrongPassphrase)
    );
    println!(
        "Afterwards the real passphrase is refused: {real_refused}; the decoy's is refused: {decoy_refused}."
    );
    kinship.unlock(DURESS_PASSPHRASE)?;
    Ok(())
}

/// Starts a peer-group server on loopback inside this process, publishes events as an
/// organizer, then follows, syncs, exports and goes offline as a member's phone would.
fn peer_groups(kinship: &Kinship) -> CliResult {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let folder = tempfile::tempdir()?;
        let url = format!("sqlite://{}", folder.path().join("server.sqlite").display());
        let server = kinship_server::local::LocalServer::start(
            &url,
            Default::default(),
            &[
                ("Rainbow Hikers", "Gentle walks for LGBTQ+ folks and friends", kinship_protocol::Visibility::Public),
                ("Trans Circle Lisbon", "A private peer-support circle", kinship_protocol::Visibility::Private),
            ],
        )
        .await
        .map_err(other)?;
        let (hikers, circle) = (server.groups[0].clone(), server.groups[1].clone());
        let base = server.base.clone();
        println!("A peer-group server is running on {base} (loopback, inside this tour).");

        let http = reqwest::Client::new();
        let post = |group: &str, token: &str, body: serde_json::Value| {
            http.post(format!("{base}/v1/groups/{group}/events")).bearer_auth(token.to_owned()).json(&body).send()
        };
        let walk = serde_json::json!({"title": "Sunset walk on the coast", "starts_at": "2027-06-12T18:30:00", "ends_at": "2027-06-12T21:00:00",
            "time_zone": "Europe/Lisbon", "place": {"name": "Cabo da Roca", "address": "Colares"}, "accessibility": "Uneven paths; a shorter route is offered", "category": "social"});
        let created: serde_json::Value = post(&hikers.group_id, &hikers.organizer_token, walk.clone()).await.map_err(other)?.json().await.map_err(other)?;
        post(&circle.group_id, &circle.organizer_token, serde_json::json!({"title": "Monthly circle", "starts_at": "2027-06-15T19:00:00",
            "ends_at": "2027-06-15T20:30:00", "time_zone": "Europe/Lisbon", "online_url": "https://meet.example.org/circle", "category": "discussion"}))
            .await
            .map_err(other)?;
        println!("Organizers published one event in each group.");

        let groups = kinship.groups();
        groups.follow(&base, &hikers.group_id, None).await?;
        if let Some(code) = &circle.invite_code {
            groups.follow(&base, &circle.group_id, Some(code)).await?;
        }
        println!("Followed both; the private one with its invite code (the server learns no name, email or number).");
        print_report(&groups.sync_now().await?);
        let upcoming = kinship_core::groups::EventQuery {
            from: chrono::DateTime::parse_from_rfc3339("2027-06-01T00:00:00Z").map_err(other)?.to_utc(),
            days: 30,
            group_id: None,
            category: None,
            include_cancelled: true,
        };
        print_events(&groups.upcoming(&upcoming)?);

        let mut cancelled = walk;
        cancelled["status"] = "cancelled".into();
        let event_id = created["id"].as_str().unwrap_or_default().to_owned();
        http.put(format!("{base}/v1/groups/{}/events/{event_id}", hikers.group_id))
            .bearer_auth(&hikers.organizer_token)
            .json(&cancelled)
            .send()
            .await
            .map_err(other)?;
        println!("The organizer cancels the walk; the next sync brings just that change:");
        print_report(&groups.sync_now().await?);
        let quiet = groups.sync_now().await?;
        let answered_304 = quiet.groups.iter().filter(|g| g.not_modified).count();
        println!(
            "And a sync with nothing new: {} request(s), {answered_304} of {} group(s) answered 304:",
            quiet.requests,
            quiet.groups.len()
        );
        print_report(&quiet);
        let calendar = groups.export_ics(&[event_id], Utc::now())?;
        println!("\"Add to calendar\" (iCalendar, RFC 5545):");
        for line in calendar.lines().filter(|l| l.starts_with("SUMMARY") || l.starts_with("DTSTART") || l.starts_with("STATUS")) {
            println!("  {line}");
        }

        server.stop().await;
        let quick = kinship_core::sync::SyncOptions {
            base_backoff: std::time::Duration::from_millis(20),
            ..Default::default()
        };
        match groups.sync_with(&quick).await {
            Err(Error::Offline) => println!("The server is gone: sync says \"{}\", and the cached events still show:", Error::Offline),
            other => println!("Sync after the server stopped: {other:?}"),
        }
        print_events(&groups.upcoming(&upcoming)?);
        Ok(())
    })
}

fn other(err: impl std::fmt::Display) -> CliError {
    CliError::Other(err.to_string())
}

type SampleEntry = (
    i64,
    Option<&'static str>,
    &'static str,
    u8,
    &'static [&'static str],
);

fn sample_week() -> Vec<SampleEntry> {
    vec![
        (
            6,
            Some("Heavy Monday"),
            "Felt alone after the family dinner. Nobody asked about Sam.",
            2,
            &["family", "lonely"],
        ),
        (
            5,
            None,
            "Walked by the river. Breathing exercise helped a bit.",
            3,
            &["coping"],
        ),
        (
            4,
            Some("Café with Léa"),
            "Léa listened without judging. I laughed for the first time this week.",
            4,
            &["friends", "proud"],
        ),
        (
            3,
            Some("Support group"),
            "First time at the peer support group. Nervous, then relieved.",
            4,
            &["group", "proud"],
        ),
        (
            2,
            None,
            "Bad sleep. Old thoughts about not being enough came back.",
            2,
            &["sleep"],
        ),
        (
            1,
            Some("Small win"),
            "Told a coworker about my partner. It went fine!",
            5,
            &["Proud", "work"],
        ),
        (
            0,
            Some("Today"),
            "Quiet day. Wrote a letter to my younger self.",
            4,
            &["self-compassion"],
        ),
    ]
}

fn days_before_now(days: i64) -> DateTime<FixedOffset> {
    let then = Local::now() - chrono::Duration::days(days);
    Local
        .from_local_datetime(&then.naive_local())
        .earliest()
        .unwrap_or(then)
        .fixed_offset()
}

/// Counts the files under `dir` and whether any contains `needle`.
fn scan_for(dir: &Path, needle: &str) -> CliResult<(usize, bool)> {
    let mut files = 0;
    let mut found = false;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() {
            files += 1;
            let bytes = std::fs::read(&path)?;
            found |= bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        }
    }
    Ok((files, found))
}

fn heading(title: &str) {
    println!("\n== {title} ==");
}

fn unexpected(step: &str, outcome: Result<(), Error>) -> CliResult {
    Err(CliError::Other(format!(
        "tour step '{step}' did not behave as expected: {:?}",
        outcome.err()
    )))
}
