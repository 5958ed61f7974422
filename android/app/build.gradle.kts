// NOT RUN here (see ../settings.gradle.kts). The real app: the same sources as the Maven
// build, plus the core as libvigil_ffi.so for each ABI, built by `cargo ndk`, and JNA's aar.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val repoRoot = rootDir.parentFile
val jniOut = layout.buildDirectory.dir("cargo-ndk").get().asFile

android {
    namespace = "app.vigil.android"
    compileSdk = 34
    defaultConfig {
        applicationId = "app.vigil.android"
        minSdk = 26
        targetSdk = 34
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }
    sourceSets["main"].java.srcDirs("src/main/kotlin", "$repoRoot/bindings/generated/kotlin")
    sourceSets["main"].jniLibs.srcDirs(jniOut)
    sourceSets["test"].java.srcDirs("src/test/kotlin") // not src/testShim: real androidx.test here
    buildTypes {
        release {
            isMinifyEnabled = true
            // JNA and the generated bindings are reached by reflection.
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    testOptions { unitTests.isIncludeAndroidResources = true }
}

dependencies {
    implementation("net.java.dev.jna:jna:5.19.1@aar")
    testImplementation("junit:junit:4.13.2")
    testImplementation("org.robolectric:robolectric:4.17")
    testImplementation("net.java.dev.jna:jna:5.19.1")
}

// The core for each ABI (needs the NDK and `cargo install cargo-ndk`), then the bindings.
// Built as the cdylib alone (`rustc --crate-type cdylib`): with the package's rlib in the
// same run, LTO keeps every Rust symbol and the library is ~0.7 MB larger (docs/bindings.md
// "Size"). Not run here (no NDK on the CI machines).
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = repoRoot
    commandLine(
        "cargo", "ndk", "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64", "--platform", "26",
        "-o", jniOut.path, "rustc", "--release", "-p", "vigil-ffi", "--lib", "--crate-type", "cdylib",
    )
}
val bindings by tasks.registering(Exec::class) {
    workingDir = repoRoot
    commandLine("bash", "tests/generate-bindings.sh", "--release")
}
tasks.named("preBuild") { dependsOn(cargoNdk, bindings) }
