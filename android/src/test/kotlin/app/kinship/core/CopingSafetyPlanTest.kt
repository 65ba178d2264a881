// Coping strategies, suggestions and the safety plan through their feature handles.
package app.kinship.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

class CopingSafetyPlanTest {
    @Test
    fun libraryCustomStrategiesTriesAndSuggestions() {
        freshProfile().use { profile ->
            val coping = profile.coping()
            val all = coping.list(null)
            assertTrue(all.size >= 50)
            val breathing = coping.list(StrategyCategory.BREATHING)
            assertTrue(breathing.isNotEmpty())
            assertTrue(breathing.all { it.category == StrategyCategory.BREATHING })
            assertTrue(coping.search("breath").isNotEmpty())

            val first = all.first()
            coping.setFavorite(first.id, true)
            assertTrue(coping.get(first.id).favorite)
            coping.setFavorite(first.id, false)
            assertFalse(coping.get(first.id).favorite)
            val builtIn = assertThrows<KinshipException.InvalidInput>("editing a built-in strategy") {
                coping.editCustom(first.id, StrategyEdit(minutes = 3))
            }
            assertEquals(InputProblem.NOT_ALLOWED, builtIn.problem)

            val custom = coping.addCustom(
                NewStrategy("Call my sister", steps = listOf("Pick up the phone"), suits = listOf(CopingContext.LONELY)),
            )
            assertTrue(custom.custom)
            assertEquals(StrategyCategory.PERSONAL, custom.category)
            assertFalse(custom.toString().contains("sister"))
            val edited = coping.editCustom(custom.id, StrategyEdit(minutes = 15))
            assertEquals(15, edited.minutes)
            assertEquals("Call my sister", edited.title)

            val attempt = coping.logTry(NewCopingTry(custom.id, 7, 3, "it helped"))
            assertEquals(listOf(attempt.id), coping.tries(custom.id).map { it.id })
            assertFalse(attempt.toString().contains("it helped"))
            val stats = coping.stats().first { it.id == custom.id }
            assertEquals(1, stats.timesTried)
            assertEquals(-4.0, stats.meanChange, 1e-9)

            val calm = coping.suggest(3, listOf(CopingContext.LONELY), 5, null)
            assertTrue(calm.isNotEmpty() && calm.size <= 5)
            assertTrue(calm.all { it.kind == SuggestionKind.STRATEGY && it.actions.isEmpty() })
            // At distress 9 the crisis item carries the country's numbers as one-tap actions.
            val crisis = coping.suggest(9, emptyList(), 5, CountryCode("de"))
            val help = crisis.single { it.kind == SuggestionKind.CRISIS }
            assertTrue(crisis.indexOf(help) < crisis.indexOfFirst { it.kind == SuggestionKind.STRATEGY })
            assertTrue(help.actions.toString(), help.actions.any { it.uri == "tel:112" && it.kind == ActionKind.CALL })
            val distress = assertThrows<KinshipException.InvalidInput>("distress 11") { coping.suggest(11, emptyList(), 5, null) }
            assertEquals("distress", distress.field)

            coping.deleteCustom(custom.id)
            assertThrows<KinshipException.NotFound>("deleted strategy") { coping.get(custom.id) }
        }
    }

    @Test
    fun safetyPlanSectionsContactsRemovedByValueAndOneTapCalls() {
        freshProfile().use { profile ->
            val planner = profile.safetyPlan()
            val empty = planner.get()
            assertTrue(empty.warningSigns.isEmpty())
            assertNull(empty.updatedAt)
            planner.setSection(SafetyPlanSection.WARNING_SIGNS, listOf("Not sleeping", "  "))
            val sam = planner.addContact("Sam", "+44 7700 900123")
            val call = sam.action!!
            assertEquals("tel:+447700900123", call.uri)
            assertEquals(ActionKind.CALL, call.kind)
            assertEquals(ActionTrace.CALL_LOG, call.trace)
            assertTrue(call.label.contains("Sam"))
            val notANumber = assertThrows<KinshipException.InvalidInput>("a phone that is not a number") {
                planner.addContact("Sam", "call me")
            }
            assertEquals("phone", notANumber.field)
            val alex = planner.addContact("Alex", "+44 7700 900456")
            val plan = planner.get()
            assertEquals(listOf("Not sleeping"), plan.warningSigns)
            assertNotNull(plan.updatedAt)
            assertEquals(listOf(sam, alex), plan.helpContacts)
            assertFalse(plan.toString().contains("Sam"))

            // Removed by value: the contact as the screen read it, never by position.
            val withoutSam = planner.removeContact(sam)
            assertEquals(listOf(alex), withoutSam.helpContacts)
            assertThrows<KinshipException.NotFound>("Sam is gone already") { planner.removeContact(sam) }

            val replaced = planner.replace(
                plan.copy(
                    reasonsForLiving = listOf("My cat"),
                    helpContacts = listOf(PlanContact("Robin", "+44 7700 900789", knowsAboutMe = ContactAwareness.KNOWS, safeInCrisis = true)),
                ),
            )
            val robin = replaced.helpContacts.single()
            assertEquals("tel:+447700900789", robin.action!!.uri)
            assertEquals(ContactAwareness.KNOWS, robin.knowsAboutMe)
            assertEquals(true, robin.safeInCrisis)
            // Edited by value: what they know, and that they are not safe to call in a crisis.
            val edited = planner.updateContact(robin, robin.copy(knowsAboutMe = ContactAwareness.DOES_NOT_KNOW, safeInCrisis = false))
            assertEquals(ContactAwareness.DOES_NOT_KNOW, edited.knowsAboutMe)
            assertEquals(listOf(false), planner.get().helpContacts.map { it.safeInCrisis })
            assertThrows<KinshipException.NotFound>("the old Robin is gone") { planner.updateContact(sam, sam) }
            val kim = planner.addContactWith(PlanContact("Kim", "+44 7700 900321", knowsAboutMe = ContactAwareness.KNOWS, safeInCrisis = true))
            assertEquals(listOf("Robin", "Kim"), planner.get().helpContacts.map { it.name })
            // At high distress the safety-plan suggestion offers the safe contact, not the unsafe one.
            val offered = profile.coping().suggest(9, emptyList(), 3, null).flatMap { it.actions }.map { it.uri }
            assertTrue(offered.toString(), kim.action!!.uri in offered && edited.action!!.uri !in offered)
            for (section in SafetyPlanSection.entries) assertTrue(safetyPlanHeading(section).isNotBlank())

            profile.lock()
            assertThrows<KinshipException.Locked>("the plan while locked") { planner.get() }
            kotlinx.coroutines.runBlocking { profile.unlock(bytes()) }
            assertEquals(listOf("My cat"), planner.get().reasonsForLiving)
        }
    }
}
