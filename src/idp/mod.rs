//! cognito-idp (user pools): the operation table, the one list of what is implemented (the
//! dispatcher, the README's coverage list and the tests read it). A new operation is a
//! function in the [`api`] file of its family and one line here.

pub mod api;
pub mod engine;
pub mod store;

use api::*;

use crate::generated::cognito_idp::Operation as Idp;

crate::operation::operations!(IMPLEMENTED, call, Idp {
    CreateUserPool => pools::create_user_pool,
    DescribeUserPool => pools::describe_user_pool,
    UpdateUserPool => pools::update_user_pool,
    DeleteUserPool => pools::delete_user_pool,
    ListUserPools => pools::list_user_pools,
    AddCustomAttributes => pools::add_custom_attributes,
    GetUserPoolMfaConfig => pools::get_user_pool_mfa_config,
    SetUserPoolMfaConfig => pools::set_user_pool_mfa_config,
    TagResource => tags::tag_resource,
    UntagResource => tags::untag_resource,
    ListTagsForResource => tags::list_tags_for_resource,
    CreateUserPoolClient => clients::create_user_pool_client,
    DescribeUserPoolClient => clients::describe_user_pool_client,
    UpdateUserPoolClient => clients::update_user_pool_client,
    DeleteUserPoolClient => clients::delete_user_pool_client,
    ListUserPoolClients => clients::list_user_pool_clients,
    AddUserPoolClientSecret => clients::add_user_pool_client_secret,
    DeleteUserPoolClientSecret => clients::delete_user_pool_client_secret,
    ListUserPoolClientSecrets => clients::list_user_pool_client_secrets,
    AdminCreateUser => users::admin_create_user,
    AdminGetUser => users::admin_get_user,
    AdminDeleteUser => users::admin_delete_user,
    AdminEnableUser => users::admin_enable_user,
    AdminDisableUser => users::admin_disable_user,
    AdminUpdateUserAttributes => users::admin_update_user_attributes,
    AdminDeleteUserAttributes => users::admin_delete_user_attributes,
    AdminSetUserPassword => users::admin_set_user_password,
    AdminConfirmSignUp => users::admin_confirm_sign_up,
    AdminSetUserSettings => users::admin_set_user_settings,
    ListUsers => list_users::list_users,
    CreateGroup => groups::create_group,
    GetGroup => groups::get_group,
    UpdateGroup => groups::update_group,
    DeleteGroup => groups::delete_group,
    ListGroups => groups::list_groups,
    AdminAddUserToGroup => groups::admin_add_user_to_group,
    AdminRemoveUserFromGroup => groups::admin_remove_user_from_group,
    AdminListGroupsForUser => groups::admin_list_groups_for_user,
    ListUsersInGroup => groups::list_users_in_group,
    InitiateAuth => sign_in::initiate_auth,
    AdminInitiateAuth => sign_in::admin_initiate_auth,
    RespondToAuthChallenge => sign_in::respond_to_auth_challenge,
    AdminRespondToAuthChallenge => sign_in::admin_respond_to_auth_challenge,
    GetTokensFromRefreshToken => sign_in::get_tokens_from_refresh_token,
    GetUser => self_service::get_user,
    GlobalSignOut => self_service::global_sign_out,
    AdminUserGlobalSignOut => self_service::admin_user_global_sign_out,
    RevokeToken => self_service::revoke_token,
    ChangePassword => self_service::change_password,
    SignUp => sign_up::sign_up,
    ConfirmSignUp => sign_up::confirm_sign_up,
    ResendConfirmationCode => sign_up::resend_confirmation_code,
    ForgotPassword => sign_up::forgot_password,
    ConfirmForgotPassword => sign_up::confirm_forgot_password,
    AdminResetUserPassword => sign_up::admin_reset_user_password,
    DeleteUser => self_service::delete_user,
    DeleteUserAttributes => self_service::delete_user_attributes,
    SetUserSettings => self_service::set_user_settings,
    UpdateUserAttributes => self_service::update_user_attributes,
    GetUserAttributeVerificationCode => self_service::get_user_attribute_verification_code,
    VerifyUserAttribute => self_service::verify_user_attribute,
    GetSigningCertificate => signing::get_signing_certificate,
    SetUICustomization => ui_customization::set_ui_customization,
    GetUICustomization => ui_customization::get_ui_customization,
    CreateManagedLoginBranding => branding::create_managed_login_branding,
    DescribeManagedLoginBranding => branding::describe_managed_login_branding,
    DescribeManagedLoginBrandingByClient => branding::describe_managed_login_branding_by_client,
    UpdateManagedLoginBranding => branding::update_managed_login_branding,
    DeleteManagedLoginBranding => branding::delete_managed_login_branding,
});

/// Operations that sign tokens or do SRP arithmetic: they run on the blocking pool so the
/// async threads keep serving.
pub const CPU_HEAVY: &[Idp] = &[
    Idp::InitiateAuth,
    Idp::AdminInitiateAuth,
    Idp::RespondToAuthChallenge,
    Idp::AdminRespondToAuthChallenge,
    Idp::GetTokensFromRefreshToken,
    Idp::GetSigningCertificate,
];
