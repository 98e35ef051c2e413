//! ListUsers: the filter grammar (`attribute = "value"` and `attribute ^= "value"`), served
//! from the pool's ordered indexes, with stable pagination.

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::api::{decode_token, encode_token, page_size};
use crate::idp::engine::users::user_type;
use crate::idp::store::users::SearchAttribute;
use crate::idp::store::UserKey;

/// A parsed ListUsers filter.
#[derive(Debug, PartialEq, Eq)]
pub struct Filter {
    pub attribute: SearchAttribute,
    pub value: String,
    pub prefix: bool,
}

/// `<attribute> <op> "<value>"`, spaces around the operator optional, `\"` and `\\` escaped
/// in the value. An empty filter lists every user.
pub fn parse_filter(text: &str) -> ApiResult<Option<Filter>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    // Texts unconfirmed (moto's wording).
    let malformed = || ApiError::invalid_parameter("Error while parsing filter.");
    let name_end = text
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or_else(malformed)?;
    let (name, rest) = text.split_at(name_end);
    let rest = rest.trim_start();
    let (prefix, rest) = if let Some(rest) = rest.strip_prefix("^=") {
        (true, rest)
    } else if let Some(rest) = rest.strip_prefix('=') {
        (false, rest)
    } else {
        return Err(malformed());
    };
    let quoted = rest.trim();
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .filter(|_| quoted.len() >= 2)
        .ok_or_else(malformed)?;
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().ok_or_else(malformed)?),
            '"' => return Err(malformed()),
            c => value.push(c),
        }
    }
    let attribute = SearchAttribute::parse(name)
        .ok_or_else(|| ApiError::invalid_parameter(format!("Invalid search attribute: {name}")))?;
    Ok(Some(Filter {
        attribute,
        value,
        prefix,
    }))
}

pub fn list_users(
    app: &App,
    _: &RequestContext,
    input: ListUsersRequest,
) -> ApiResult<ListUsersResponse> {
    let filter = parse_filter(input.filter.as_deref().unwrap_or_default())?;
    let limit = page_size(input.limit);
    let position = decode_token(input.pagination_token.as_deref())?;
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let bad_token = || ApiError::invalid_parameter("Invalid pagination token.");
    let (keys, next): (Vec<UserKey>, Option<String>) = match &filter {
        None => {
            let after = position
                .map(|p| p.parse::<UserKey>().map_err(|_| bad_token()))
                .transpose()?;
            let (keys, next) = pool.users.page(after, limit);
            (keys, next.map(|k| k.to_string()))
        }
        Some(filter) => {
            let after = position
                .map(|p| {
                    let (key, value) = p.split_once(':').ok_or_else(bad_token)?;
                    Ok::<_, ApiError>((
                        value.to_string(),
                        key.parse::<UserKey>().map_err(|_| bad_token())?,
                    ))
                })
                .transpose()?;
            let (keys, next) =
                pool.users
                    .search(filter.attribute, &filter.value, filter.prefix, after, limit);
            (keys, next.map(|(value, key)| format!("{key}:{value}")))
        }
    };
    let users = keys
        .into_iter()
        .filter_map(|key| pool.users.get(key))
        .map(|user| {
            let mut listed = user_type(user);
            if let (Some(wanted), Some(attributes)) =
                (&input.attributes_to_get, listed.attributes.as_mut())
            {
                attributes.retain(|a| wanted.contains(&a.name));
            }
            listed
        })
        .collect();
    Ok(ListUsersResponse {
        users: Some(users),
        pagination_token: next.as_deref().map(encode_token),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_grammar() {
        let f = parse_filter(r#"email ^= "al""#).unwrap().unwrap();
        assert_eq!(
            f,
            Filter {
                attribute: SearchAttribute::Email,
                value: "al".into(),
                prefix: true
            }
        );
        let f = parse_filter(r#"cognito:user_status="CONFIRMED""#)
            .unwrap()
            .unwrap();
        assert_eq!(f.attribute, SearchAttribute::UserStatus);
        assert!(!f.prefix);
        let f = parse_filter(r#"name = "say \"hi\"""#).unwrap().unwrap();
        assert_eq!(f.value, r#"say "hi""#);
        assert_eq!(parse_filter("  ").unwrap(), None);
        assert!(parse_filter(r#"email = al"#).is_err());
        assert!(parse_filter(r#"email ~ "al""#).is_err());
        assert_eq!(
            parse_filter(r#"custom:x = "1""#).unwrap_err().message,
            "Invalid search attribute: custom:x"
        );
    }
}
