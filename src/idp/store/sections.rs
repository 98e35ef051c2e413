//! State of another service (identity pools) kept durable by this store's commits: it is
//! written in the same transactions as the pools, rolled back with them, and cleared with
//! them. The store knows only this trait, never the service.

use std::sync::Arc;

use super::persist::Persistence;
use super::Store;

/// A document to write: `(kind, key, Some(json))`, or `(kind, key, None)` to delete.
pub type Document = (&'static str, String, Option<String>);

impl Store {
    /// Adds state written by this store's commits, loading what the disk holds of it.
    pub fn attach(&self, section: Arc<dyn DurableSection>) -> Result<(), String> {
        if let Some(durable) = &self.durable {
            section.restore(durable.persistence.load_documents(section.kind())?)?;
        }
        self.sections.write().push(section);
        Ok(())
    }

    /// The sections, and what changed in them since the last flush.
    pub(super) fn section_changes(&self) -> (Vec<Arc<dyn DurableSection>>, Vec<Document>) {
        let sections = self.sections.read().clone();
        let documents = sections
            .iter()
            .flat_map(|s| {
                let kind = s.kind();
                s.take_changes()
                    .into_iter()
                    .map(move |(key, data)| (kind, key, data))
            })
            .collect();
        (sections, documents)
    }
}

/// The sections a failed write held documents of.
pub(super) fn written(
    sections: Vec<Arc<dyn DurableSection>>,
    documents: &[Document],
) -> Vec<Arc<dyn DurableSection>> {
    sections
        .into_iter()
        .filter(|s| documents.iter().any(|d| d.0 == s.kind()))
        .collect()
}

/// Puts sections back to what the disk holds (a failed write's rollback).
pub(super) fn reload(persistence: &Persistence, sections: &[Arc<dyn DurableSection>]) {
    for section in sections {
        section.clear();
        let reloaded = persistence.load_documents(section.kind());
        if let Err(e) = reloaded.and_then(|rows| section.restore(rows)) {
            tracing::error!("rolling back {}: {e}", section.kind());
        }
    }
}

/// A part of the emulator's state kept as JSON documents of one kind.
pub trait DurableSection: Send + Sync {
    /// The `documents.kind` of its rows.
    fn kind(&self) -> &'static str;
    /// Whether anything changed since the last [`DurableSection::take_changes`].
    fn has_changes(&self) -> bool;
    /// What changed: `(key, Some(json))` to write, `(key, None)` to delete.
    fn take_changes(&self) -> Vec<(String, Option<String>)>;
    /// Loads what the disk holds (after [`DurableSection::clear`] on a rollback).
    fn restore(&self, rows: Vec<(String, String)>) -> Result<(), String>;
    /// Forgets everything.
    fn clear(&self);
}
