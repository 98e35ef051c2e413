//! Multi-Region replicas (Create/List/Update/DeleteUserPoolReplica): recorded per pool with
//! Cognito's shapes; the emulator serves the one copy of the pool.

use aws_sdk_cognitoidentityprovider::types::{
    ReplicaRoleType, ReplicaStatusType, UpdateReplicaStatusType, UserPoolReplicaType,
};

use crate::common::{err, start, Emulator};

fn arn(region: &str, pool_id: &str) -> String {
    format!("arn:aws:cognito-idp:{region}:000000000000:userpool/{pool_id}")
}

async fn list(
    emulator: &Emulator,
    pool_id: &str,
) -> Vec<(String, ReplicaRoleType, ReplicaStatusType)> {
    emulator
        .idp
        .list_user_pool_replicas()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap()
        .user_pool_replicas
        .unwrap()
        .into_iter()
        .map(|r| {
            let region = r.region_name.unwrap();
            assert_eq!(r.user_pool_arn.unwrap(), arn(&region, pool_id));
            (region, r.role.unwrap(), r.status.unwrap())
        })
        .collect()
}

async fn create(
    emulator: &Emulator,
    pool_id: &str,
    region: &str,
) -> Result<UserPoolReplicaType, (String, String)> {
    emulator
        .idp
        .create_user_pool_replica()
        .user_pool_id(pool_id)
        .region_name(region)
        .user_pool_tags("team", "auth")
        .send()
        .await
        .map(|out| out.user_pool_replica.unwrap())
        .map_err(err)
}

#[tokio::test]
async fn a_replica_is_created_listed_switched_and_deleted() {
    let emulator = start().await;
    let pool_id = emulator.pool("replicated").await;
    let account = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .arn
        .unwrap();
    assert_eq!(account, arn("us-east-1", &pool_id), "the test's account id");
    let primary = (
        "us-east-1".to_string(),
        ReplicaRoleType::Primary,
        ReplicaStatusType::Active,
    );
    assert_eq!(list(&emulator, &pool_id).await, vec![primary.clone()]);

    let created = create(&emulator, &pool_id, "eu-west-1").await.unwrap();
    assert_eq!(created.region_name.as_deref(), Some("eu-west-1"));
    assert_eq!(created.role, Some(ReplicaRoleType::Secondary));
    assert_eq!(created.status, Some(ReplicaStatusType::Creating));
    assert_eq!(created.user_pool_arn.unwrap(), arn("eu-west-1", &pool_id));
    let secondary = |status| ("eu-west-1".to_string(), ReplicaRoleType::Secondary, status);
    assert_eq!(
        list(&emulator, &pool_id).await,
        vec![primary.clone(), secondary(ReplicaStatusType::Active)]
    );

    let updated = emulator
        .idp
        .update_user_pool_replica()
        .user_pool_id(&pool_id)
        .region_name("eu-west-1")
        .status(UpdateReplicaStatusType::Inactive)
        .send()
        .await
        .unwrap()
        .user_pool_replica
        .unwrap();
    assert_eq!(updated.status, Some(ReplicaStatusType::Inactive));
    assert_eq!(
        list(&emulator, &pool_id).await,
        vec![primary.clone(), secondary(ReplicaStatusType::Inactive)]
    );

    let deleted = emulator
        .idp
        .delete_user_pool_replica()
        .user_pool_id(&pool_id)
        .region_name("eu-west-1")
        .send()
        .await
        .unwrap()
        .user_pool_replica
        .unwrap();
    assert_eq!(deleted.status, Some(ReplicaStatusType::Deleting));
    assert_eq!(list(&emulator, &pool_id).await, vec![primary]);
}

#[tokio::test]
async fn replicas_are_checked() {
    let emulator = start().await;
    let pool_id = emulator.pool("checked").await;
    let invalid =
        |message: &str| Err(("InvalidParameterException".to_string(), message.to_string()));
    assert_eq!(
        create(&emulator, &pool_id, "us-east-1").await,
        invalid(
            "The user pool's primary region is us-east-1: a replica must be in another region."
        )
    );
    assert_eq!(
        create(&emulator, &pool_id, "not a region").await,
        invalid("not a region is not a region name.")
    );
    create(&emulator, &pool_id, "ap-southeast-2").await.unwrap();
    assert_eq!(
        create(&emulator, &pool_id, "ap-southeast-2").await,
        invalid("The user pool already has a replica in ap-southeast-2.")
    );
    for region in ["eu-west-1", "eu-central-1", "us-west-2", "ca-central-1"] {
        create(&emulator, &pool_id, region).await.unwrap();
    }
    assert_eq!(
        create(&emulator, &pool_id, "sa-east-1").await,
        Err((
            "LimitExceededException".to_string(),
            "A user pool can have at most 5 replicas.".to_string()
        ))
    );
    let missing = emulator
        .idp
        .delete_user_pool_replica()
        .user_pool_id(&pool_id)
        .region_name("sa-east-1")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        missing,
        (
            "ResourceNotFoundException".to_string(),
            "The user pool has no replica in sa-east-1.".to_string()
        )
    );
    let primary = emulator
        .idp
        .delete_user_pool_replica()
        .user_pool_id(&pool_id)
        .region_name("us-east-1")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(primary.0, "InvalidParameterException");
    let no_pool = emulator
        .idp
        .list_user_pool_replicas()
        .user_pool_id("us-east-1_missing0")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(no_pool.0, "ResourceNotFoundException");
}
