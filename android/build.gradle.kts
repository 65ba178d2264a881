// The Kinship core for Android, as an Android library (aar): libkinship_ffi.so for four ABIs,
// the Kotlin bindings uniffi generates for it (package app.kinship.core), over JNA, and the
// Android layer over them (package app.kinship.android: src/main/kotlin, plain Kotlin that the
// desktop tests compile too, and src/androidMain/kotlin, which needs android.* and androidx).
//
//   ./build-android-libs.sh     the .so files into src/main/jniLibs (needs the Android NDK)
//   gradle assembleRelease      build/outputs/aar/kinship-android-release.aar
//   gradle test                 the tests in src/test/kotlin, on this machine's JVM against the
//                               host build of the library (as android/run-jvm-tests.sh does)
//
// The bindings are generated before anything compiles (generateUniffiBindings, hooked to
// preBuild) from a debug build of kinship-ffi for this machine, so `cargo` must be installed.
// The sync tests need a kinship-server: export KINSHIP_TEST_SERVER and KINSHIP_TEST_GROUP as
// android/run-jvm-tests.sh does (the test JVM inherits the environment).

import org.gradle.api.tasks.testing.logging.TestExceptionFormat
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.0"
}

group = "app.kinship"
version = "0.1.0"

val jnaVersion = "5.14.0"
val coroutinesVersion = "1.9.0"
val pagingVersion = "3.3.5"
val junitVersion = "4.13.2"

// The ABIs build-android-libs.sh builds, and where it puts them (the default jniLibs folder).
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64", "x86")
val jniLibsDir: File = file("src/main/jniLibs")

// This folder's parent is the Cargo workspace; its target folder may be moved by CARGO_TARGET_DIR.
val workspaceDir: File = projectDir.parentFile
val cargoTargetDir: File = providers.environmentVariable("CARGO_TARGET_DIR")
    .map { workspaceDir.resolve(it) } // an absolute CARGO_TARGET_DIR is taken as it is
    .getOrElse(workspaceDir.resolve("target"))
// Gradle started by an IDE may not see the shell's PATH: -Pkinship.cargo=/path/to/cargo.
val cargo: String = providers.gradleProperty("kinship.cargo").orNull
    ?: File(System.getProperty("user.home"), ".cargo/bin/cargo").takeIf { it.canExecute() }?.path
    ?: "cargo"
// The debug build of kinship-ffi for this machine: uniffi-bindgen reads the interface from it,
// and the unit tests load it through JNA.
val hostLibrary: File = cargoTargetDir.resolve("debug").resolve(
    System.getProperty("os.name").lowercase().let { os ->
        when {
            os.startsWith("mac") -> "libkinship_ffi.dylib"
            os.startsWith("windows") -> "kinship_ffi.dll"
            else -> "libkinship_ffi.so"
        }
    },
)
val uniffiBindingsDir: File = layout.buildDirectory.dir("generated/source/uniffi/main").get().asFile
val readmeExampleDir: File = layout.buildDirectory.dir("generated/source/readme/test").get().asFile

