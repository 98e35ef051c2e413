//! User import from a CSV file (CreateUserImportJob, StartUserImportJob): the pool's CSV
//! header, the upload to a job's PreSignedUrl, and the import itself, which runs off the
//! request on the blocking pool and records its progress in the job.
//!
//! Rules (AWS's "Importing users from a CSV file"): the first line is the header, every
//! column of GetCSVHeader present, in any order, no other column; each further line is a
//! user: `cognito:username` (unique) and `cognito:mfa_enabled` required, `email_verified` /
//! `phone_number_verified` true only with the address, the pool's required attributes
//! present, values checked as AdminCreateUser checks them. Imported users are
//! RESET_REQUIRED, enabled, with no password; with a job's PasswordHashingAlgorithm, a user
//! whose `cognito:password_hash` is given is CONFIRMED and keeps the hash until its first
//! password sign-in (`sign_in/imported_password.rs`). No Lambda trigger runs (unconfirmed:
//! Cognito runs none for CSV imports as far as known).

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::app::App;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::attributes::{self, WriteKind};
use crate::idp::engine::users;
use crate::idp::store::import_jobs::ImportJob;
use crate::idp::store::user::{ImportedHash, MfaFactor};
use crate::idp::store::users::Attributes;
use crate::idp::store::{PoolHandle, User, UserPool};
use crate::infra::clock::Clock;
use crate::infra::crypto::imported_hash;
use crate::infra::ids;

/// The standard columns, in the order GetCSVHeader lists them (AWS's sample response).
const STANDARD_COLUMNS: &[&str] = &[
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    "cognito:mfa_enabled",
    "cognito:username",
];

/// The column of a password's hash, in the files of jobs created with a
/// PasswordHashingAlgorithm (name unconfirmed: AWS documents none); empty for a user who must
/// reset its password.
pub const PASSWORD_HASH_COLUMN: &str = "cognito:password_hash";

/// The largest file a PreSignedUrl accepts: AWS's limit on a user import file (100 MB).
pub const MAX_FILE_BYTES: usize = 100 * 1024 * 1024;

/// Users imported between two looks at the job (a Stop request, progress in Describe):
/// each batch holds the pool's lock once.
const BATCH: usize = 100;

/// The pool's CSV header: the standard columns, then its custom attributes (their place at
/// the end is unconfirmed; the order of a file's columns does not matter).
pub fn csv_header(pool: &UserPool) -> Vec<String> {
    let mut columns: Vec<String> = STANDARD_COLUMNS.iter().map(|c| c.to_string()).collect();
    columns.extend(
        pool.config
            .schema_attributes
            .iter()
            .flatten()
            .filter_map(|a| a.name.clone())
            .filter(|n| n.starts_with("custom:") || n.starts_with("dev:custom:")),
    );
    columns
}

/// The upload's URL: served by the emulator itself (`/_emulator/user-import/…`), the secret
/// in `X-Amz-Signature`, where S3's pre-signed URLs carry their signature.
pub fn pre_signed_url(app: &App, pool_id: &str, job_id: &str, token: &str) -> String {
    format!(
        "{}/_emulator/user-import/{pool_id}/{job_id}?X-Amz-Signature={token}",
        app.public_url
    )
}

/// Why an upload was refused; the HTTP layer picks the status.
pub enum UploadRefusal {
    /// No such pool or job (404).
    NotFound(ApiError),
    /// A wrong or missing `X-Amz-Signature` (403, as S3 answers a bad signature).
    Denied(ApiError),
    /// The job no longer takes a file (409).
    Closed(ApiError),
}

