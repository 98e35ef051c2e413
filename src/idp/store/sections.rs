//! State of another service (identity pools) kept durable by this store's commits: it is
//! written in the same transactions as the pools, rolled back with them, and cleared with
//! them. The store knows only this trait, never the service.

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
