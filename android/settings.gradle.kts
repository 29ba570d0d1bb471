// The Android build: the Compose app and the plain-Kotlin view logic it shares
// with the JVM tests. The Rust core is built into the app by :app's cargo tasks.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "siteproof-android"

include(":app", ":shared-logic")
