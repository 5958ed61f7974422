// swift-tools-version:5.9
// VigilKit: every part of the iOS shell that needs only Foundation (view models, the mapping
// of core actions to notifications / composer / calls, scheduling maths), compiled and
// tested against the real core on Linux (ios/scripts/swift-test.sh) and used by the app.
import PackageDescription

#if os(Linux)
  // Linux (the test chroot): the generated C headers as a system library, linked against
  // libvigil_ffi.so copied into lib/ by the test script.
  let ffi: Target = .systemLibrary(name: "VigilCoreFFI", path: "Sources/VigilCoreFFI/include")
  let coreLinker: [LinkerSetting] = [
    .unsafeFlags(["-L", Context.packageDirectory + "/lib"]), .linkedLibrary("vigil_ffi"),
  ]
#else
  // On a Mac: the XCFramework built by the commands in ios/README.md.
  let ffi: Target = .binaryTarget(name: "VigilCoreFFI", path: "build/VigilCoreFFI.xcframework")
  let coreLinker: [LinkerSetting] = []
#endif

let package = Package(
  name: "VigilKit",
  // The app's strings: Sources/VigilKit/Resources/<lang>.lproj, written by
  // android/tools/strings.py (Bundle.module, on Linux too).
  defaultLocalization: "en",
  platforms: [.iOS(.v17), .macOS(.v14)],
  products: [.library(name: "VigilKit", targets: ["VigilKit"])],
  targets: [
    ffi,
    // The generated VigilCore.swift and VigilCoreTypes.swift, copied in by the test script
    // (never committed: they are regenerated from the core).
    .target(name: "VigilCore", dependencies: ["VigilCoreFFI"], linkerSettings: coreLinker),
    .target(name: "VigilKit", dependencies: ["VigilCore"], resources: [.process("Resources")]),
    .testTarget(name: "VigilKitTests", dependencies: ["VigilKit", "VigilCore"]),
  ]
)
