// swift-tools-version: 6.1
import PackageDescription

/// One set of compiler settings for every target: Swift 6 language mode, strict concurrency.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "SmartVinhLong",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Domain", targets: ["Domain"]),
        .executable(name: "smartvl-server", targets: ["Server"]),
        .executable(name: "smartvl", targets: ["Client"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // The pure model: rules, validation, state machines, calendar. Foundation only.
        .target(
            name: "Domain",
            resources: [.copy("Resources/ReferenceData")],
            swiftSettings: swiftSettings
        ),
        // `smartvl-server`: HTTP, storage, admin commands around Domain.
        .executableTarget(
            name: "Server",
            dependencies: [
                "Domain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // `smartvl`: the command-line client.
        .executableTarget(
            name: "Client",
            dependencies: [
                "Domain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DomainTests",
            dependencies: [
                "Domain",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ClientTests",
            dependencies: ["Client"],
            swiftSettings: swiftSettings
        ),
        // Runs the real binaries as subprocesses; depends on them so they are built first.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Domain", "Server", "Client"],
            swiftSettings: swiftSettings
        ),
    ]
)
