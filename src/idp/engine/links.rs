//! External identities linked to users (AdminLinkProviderForUser, and later federation):
//! which user an identity signs in as, and the `identities` attribute that shows the links.

use serde_json::json;

use crate::idp::store::user::ProviderLink;
use crate::idp::store::{User, UserKey, UserPool};

/// Cognito's name for a provider's own user id (`sub`, `id`, `user_id`, the SAML subject).
pub const COGNITO_SUBJECT: &str = "Cognito_Subject";

/// A user may have at most five linked identities.
pub const MAX_LINKS: usize = 5;

/// The user an external identity was linked to: `provider_user_id` is the value the link
/// was made with (the provider's user id for `Cognito_Subject` links, else the value of the
/// linked attribute).
pub fn linked_user(
    pool: &UserPool,
    provider_name: &str,
    provider_user_id: &str,
) -> Option<UserKey> {
    pool.users.linked(provider_name, provider_user_id)
}

/// The `identities` attribute as Cognito writes it: a JSON array, one object per identity.
pub fn identities_json(links: &[ProviderLink]) -> String {
    let identities: Vec<_> = links
        .iter()
        .map(|link| {
            json!({
                "userId": link.user_id,
                "providerName": link.provider_name,
                "providerType": link.provider_type,
                "issuer": null,
                "primary": false,
                "dateCreated": (link.created * 1000.0) as i64,
            })
        })
        .collect();
    serde_json::Value::Array(identities).to_string()
}

/// Gives a user its links, keeping the `identities` attribute in step (gone with the last).
pub fn set_links(user: &mut User, links: Vec<ProviderLink>) {
    if links.is_empty() {
        user.remove_attribute("identities");
    } else {
        user.set_attribute("identities", identities_json(&links));
    }
    user.extras_mut().links = links;
}
