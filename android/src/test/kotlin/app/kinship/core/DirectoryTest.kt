// The offline directory: crisis contacts without a profile, search, refused bundles, and the
// person's own sealed entries.
package app.kinship.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

class DirectoryTest {
    @Test
    fun crisisContactsAreOneTapAwayWithoutAProfile() {
        val us = crisisContacts(freshDir(), "US")
        assertTrue(us.hasCountryData)
        assertEquals("tel:911", us.contacts.first().actionUri)
        assertEquals(DirectoryKind.EMERGENCY, us.contacts.first().kind)
        assertTrue(us.contacts.any { it.actionUri == "tel:988" })
        assertTrue(us.contacts.all { it.sourceUrl.startsWith("https://") && it.verifiedOn.matches(Regex("\\d{4}-\\d{2}-\\d{2}")) })
        assertTrue(us.hasCrisisLine)
        // Every tap says what it leaves on the phone: a call log entry for a call.
        assertTrue(us.contacts.filter { it.actionUri.startsWith("tel:") }.all { it.trace == ActionTrace.CALL_LOG && it.actionKind == ActionKind.CALL })
        assertTrue(us.contacts.filter { it.actionUri.startsWith("sms:") }.all { it.trace == ActionTrace.SMS_THREAD })

        // A name or a made-up code is refused, naming the field, not answered with "no data".
        for (bad in listOf("Germany", "ZZ", "D")) {
            val refused = assertThrows<KinshipException.InvalidInput>(bad) { crisisContacts(freshDir(), bad) }
            assertEquals("country", refused.field)
        }
        // A real country with no entries (Antarctica) gets the honest advice.
        val unknown = crisisContacts(freshDir(), "AQ")
        assertFalse(unknown.hasCountryData)
        assertTrue(unknown.advice!!.contains("112"))
        assertTrue(unknown.contacts.none { it.actionUri.startsWith("tel:") && !it.sourceUrl.startsWith("https://") })
    }

    @Test
    fun searchAndRefusedBundles() {
        val dataDir = freshDir()
        KinshipDirectory.open(dataDir).use { directory ->
            val version = directory.version()
            assertTrue(version > 0u)
            assertTrue("US" in directory.countries())
            assertEquals("tel:999", directory.crisisContacts("GB").contacts.first().actionUri)
            val hits = directory.search(DirectoryQuery(country = "US", kind = DirectoryKind.CRISIS_HOTLINE, limit = 10u))
            assertTrue(hits.isNotEmpty())
            assertTrue(hits.all { it.entry.kind == DirectoryKind.CRISIS_HOTLINE && it.actions.isNotEmpty() && !it.isPrivate })
            assertEquals(hits.first().entry, directory.get(hits.first().entry.id))
            assertEquals(null, directory.get("no-such-entry"))
            assertThrows<KinshipException.DirectoryUpdateRefused>("a garbage bundle") {
                directory.installBundle("garbage".toByteArray())
            }
            assertEquals(version, directory.version())

            KinshipProfile.create(dataDir, PASSPHRASE).use { profile ->
                val own = profile.addPrivateEntry(
                    NewPrivateEntry(name = "My therapist Robin", phone = "+44 20 7946 0123", kind = DirectoryKind.COUNSELING),
                )
                assertEquals("+442079460123", own.phoneE164)
                assertThrows<KinshipException.InvalidInput>("not a phone number") {
                    profile.addPrivateEntry(NewPrivateEntry(name = "Nobody", phone = "12"))
                }
                val found = profile.searchDirectory(directory, DirectoryQuery(text = "robin"))
                assertEquals(own.id, found.single().entry.id)
                assertTrue(found.single().isPrivate)
                assertTrue(found.single().actions.any { it.uri == "tel:+442079460123" })
                // Nobody else sees it: the public search does not.
                assertTrue(directory.search(DirectoryQuery(text = "robin")).isEmpty())
                profile.removePrivateEntry(own.id)
                assertTrue(profile.privateEntries().isEmpty())
            }
        }
    }
}
