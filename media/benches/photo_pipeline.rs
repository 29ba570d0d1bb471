//! What a photo costs on capture, on one real 8 MP phone JPEG: hashing it
//! (the floor: capture must read every byte anyway), reading its headers,
//! making its thumbnail and preview, and the naive way of making them with
//! the `image` crate, which the fast path must beat by 5×.
//!
//! Run: `cargo bench -p siteproof-media --bench photo_pipeline -- --warm-up-time 1 --measurement-time 3`.
//! Criterion cannot compare two benchmarks, so the last target times each
//! case with a plain loop and prints `RATIO` lines. To add a case, add a
//! function to `cases()`.

use std::fs::File;
use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use sha2::{Digest, Sha256};
use siteproof_media as media;

/// A file from the shared camera samples (shared/ sits beside the repository).
fn fixture(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-samples").join(rel);
    assert!(p.is_file(), "benchmark fixture missing: {}", p.display());
    p
}

/// The photo every case runs on: an iPhone 3264×2448 JPEG with EXIF and GPS.
fn bench_photo() -> PathBuf {
    fixture("jpg/hdr/iphone_hdr_NO.jpg")
}

fn sha256_file(path: &Path) -> [u8; 32] {
    let mut f = File::open(path).unwrap();
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    h.finalize().into()
}

fn headers(path: &Path) -> (media::PhotoInfo, media::ExifSummary) {
    (media::read_photo_info(path).unwrap(), media::read_exif(path))
}

fn derivatives(path: &Path, info: &media::PhotoInfo) -> media::Derivatives {
    media::make_derivatives(path, info).unwrap()
}

fn naive(path: &Path) -> (image::DynamicImage, image::DynamicImage) {
    use image::imageops::FilterType;
    let img = image::open(path).unwrap();
    let preview = img.resize(1280, 1280, FilterType::Lanczos3);
    let thumb = preview.resize(320, 320, FilterType::Lanczos3);
    (preview, thumb)
}

type Case = (&'static str, Box<dyn Fn()>);

/// Every timed case, by name; the criterion groups and the ratio loop both use this list.
fn cases() -> Vec<Case> {
    let path = bench_photo();
    let info = media::read_photo_info(&path).unwrap();
    let p = path.clone();
    let p2 = path.clone();
    let p3 = path.clone();
    vec![
        (
            "sha256",
            Box::new(move || {
                black_box(sha256_file(&p));
            }),
        ),
        ("photo_info+exif", Box::new(move || drop(black_box(headers(&p2))))),
        ("make_derivatives", Box::new(move || drop(black_box(derivatives(&p3, &info))))),
        ("naive_image_resize", Box::new(move || drop(black_box(naive(&path))))),
    ]
}

fn photo_pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("photo_pipeline");
    for (name, f) in cases() {
        if name.starts_with("naive") {
            // ~300 ms each: fewer samples keep the run short.
            g.sample_size(10);
        }
        g.bench_function(name, |b| b.iter(&f));
    }
    g.finish();
}

fn median(f: &dyn Fn(), runs: usize) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ratios(_: &mut Criterion) {
    // Under `cargo test --benches` criterion runs each case once; skip the
    // slow comparison there.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let medians: Vec<(&str, Duration)> =
        cases().into_iter().map(|(name, f)| (name, median(&f, if name.starts_with("naive") { 7 } else { 21 }))).collect();
    let get = |n: &str| medians.iter().find(|(m, _)| *m == n).map(|(_, d)| d.as_secs_f64() * 1e3).unwrap();
    for (name, d) in &medians {
        println!("MEDIAN {name} {:.2} ms", d.as_secs_f64() * 1e3);
    }
    let (fast, slow, hash) = (get("make_derivatives"), get("naive_image_resize"), get("sha256"));
    println!("RATIO make_derivatives/naive_image_resize = {:.3} ({:.1}x faster)", fast / slow, slow / fast);
    println!("RATIO make_derivatives/sha256 = {:.2}", fast / hash);
    println!("RATIO photo_info+exif/sha256 = {:.3}", get("photo_info+exif") / hash);
}

criterion_group!(benches, photo_pipeline, ratios);
criterion_main!(benches);
