// The Android library module of Kinship: the Rust core (libkinship_ffi.so, cross-compiled by
// build-android-libs.sh) with its uniffi-generated Kotlin bindings, package app.kinship.core.
// Needs Gradle 8.9 or newer (Android Gradle Plugin 8.7) and JDK 17. An app uses it as an
// included build, `includeBuild("path/to/kinship/android")` in its settings.gradle.kts, then
// `implementation("app.kinship:kinship-android")`.
pluginManagement {
    repositories {
        google {
            content {
                includeGroupByRegex("com\\.android.*")
                includeGroupByRegex("com\\.google.*")
                includeGroupByRegex("androidx.*")
            }
        }
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

rootProject.name = "kinship-android"
