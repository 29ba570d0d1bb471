//! A misbehaving TCP link for tests: forwards loopback connections to a
//! server, but cuts some of them after a random number of bytes and stalls
//! others, the way a phone's link behaves in a stairwell.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

/// How badly the link behaves.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// Chance that a connection is cut somewhere in its life.
    pub cut_probability: f64,
    /// A cut happens after up to this many bytes upstream.
    pub cut_within_bytes: u64,
    /// Chance that a read stalls.
    pub stall_probability: f64,
    /// Longest stall.
    pub max_stall: Duration,
    /// Cuts made for certain before chance takes over: keep-alive can carry a
    /// whole sync over one connection, and a fault test whose only connection
    /// escaped its chance of a cut would prove nothing.
    pub first_cuts: u64,
}

impl Faults {
    /// A clean link.
    pub const NONE: Faults =
        Faults { cut_probability: 0.0, cut_within_bytes: 1, stall_probability: 0.0, max_stall: Duration::ZERO, first_cuts: 0 };
}

/// A running proxy; stops accepting when dropped.
pub struct FlakyProxy {
    /// Address to connect to instead of the server.
    pub url: String,
    stop: Arc<AtomicBool>,
    enabled: Arc<AtomicBool>,
    /// Connections cut so far.
    pub cuts: Arc<AtomicU64>,
}

impl FlakyProxy {
    /// Proxies to `target` (host:port) with the given faults.
    pub fn start(target: String, faults: Faults) -> FlakyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let enabled = Arc::new(AtomicBool::new(true));
        let cuts = Arc::new(AtomicU64::new(0));
        let (stop2, cuts2, enabled2) = (stop.clone(), cuts.clone(), enabled.clone());
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let target = target.clone();
                        let cuts = cuts2.clone();
                        // Faults are decided per connection, when it opens; until
                        // `first_cuts` cuts have happened, every connection is cut.
                        let mut f = if enabled2.load(Ordering::Relaxed) { faults } else { Faults::NONE };
                        if cuts.load(Ordering::Relaxed) < f.first_cuts {
                            f.cut_probability = 1.0;
                        }
                        std::thread::spawn(move || relay(client, &target, f, &cuts));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FlakyProxy { url, stop, enabled, cuts }
    }

    /// Turns the faults on or off for connections opened from now on.
    pub fn set_faulty(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
    }
}

impl Drop for FlakyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn relay(client: TcpStream, target: &str, f: Faults, cuts: &AtomicU64) {
    let Ok(server) = TcpStream::connect(target) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let mut rng = rand::thread_rng();
    let cut_after = if rng.gen_bool(f.cut_probability) { Some(rng.gen_range(0..f.cut_within_bytes.max(1))) } else { None };
    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    // Downstream (server -> client) plainly.
    let down = std::thread::spawn(move || pipe(s2, c2, None, f, None));
    // Upstream carries the uploads: that is where cuts and stalls hurt.
    pipe(client, server, cut_after, f, Some(cuts));
    let _ = down.join();
}

fn pipe(mut from: TcpStream, mut to: TcpStream, cut_after: Option<u64>, f: Faults, cuts: Option<&AtomicU64>) {
    let mut rng = rand::thread_rng();
    let mut buf = [0u8; 16 * 1024];
    let mut moved = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if cuts.is_some() && rng.gen_bool(f.stall_probability) {
            std::thread::sleep(f.max_stall.mul_f64(rng.gen_range(0.0..1.0)));
        }
        if let Some(limit) = cut_after {
            if moved + n as u64 > limit {
                if let Some(c) = cuts {
                    c.fetch_add(1, Ordering::Relaxed);
                }
                break;
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        moved += n as u64;
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
