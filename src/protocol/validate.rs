//! Checks a request body against the model's shapes, with AWS's validation messages:
//! `1 validation error detected: Value 'x' at 'userPoolId' failed to satisfy constraint: …`.
//! A value of the wrong JSON type is a `SerializationException`, as AWS answers.

use std::collections::HashMap;
use std::sync::OnceLock;

use parking_lot::RwLock;
use regex::Regex;
use serde_json::Value;

use crate::error::{ApiError, ErrorCode};
use crate::schema::{Kind, Shape};

/// At most this many violations are described in a message (all are counted): a request full
/// of bad values must not produce an error many times its size.
const MAX_REPORTED: usize = 10;
/// Echoed values are cut to this many characters, for the same reason (and because SDKs
/// choke on long `x-amzn-ErrorMessage` headers).
const MAX_ECHOED_CHARS: usize = 256;

/// Validates `value` (the whole request body) against structure `root` of `shapes`; a
/// violation is answered with `code` (InvalidParameterException for cognito-idp,
/// ValidationException for cognito-identity).
pub fn validate(
    shapes: &'static [Shape],
    root: usize,
    value: &Value,
    code: ErrorCode,
) -> Result<(), ApiError> {
    let mut walker = Walker {
        shapes,
        violations: Vec::new(),
        count: 0,
    };
    walker.walk(root, value, "")?;
    match walker.count {
        0 => Ok(()),
        1 => Err(ApiError::new(
            code,
            format!("1 validation error detected: {}", walker.violations[0]),
        )),
        n => Err(ApiError::new(
            code,
            format!(
                "{n} validation errors detected: {}",
                walker.violations.join("; ")
            ),
        )),
    }
}

struct Walker {
    shapes: &'static [Shape],
    /// The first [`MAX_REPORTED`] violations.
    violations: Vec<String>,
    count: usize,
}

impl Walker {
    fn violation(&mut self, text: String) {
        self.count += 1;
        if self.violations.len() < MAX_REPORTED {
            self.violations.push(text);
        }
    }

    fn walk(&mut self, index: usize, value: &Value, path: &str) -> Result<(), ApiError> {
        let shape = &self.shapes[index];
        match (&shape.kind, value) {
            (Kind::Document, _) => Ok(()),
            (Kind::Structure { members }, Value::Object(object)) => {
                for member in members.iter() {
                    let child_path = join(path, member.name);
                    match object.get(member.name) {
                        None | Some(Value::Null) => {
                            if member.required {
                                self.violation(format!(
                                    "Value null at '{child_path}' failed to satisfy constraint: Member must not be null"
                                ));
                            }
                        }
                        Some(child) => self.walk(member.shape, child, &child_path)?,
                    }
                }
                Ok(())
            }
            (Kind::List { member }, Value::Array(items)) => {
                self.check_length(shape, items.len(), value, path);
                let member_shape = &self.shapes[*member];
                if !member_shape.enum_values.is_empty() {
                    // AWS reports a bad enum inside a list once, at the list.
                    if items.iter().any(|item| {
                        item.as_str()
                            .is_some_and(|s| !member_shape.enum_values.contains(&s))
                    }) {
                        self.violation(format!(
                            "{} at '{path}' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [{}]]",
                            describe(shape, value),
                            member_shape.enum_values.join(", ")
                        ));
                    }
                }
                for (i, item) in items.iter().enumerate() {
                    if item.is_null() {
                        continue;
                    }
                    let item_path = format!("{path}.{}.member", i + 1);
                    if member_shape.enum_values.is_empty() {
                        self.walk(*member, item, &item_path)?;
                    } else if !item.is_string() {
                        return Err(type_error(item, "a String", &item_path));
                    }
                }
                Ok(())
            }
            (
                Kind::Map {
                    key,
                    value: value_shape,
                },
                Value::Object(entries),
            ) => {
                self.check_length(shape, entries.len(), value, path);
                for (k, v) in entries {
                    let key_path = format!("{path}.{k}");
                    self.walk(*key, &Value::String(k.clone()), &key_path)?;
                    if !v.is_null() {
                        self.walk(*value_shape, v, &key_path)?;
                    }
                }
                Ok(())
            }
            (Kind::String, Value::String(s)) => {
                self.check_string(shape, s, value, path);
                Ok(())
            }
            (Kind::Blob, Value::String(s)) => {
                self.check_blob(shape, s, path);
                Ok(())
            }
            (Kind::Integer | Kind::Long, Value::Number(n)) => {
                let Some(n) = n.as_i64() else {
                    return Err(type_error(value, "an Integer", path));
                };
                if let Some(min) = shape.min.filter(|min| n < *min) {
                    self.violation(format!(
                        "{} at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {min}",
                        describe(shape, value)
                    ));
                }
                if let Some(max) = shape.max.filter(|max| n > *max) {
                    self.violation(format!(
                        "{} at '{path}' failed to satisfy constraint: Member must have value less than or equal to {max}",
                        describe(shape, value)
                    ));
                }
                Ok(())
            }
            (Kind::Boolean, Value::Bool(_)) => Ok(()),
            (Kind::Timestamp, Value::Number(_)) => Ok(()),
            (kind, _) => Err(type_error(value, expected_name(kind), path)),
        }
    }

