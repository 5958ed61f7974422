package app.vigil.android

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.location.Location
import android.location.LocationManager
import android.net.Uri
import android.widget.LinearLayout
import android.widget.TextView
import app.vigil.android.logic.Msg
import app.vigil.android.logic.ServicesView
import app.vigil.android.logic.UiText
import app.vigil.core.NearbyInput
import app.vigil.core.ServiceListing

/** Services near me: the last known location from LocationManager (no Play services),
 *  the core's `nearbyServices`, and a `geo:` intent any maps app answers. Without a
 *  location she can search by name or postcode. */
class ServicesActivity : SessionActivity() {
    private lateinit var results: LinearLayout
    private lateinit var status: TextView

    override fun build() {
        val search = field(R.string.screen_hint, "search")
        button(R.string.screen_button, "search-button") {
            attempt(status) { session.searchServices(search.text.toString(), 20u, app.now()) }?.let { show(it) }
        }
        status = label("", "status")
        results = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }.also { root.addView(it) }
        val here = lastLocation()
        if (here == null) {
            status.setText(R.string.services_no_location)
        } else {
            runCatching { session.updateLocation(here.latitude, here.longitude, here.accuracy.toDouble(), app.now()) }
            attempt(status) {
                session.nearbyServices(NearbyInput(here.latitude, here.longitude, 10.0, 20u, emptyList(), null), app.now())
            }?.let { show(it) }
        }
    }

    private fun lastLocation(): Location? {
        if (checkSelfPermission(Manifest.permission.ACCESS_COARSE_LOCATION) != PackageManager.PERMISSION_GRANTED) return null
        val lm = getSystemService(LocationManager::class.java) ?: return null
        return listOf(LocationManager.GPS_PROVIDER, LocationManager.NETWORK_PROVIDER, LocationManager.PASSIVE_PROVIDER)
            .mapNotNull { runCatching { lm.getLastKnownLocation(it) }.getOrNull() }
            .maxByOrNull { it.time }
    }

    private fun show(listing: ServiceListing) {
        results.removeAllViews()
        lines(results, ServicesView.warnings(listing))
        for (row in ServicesView.rows(listing)) {
            results.addView(TextView(this).apply { text = "${row.hit.name} · ${row.distance} · ${getString(resources.getIdentifier(row.state.res, "string", packageName))}" })
            button(R.string.directions, "directions-${row.hit.id}", results) {
                startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(ServicesView.directionsUri(row.hit))))
            }
        }
    }
}

/** A bundle file shared to the app (alerts or directory): the core picks the importer and
 *  checks the signature. */
class ImportActivity : SessionActivity() {
    override fun build() {
        val status = label("", "status")
        val uri = if (intent.action == Intent.ACTION_SEND) {
            if (android.os.Build.VERSION.SDK_INT >= 33) intent.getParcelableExtra(Intent.EXTRA_STREAM, Uri::class.java)
            else @Suppress("DEPRECATION") intent.getParcelableExtra(Intent.EXTRA_STREAM)
        } else intent.data
        val bytes = uri?.let { runCatching { contentResolver.openInputStream(it)?.use { s -> s.readBytes() } }.getOrNull() }
        if (bytes == null) {
            status.text = say(UiText.Res(Msg.ERROR_GENERIC, listOf("file")))
            return
        }
        attempt(status) { session.importBundle(bytes, app.now()) }?.let {
            status.text = say(UiText.Res(Msg.IMPORTED, listOf(it.records.toInt())))
        }
    }
}
