// swift-tools-version:5.9
// SiteproofKit: the Rust core as a Swift package. SiteproofFFIC is the
// static library with its C header (an xcframework made by
// ../build-xcframework.sh); SiteproofFFI is the uniffi-generated Swift over
// it (generated, git-ignored). The app and the XCTest suite import SiteproofFFI.
import PackageDescription

let package = Package(
    name: "SiteproofKit",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "SiteproofFFI", targets: ["SiteproofFFI"]),
    ],
    targets: [
        .binaryTarget(name: "SiteproofFFIC", path: "SiteproofFFIC.xcframework"),
        .target(name: "SiteproofFFI", dependencies: ["SiteproofFFIC"], path: "Sources/SiteproofFFI"),
        .testTarget(name: "SiteproofKitTests", dependencies: ["SiteproofFFI"], path: "Tests/SiteproofKitTests"),
    ]
)
