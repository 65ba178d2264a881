//! Journal statistics: mood per day and per week, tag counts, and the current writing streak.
//!
//! Days are the writer's own calendar days (each entry's local date in the UTC offset it was
//! written in), so an entry written at 23:30 while travelling counts for the day the person saw.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::index::{fold, JournalIndex};

/// Which days the stats cover (inclusive), and what "today" is for the streak.
#[derive(Debug, Clone)]
pub struct StatsRange {
    /// First day included, if any (the writer's local calendar day).
    pub from: Option<NaiveDate>,
    /// Last day included, if any.
    pub to: Option<NaiveDate>,
    /// The person's local date today, for the streak.
    pub today: NaiveDate,
}

/// Journal statistics over a [`StatsRange`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalStats {
    /// Entries in the range.
    pub entries: u32,
    /// Average mood per day that has rated entries, oldest first.
    pub mood_by_day: Vec<MoodPoint>,
    /// Average mood per ISO week (`2026-W48`), oldest first.
    pub mood_by_week: Vec<MoodPoint>,
    /// Tags in the range, most used first.
    pub tag_counts: Vec<TagCount>,
    /// Consecutive days with at least one entry, ending today (or yesterday, so a streak is not
    /// lost before the person has had a chance to write today). Counted over all entries.
    pub current_streak_days: u32,
}

/// The average mood over one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoodPoint {
    /// The day or ISO week.
    pub period: Period,
    /// The mean mood of the period's rated entries, 1 to 5.
    pub average: f64,
    /// How many entries in the period have a mood.
    pub rated_entries: u32,
}

/// The period a [`MoodPoint`] averages over. It serializes as its ISO 8601 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// One local calendar day.
    Day(NaiveDate),
    /// One ISO 8601 week (Monday to Sunday).
    Week {
        /// The ISO week-numbering year (the days of week 1 can lie in December).
        iso_year: i32,
        /// 1 to 53.
        week: u32,
        /// Its Monday.
        first_day: NaiveDate,
    },
}

impl std::fmt::Display for Period {
    /// `2026-11-26` for a day, `2026-W48` for a week (ISO 8601).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Day(day) => write!(f, "{}", day.format("%Y-%m-%d")),
            Period::Week { iso_year, week, .. } => write!(f, "{iso_year}-W{week:02}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// How often a tag was used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagCount {
    /// The tag, in the first spelling seen (tags are counted ignoring case and accents).
    pub tag: String,
    /// How many entries in the range carry it.
    pub count: u32,
}

pub(crate) fn compute(index: &JournalIndex, range: &StatsRange) -> JournalStats {
    let in_range = |day: NaiveDate| {
        range.from.is_none_or(|from| day >= from) && range.to.is_none_or(|to| day <= to)
    };
    let mut entries = 0u32;
    let mut by_day: BTreeMap<NaiveDate, (u32, u32)> = BTreeMap::new();
    let mut by_week: BTreeMap<(i32, u32), (u32, u32)> = BTreeMap::new();
    // Tags are counted by their folded form and shown with the first spelling seen.
    let mut tags: HashMap<String, TagCount> = HashMap::new();
    for doc in index.docs() {
        let day = doc.created_at.date_naive();
        if !in_range(day) {
            continue;
        }
        entries += 1;
        if let Some(mood) = doc.mood {
            add_mood(by_day.entry(day).or_default(), mood);
            let week = day.iso_week();
            add_mood(by_week.entry((week.year(), week.week())).or_default(), mood);
        }
        for tag in &doc.tags {
            tags.entry(fold(tag))
                .or_insert_with(|| TagCount {
                    tag: tag.clone(),
                    count: 0,
                })
                .count += 1;
        }
    }
    let mut tag_counts: Vec<TagCount> = tags.into_values().collect();
    tag_counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.tag.cmp(&b.tag)));
    JournalStats {
        entries,
        mood_by_day: by_day
            .into_iter()
            .map(|(day, sums)| mood_point(Period::Day(day), sums))
            .collect(),
        mood_by_week: by_week
            .into_iter()
            .map(|((iso_year, week), sums)| {
                let first_day = NaiveDate::from_isoywd_opt(iso_year, week, chrono::Weekday::Mon)
                    .unwrap_or(NaiveDate::MIN);
                mood_point(
                    Period::Week {
                        iso_year,
                        week,
                        first_day,
                    },
                    sums,
                )
            })
            .collect(),
        tag_counts,
        current_streak_days: current_streak(&index.days_with_entries(), range.today),
    }
}

fn add_mood(sums: &mut (u32, u32), mood: u8) {
    sums.0 += u32::from(mood);
    sums.1 += 1;
}

fn mood_point(period: Period, (sum, count): (u32, u32)) -> MoodPoint {
    MoodPoint {
        period,
        average: f64::from(sum) / f64::from(count),
        rated_entries: count,
    }
}

fn current_streak(days: &std::collections::BTreeSet<NaiveDate>, today: NaiveDate) -> u32 {
    let yesterday = today - Duration::days(1);
    let mut day = if days.contains(&today) {
        today
    } else if days.contains(&yesterday) {
        yesterday
    } else {
        return 0;
    };
    let mut streak = 0;
    while days.contains(&day) {
        streak += 1;
        day -= Duration::days(1);
    }
    streak
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn streak_counts_back_from_today_or_yesterday() {
        let days = ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-20"]
            .iter()
            .map(|d| date(d))
            .collect();
        assert_eq!(current_streak(&days, date("2026-11-26")), 3);
        assert_eq!(current_streak(&days, date("2026-11-27")), 3);
        assert_eq!(current_streak(&days, date("2026-11-28")), 0);
    }
}
