//! A pool's user import jobs (CreateUserImportJob …): what DescribeUserImportJob shows, the
//! upload's secret, and the uploaded CSV file until the job starts.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::generated::cognito_idp::{UserImportJobStatusType, UserImportJobType};

/// One job. The uploaded file is kept in memory only: a restart forgets it (the job then
/// needs a new upload before it can start).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportJob {
    /// As DescribeUserImportJob returns it.
    pub job: UserImportJobType,
    /// The `X-Amz-Signature` of the PreSignedUrl: whoever has it may upload the file.
    pub upload_token: String,
    #[serde(skip)]
    pub file: Option<Arc<[u8]>>,
}

impl ImportJob {
    pub fn id(&self) -> &str {
        self.job.job_id.as_deref().unwrap_or_default()
    }

    pub fn status(&self) -> UserImportJobStatusType {
        self.job.status.unwrap_or_default()
    }
}

/// A pool's jobs, oldest first (the order ListUserImportJobs pages follow).
#[derive(Debug, Clone, Default)]
pub struct ImportJobs(Vec<ImportJob>);

impl ImportJobs {
    pub fn get(&self, id: &str) -> Option<&ImportJob> {
        self.0.iter().find(|j| j.id() == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut ImportJob> {
        self.0.iter_mut().find(|j| j.id() == id)
    }

    pub fn push(&mut self, job: ImportJob) {
        self.0.push(job);
    }

    pub fn iter(&self) -> impl Iterator<Item = &ImportJob> {
        self.0.iter()
    }

    /// The jobs as written to disk (without their files).
    pub fn stored(&self) -> Vec<ImportJob> {
        self.0
            .iter()
            .map(|j| ImportJob {
                file: None,
                ..j.clone()
            })
            .collect()
    }

    /// Jobs read back from disk. One that was running when the emulator stopped cannot
    /// resume (its file is gone): it ends as Stopped or Failed (unconfirmed: a real job
    /// cannot be interrupted this way).
    pub fn restore(jobs: Vec<ImportJob>, now: f64) -> Self {
        let mut jobs = jobs;
        for job in &mut jobs {
            let (status, message) = match job.status() {
                UserImportJobStatusType::Stopping => (
                    UserImportJobStatusType::Stopped,
                    "The emulator restarted while the job was stopping.",
                ),
                UserImportJobStatusType::Pending | UserImportJobStatusType::InProgress => (
                    UserImportJobStatusType::Failed,
                    "The emulator restarted during the import; the job cannot resume.",
                ),
                _ => continue,
            };
            job.job.status = Some(status);
            job.job.completion_date = Some(now);
            job.job.completion_message = Some(message.to_string());
        }
        Self(jobs)
    }
}
