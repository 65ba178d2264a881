// Coping strategies, suggestions and the safety plan through the generated Kotlin.
package app.kinship.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Test

class CopingSafetyPlanTest {
    @Test
    fun libraryCustomStrategiesTriesAndSuggestions() {
        freshProfile().use { profile ->
            val all = profile.listStrategies(null)
            assertTrue(all.size >= 50)
            val breathing = profile.listStrategies(StrategyCategory.BREATHING)
            assertTrue(breathing.isNotEmpty())
            assertTrue(breathing.all { it.category == StrategyCategory.BREATHING })
            assertTrue(profile.searchStrategies("breath").isNotEmpty())

            val first = all.first()
            profile.setStrategyFavorite(first.id, true)
            assertTrue(profile.getStrategy(first.id).favorite)
            profile.setStrategyFavorite(first.id, false)
            assertFalse(profile.getStrategy(first.id).favorite)

            val custom = profile.addCustomStrategy(
                NewStrategy("Call my sister", steps = listOf("Pick up the phone"), suits = listOf(CopingContext.LONELY)),
            )
            assertTrue(custom.custom)
            assertEquals(StrategyCategory.PERSONAL, custom.category)
            val edited = profile.editCustomStrategy(custom.id, StrategyEdit(minutes = 15u))
            assertEquals(15u, edited.minutes)
            assertEquals("Call my sister", edited.title)

            val attempt = profile.logCopingTry(NewCopingTry(custom.id, 7u.toUByte(), 3u.toUByte(), "it helped"))
            assertEquals(listOf(attempt.id), profile.listCopingTries(custom.id).map { it.id })
            val stats = profile.strategyStats().first { it.id == custom.id }
            assertEquals(1u, stats.timesTried)
            assertEquals(-4.0, stats.meanChange, 1e-9)

            val calm = profile.suggestStrategies(3u.toUByte(), listOf(CopingContext.LONELY), 5u)
            assertTrue(calm.isNotEmpty())
            assertTrue(calm.all { it.kind == SuggestionKind.STRATEGY })
            val crisis = profile.suggestStrategies(9u.toUByte(), emptyList(), 5u)
            assertTrue(crisis.first().kind in setOf(SuggestionKind.SAFETY_PLAN, SuggestionKind.CRISIS))
            assertThrows<KinshipException.InvalidInput>("distress 11") {
                profile.suggestStrategies(11u.toUByte(), emptyList(), 5u)
            }

            profile.deleteCustomStrategy(custom.id)
            assertThrows<KinshipException.NotFound>("deleted strategy") { profile.getStrategy(custom.id) }
        }
    }

    @Test
    fun safetyPlanSectionsContactsAndOneTapCalls() {
        freshProfile().use { profile ->
            val empty = profile.getSafetyPlan()
            assertTrue(empty.warningSigns.isEmpty())
            assertEquals(null, empty.updatedAt)
            profile.setSafetyPlanSection(SafetyPlanSection.WARNING_SIGNS, listOf("Not sleeping", "  "))
            val contact = profile.addSafetyPlanContact("Sam", "+44 7700 900123")
            assertEquals("tel:+447700900123", contact.actionUri)
            assertThrows<KinshipException.InvalidInput>("a phone that is not a number") {
                profile.addSafetyPlanContact("Sam", "call me")
            }
            val plan = profile.getSafetyPlan()
            assertEquals(listOf("Not sleeping"), plan.warningSigns)
            assertNotNull(plan.updatedAt)
            assertEquals(1, plan.helpContacts.size)
            assertTrue(profile.removeSafetyPlanContact(0u).helpContacts.isEmpty())
            assertThrows<KinshipException.NotFound>("no contact 5") { profile.removeSafetyPlanContact(5u) }

            val replaced = profile.replaceSafetyPlan(
                plan.copy(reasonsForLiving = listOf("My cat"), helpContacts = listOf(PlanContact("Alex", "+44 7700 900456"))),
            )
            assertEquals("tel:+447700900456", replaced.helpContacts.single().actionUri)
            for (section in SafetyPlanSection.values()) assertTrue(safetyPlanHeading(section).isNotBlank())

            profile.lock()
            profile.unlock(PASSPHRASE)
            assertEquals(listOf("My cat"), profile.getSafetyPlan().reasonsForLiving)
        }
    }
}
