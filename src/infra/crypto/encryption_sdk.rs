//! The AWS Encryption SDK message format (version 2), as Cognito encrypts the codes it hands
//! to custom sender triggers: algorithm suite 0x0478 (AES-256-GCM, HKDF-SHA512, key
//! commitment, no signature), one framed final frame, the data key wrapped by KMS.
//! Any Encryption SDK (JavaScript, Python, Java…) with a KMS keyring decrypts it.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::hkdf::{Salt, HKDF_SHA512};

/// ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY.
const SUITE: u16 = 0x0478;
const FRAME_LENGTH: u32 = 4096;

/// A data key from KMS: its plaintext and how KMS wrapped it.
pub struct DataKey<'a> {
    pub plaintext: &'a [u8],
    /// The key's ARN (the EDK's provider info).
    pub key_arn: &'a str,
    /// KMS's ciphertext blob.
    pub wrapped: &'a [u8],
}

struct Hkdf(usize);

impl aws_lc_rs::hkdf::KeyType for Hkdf {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8]) -> Result<[u8; 32], String> {
    let prk = Salt::new(HKDF_SHA512, salt).extract(ikm);
    let mut out = [0u8; 32];
    prk.expand(&[info], Hkdf(32))
        .and_then(|okm| okm.fill(&mut out))
        .map_err(|_| "HKDF failed".to_string())?;
    Ok(out)
}

fn put_short(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), String> {
    let len = u16::try_from(bytes.len()).map_err(|_| "field too long".to_string())?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// Encrypts `plaintext` (a code: far below one frame) under `key`, with an empty encryption
/// context, and returns the serialized message.
pub fn encrypt(plaintext: &[u8], key: &DataKey, message_id: [u8; 32]) -> Result<Vec<u8>, String> {
    if key.plaintext.len() != 32 {
        return Err("the data key is not 256 bits".into());
    }
    let mut derive_info = SUITE.to_be_bytes().to_vec();
    derive_info.extend_from_slice(b"DERIVEKEY");
    let derived = hkdf(&message_id, key.plaintext, &derive_info)?;
    let commitment = hkdf(&message_id, key.plaintext, b"COMMITKEY")?;
    let aead = LessSafeKey::new(
        UnboundKey::new(&AES_256_GCM, &derived).map_err(|_| "bad AES key".to_string())?,
    );

    let mut header = vec![0x02];
    header.extend_from_slice(&SUITE.to_be_bytes());
    header.extend_from_slice(&message_id);
    header.extend_from_slice(&0u16.to_be_bytes()); // no encryption context
    header.extend_from_slice(&1u16.to_be_bytes()); // one encrypted data key
    put_short(&mut header, b"aws-kms")?;
    put_short(&mut header, key.key_arn.as_bytes())?;
    put_short(&mut header, key.wrapped)?;
    header.push(0x02); // framed content
    header.extend_from_slice(&FRAME_LENGTH.to_be_bytes());
    header.extend_from_slice(&commitment);

    // Header authentication: a GCM tag over the header, empty plaintext, all-zero IV.
    let mut empty = Vec::new();
    let header_tag = aead
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key([0u8; 12]),
            Aad::from(header.as_slice()),
            &mut empty,
        )
        .map_err(|_| "sealing the header failed".to_string())?;

    // One final frame, sequence number 1; its IV is the sequence number, zero-padded.
    let sequence: u32 = 1;
    let mut iv = [0u8; 12];
    iv[8..].copy_from_slice(&sequence.to_be_bytes());
    let mut frame_aad = message_id.to_vec();
    frame_aad.extend_from_slice(b"AWSKMSEncryptionClient Final Frame");
    frame_aad.extend_from_slice(&sequence.to_be_bytes());
    frame_aad.extend_from_slice(&(plaintext.len() as u64).to_be_bytes());
    let mut content = plaintext.to_vec();
    let frame_tag = aead
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(iv),
            Aad::from(frame_aad.as_slice()),
            &mut content,
        )
        .map_err(|_| "sealing the frame failed".to_string())?;

    let mut message = header;
    message.extend_from_slice(header_tag.as_ref());
    message.extend_from_slice(&u32::MAX.to_be_bytes());
    message.extend_from_slice(&sequence.to_be_bytes());
    message.extend_from_slice(&iv);
    message.extend_from_slice(&(content.len() as u32).to_be_bytes());
    message.extend_from_slice(&content);
    message.extend_from_slice(frame_tag.as_ref());
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout, checked field by field (a real Encryption SDK decrypts it in
    /// tests/integration/triggers_senders.rs).
    #[test]
    fn the_message_is_laid_out_as_the_format_says() {
        let key = DataKey {
            plaintext: &[7u8; 32],
            key_arn: "arn:aws:kms:us-east-1:000000000000:key/k",
            wrapped: b"wrapped",
        };
        let message = encrypt(b"123456", &key, [1u8; 32]).unwrap();
        assert_eq!(&message[..3], &[0x02, 0x04, 0x78]);
        assert_eq!(&message[3..35], &[1u8; 32]);
        assert_eq!(&message[35..39], &[0, 0, 0, 1]);
        assert_eq!(&message[39..41], &[0, 7]);
        assert_eq!(&message[41..48], b"aws-kms");
        let header_len = 48 + 2 + key.key_arn.len() + 2 + 7 + 1 + 4 + 32;
        // Header, its tag, then the final frame: marker, sequence, IV, length, content, tag.
        assert_eq!(message.len(), header_len + 16 + 4 + 4 + 12 + 4 + 6 + 16);
        let frame = &message[header_len + 16..];
        assert_eq!(&frame[..8], &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1]);
        assert_eq!(&frame[20..24], &[0, 0, 0, 6]);
        assert_ne!(&frame[24..30], b"123456");
    }
}
