package app.vigil.android

import android.content.res.Configuration
import app.vigil.android.logic.Msg
import java.util.Locale
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config

/** Every text the plain classes name exists, in English and in each language the core's
 *  message templates have (en, es, pl, pt, pt-BR, ro). */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class StringsTest {
    private val languages = listOf(Locale("es"), Locale("pl"), Locale("pt"), Locale("pt", "BR"), Locale("ro"))

    @Test
    fun everyMessageResolvesInEveryLanguage() {
        val app = RuntimeEnvironment.getApplication()
        for (msg in Msg.values()) assertNotEquals(msg.res, 0, app.resources.getIdentifier(msg.res, "string", app.packageName))
        val english = app.getString(R.string.unlock_title)
        for (locale in languages) {
            val config = Configuration(app.resources.configuration).apply { setLocale(locale) }
            val localized = app.createConfigurationContext(config)
            assertNotEquals(locale.toString(), english, localized.getString(R.string.unlock_title))
            for (msg in Msg.values()) {
                val text = localized.getString(app.resources.getIdentifier(msg.res, "string", app.packageName))
                assertTrue("$locale ${msg.res}", text.isNotBlank())
            }
        }
        assertEquals("Notas", app.createConfigurationContext(Configuration().apply { setLocale(Locale("es")) }).getString(R.string.camouflage_name))
    }
}
