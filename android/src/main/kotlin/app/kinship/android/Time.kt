// java.time views of the core's times: the journal at the local time it was written, events
// in their organizer's zone, mood periods as date ranges, and journal filters from dates.
package app.kinship.android

import app.kinship.core.CopingTry
import app.kinship.core.CrisisContactItem
import app.kinship.core.GroupEvent
import app.kinship.core.JournalEntry
import app.kinship.core.JournalFilter
import app.kinship.core.MoodPeriod
import java.time.LocalDate
import java.time.OffsetDateTime
import java.time.ZoneId
import java.time.ZoneOffset
import java.time.ZonedDateTime

/** When the entry was written, at the phone's UTC offset then (what the person saw on the clock). */
fun JournalEntry.createdAtLocal(): OffsetDateTime =
    createdAt.atOffset(ZoneOffset.ofTotalSeconds(utcOffsetSeconds))

/** When the entry was last edited, shown at the offset it was written at. */
fun JournalEntry.updatedAtLocal(): OffsetDateTime =
    updatedAt.atOffset(ZoneOffset.ofTotalSeconds(utcOffsetSeconds))

/** When the person tried the strategy, at the phone's UTC offset then. */
fun CopingTry.atLocal(): OffsetDateTime = at.atOffset(ZoneOffset.ofTotalSeconds(utcOffsetSeconds))

/** The event's start as its organizer set it, in their zone (`.withZoneSameInstant` for the phone's). */
fun GroupEvent.startsAtZoned(): ZonedDateTime = startsAt.atZone(timeZone)

/** The event's end in its organizer's zone. */
fun GroupEvent.endsAtZoned(): ZonedDateTime = endsAt.atZone(timeZone)

/** When a closed line opens next, in [zone] (the phone's by default); null when it is open or unknown. */
fun CrisisContactItem.opensAtIn(zone: ZoneId = ZoneId.systemDefault()): ZonedDateTime? = opensAt?.atZone(zone)

/** The first day of the period (the day itself, or the week's Monday). */
val MoodPeriod.firstDay: LocalDate
    get() = when (this) {
        is MoodPeriod.Day -> date
        is MoodPeriod.Week -> firstDay
    }

/** The last day of the period (the day itself, or the week's Sunday). */
val MoodPeriod.lastDay: LocalDate
    get() = when (this) {
        is MoodPeriod.Day -> date
        is MoodPeriod.Week -> firstDay.plusDays(6)
    }

/**
 * Entries written on the days [from] to [through] (inclusive) as the phone's calendar in [zone]
 * counts them, optionally with a [tag] and a [mood].
 */
fun journalFilterForDays(
    from: LocalDate,
    through: LocalDate,
    zone: ZoneId = ZoneId.systemDefault(),
    tag: String? = null,
    mood: Int? = null,
): JournalFilter = JournalFilter(
    tag = tag,
    mood = mood,
    from = from.atStartOfDay(zone).toInstant(),
    until = through.plusDays(1).atStartOfDay(zone).toInstant(),
)
