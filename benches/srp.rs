//! The server's SRP work per USER_SRP_AUTH sign-in, `cargo bench --bench srp`: the emulator's
//! code (aws-lc BIGNUM) against the same four exponentiations done with num-bigint 0.4.
//! Rounds alternate (the machine's speed drifts); one thread; prints figures, asserts only
//! that both give the same numbers.

use std::time::{Duration, Instant};

use cognito_emulator::infra::crypto::srp;
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
const ROUNDS: usize = 5;
const LOGINS: u32 = 100;

fn pad(n: &BigUint) -> Vec<u8> {
    let mut bytes = n.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        bytes.insert(0, 0);
    }
    bytes
}

fn h(parts: &[&[u8]]) -> BigUint {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    BigUint::from_bytes_be(&hasher.finalize())
}

/// What the server computed before, with num-bigint: v, B and S (4 exponentiations).
struct NumBigint {
    n: BigUint,
    g: BigUint,
    k: BigUint,
}

impl NumBigint {
    fn login(&self, x: &BigUint, b: &BigUint, a: &BigUint) -> (BigUint, BigUint, BigUint) {
        let n = &self.n;
        let v = self.g.modpow(x, n);
        let big_b = (&self.k * &v + self.g.modpow(b, n)) % n;
        let u = h(&[&pad(a), &pad(&big_b)]);
        let s = ((a % n) * v.modpow(&u, n)).modpow(b, n);
        (v, big_b, s)
    }
}

/// The emulator's per-sign-in calls, as `start_srp` and `verify_srp` make them.
fn emulator_login(x: &[u8; 32], a: &BigUint) -> Option<[u8; 16]> {
    let v = srp::verifier_from_x(x);
    let challenge = srp::server_challenge(&v);
    srp::session_key(a, &challenge.big_b, &challenge.b, &v)
}

fn main() {
    let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
    let g = BigUint::from(2u32);
    let k = h(&[&pad(&n), &pad(&g)]);
    let old = NumBigint { n, g, k };
    let x: [u8; 32] = rand::random();
    let a = old
        .g
        .modpow(&BigUint::from_bytes_be(&rand::random::<[u8; 32]>()), &old.n);

    // Same numbers from both.
    let b = BigUint::from_bytes_be(&rand::random::<[u8; 32]>());
    let (v, big_b, _) = old.login(&BigUint::from_bytes_be(&x), &b, &a);
    assert_eq!(srp::verifier_from_x(&x), v);
    assert_eq!(
        srp::server_challenge_with_b(&v, b).unwrap().big_b,
        big_b,
        "B differs"
    );

    let time = |f: &mut dyn FnMut()| {
        let started = Instant::now();
        for _ in 0..LOGINS {
            f();
        }
        started.elapsed() / LOGINS
    };
    let (mut new_times, mut old_times) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        new_times.push(time(&mut || assert!(emulator_login(&x, &a).is_some())));
        old_times.push(time(&mut || {
            let b = BigUint::from_bytes_be(&rand::random::<[u8; 32]>());
            drop(old.login(&BigUint::from_bytes_be(&x), &b, &a));
        }));
    }
    let median = |mut t: Vec<Duration>| {
        t.sort();
        t[t.len() / 2]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (new, old) = (median(new_times), median(old_times));
    println!("SRP server work per USER_SRP_AUTH sign-in (v, B, S: 4 exponentiations modulo the 3072-bit N, 256-bit exponents), one thread, median of {ROUNDS} alternating rounds of {LOGINS}:");
    println!(
        "  emulator (aws-lc BIGNUM, constant time for x and b): {:.2} ms",
        ms(new)
    );
    println!(
        "  num-bigint 0.4 (before):                            {:.2} ms",
        ms(old)
    );
    println!("  speed-up: {:.2}x", old.as_secs_f64() / new.as_secs_f64());
}