android {
    namespace = "app.kinship.core"
    compileSdk = 35

    defaultConfig {
        minSdk = 26
        // Kept in the app that minifies: JNA and the bindings are reached by reflection.
        consumerProguardFiles("consumer-rules.pro")
    }

    buildTypes {
        release {
            // A library is shrunk by the app that uses it, with consumer-rules.pro.
            isMinifyEnabled = false
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "consumer-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            // The generated Kotlin (generateUniffiBindings below, or build-android-libs.sh).
            // jniLibs stay at the default src/main/jniLibs, where build-android-libs.sh puts them.
            java.srcDir(uniffiBindingsDir)
            // The Android layer: src/main/kotlin (found by default) and the android-only part.
            java.srcDir("src/androidMain/kotlin")
        }
        getByName("test") {
            // The README's Kotlin example, compiled and run with the tests (ReadmeExampleTest).
            java.srcDir(readmeExampleDir)
        }
        // The unit tests are the default src/test/kotlin (app.kinship.core.*Test), run on the
        // desktop JVM: they exercise the same generated code against the host library.
    }

    lint {
        // The generated bindings are not linted (see lint.xml).
        lintConfig = file("lint.xml")
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

// JNA's aar is what the app gets: com.sun.jna with its natives for Android. The unit tests run
// on the desktop JVM and need JNA's jar instead, which carries libjnidispatch for Linux, macOS
// and Windows. The jar is resolved in a configuration of its own and added as plain files, so
// that Gradle does not unify it with the aar of the same module on the test classpath.
val jnaForTest: Configuration by configurations.creating {
    isCanBeConsumed = false
    isTransitive = false
}

dependencies {
    // api: the generated public classes extend JNA types (RustBuffer is a com.sun.jna.Structure).
    api("net.java.dev.jna:jna:$jnaVersion@aar")
    // The generated code runs Rust futures as suspend functions; the Android layer's
    // repositories are suspend functions on an injected dispatcher (api: in their signatures).
    api("org.jetbrains.kotlinx:kotlinx-coroutines-core:$coroutinesVersion")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:$coroutinesVersion")
    // JournalPagingSource (src/androidMain); paging-common holds PagingSource.
    api("androidx.paging:paging-common:$pagingVersion")

    testImplementation("junit:junit:$junitVersion")
    jnaForTest("net.java.dev.jna:jna:$jnaVersion@jar")
    testImplementation(files(jnaForTest))
}

val cargoBuildHost = tasks.register<Exec>("cargoBuildHost") {
    group = "rust"
    description = "Builds kinship-ffi for this machine (debug): the library uniffi-bindgen reads and the unit tests load."
    workingDir(workspaceDir)
    // No declared outputs: it always runs, and cargo itself knows what is up to date.
    commandLine(cargo, "build", "-p", "kinship-ffi", "--lib")
}

val generateUniffiBindings = tasks.register<Exec>("generateUniffiBindings") {
    group = "rust"
    description = "Generates the Kotlin bindings into build/generated/source/uniffi/main (uniffi library mode)."
    dependsOn(cargoBuildHost)
    inputs.file(hostLibrary).withPathSensitivity(PathSensitivity.NONE)
    inputs.file(workspaceDir.resolve("bindings/uniffi.toml")).withPathSensitivity(PathSensitivity.NONE)
    outputs.dir(uniffiBindingsDir)
    workingDir(workspaceDir)
    // Library mode: bindings/uniffi.toml (package app.kinship.core) is found through cargo
    // metadata, so no --config.
    commandLine(
        cargo, "run", "-q", "--bin", "uniffi-bindgen", "--",
        "generate", "--no-format", "--library", hostLibrary.path,
        "--language", "kotlin", "--out-dir", uniffiBindingsDir.path,
    )
    val outDir = uniffiBindingsDir
    doFirst { outDir.deleteRecursively() } // no stale files from types that were removed
}

// The fenced ```kotlin blocks of the README's "Phones" section, as android/run-jvm-tests.sh
// extracts them, so the Gradle unit tests compile and run the same example.
val extractReadmeExample = tasks.register("extractReadmeExample") {
    group = "documentation"
    description = "Writes the README's Kotlin example into build/generated/source/readme/test."
    val readme = workspaceDir.resolve("README.md")
    val outDir = readmeExampleDir
    inputs.file(readme).withPathSensitivity(PathSensitivity.NONE)
    outputs.dir(outDir)
    doLast {
        var phones = false
        var code = false
        val lines = mutableListOf<String>()
        for (line in readme.readLines()) {
            when {
                line.startsWith("## ") -> phones = line.startsWith("## Phones")
                phones && !code && line == "```kotlin" -> code = true
                code && line == "```" -> code = false
                code -> lines += line
            }
        }
        if (lines.isEmpty()) throw GradleException("no ```kotlin block in the README's Phones section")
        outDir.deleteRecursively()
        outDir.mkdirs()
        outDir.resolve("ReadmeExample.kt").writeText(lines.joinToString("\n", postfix = "\n"))
    }
}

// Every variant's build (compile, lint, unit tests, assemble) starts with preBuild.
tasks.named("preBuild") {
    dependsOn(generateUniffiBindings, extractReadmeExample)
}

val buildRustAndroidLibs = tasks.register<Exec>("buildRustAndroidLibs") {
    group = "rust"
    description = "Cross-compiles libkinship_ffi.so for ${abis.joinToString()} with cargo-ndk (build-android-libs.sh, needs the NDK)."
    workingDir(projectDir)
    commandLine("bash", "build-android-libs.sh", "--libs-only")
}

val checkRustJniLibs = tasks.register("checkRustJniLibs") {
    group = "rust"
    description = "Checks that src/main/jniLibs has libkinship_ffi.so for every ABI."
    if (providers.gradleProperty("kinship.buildRust").orNull == "true") {
        dependsOn(buildRustAndroidLibs)
    }
    val expected = abis.map { jniLibsDir.resolve("$it/libkinship_ffi.so") }
    doLast {
        val missing = expected.filterNot { it.isFile }
        if (missing.isNotEmpty()) {
            throw GradleException(
                "Missing ${missing.joinToString()}.\nRun android/build-android-libs.sh (needs the " +
                    "Android NDK), or build with -Pkinship.buildRust=true.",
            )
        }
    }
}

// Packaging the native libraries (assemble, publishing) needs them; unit tests do not.
tasks.configureEach {
    if (name.startsWith("merge") && name.endsWith("JniLibFolders")) {
        dependsOn(checkRustJniLibs)
    }
}

tasks.withType<Test>().configureEach {
    dependsOn(cargoBuildHost)
    systemProperty("jna.library.path", hostLibrary.parentFile.path)
    jvmArgs("-ea")
    testLogging {
        events("passed", "skipped", "failed")
        exceptionFormat = TestExceptionFormat.FULL
    }
}