/// Keeps an uploaded file for a job that has not started; returns its ETag (the SHA-256 of
/// the content, cut to an MD5's length: S3's is the MD5, which nothing here needs).
/// Hashes a file up to 100 MB: call it off the async threads.
pub fn store_upload(
    app: &App,
    pool_id: &str,
    job_id: &str,
    token: Option<&str>,
    file: Vec<u8>,
) -> Result<String, UploadRefusal> {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&file);
    let etag: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let handle = app.store.pool(pool_id).map_err(UploadRefusal::NotFound)?;
    let mut pool = handle.write();
    let job = pool
        .import_jobs
        .get_mut(job_id)
        .ok_or_else(|| UploadRefusal::NotFound(job_not_found(job_id)))?;
    let given = token.unwrap_or_default().as_bytes();
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        job.upload_token.as_bytes(),
        given,
    )) {
        return Err(UploadRefusal::Denied(ApiError::not_authorized(
            "The request signature we calculated does not match the signature you provided.",
        )));
    }
    if job.status() != UserImportJobStatusType::Created {
        return Err(UploadRefusal::Closed(ApiError::new(
            ErrorCode::PreconditionNotMetException,
            format!(
                "Import job {job_id} is {}: it takes a file only before it starts.",
                job.status().as_str()
            ),
        )));
    }
    job.file = Some(Arc::from(file));
    Ok(format!("\"{etag}\""))
}

pub fn job_not_found(job_id: &str) -> ApiError {
    // Text unconfirmed.
    ApiError::resource_not_found(format!("Import job {job_id} does not exist."))
}

/// Starts importing `file` for a job already marked Pending: on the blocking pool, so the
/// request answers at once. The job's clock follows the emulator's (its offset now).
pub fn run_in_background(app: &App, pool: PoolHandle, job_id: String, file: Arc<[u8]>) {
    let offset = app.clock.offset_seconds();
    let work = move || {
        let clock = Clock::default();
        clock.advance(offset);
        run(&pool, &job_id, &file, &clock);
    };
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn_blocking(work);
        }
        Err(_) => {
            std::thread::spawn(work);
        }
    }
}

fn run(handle: &PoolHandle, job_id: &str, file: &[u8], clock: &Clock) {
    let parsed = std::str::from_utf8(file)
        .map_err(|_| "The file is not UTF-8 text.".to_string())
        .and_then(parse_csv);
    let (columns, rows, algorithm) = {
        let mut pool = handle.write();
        let now = clock.now();
        let Some(job) = pool.import_jobs.get_mut(job_id) else {
            return;
        };
        if job.status() != UserImportJobStatusType::Pending {
            let skipped = parsed.as_ref().map_or(0, |records| {
                records
                    .iter()
                    .skip(1)
                    .filter(|(_, row)| row.iter().any(|v| !v.is_empty()))
                    .count()
            });
            finish_stopping(job, skipped as i64, now);
            pool.header_changed();
            return;
        }
        job.job.status = Some(UserImportJobStatusType::InProgress);
        let algorithm = job.job.password_hashing_algorithm;
        let checked = parsed.and_then(|records| check_header(&pool, records, algorithm));
        pool.header_changed();
        match checked {
            Ok((columns, rows)) => (columns, rows, algorithm),
            Err(reason) => {
                tracing::warn!("user import job {job_id} failed: {reason}");
                if let Some(job) = pool.import_jobs.get_mut(job_id) {
                    finish(job, UserImportJobStatusType::Failed, reason, now);
                }
                return;
            }
        }
    };
    let total = rows.len();
    let mut done = 0;
    for batch in rows.chunks(BATCH) {
        let mut pool = handle.write();
        let now = clock.now();
        match pool.import_jobs.get(job_id).map(ImportJob::status) {
            Some(UserImportJobStatusType::InProgress) => {}
            Some(_) => {
                if let Some(job) = pool.import_jobs.get_mut(job_id) {
                    finish_stopping(job, (total - done) as i64, now);
                }
                pool.header_changed();
                return;
            }
            None => return,
        }
        let (mut imported, mut failed) = (0, 0);
        for (line, row) in batch {
            match import_row(&mut pool, &columns, row, algorithm, now) {
                Ok(()) => imported += 1,
                Err(reason) => {
                    // Cognito logs each failed row to CloudWatch; the emulator to its log.
                    tracing::warn!("user import job {job_id}, line {line}: {reason}");
                    failed += 1;
                }
            }
        }
        done += batch.len();
        pool.header_changed();
        if let Some(job) = pool.import_jobs.get_mut(job_id) {
            *job.job.imported_users.get_or_insert(0) += imported;
            *job.job.failed_users.get_or_insert(0) += failed;
        }
    }
    let mut pool = handle.write();
    let now = clock.now();
    if let Some(job) = pool.import_jobs.get_mut(job_id) {
        if job.status() == UserImportJobStatusType::Stopping {
            finish_stopping(job, 0, now);
        } else {
            // Text unconfirmed.
            finish(
                job,
                UserImportJobStatusType::Succeeded,
                "Import Job Completed Successfully.".to_string(),
                now,
            );
        }
        pool.header_changed();
    }
}

