//! User import jobs (CreateUserImportJob, StartUserImportJob, …) and GetCSVHeader. The
//! CSV rules and the import itself are [`crate::idp::engine::user_import`].

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{decode_token, encode_token};
use crate::idp::engine::user_import::{self, job_not_found};
use crate::idp::store::import_jobs::ImportJob;
use crate::infra::ids;

pub fn get_csv_header(
    app: &App,
    _: &RequestContext,
    input: GetCSVHeaderRequest,
) -> ApiResult<GetCSVHeaderResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let header = user_import::csv_header(&pool.read());
    Ok(GetCSVHeaderResponse {
        csv_header: Some(header),
        user_pool_id: Some(input.user_pool_id),
    })
}

/// User import jobs per user pool (Cognito's quota).
const MAX_JOBS: usize = 1_000;

/// `import-` and ten alphanumerics (the model's `import-[0-9a-zA-Z-]+`).
fn job_id() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    format!(
        "import-{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 10)
    )
}

pub fn create_user_import_job(
    app: &App,
    _: &RequestContext,
    input: CreateUserImportJobRequest,
) -> ApiResult<CreateUserImportJobResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let id = job_id();
    let token = ids::random_token();
    let job = UserImportJobType {
        job_name: Some(input.job_name),
        job_id: Some(id.clone()),
        user_pool_id: Some(input.user_pool_id.clone()),
        pre_signed_url: Some(user_import::pre_signed_url(
            app,
            &input.user_pool_id,
            &id,
            &token,
        )),
        creation_date: Some(app.clock.now()),
        status: Some(UserImportJobStatusType::Created),
        cloud_watch_logs_role_arn: Some(input.cloud_watch_logs_role_arn),
        password_hashing_algorithm: input.password_hashing_algorithm,
        imported_users: Some(0),
        skipped_users: Some(0),
        failed_users: Some(0),
        ..Default::default()
    };
    let mut pool = pool.write();
    // Cognito's quota of import jobs per user pool; each may hold an uploaded file in memory.
    if pool.import_jobs.iter().count() >= MAX_JOBS {
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!("A user pool can have at most {MAX_JOBS} user import jobs."),
        ));
    }
    pool.import_jobs.push(ImportJob {
        job: job.clone(),
        upload_token: token,
        file: None,
    });
    pool.header_changed();
    Ok(CreateUserImportJobResponse {
        user_import_job: Some(job),
    })
}

pub fn describe_user_import_job(
    app: &App,
    _: &RequestContext,
    input: DescribeUserImportJobRequest,
) -> ApiResult<DescribeUserImportJobResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let job = pool
        .import_jobs
        .get(&input.job_id)
        .ok_or_else(|| job_not_found(&input.job_id))?;
    Ok(DescribeUserImportJobResponse {
        user_import_job: Some(job.job.clone()),
    })
}

/// Oldest first (unconfirmed); the token names the last job of the page.
pub fn list_user_import_jobs(
    app: &App,
    _: &RequestContext,
    input: ListUserImportJobsRequest,
) -> ApiResult<ListUserImportJobsResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let after = decode_token(input.pagination_token.as_deref())?;
    let jobs: Vec<&ImportJob> = pool.import_jobs.iter().collect();
    let start = match &after {
        Some(id) => {
            jobs.iter()
                .position(|j| j.id() == id)
                .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))?
                + 1
        }
        None => 0,
    };
    let limit = input.max_results.clamp(1, 60) as usize;
    let page: Vec<UserImportJobType> = jobs
        .iter()
        .skip(start)
        .take(limit)
        .map(|j| j.job.clone())
        .collect();
    let next = (start + page.len() < jobs.len())
        .then(|| page.last())
        .flatten()
        .and_then(|j| j.job_id.as_deref())
        .map(encode_token);
    Ok(ListUserImportJobsResponse {
        pagination_token: next,
        user_import_jobs: Some(page),
    })
}

pub fn start_user_import_job(
    app: &App,
    _: &RequestContext,
    input: StartUserImportJobRequest,
) -> ApiResult<StartUserImportJobResponse> {
    let handle = app.store.pool(&input.user_pool_id)?;
    let (file, job) = {
        let mut pool = handle.write();
        let file = user_import::take_for_start(&mut pool, &input.job_id, app.clock.now())?;
        let job = pool.import_jobs.get(&input.job_id).map(|j| j.job.clone());
        (file, job)
    };
    user_import::run_in_background(app, handle, input.job_id, file);
    Ok(StartUserImportJobResponse {
        user_import_job: job,
    })
}

/// A Pending or InProgress job becomes Stopping; the import stops before its next batch of
/// users and the job becomes Stopped.
pub fn stop_user_import_job(
    app: &App,
    _: &RequestContext,
    input: StopUserImportJobRequest,
) -> ApiResult<StopUserImportJobResponse> {
    let handle = app.store.pool(&input.user_pool_id)?;
    let mut pool = handle.write();
    let job = pool
        .import_jobs
        .get_mut(&input.job_id)
        .ok_or_else(|| job_not_found(&input.job_id))?;
    match job.status() {
        UserImportJobStatusType::Pending | UserImportJobStatusType::InProgress => {}
        status => {
            // Text unconfirmed.
            return Err(ApiError::new(
                ErrorCode::PreconditionNotMetException,
                format!(
                    "Import job {} cannot be stopped: it is {}, not Pending or InProgress.",
                    input.job_id,
                    status.as_str()
                ),
            ));
        }
    }
    job.job.status = Some(UserImportJobStatusType::Stopping);
    let job = job.job.clone();
    pool.header_changed();
    Ok(StopUserImportJobResponse {
        user_import_job: Some(job),
    })
}
