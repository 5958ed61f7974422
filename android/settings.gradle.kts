// For a machine with the Android SDK and NDK (README, "Android"). NOT RUN on the machine
// this project is developed on: there is no Android Gradle Plugin or NDK there; the Maven
// build (pom.xml) and build-apk.sh are what run in CI.
pluginManagement {
    repositories { google(); mavenCentral(); gradlePluginPortal() }
}
dependencyResolutionManagement {
    repositories { google(); mavenCentral() }
}
rootProject.name = "vigil-android"
include(":app")
