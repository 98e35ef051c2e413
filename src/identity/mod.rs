//! cognito-identity (identity pools): the operation table, the one list of what is
//! implemented. A new operation is a function in the [`api`] file of its family and one line
//! here.

pub mod api;
pub mod engine;
pub mod store;

use api::*;

use crate::generated::cognito_identity::Operation as Identity;

crate::operation::operations!(IMPLEMENTED, call, Identity {
    CreateIdentityPool => pools::create_identity_pool,
    DescribeIdentityPool => pools::describe_identity_pool,
    UpdateIdentityPool => pools::update_identity_pool,
    DeleteIdentityPool => pools::delete_identity_pool,
    ListIdentityPools => pools::list_identity_pools,
    SetIdentityPoolRoles => roles::set_identity_pool_roles,
    GetIdentityPoolRoles => roles::get_identity_pool_roles,
    SetPrincipalTagAttributeMap => roles::set_principal_tag_attribute_map,
    GetPrincipalTagAttributeMap => roles::get_principal_tag_attribute_map,
    TagResource => tags::tag_resource,
    UntagResource => tags::untag_resource,
    ListTagsForResource => tags::list_tags_for_resource,
    GetId => identities::get_id,
    DescribeIdentity => identities::describe_identity,
    ListIdentities => identities::list_identities,
    DeleteIdentities => identities::delete_identities,
    UnlinkIdentity => identities::unlink_identity,
    GetCredentialsForIdentity => credentials::get_credentials_for_identity,
    GetOpenIdToken => credentials::get_open_id_token,
    GetOpenIdTokenForDeveloperIdentity => developer::get_open_id_token_for_developer_identity,
    LookupDeveloperIdentity => developer::lookup_developer_identity,
    MergeDeveloperIdentities => developer::merge_developer_identities,
    UnlinkDeveloperIdentity => developer::unlink_developer_identity,
});

/// Operations that sign RS256 tokens (or may wait for the identity service's key): they run
/// on the blocking pool. Verifying a login (tens of microseconds, as for an access token)
/// stays on the async threads: the hop to the blocking pool cost more than it.
pub const CPU_HEAVY: &[Identity] = &[
    Identity::GetOpenIdToken,
    Identity::GetOpenIdTokenForDeveloperIdentity,
];

/// Whether an identity operation runs on the blocking pool: it signs, or its Logins may name
/// an OIDC provider whose keys have to be fetched.
pub fn on_blocking_pool(op: Identity, input: &serde_json::Value) -> bool {
    CPU_HEAVY.contains(&op) || engine::logins::may_fetch_keys(input)
}
