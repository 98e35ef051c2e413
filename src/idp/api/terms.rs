//! Terms documents (terms of use, privacy policy) that an app client's managed login pages
//! link to.

use std::collections::BTreeMap;

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{page_by_key, page_size, Empty};
use crate::idp::store::UserPool;
use crate::infra::ids;

pub fn create_terms(
    app: &App,
    _: &RequestContext,
    input: CreateTermsRequest,
) -> ApiResult<CreateTermsResponse> {
    let links = links(input.links)?;
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.client(&input.client_id)?;
    refuse_duplicate(&pool, &input.client_id, &input.terms_name, None)?;
    pool.header_changed();
    let now = app.clock.now();
    let terms = TermsType {
        terms_id: ids::uuid(),
        user_pool_id: input.user_pool_id,
        client_id: input.client_id,
        terms_name: input.terms_name,
        terms_source: input.terms_source,
        enforcement: input.enforcement,
        links,
        creation_date: now,
        last_modified_date: now,
    };
    pool.branding
        .terms
        .insert(terms.terms_id.clone(), terms.clone());
    Ok(CreateTermsResponse { terms: Some(terms) })
}

pub fn describe_terms(
    app: &App,
    _: &RequestContext,
    input: DescribeTermsRequest,
) -> ApiResult<DescribeTermsResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let terms = terms(&pool, &input.terms_id)?.clone();
    Ok(DescribeTermsResponse { terms: Some(terms) })
}

pub fn describe_terms_by_client(
    app: &App,
    _: &RequestContext,
    input: DescribeTermsByClientRequest,
) -> ApiResult<DescribeTermsByClientResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    pool.client(&input.client_id)?;
    let terms = pool
        .branding
        .terms
        .values()
        .find(|t| t.client_id == input.client_id && t.terms_name == input.terms_name)
        .cloned()
        .ok_or_else(|| {
            // Text unconfirmed.
            ApiError::resource_not_found(format!(
                "App client {} has no terms named {}.",
                input.client_id, input.terms_name
            ))
        })?;
    Ok(DescribeTermsByClientResponse { terms: Some(terms) })
}

/// Changes the given fields; omitted ones stay as they are.
pub fn update_terms(
    app: &App,
    _: &RequestContext,
    input: UpdateTermsRequest,
) -> ApiResult<UpdateTermsResponse> {
    let new_links = input.links.map(|l| links(Some(l))).transpose()?;
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let client_id = terms(&pool, &input.terms_id)?.client_id.clone();
    if let Some(name) = &input.terms_name {
        refuse_duplicate(&pool, &client_id, name, Some(&input.terms_id))?;
    }
    pool.header_changed();
    let now = app.clock.now();
    let terms = pool
        .branding
        .terms
        .get_mut(&input.terms_id)
        .expect("checked above");
    if let Some(name) = input.terms_name {
        terms.terms_name = name;
    }
    if let Some(source) = input.terms_source {
        terms.terms_source = source;
    }
    if let Some(enforcement) = input.enforcement {
        terms.enforcement = enforcement;
    }
    if let Some(links) = new_links {
        terms.links = links;
    }
    terms.last_modified_date = now;
    Ok(UpdateTermsResponse {
        terms: Some(terms.clone()),
    })
}

pub fn delete_terms(app: &App, _: &RequestContext, input: DeleteTermsRequest) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    terms(&pool, &input.terms_id)?;
    pool.header_changed();
    pool.branding.terms.remove(&input.terms_id);
    Ok(Empty {})
}

/// The pool's terms, of every client, ordered by TermsId.
pub fn list_terms(
    app: &App,
    _: &RequestContext,
    input: ListTermsRequest,
) -> ApiResult<ListTermsResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let (page, next_token) = page_by_key(
        &pool.branding.terms,
        input.next_token.as_deref(),
        page_size(input.max_results),
    )?;
    let terms = page
        .into_iter()
        .map(|t| TermsDescriptionType {
            terms_id: t.terms_id.clone(),
            terms_name: t.terms_name.clone(),
            enforcement: t.enforcement,
            creation_date: t.creation_date,
            last_modified_date: t.last_modified_date,
        })
        .collect();
    Ok(ListTermsResponse { terms, next_token })
}

fn terms<'a>(pool: &'a UserPool, id: &str) -> ApiResult<&'a TermsType> {
    pool.branding
        .terms
        .get(id)
        // Text unconfirmed.
        .ok_or_else(|| ApiError::resource_not_found(format!("Terms {id} does not exist.")))
}

/// A client has at most one document of each name (`terms-of-use`, `privacy-policy`).
fn refuse_duplicate(
    pool: &UserPool,
    client_id: &str,
    name: &str,
    except: Option<&str>,
) -> ApiResult<()> {
    let taken = pool.branding.terms.values().any(|t| {
        t.client_id == client_id && t.terms_name == name && Some(t.terms_id.as_str()) != except
    });
    if taken {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::TermsExistsException,
            format!("Terms named {name} already exist for app client {client_id}."),
        ));
    }
    Ok(())
}

/// With TermsSource `LINK` (the only source) the documents are links, so Links are needed
/// (optional in the model, required in TermsType; text unconfirmed). The model checks the
/// language keys (`cognito:default`, `cognito:english`, ...), URLs and count.
fn links(links: Option<BTreeMap<String, String>>) -> ApiResult<BTreeMap<String, String>> {
    match links {
        Some(links) if !links.is_empty() => Ok(links),
        _ => Err(ApiError::invalid_parameter(
            "Links are required when TermsSource is LINK.",
        )),
    }
}
