//! User attributes: the standard schema, custom attributes, and the checks
//! applied when an administrator writes attributes.

use std::collections::BTreeMap;

use crate::error::ApiError;
use crate::generated::cognito_idp::{
    AttributeDataType, AttributeType, NumberAttributeConstraintsType, SchemaAttributeType,
    StringAttributeConstraintsType,
};

pub use crate::idp::store::users::{standard_name, STANDARD_ATTRIBUTES as STANDARD};

fn string_constraints(min: &str, max: &str) -> Option<StringAttributeConstraintsType> {
    Some(StringAttributeConstraintsType {
        min_length: Some(min.to_string()),
        max_length: Some(max.to_string()),
    })
}

/// The standard attributes as DescribeUserPool lists them by default.
pub fn standard_schema() -> Vec<SchemaAttributeType> {
    STANDARD
        .iter()
        .map(|(name, data_type)| {
            let mut attribute = SchemaAttributeType {
                name: Some(name.to_string()),
                attribute_data_type: Some(*data_type),
                developer_only_attribute: Some(false),
                mutable: Some(*name != "sub"),
                required: Some(*name == "sub"),
                ..Default::default()
            };
            match (*name, data_type) {
                ("sub", _) => {
                    attribute.string_attribute_constraints = string_constraints("1", "2048")
                }
                ("birthdate", _) => {
                    attribute.string_attribute_constraints = string_constraints("10", "10")
                }
                (_, AttributeDataType::String) => {
                    attribute.string_attribute_constraints = string_constraints("0", "2048")
                }
                (_, AttributeDataType::Number) => {
                    attribute.number_attribute_constraints = Some(NumberAttributeConstraintsType {
                        min_value: Some("0".to_string()),
                        max_value: None,
                    })
                }
                _ => {}
            }
            attribute
        })
        .collect()
}

/// The pool's schema from CreateUserPool's `Schema`: standard attributes with the requested
/// `Required`/`Mutable`/constraints, then the custom ones.
pub fn build_schema(
    requested: &[SchemaAttributeType],
) -> Result<Vec<SchemaAttributeType>, ApiError> {
    let mut schema = standard_schema();
    let mut custom = Vec::new();
    for attribute in requested {
        let name = attribute.name.clone().unwrap_or_default();
        if let Some(standard) = schema
            .iter_mut()
            .find(|a| a.name.as_deref() == Some(name.as_str()))
        {
            if attribute
                .attribute_data_type
                .is_some_and(|t| Some(t) != standard.attribute_data_type)
                || attribute.developer_only_attribute == Some(true)
            {
                return Err(ApiError::invalid_parameter(format!(
                    "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
                )));
            }
            if name == "sub" {
                continue;
            }
            check_constraints(&name, attribute)?;
            if let Some(required) = attribute.required {
                standard.required = Some(required);
            }
            if let Some(mutable) = attribute.mutable {
                standard.mutable = Some(mutable);
            }
            if let Some(constraints) = &attribute.string_attribute_constraints {
                standard.string_attribute_constraints = Some(constraints.clone());
            }
            if let Some(constraints) = &attribute.number_attribute_constraints {
                standard.number_attribute_constraints = Some(constraints.clone());
            }
        } else {
            custom.push(attribute.clone());
        }
    }
    add_custom(&mut schema, &custom)?;
    Ok(schema)
}

/// Adds custom attributes (CreateUserPool, AddCustomAttributes), named `custom:<name>` or,
/// for developer-only ones, `dev:custom:<name>`.
pub fn add_custom(
    schema: &mut Vec<SchemaAttributeType>,
    custom: &[SchemaAttributeType],
) -> Result<(), ApiError> {
    for attribute in custom {
        if attribute.required == Some(true) {
            return Err(ApiError::invalid_parameter(
                "Required custom attributes are not supported currently.",
            ));
        }
        let bare = attribute.name.clone().unwrap_or_default();
        let developer_only = attribute.developer_only_attribute.unwrap_or(false);
        let name = if developer_only {
            format!("dev:custom:{bare}")
        } else {
            format!("custom:{bare}")
        };
        if bare.is_empty() {
            return Err(ApiError::invalid_parameter("Attribute name is required."));
        }
        if schema.iter().any(|a| {
            a.name.as_deref() == Some(name.as_str())
                || a.name
                    .as_deref()
                    .is_some_and(|n| n.ends_with(&format!("custom:{bare}")))
        }) {
            // The full new name on both sides, also for `dev:custom:` ones (unconfirmed).
            return Err(ApiError::invalid_parameter(format!(
                "{name}: Existing attribute already has name {name}."
            )));
        }
        let Some(data_type) = attribute.attribute_data_type else {
            return Err(ApiError::invalid_parameter(
                "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
            ));
        };
        check_constraints(&name, attribute)?;
        schema.push(SchemaAttributeType {
            name: Some(name),
            attribute_data_type: Some(data_type),
            developer_only_attribute: Some(developer_only),
            mutable: Some(attribute.mutable.unwrap_or(true)),
            required: Some(false),
            string_attribute_constraints: attribute.string_attribute_constraints.clone().or_else(
                || {
                    (data_type == AttributeDataType::String)
                        .then(StringAttributeConstraintsType::default)
                },
            ),
            number_attribute_constraints: attribute.number_attribute_constraints.clone().or_else(
                || {
                    (data_type == AttributeDataType::Number)
                        .then(NumberAttributeConstraintsType::default)
                },
            ),
        });
    }
    Ok(())
}

