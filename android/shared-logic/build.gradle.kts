// The phone's view logic as a plain Kotlin/JVM library, so `./gradlew
// :shared-logic:test` runs it without an emulator; the bindings' JVM harness
// (cargo test -p siteproof-ffi --test kotlin) compiles the same sources.
plugins {
    alias(libs.plugins.kotlin.jvm)
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    testImplementation(libs.junit)
}