fn finish(job: &mut ImportJob, status: UserImportJobStatusType, message: String, now: f64) {
    job.job.status = Some(status);
    job.job.completion_date = Some(now);
    job.job.completion_message = Some(message);
}

/// A job asked to stop: Stopped, the users not yet looked at counted as skipped.
fn finish_stopping(job: &mut ImportJob, skipped: i64, now: f64) {
    *job.job.skipped_users.get_or_insert(0) += skipped;
    // Text unconfirmed.
    finish(
        job,
        UserImportJobStatusType::Stopped,
        "Import Job Stopped.".to_string(),
        now,
    );
}

/// The header's columns and the users' rows (with their line numbers, blank lines left out),
/// or why the file cannot be imported.
#[allow(clippy::type_complexity)]
fn check_header(
    pool: &UserPool,
    records: Vec<(usize, Vec<String>)>,
    algorithm: Option<PasswordHashingAlgorithmType>,
) -> Result<(Vec<String>, Vec<(usize, Vec<String>)>), String> {
    let mut records = records.into_iter();
    let Some((_, columns)) = records.next() else {
        return Err(
            "The file is empty: its first line must be the CSV header (GetCSVHeader).".into(),
        );
    };
    let columns: Vec<String> = columns.iter().map(|c| c.trim().to_string()).collect();
    let mut expected = csv_header(pool);
    if algorithm.is_some() {
        expected.push(PASSWORD_HASH_COLUMN.to_string());
    }
    let mut seen = BTreeSet::new();
    for column in &columns {
        if !expected.contains(column) {
            return Err(format!(
                "The CSV header has a column this user pool does not have: {column}."
            ));
        }
        if !seen.insert(column.as_str()) {
            return Err(format!("The CSV header repeats the column {column}."));
        }
    }
    let missing: Vec<&str> = expected
        .iter()
        .filter(|c| !seen.contains(c.as_str()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "The CSV header lacks columns of this user pool (see GetCSVHeader): {}.",
            missing.join(", ")
        ));
    }
    let rows = records
        .filter(|(_, row)| row.iter().any(|v| !v.is_empty()))
        .collect();
    Ok((columns, rows))
}