/// The constraints Cognito accepts on a schema attribute: lengths are whole numbers up to
/// 2048, values are numbers, and neither minimum exceeds its maximum. Texts unconfirmed.
fn check_constraints(name: &str, attribute: &SchemaAttributeType) -> Result<(), ApiError> {
    if let Some(c) = &attribute.string_attribute_constraints {
        let length = |value: &Option<String>| {
            value
                .as_deref()
                .map(|v| {
                    v.parse::<u64>().map_err(|_| {
                        ApiError::invalid_parameter(format!(
                            "Invalid StringAttributeConstraints for schema attribute {name}"
                        ))
                    })
                })
                .transpose()
        };
        let (min, max) = (length(&c.min_length)?, length(&c.max_length)?);
        if min.max(max).is_some_and(|l| l > 2048) {
            return Err(ApiError::invalid_parameter(format!(
                "{name}: String attributes cannot have a length of more than 2048"
            )));
        }
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return Err(ApiError::invalid_parameter(format!(
                    "{name}: Max length cannot be less than min length."
                )));
            }
        }
    }
    if let Some(c) = &attribute.number_attribute_constraints {
        let number = |value: &Option<String>| {
            value
                .as_deref()
                .map(|v| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .ok_or_else(|| {
                            ApiError::invalid_parameter(format!(
                                "Invalid NumberAttributeConstraints for schema attribute {name}"
                            ))
                        })
                })
                .transpose()
        };
        if let (Some(min), Some(max)) = (number(&c.min_value)?, number(&c.max_value)?) {
            if min > max {
                return Err(ApiError::invalid_parameter(format!(
                    "{name}: Max value cannot be less than min value."
                )));
            }
        }
    }
    Ok(())
}

/// Why a write was refused; all are InvalidParameterException.
fn schema_error(detail: impl std::fmt::Display) -> ApiError {
    ApiError::invalid_parameter(format!(
        "Attributes did not conform to the schema: {detail}"
    ))
}

/// Whether this write creates the user (immutable attributes may be set then) or updates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Create,
    Update,
}

/// Checks attributes an administrator writes against the pool's schema and returns them as a
/// name → value map (the last value of a repeated name wins, as Cognito does).
pub fn check_writes(
    schema: &[SchemaAttributeType],
    attributes: &[AttributeType],
    kind: WriteKind,
) -> Result<BTreeMap<String, String>, ApiError> {
    let definition = |name: &str| schema.iter().find(|a| a.name.as_deref() == Some(name));
    // Every undeclared attribute, one line each, as Cognito lists them. The other observed
    // form, `Type for attribute {x} could not be determined`, is kept for deletions (which
    // operations use which form is unconfirmed).
    let undeclared: String = attributes
        .iter()
        .filter(|a| definition(&a.name).is_none())
        .map(|a| format!("{}: Attribute does not exist in the schema.\n", a.name))
        .collect();
    if !undeclared.is_empty() {
        return Err(schema_error(undeclared));
    }
    let mut values = BTreeMap::new();
    for attribute in attributes {
        let name = attribute.name.as_str();
        let value = attribute.value.clone().unwrap_or_default();
        let Some(definition) = definition(name) else {
            continue;
        };
        // `identities` is Cognito's own record of linked providers (AdminLinkProviderForUser,
        // federated sign-in): written by them only, so it cannot fall out of step (unconfirmed
        // that Cognito refuses it with this text).
        let managed = name == "sub" || name == "identities";
        if managed || (kind == WriteKind::Update && definition.mutable == Some(false)) {
            // Text unconfirmed.
            return Err(schema_error(format_args!(
                "{name}: Attribute cannot be updated. (changing an immutable attribute)"
            )));
        }
        let value = check_value(definition, name, &value)?;
        values.insert(name.to_string(), value);
    }
    Ok(values)
}

