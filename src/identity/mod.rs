//! cognito-identity (identity pools): the operation table. Nothing is implemented yet; every
//! operation answers NotImplementedException.

use crate::generated::cognito_identity::Operation as Identity;

crate::operation::operations!(IMPLEMENTED, call, Identity {});
