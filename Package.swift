// swift-tools-version:6.2

import PackageDescription

let package = Package(
    name: "Annals",
    products: [
        .executable(name: "annalsd", targets: ["annalsd"]),
        .executable(name: "annals", targets: ["annals"]),
        .library(name: "AnnalsCore", targets: ["AnnalsCore"]),
        .library(name: "AnnalsClient", targets: ["AnnalsClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // System C libraries, wrapped in project-prefixed modules with shim headers.
        .systemLibrary(
            name: "CAnnalsSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CAnnalsZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CAnnalsPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // glibc's malloc.h (malloc_trim), part of the C library itself.
        .systemLibrary(name: "CAnnalsMalloc"),
        // Linux's epoll (sys/epoll.h, part of the C library itself), for the server's event loops.
        .systemLibrary(name: "CAnnalsEpoll"),

        // Pure values: the event model, historical dates, the event-log codec. No I/O.
        .target(name: "AnnalsCore"),

        // The storage protocol and its SQLite engine.
        // It keeps each revision in the wire encoding (AnnalsProtocol), so pages are sent as stored.
        .target(name: "AnnalsStore", dependencies: ["AnnalsCore", "AnnalsProtocol", "CAnnalsSQLite", "CAnnalsZlib"]),

        // The PostgreSQL engine behind the same protocol (libpq), for many annalsd in front of one database.
        .target(name: "AnnalsPostgres", dependencies: ["AnnalsCore", "AnnalsProtocol", "AnnalsStore", "CAnnalsPQ"]),

        // Frames, message codecs and error codes of the wire protocol. No I/O.
        .target(name: "AnnalsProtocol", dependencies: ["AnnalsCore"]),

        // The Dispatch TCP server that serves a store.
        .target(
            name: "AnnalsServer",
            dependencies: [
                "AnnalsCore", "AnnalsProtocol", "AnnalsStore", "CAnnalsEpoll",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The client library used by the CLI, the tests and the benchmark.
        .target(name: "AnnalsClient", dependencies: ["AnnalsCore", "AnnalsProtocol"]),

        // Reading the event datasets analysts have (GDELT, ICEWS, ACLED): records, codebooks, mapping to
        // events, import filters. No I/O.
        .target(name: "AnnalsImport", dependencies: ["AnnalsCore"]),

        // Input files as byte streams: plain, gzip, or a single-entry zip, from a path or standard input.
        .target(name: "AnnalsInput", dependencies: ["CAnnalsZlib"]),

        // Output formats of the CLI: text timeline, JSON, CSV, Markdown, TimelineJS, detail and stats views.
        .target(name: "AnnalsFormat", dependencies: ["AnnalsCore"]),

        .executableTarget(
            name: "annalsd",
            dependencies: [
                "AnnalsServer", "AnnalsStore", "AnnalsPostgres", "AnnalsProtocol", "CAnnalsMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "annals",
            dependencies: [
                "AnnalsCore", "AnnalsClient", "AnnalsProtocol", "AnnalsFormat", "AnnalsImport", "AnnalsInput",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The benchmark driver (Scripts/bench): corpus generator, in-process baselines, load against annalsd;
        // also the GDELT-shaped file behind the import-rate figure.
        .executableTarget(
            name: "annals-bench",
            dependencies: [
                "AnnalsCore", "AnnalsClient", "AnnalsProtocol", "AnnalsStore", "CAnnalsSQLite", "AnnalsImport",
                "AnnalsPostgres", .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        // Fuzzes the frame and payload decoders: a seeded mutator, or libFuzzer when built by Scripts/fuzz.
        .executableTarget(name: "annals-fuzz", dependencies: ["AnnalsCore", "AnnalsProtocol", "AnnalsFuzzing"]),
        // The seeded generator and the frame mutator the fuzzer and the hardening tests share.
        .target(name: "AnnalsFuzzing", dependencies: ["AnnalsProtocol"]),

        .testTarget(name: "AnnalsCoreTests", dependencies: ["AnnalsCore"], exclude: ["Fixtures"]),
        // Test support for the store tests: sample events, the pinned clock, threads for concurrent writers.
        .target(name: "AnnalsStoreTesting", dependencies: ["AnnalsCore", "AnnalsStore"], path: "Tests/AnnalsStoreTesting"),
        // What only the SQLite engine has: its files, compression, migrations, the search index file.
        .testTarget(name: "AnnalsStoreTests", dependencies: ["AnnalsCore", "AnnalsStore", "AnnalsStoreTesting", "CAnnalsSQLite"],
                    exclude: ["Fixtures"]),
        // One suite, every test run against every engine (SQLite, and PostgreSQL on ANNALS_TEST_POSTGRESQL).
        .testTarget(
            name: "AnnalsStoreConformanceTests",
            dependencies: ["AnnalsCore", "AnnalsStore", "AnnalsPostgres", "AnnalsStoreTesting", "AnnalsFuzzing", "CAnnalsPQ"]
        ),
        // Test support: an AnnalsServer inside the test process on port 0, its log kept in memory.
        .target(
            name: "AnnalsServerTesting",
            dependencies: [
                "AnnalsServer", "AnnalsStore", "AnnalsClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            path: "Tests/AnnalsServerTesting"
        ),
        .testTarget(
            name: "AnnalsServerTests",
            dependencies: ["AnnalsServer", "AnnalsServerTesting", "AnnalsClient", "AnnalsCore", "AnnalsProtocol", "AnnalsStore"]
        ),
        .testTarget(name: "AnnalsImportTests", dependencies: ["AnnalsCore", "AnnalsImport"]),
        // The PostgreSQL engine: unit tests without a server, and tests against the server ANNALS_TEST_POSTGRESQL
        // names (Scripts/test starts one); without it those fail, saying so.
        .testTarget(name: "AnnalsPostgresTests", dependencies: ["AnnalsPostgres", "AnnalsStore", "AnnalsStoreTesting", "AnnalsCore", "AnnalsProtocol", "CAnnalsSQLite"]),
        .testTarget(
            name: "AnnalsInputTests",
            // ZIPFoundation writes the zip files the reader is tested on: a writer that is not ours.
            dependencies: ["AnnalsInput", "CAnnalsZlib", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(name: "AnnalsProtocolTests", dependencies: ["AnnalsCore", "AnnalsProtocol"]),
        .testTarget(name: "AnnalsClientTests", dependencies: ["AnnalsCore", "AnnalsProtocol", "AnnalsClient"]),
        .testTarget(name: "AnnalsFormatTests", dependencies: ["AnnalsCore", "AnnalsFormat"], exclude: ["Golden"]),
        .testTarget(
            name: "AnnalsEndToEndTests",
            dependencies: [
                "AnnalsCore", "AnnalsClient", "AnnalsProtocol", "AnnalsFuzzing", "AnnalsImport", "AnnalsServer", "AnnalsServerTesting",
                "AnnalsStoreTesting",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            exclude: ["Golden"]
        ),
    ]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
