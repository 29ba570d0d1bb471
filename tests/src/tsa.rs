//! A local RFC 3161 time-stamping authority for end-to-end tests, so the
//! server's `--tsa-url` and the offline token check meet a real TSA that is
//! not our code: OpenSSL makes a root CA (RSA) and a TSA certificate (ECDSA
//! P-256, critical extendedKeyUsage timeStamping) signed by it, and a tiny
//! HTTP endpoint pipes each `application/timestamp-query` body through
//! `openssl ts -reply`. A real deployment points at a national TSA instead.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tempfile::TempDir;

/// A running local TSA; its listener thread ends with the test process.
pub struct LocalTsa {
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
    /// The chain to configure the server with (`--tsa-chain`): TSA certificate then root, PEM.
    pub chain: PathBuf,
    /// The root certificate alone, PEM (for `openssl ts -verify -CAfile`).
    pub root: PathBuf,
    /// The TSA's own certificate, PEM.
    pub tsa_cert: PathBuf,
    dir: TempDir,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

const TS_CONFIG: &str = "\
[ tsa ]
default_tsa = local_tsa

[ local_tsa ]
dir = .
serial = ./tsaserial
crypto_device = builtin
signer_cert = ./tsa.pem
certs = ./ca.pem
signer_key = ./tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";

impl LocalTsa {
    /// Makes the certificates and starts answering on a free loopback port.
    pub fn start() -> LocalTsa {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "3650",
                "-subj",
                "/CN=Siteproof Test Root CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "tsa.key",
                "-out",
                "tsa.csr",
                "-subj",
                "/CN=Siteproof Test TSA",
            ],
        );
        std::fs::write(
            d.join("tsa-ext.cnf"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n",
        )
        .unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "tsa.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "tsa.pem",
                "-days",
                "365",
                "-extfile",
                "tsa-ext.cnf",
            ],
        );
        std::fs::write(d.join("tsaserial"), "01\n").unwrap();
        std::fs::write(d.join("ts.cnf"), TS_CONFIG).unwrap();
        let chain_text =
            format!("{}{}", std::fs::read_to_string(d.join("tsa.pem")).unwrap(), std::fs::read_to_string(d.join("ca.pem")).unwrap());
        std::fs::write(d.join("chain.pem"), chain_text).unwrap();

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let workdir = Arc::new(d.to_path_buf());
        let counter = Arc::new(AtomicU64::new(0));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                // One request at a time: openssl's serial file is not safe for concurrent replies.
                let _ = answer(stream, &workdir, n);
            }
        });
        LocalTsa { url, chain: d.join("chain.pem"), root: d.join("ca.pem"), tsa_cert: d.join("tsa.pem"), dir }
    }

    /// Signs a DER TimeStampReq the way the HTTP endpoint does; returns the DER TimeStampResp.
    pub fn reply_to(&self, request: &[u8]) -> Vec<u8> {
        let n = u64::MAX - rand::random::<u32>() as u64;
        reply(self.dir.path(), request, n)
    }

    /// `openssl x509 -fingerprint -sha256` of the root: what a reader compares.
    pub fn root_fingerprint(&self) -> String {
        let out = Command::new("openssl").args(["x509", "-noout", "-fingerprint", "-sha256", "-in"]).arg(&self.root).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        text.trim().rsplit('=').next().unwrap().to_string()
    }
}

fn reply(dir: &Path, request: &[u8], n: u64) -> Vec<u8> {
    let query = dir.join(format!("q-{n}.tsq"));
    let answer = dir.join(format!("r-{n}.tsr"));
    std::fs::write(&query, request).unwrap();
    let q = query.to_str().unwrap();
    let a = answer.to_str().unwrap();
    openssl(dir, &["ts", "-reply", "-config", "ts.cnf", "-queryfile", q, "-out", a]);
    std::fs::read(&answer).unwrap()
}

fn answer(stream: TcpStream, dir: &Path, n: u64) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    let resp = reply(dir, &body, n);
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        resp.len()
    )?;
    out.write_all(&resp)?;
    out.flush()
}
