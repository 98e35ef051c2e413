//! A pool's look: the classic hosted UI customization (CSS and logo), managed login branding
//! styles, and the terms documents its pages link to. Kept together in the pool header.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::generated::cognito_idp::{ManagedLoginBrandingType, TermsType};

/// The pool-wide UI customization's key in [`Branding::ui`].
pub const ALL_CLIENTS: &str = "ALL";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Branding {
    /// Classic hosted UI customizations by app client id, or [`ALL_CLIENTS`].
    #[serde(default)]
    pub ui: BTreeMap<String, UiCustomization>,
    /// Managed login styles by ManagedLoginBrandingId.
    #[serde(default)]
    pub managed_login: BTreeMap<String, ManagedLoginStyle>,
    /// Terms documents by TermsId.
    #[serde(default)]
    pub terms: BTreeMap<String, TermsType>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UiCustomization {
    pub css: Option<String>,
    pub css_version: String,
    pub image: Option<Image>,
    pub created: f64,
    pub modified: f64,
}

/// A logo: its bytes in base64 (as they came on the wire) and its media type.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Image {
    pub content_type: String,
    pub base64: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ManagedLoginStyle {
    pub client_id: String,
    /// As DescribeManagedLoginBranding returns it (without merged defaults).
    pub branding: ManagedLoginBrandingType,
}

impl Branding {
    /// Forgets what belonged to a deleted app client.
    pub fn forget_client(&mut self, client_id: &str) {
        self.ui.remove(client_id);
        self.managed_login.retain(|_, s| s.client_id != client_id);
        self.terms.retain(|_, t| t.client_id != client_id);
    }

    /// The managed login style of an app client, if it has one.
    pub fn style_of_client(&self, client_id: &str) -> Option<&ManagedLoginStyle> {
        self.managed_login
            .values()
            .find(|s| s.client_id == client_id)
    }
}
