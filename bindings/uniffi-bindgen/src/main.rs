//! `uniffi-bindgen`: generates the Kotlin and Swift bindings from the built
//! `siteproof_ffi` library. It lives in the workspace so the generator is
//! always the exact uniffi release the library was built with; a mismatch
//! would only show up as a crash on the phone.

fn main() {
    uniffi::uniffi_bindgen_main()
}