/// Creates one row's user, or says why not.
fn import_row(
    pool: &mut UserPool,
    columns: &[String],
    row: &[String],
    algorithm: Option<PasswordHashingAlgorithmType>,
    now: f64,
) -> Result<(), String> {
    if row.len() != columns.len() {
        return Err(format!(
            "The line has {} values for the header's {} columns.",
            row.len(),
            columns.len()
        ));
    }
    let mut requested = "";
    let mut mfa_enabled = "";
    let mut password_hash = "";
    let mut written = Vec::new();
    for (name, value) in columns.iter().zip(row) {
        match name.as_str() {
            "cognito:username" => requested = value,
            "cognito:mfa_enabled" => mfa_enabled = value,
            PASSWORD_HASH_COLUMN => password_hash = value,
            _ if value.is_empty() => {}
            _ => written.push(AttributeType {
                name: name.clone(),
                value: Some(value.clone()),
            }),
        }
    }
    if requested.is_empty() {
        return Err("cognito:username is required.".into());
    }
    let mfa = match mfa_enabled.to_ascii_lowercase().as_str() {
        "true" => true,
        "false" => false,
        "" => return Err("cognito:mfa_enabled is required (true or false).".into()),
        _ => return Err("cognito:mfa_enabled must be true or false.".into()),
    };
    let imported_hash = match algorithm.filter(|_| !password_hash.is_empty()) {
        Some(algorithm) if imported_hash::well_formed(algorithm, password_hash) => {
            Some(ImportedHash {
                algorithm,
                hash: password_hash.to_string(),
            })
        }
        Some(algorithm) => {
            return Err(format!(
                "{PASSWORD_HASH_COLUMN} is not a {} hash in the form the emulator reads.",
                algorithm.as_str()
            ))
        }
        None => None,
    };
    let message = |e: ApiError| e.message;
    let mut values = attributes::check_writes(
        pool.config.schema_attributes.as_deref().unwrap_or_default(),
        &written,
        WriteKind::Create,
    )
    .map_err(message)?;
    let sub = ids::uuid();
    let username = users::sign_in_username(pool, requested, &sub, &mut values).map_err(message)?;
    for address in ["email", "phone_number"] {
        let verified = values
            .get(&format!("{address}_verified"))
            .map(String::as_str);
        if verified == Some("true") && !values.contains_key(address) {
            return Err(format!(
                "{address}_verified is true but {address} is empty."
            ));
        }
    }
    if mfa && !values.contains_key("phone_number") {
        // SMS is the factor cognito:mfa_enabled turns on.
        return Err("cognito:mfa_enabled is true but phone_number is empty.".into());
    }
    let missing = pool.missing_required(|name| values.contains_key(name));
    if !missing.is_empty() {
        return Err(format!(
            "Required attributes are missing: {}.",
            missing.join(", ")
        ));
    }
    if pool.users.find_by_username(&username).is_some() {
        return Err(format!("User {requested} already exists."));
    }
    let mut attribute_pairs = vec![("sub".to_string(), sub)];
    attribute_pairs.extend(values);
    // With its password's hash a user signs in as before (status unconfirmed); without, it
    // must reset its password.
    let status = if imported_hash.is_some() {
        UserStatusType::Confirmed
    } else {
        UserStatusType::ResetRequired
    };
    let mut user = User::new(
        username,
        Attributes::from_pairs(attribute_pairs),
        status,
        now,
    );
    if imported_hash.is_some() {
        user.extras_mut().imported_hash = imported_hash;
    }
    if mfa {
        user.extras_mut().mfa.enabled.insert(MfaFactor::Sms);
    }
    users::claim_aliases(pool, None, &user, false, true).map_err(message)?;
    pool.users.insert(user);
    Ok(())
}

/// RFC 4180 CSV: fields separated by commas, quoted with `"` (a quote inside doubled), lines
/// ended by LF or CRLF; a leading byte-order mark is ignored. Returns each record with its
/// line number.
pub fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut started = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut record)));
                line += 1;
                record_line = line;
                started = false;
                continue;
            }
            _ => field.push(c),
        }
        started = true;
    }
    if quoted {
        return Err(format!(
            "The file is not valid CSV: a quoted value opened on line {record_line} is never closed."
        ));
    }
    if started || !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((record_line, record));
    }
    Ok(records)
}

/// Marks a Created job with an uploaded file Pending and hands the file over.
pub fn take_for_start(pool: &mut UserPool, job_id: &str, now: f64) -> ApiResult<Arc<[u8]>> {
    let job = pool
        .import_jobs
        .get_mut(job_id)
        .ok_or_else(|| job_not_found(job_id))?;
    if job.status() != UserImportJobStatusType::Created {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::PreconditionNotMetException,
            format!(
                "Import job {job_id} cannot be started: it is {}, not Created.",
                job.status().as_str()
            ),
        ));
    }
    let Some(file) = job.file.take() else {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::PreconditionNotMetException,
            format!(
                "Import job {job_id} has no file: upload the CSV file to its PreSignedUrl (HTTP PUT) first."
            ),
        ));
    };
    job.job.status = Some(UserImportJobStatusType::Pending);
    job.job.start_date = Some(now);
    pool.header_changed();
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::parse_csv;

    #[test]
    fn csv_quotes_line_ends_and_blank_fields() {
        let text = "\u{feff}a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\n\"multi\nline\",,z\n";
        let records = parse_csv(text).unwrap();
        assert_eq!(
            records,
            vec![
                (1, vec!["a".into(), "b".into(), "c".into()]),
                (2, vec!["x, y".into(), "say \"hi\"".into(), "".into()]),
                (3, vec!["multi\nline".into(), "".into(), "z".into()]),
            ]
        );
        assert_eq!(
            parse_csv("a,b").unwrap(),
            vec![(1, vec!["a".into(), "b".into()])]
        );
        assert!(parse_csv("a,\"b\n").is_err());
    }
}
