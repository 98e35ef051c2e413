//! Password hashes imported with users (a user import job's `PasswordHashingAlgorithm`):
//! bcrypt's modular crypt form (`$2a$`, `$2b$`, `$2y$`) and the PHC string forms of
//! Argon2id (`$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`), scrypt (`$scrypt$ln=…,r=…,p=…$…`)
//! and PBKDF2-SHA256 (`$pbkdf2-sha256$i=…,l=…$…`), as the RustCrypto crates and most
//! libraries write them. Checking one costs what its parameters say (tens of milliseconds
//! and more): never under a pool lock.

use argon2::password_hash::{PasswordHash, PasswordVerifier};

use crate::generated::cognito_idp::PasswordHashingAlgorithmType as Algorithm;

/// Whether `hash` is a hash of `algorithm` in the form this module reads, with parameters
/// no dearer than [`affordable`] allows.
pub fn well_formed(algorithm: Algorithm, hash: &str) -> bool {
    match algorithm {
        Algorithm::Bcrypt => hash
            .parse::<bcrypt::HashParts>()
            .is_ok_and(|parts| parts.get_cost() <= MAX_BCRYPT_COST),
        _ => PasswordHash::new(hash).is_ok_and(|parsed| {
            parsed.algorithm.as_str() == ident(algorithm) && affordable(algorithm, &parsed)
        }),
    }
}

/// The dearest parameters accepted: a hash is checked during a sign-in, and an imported file
/// must not make one sign-in take gigabytes of memory or minutes of CPU. Each bound is well
/// above what the libraries' defaults and OWASP's recommendations use.
const MAX_BCRYPT_COST: u32 = 16;
const MAX_MEMORY_KIB: u64 = 256 * 1024;
const MAX_PASSES: u64 = 16;
const MAX_LANES: u64 = 16;
const MAX_PBKDF2_ROUNDS: u64 = 5_000_000;

fn affordable(algorithm: Algorithm, parsed: &PasswordHash) -> bool {
    let param = |name: &str| parsed.params.get_decimal(name).map(u64::from);
    match algorithm {
        Algorithm::Argon2id => {
            param("m").is_some_and(|m| m <= MAX_MEMORY_KIB)
                && param("t").is_some_and(|t| t <= MAX_PASSES)
                && param("p").is_some_and(|p| p <= MAX_LANES)
        }
        Algorithm::Scrypt => {
            // Memory: 128 · r · 2^ln bytes.
            let (Some(ln), Some(r), Some(p)) = (param("ln"), param("r"), param("p")) else {
                return false;
            };
            ln < 32 && p <= MAX_LANES && (128 * r) << ln <= MAX_MEMORY_KIB * 1024
        }
        Algorithm::Pbkdf2Sha256 => param("i").is_some_and(|i| i <= MAX_PBKDF2_ROUNDS),
        Algorithm::Bcrypt => true,
    }
}

fn ident(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Bcrypt => "2b",
        Algorithm::Argon2id => "argon2id",
        Algorithm::Scrypt => "scrypt",
        Algorithm::Pbkdf2Sha256 => "pbkdf2-sha256",
    }
}

/// Whether `password` is the one `hash` was made from.
pub fn verify(algorithm: Algorithm, hash: &str, password: &str) -> bool {
    if !well_formed(algorithm, hash) {
        return false;
    }
    crate::infra::blocking::section(|| verify_well_formed(algorithm, hash, password))
}

fn verify_well_formed(algorithm: Algorithm, hash: &str, password: &str) -> bool {
    if algorithm == Algorithm::Bcrypt {
        return bcrypt::verify(password, hash).unwrap_or(false);
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let password = password.as_bytes();
    match algorithm {
        Algorithm::Argon2id => argon2::Argon2::default().verify_password(password, &parsed),
        Algorithm::Scrypt => scrypt::Scrypt.verify_password(password, &parsed),
        Algorithm::Pbkdf2Sha256 => pbkdf2::Pbkdf2.verify_password(password, &parsed),
        Algorithm::Bcrypt => unreachable!("checked above"),
    }
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, SaltString};

    #[test]
    fn every_algorithm_checks_its_own_form() {
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let hashes = [
            (Algorithm::Bcrypt, bcrypt::hash("s3cret!", 4).unwrap()),
            (
                Algorithm::Argon2id,
                argon2::Argon2::default()
                    .hash_password(b"s3cret!", &salt)
                    .unwrap()
                    .to_string(),
            ),
            (
                Algorithm::Scrypt,
                scrypt::Scrypt
                    .hash_password_customized(
                        b"s3cret!",
                        None,
                        None,
                        scrypt::Params::new(4, 8, 1, 32).unwrap(),
                        &salt,
                    )
                    .unwrap()
                    .to_string(),
            ),
            (
                Algorithm::Pbkdf2Sha256,
                pbkdf2::Pbkdf2
                    .hash_password_customized(
                        b"s3cret!",
                        Some(pbkdf2::Algorithm::Pbkdf2Sha256.ident()),
                        None,
                        pbkdf2::Params {
                            rounds: 1000,
                            output_length: 32,
                        },
                        &salt,
                    )
                    .unwrap()
                    .to_string(),
            ),
        ];
        for (algorithm, hash) in &hashes {
            assert!(well_formed(*algorithm, hash), "{hash}");
            assert!(verify(*algorithm, hash, "s3cret!"), "{hash}");
            assert!(!verify(*algorithm, hash, "wrong"), "{hash}");
            for (other, _) in &hashes {
                if other != algorithm {
                    assert!(!well_formed(*other, hash), "{other:?} {hash}");
                }
            }
        }
        assert!(
            hashes[3].1.starts_with("$pbkdf2-sha256$i=1000,l=32$"),
            "{}",
            hashes[3].1
        );
        assert!(!well_formed(Algorithm::Bcrypt, "not a hash"));
    }

    #[test]
    fn hashes_too_dear_to_check_are_refused() {
        let salt = "c2l4dGVlbiBieXRlIHNsdA";
        let digest = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let argon = |m: u32, t: u32| format!("$argon2id$v=19$m={m},t={t},p=1${salt}${digest}");
        assert!(well_formed(Algorithm::Argon2id, &argon(19_456, 2)));
        assert!(!well_formed(Algorithm::Argon2id, &argon(4_194_304, 2)));
        assert!(!well_formed(Algorithm::Argon2id, &argon(19_456, 1_000)));
        let scrypt = |ln: u32| format!("$scrypt$ln={ln},r=8,p=1${salt}${digest}");
        assert!(well_formed(Algorithm::Scrypt, &scrypt(17)));
        assert!(!well_formed(Algorithm::Scrypt, &scrypt(22)));
        let pbkdf2 = |i: u32| format!("$pbkdf2-sha256$i={i},l=32${salt}${digest}");
        assert!(well_formed(Algorithm::Pbkdf2Sha256, &pbkdf2(600_000)));
        assert!(!well_formed(Algorithm::Pbkdf2Sha256, &pbkdf2(50_000_000)));
        let bcrypt = |cost: u32| {
            format!("$2b${cost:02}$abcdefghijklmnopqrstuuMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM")
        };
        assert!(well_formed(Algorithm::Bcrypt, &bcrypt(12)));
        assert!(!well_formed(Algorithm::Bcrypt, &bcrypt(20)));
    }
}
