//! The cognito-identity operations, one function each, grouped by family. Api files decode
//! nothing, know no HTTP and never import each other; what they share is in [`super::engine`].

pub mod credentials;
pub mod developer;
pub mod identities;
pub mod pools;
pub mod roles;
pub mod tags;

use serde::Serialize;

/// The output of operations whose model output is empty.
#[derive(Debug, Default, Serialize)]
pub struct Empty {}

/// A page of `items` (ordered by key) after the `NextToken` (the last key of the previous
/// page), and the token of the next page.
pub fn page<'a, T: 'a>(
    items: impl Iterator<Item = (&'a String, T)>,
    next_token: Option<&str>,
    max: i64,
) -> (Vec<T>, Option<String>) {
    let max = max.max(1) as usize;
    let mut page = Vec::new();
    let mut last = None;
    let mut more = false;
    for (key, item) in items.filter(|(key, _)| next_token.is_none_or(|t| key.as_str() > t)) {
        if page.len() == max {
            more = true;
            break;
        }
        last = Some(key.clone());
        page.push(item);
    }
    (page, if more { last } else { None })
}
