//! Password hashes imported with users (a user import job's `PasswordHashingAlgorithm`):
//! bcrypt's modular crypt form (`$2a$`, `$2b$`, `$2y$`) and the PHC string forms of
//! Argon2id (`$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`), scrypt (`$scrypt$ln=…,r=…,p=…$…`)
//! and PBKDF2-SHA256 (`$pbkdf2-sha256$i=…,l=…$…`), as the RustCrypto crates and most
//! libraries write them. Checking one costs what its parameters say (tens of milliseconds
//! and more): never under a pool lock.

use argon2::password_hash::{PasswordHash, PasswordVerifier};

use crate::generated::cognito_idp::PasswordHashingAlgorithmType as Algorithm;

/// Whether `hash` is a hash of `algorithm` in the form this module reads.
pub fn well_formed(algorithm: Algorithm, hash: &str) -> bool {
    match algorithm {
        Algorithm::Bcrypt => hash.parse::<bcrypt::HashParts>().is_ok(),
        _ => PasswordHash::new(hash)
            .is_ok_and(|parsed| parsed.algorithm.as_str() == ident(algorithm)),
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
}
