//! The shape table the generated code fills in (`crate::generated::*::SHAPES`).
//!
//! Validation walks a request's JSON against these shapes, so every operation of both
//! services shares one validator whose messages follow AWS's wording.

/// One shape of a service model. Shapes refer to each other by index into the same table.
#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    pub kind: Kind,
    /// `min` of the model: a length for strings/lists/maps, a value for numbers.
    pub min: Option<i64>,
    /// `max` of the model, as `min`.
    pub max: Option<i64>,
    /// The model's pattern as AWS prints it in validation messages.
    pub pattern: Option<&'static str>,
    /// The same pattern translated for the `regex` crate, anchored (`^(?:…)$`).
    pub regex: Option<&'static str>,
    /// Allowed values of an enum string; empty when the string is not an enum.
    pub enum_values: &'static [&'static str],
    /// Sensitive values are never echoed in messages or logs.
    pub sensitive: bool,
}

#[derive(Debug)]
pub enum Kind {
    Structure {
        members: &'static [Member],
    },
    List {
        member: usize,
    },
    Map {
        key: usize,
        value: usize,
    },
    String,
    Integer,
    Long,
    Boolean,
    /// Epoch seconds as a JSON number.
    Timestamp,
    /// Base64 text.
    Blob,
    /// Any JSON value.
    Document,
}

#[derive(Debug)]
pub struct Member {
    /// The wire (PascalCase) name.
    pub name: &'static str,
    pub shape: usize,
    pub required: bool,
}
