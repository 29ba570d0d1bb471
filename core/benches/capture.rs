//! Capture latency on a real 8-megapixel phone photo (iphone_hdr_NO.jpg,
//! 3264x2448), against two baselines measured in the same run:
//! `sha256sum` of the same file (the floor: reading and hashing it once) and
//! a naive full decode + Lanczos resize with the `image` crate.
//!
//! Targets: durable-and-queued within 3x sha256sum; full processing
//! (durable + thumbnail + preview) at most 60 ms median and at least 5x
//! faster than naive. The ratios are printed at the end as `RATIO` lines.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use siteproof_core::{CaptureContext, Device};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-samples/jpg/hdr/iphone_hdr_NO.jpg")
}

fn ctx() -> CaptureContext {
    CaptureContext {
        fix: None,
        device_time_ms: 1_795_000_000_000,
        utc_offset_min: 480,
        monotonic_ms: 1_000,
        boot_id: "bench".into(),
        order_number: None,
        visit_id: None,
    }
}

/// A byte-distinct copy per iteration so every capture stores a new blob.
struct Inputs {
    dir: tempfile::TempDir,
    src: Vec<u8>,
    n: u64,
}

impl Inputs {
    fn new() -> Self {
        Inputs { dir: tempfile::tempdir().unwrap(), src: std::fs::read(fixture()).unwrap(), n: 0 }
    }
    fn next(&mut self) -> PathBuf {
        self.n += 1;
        let mut bytes = self.src.clone();
        let tag = format!("bench {}", self.n);
        let len = (tag.len() + 2) as u16;
        let mut seg = vec![0xFF, 0xFE];
        seg.extend_from_slice(&len.to_be_bytes());
        seg.extend_from_slice(tag.as_bytes());
        bytes.splice(2..2, seg);
        let p = self.dir.path().join(format!("{}.jpg", self.n));
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

fn sha256sum(path: &Path) {
    let st = Command::new("sha256sum").arg(path).stdout(std::process::Stdio::null()).status().unwrap();
    assert!(st.success());
}

fn naive(path: &Path) {
    let img = image::open(path).unwrap();
    let preview = img.resize(1280, 1280, image::imageops::FilterType::Lanczos3);
    let _thumb = preview.resize(320, 320, image::imageops::FilterType::Lanczos3);
}

fn bench(c: &mut Criterion) {
    let fx = fixture();
    let store = tempfile::tempdir().unwrap();
    let device = Device::open(store.path(), b"bench-secret-0123456789").unwrap();
    let mut inputs = Inputs::new();

    let mut g = c.benchmark_group("capture_iphone_8mp");
    g.bench_function("sha256sum_baseline", |b| b.iter(|| sha256sum(&fx)));
    g.bench_function("durable_and_queued", |b| {
        b.iter_batched(|| inputs.next(), |p| device.capture_photo(&p, ctx()).unwrap(), BatchSize::PerIteration)
    });
    g.bench_function("full_processing", |b| {
        b.iter_batched(
            // Earlier captures' derivatives are made here, untimed, so each
            // timed run makes exactly one photo's.
            || {
                device.make_pending_derivatives().unwrap();
                inputs.next()
            },
            |p| {
                device.capture_photo(&p, ctx()).unwrap();
                device.make_pending_derivatives().unwrap();
            },
            BatchSize::PerIteration,
        )
    });
    g.sample_size(10);
    g.bench_function("naive_image_decode_resize", |b| b.iter(|| naive(&fx)));
    g.finish();

    // Criterion does not relate benchmarks; take medians in one interleaved pass.
    let mut sums = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..15 {
        let p = inputs.next();
        sums[0].push(time(|| sha256sum(&fx)));
        sums[1].push(time(|| drop(device.capture_photo(&p, ctx()).unwrap())));
        device.make_pending_derivatives().unwrap();
        let p = inputs.next();
        sums[2].push(time(|| {
            device.capture_photo(&p, ctx()).unwrap();
            device.make_pending_derivatives().unwrap();
        }));
        if sums[3].len() < 5 {
            sums[3].push(time(|| naive(&fx)));
        }
    }
    let [sha, durable, full, naive_t] = sums.map(median);
    println!(
        "MEDIAN sha256sum {:.2} ms, durable_and_queued {:.2} ms, full_processing {:.2} ms, naive {:.2} ms",
        ms(sha),
        ms(durable),
        ms(full),
        ms(naive_t)
    );
    println!("RATIO durable_and_queued / sha256sum = {:.2} (target <= 3)", ms(durable) / ms(sha));
    println!(
        "RATIO naive / full_processing = {:.2} (target >= 5); full_processing median {:.1} ms (target <= 60)",
        ms(naive_t) / ms(full),
        ms(full)
    );
}

fn time(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4)).sample_size(20);
    targets = bench
}
criterion_main!(benches);