/// Checks a value against its definition and returns it as it is stored.
fn check_value(
    definition: &SchemaAttributeType,
    name: &str,
    value: &str,
) -> Result<String, ApiError> {
    match definition
        .attribute_data_type
        .unwrap_or(AttributeDataType::String)
    {
        AttributeDataType::String => {
            if let Some(c) = &definition.string_attribute_constraints {
                let len = value.chars().count() as i64;
                let max = c
                    .max_length
                    .as_deref()
                    .and_then(|m| m.parse::<i64>().ok())
                    .unwrap_or(2048);
                let min = c
                    .min_length
                    .as_deref()
                    .and_then(|m| m.parse::<i64>().ok())
                    .unwrap_or(0);
                if len > max {
                    return Err(schema_error(format_args!(
                        "{name}: String must be no longer than {max} characters"
                    )));
                }
                if len < min && !value.is_empty() {
                    return Err(schema_error(format_args!(
                        "{name}: String must be no shorter than {min} characters"
                    )));
                }
            }
            if name == "email" && !value.is_empty() && !is_email(value) {
                return Err(ApiError::invalid_parameter("Invalid email address format."));
            }
            if name == "phone_number" && !value.is_empty() && !is_phone_number(value) {
                return Err(ApiError::invalid_parameter("Invalid phone number format."));
            }
        }
        AttributeDataType::Number => {
            let Ok(number) = value.parse::<f64>() else {
                return Err(schema_error(format_args!(
                    "{name}: Number must be a valid number"
                )));
            };
            if let Some(c) = &definition.number_attribute_constraints {
                if let Some(min) = c.min_value.as_deref().and_then(|m| m.parse::<f64>().ok()) {
                    if number < min {
                        return Err(schema_error(format_args!(
                            "{name}: Number must be no less than {min}"
                        )));
                    }
                }
                if let Some(max) = c.max_value.as_deref().and_then(|m| m.parse::<f64>().ok()) {
                    if number > max {
                        return Err(schema_error(format_args!(
                            "{name}: Number must be no greater than {max}"
                        )));
                    }
                }
            }
        }
        AttributeDataType::Boolean => {
            // Any case is accepted and kept lowercase, the form Cognito returns (judgement:
            // the stored form of e.g. "TRUE" is unconfirmed).
            let canonical = value.to_ascii_lowercase();
            if canonical != "true" && canonical != "false" {
                return Err(schema_error(format_args!(
                    "{name}: Boolean must be true or false"
                )));
            }
            return Ok(canonical);
        }
        AttributeDataType::DateTime => {}
    }
    Ok(value.to_string())
}

/// A pragmatic e-mail check: one `@`, something before it, a dot-free-or-dotted domain after.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !value.chars().any(char::is_whitespace)
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// E.164: `+` then 4 to 15 digits.
pub fn is_phone_number(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|digits| {
        (4..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// `j***@e***` and `+*******1234`, as CodeDeliveryDetails show destinations.
pub fn mask_destination(value: &str) -> String {
    if let Some((local, domain)) = value.split_once('@') {
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    } else {
        let visible: String = value
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("+*******{visible}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@"));
        assert!(!is_email("a b@c.d"));
        assert!(is_phone_number("+14155550123"));
        assert!(!is_phone_number("14155550123"));
        assert!(!is_phone_number("+1-415"));
        assert_eq!(mask_destination("+14155550123"), "+*******0123");
        assert_eq!(mask_destination("test@example.com"), "t***@e***");
    }

    #[test]
    fn custom_attributes_are_prefixed_and_unique() {
        let mut schema = standard_schema();
        let custom = SchemaAttributeType {
            name: Some("tenant".into()),
            attribute_data_type: Some(AttributeDataType::String),
            ..Default::default()
        };
        add_custom(&mut schema, std::slice::from_ref(&custom)).unwrap();
        assert_eq!(
            schema.last().unwrap().name.as_deref(),
            Some("custom:tenant")
        );
        assert!(add_custom(&mut schema, &[custom]).is_err());
    }
}