    fn check_string(&mut self, shape: &Shape, s: &str, value: &Value, path: &str) {
        if !shape.enum_values.is_empty() && !shape.enum_values.contains(&s) {
            self.violation(format!(
                "{} at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                describe(shape, value),
                shape.enum_values.join(", ")
            ));
            return;
        }
        // AWS counts characters (UTF-16 units in Java; code points are close enough here).
        self.check_length(shape, s.chars().count(), value, path);
        if let (Some(pattern), Some(regex)) = (shape.pattern, shape.regex) {
            if !compiled(regex).is_match(s) {
                self.violation(format!(
                    "{} at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}",
                    describe(shape, value)
                ));
            }
        }
    }

    /// A blob's length is that of its bytes, not of its base64; AWS (Java) describes the
    /// value as the buffer holding them. Text that is not base64 is left to the operation.
    fn check_blob(&mut self, shape: &Shape, s: &str, path: &str) {
        use base64::Engine;
        if shape.min.is_none() && shape.max.is_none() {
            return;
        }
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(s) else {
            return;
        };
        let n = bytes.len();
        let value = Value::String(format!("java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]"));
        self.check_length(shape, n, &value, path);
    }

    fn check_length(&mut self, shape: &Shape, len: usize, value: &Value, path: &str) {
        let len = len as i64;
        if let Some(min) = shape.min.filter(|min| len < *min) {
            self.violation(format!(
                "{} at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min}",
                describe(shape, value)
            ));
        }
        if let Some(max) = shape.max.filter(|max| len > *max) {
            self.violation(format!(
                "{} at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max}",
                describe(shape, value)
            ));
        }
    }
}

/// `userPoolId`, `policies.passwordPolicy`: member names with a lower-case first letter.
fn join(path: &str, member: &str) -> String {
    let mut chars = member.chars();
    let camel: String = chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect();
    if path.is_empty() {
        camel
    } else {
        format!("{path}.{camel}")
    }
}

/// `Value 'x'`, or just `Value` for sensitive members, whose values are never echoed.
fn describe(shape: &Shape, value: &Value) -> String {
    if shape.sensitive {
        return "Value".to_string();
    }
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    };
    format!("Value '{}'", cut(&text, MAX_ECHOED_CHARS))
}

/// `text`, cut to `max` characters with `...` marking the cut.
pub fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}...", &text[..end]).into(),
        None => text.into(),
    }
}

fn expected_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Structure { .. } | Kind::Map { .. } => "a structure or map",
        Kind::List { .. } => "a list",
        Kind::String | Kind::Blob => "a String",
        Kind::Integer | Kind::Long => "an Integer",
        Kind::Boolean => "a Boolean",
        Kind::Timestamp => "a Timestamp (epoch seconds)",
        Kind::Document => "a document",
    }
}

fn type_error(value: &Value, expected: &str, path: &str) -> ApiError {
    let found = match value {
        Value::Null => "NULL_VALUE",
        Value::Bool(_) => "BOOLEAN_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    };
    let at = if path.is_empty() {
        "the request body".to_string()
    } else {
        format!("'{path}'")
    };
    ApiError::serialization(format!(
        "{found} can not be converted to {expected} at {at}"
    ))
}

/// Model regexes, compiled once and kept for the life of the process (the models have about
/// fifty). Handing out a shared reference, never a clone, matters: a cloned `Regex` starts
/// with an empty matching cache and rebuilds it on every use.
fn compiled(regex: &'static str) -> &'static Regex {
    static CACHE: OnceLock<RwLock<HashMap<&'static str, &'static Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.read().get(regex) {
        return found;
    }
    let built: &'static Regex = Box::leak(Box::new(
        Regex::new(regex).expect("generated regexes are checked to compile"),
    ));
    cache.write().entry(regex).or_insert(built)
}
