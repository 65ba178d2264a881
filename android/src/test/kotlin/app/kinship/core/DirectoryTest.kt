// The offline directory: checked country codes, crisis contacts without a profile, search,
// refused bundles, and the person's own sealed entries through the profile's directory handle.
package app.kinship.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

class DirectoryTest {
    @Test
    fun countryCodesAreCheckedWhenMade() {
        assertEquals("DE", CountryCode("de").alpha2())
        assertEquals(CountryCode("DE"), CountryCode("de"))
        assertEquals(CountryCode("DE").hashCode(), CountryCode("de").hashCode())
        assertEquals("DE", CountryCode("de").toString())
        assertEquals("XK", CountryCode("xk").alpha2())
        // A name or a made-up code is refused, naming the field, not answered with "no data".
        for (bad in listOf("Germany", "ZZ", "D", "", "DEU")) {
            val refused = assertThrows<KinshipException.InvalidInput>(bad) { CountryCode(bad) }
            assertEquals("country", refused.field)
            assertEquals(InputProblem.MALFORMED, refused.problem)
        }
    }

    @Test
    fun crisisContactsAreOneTapAwayWithoutAProfile() {
        val us = crisisContacts(freshDir(), CountryCode("US"))
        assertTrue(us.hasCountryData)
        assertEquals("US", us.country)
        assertEquals("tel:911", us.contacts.first().action.uri)
        assertEquals(DirectoryKind.EMERGENCY, us.contacts.first().kind)
        assertTrue(us.contacts.any { it.action.uri == "tel:988" })
        assertTrue(us.contacts.all { it.sourceUrl.startsWith("https://") && it.verifiedOn.year >= 2024 })
        assertTrue(us.hasCrisisLine)
        // Every tap says what it leaves on the phone: a call log entry for a call.
        val actions = us.contacts.map { it.action }
        assertTrue(actions.filter { it.uri.startsWith("tel:") }.all { it.trace == ActionTrace.CALL_LOG && it.kind == ActionKind.CALL })
        assertTrue(actions.filter { it.uri.startsWith("sms:") }.all { it.trace == ActionTrace.SMS_THREAD && it.kind == ActionKind.TEXT })
        assertTrue(actions.all { it.label.isNotBlank() })
        // A contact closed now says when it opens next, as an instant still to come.
        val soon = java.time.Instant.now().minusSeconds(60)
        assertTrue(us.contacts.mapNotNull { it.opensAt }.all { it.isAfter(soon) })
        assertTrue(us.contacts.filter { it.alwaysOpen }.all { it.openNow == true && it.opensAt == null })

        // A real country with no entries (Antarctica) gets the honest advice.
        val unknown = crisisContacts(freshDir(), CountryCode("AQ"))
        assertFalse(unknown.hasCountryData)
        assertTrue(unknown.advice!!.contains("112"))
    }

    @Test
    fun searchRefusedBundlesAndPrivateEntries() {
        val dataDir = freshDir()
        KinshipDirectory.open(dataDir).use { public ->
            val version = public.version()
            assertTrue(version > 0)
            assertTrue(CountryCode("US") in public.countries())
            assertEquals("tel:999", public.crisisContacts(CountryCode("GB")).contacts.first().action.uri)
            val hits = public.search(DirectoryQuery(country = CountryCode("US"), kind = DirectoryKind.CRISIS_HOTLINE, limit = 10))
            assertTrue(hits.isNotEmpty() && hits.size <= 10)
            assertTrue(hits.all { it.entry.kind == DirectoryKind.CRISIS_HOTLINE && it.actions.isNotEmpty() && !it.isPrivate })
            assertEquals(hits.first().entry, public.get(hits.first().entry.id))
            assertNull(public.get("no-such-entry"))
            assertThrows<KinshipException.DirectoryUpdateRefused>("a garbage bundle") {
                public.installBundle("garbage".toByteArray())
            }
            assertEquals(version, public.version())

            freshProfile(dataDir).use { profile ->
                val directory = profile.directory(public)
                assertEquals("tel:911", directory.crisisContacts(CountryCode("US")).contacts.first().action.uri)
                val own = directory.addPrivateEntry(
                    NewPrivateEntry(name = "My therapist Robin", phone = "+44 20 7946 0123", kind = DirectoryKind.COUNSELING),
                )
                assertEquals("+442079460123", own.phoneE164)
                assertFalse(own.toString().contains("Robin"))
                val notAPhone = assertThrows<KinshipException.InvalidInput>("not a phone number") {
                    directory.addPrivateEntry(NewPrivateEntry(name = "Nobody", phone = "12"))
                }
                assertEquals("phone", notAPhone.field)
                val found = directory.search(DirectoryQuery(text = "robin"))
                assertEquals(own.id, found.single().entry.id)
                assertTrue(found.single().isPrivate)
                assertTrue(found.single().actions.any { it.uri == "tel:+442079460123" && it.kind == ActionKind.CALL })
                // Nobody else sees it: the public search does not.
                assertTrue(public.search(DirectoryQuery(text = "robin")).isEmpty())
                val renamed = directory.updatePrivateEntry(own.id, NewPrivateEntry(name = "Robin (Tuesdays)", phone = "+44 20 7946 0123"))
                assertEquals(listOf(renamed), directory.privateEntries())
                directory.removePrivateEntry(own.id)
                assertTrue(directory.privateEntries().isEmpty())
            }
        }
    }
}
