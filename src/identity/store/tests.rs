use super::*;
use crate::idp::store::DurableSection;

const POOL: &str = "us-east-1:00000000-0000-0000-0000-000000000001";

fn config() -> IdentityPool {
    IdentityPool {
        identity_pool_id: POOL.into(),
        identity_pool_name: "p".into(),
        allow_unauthenticated_identities: true,
        ..Default::default()
    }
}

fn login(subject: &str) -> Login {
    Login {
        provider: "accounts.google.com".into(),
        subject: subject.into(),
    }
}

/// What a flush writes, as `restore` reads it (deletions left out).
fn flush(store: &IdentityStore) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = store
        .take_changes()
        .into_iter()
        .filter_map(|(key, data)| Some((key, data?)))
        .collect();
    rows.sort();
    rows
}

#[test]
fn a_new_identity_writes_its_own_document_not_the_pools() {
    let store = IdentityStore::default();
    store.write().insert_pool(PoolRecord::new(config()));
    let pool_row = flush(&store);
    assert_eq!(pool_row.len(), 1);
    assert!(!pool_row[0].1.contains("identities"), "{}", pool_row[0].1);

    let id = store
        .write()
        .create_identity(POOL, &[login("g-1")], 1.0)
        .unwrap();
    let rows = flush(&store);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, format!("{POOL}/{id}"));
    assert!(rows[0].1.contains("g-1"));

    // Loaded back: the identity, its pool and its login found again.
    let loaded = IdentityStore::default();
    loaded.restore([pool_row, rows].concat()).unwrap();
    let state = loaded.read();
    assert_eq!(state.pool_of(&id).unwrap(), POOL);
    assert_eq!(state.linked(POOL, &login("g-1")), Some(id.as_str()));

    // Deleting it deletes its document.
    drop(state);
    assert!(store.write().delete_identity(&id));
    assert_eq!(store.take_changes(), vec![(format!("{POOL}/{id}"), None)]);
}

#[test]
fn a_pool_saved_with_its_identities_inside_is_rewritten_apart() {
    let mut old = serde_json::to_value(PoolRecord::new(config())).unwrap();
    old["identities"] = serde_json::json!({
        "us-east-1:aaaa": {"id": "us-east-1:aaaa", "logins": [
            {"provider": "accounts.google.com", "subject": "g-7"}], "created": 1.0, "modified": 2.0},
    });
    let store = IdentityStore::default();
    store
        .restore(vec![(POOL.to_string(), old.to_string())])
        .unwrap();
    assert_eq!(
        store.read().linked(POOL, &login("g-7")),
        Some("us-east-1:aaaa")
    );
    assert!(store.has_changes());
    let rows = flush(&store);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].0, POOL);
    assert!(!rows[0].1.contains("us-east-1:aaaa"));
    assert_eq!(rows[1].0, format!("{POOL}/us-east-1:aaaa"));
    let reloaded = IdentityStore::default();
    reloaded.restore(rows).unwrap();
    assert_eq!(
        reloaded.read().linked(POOL, &login("g-7")),
        Some("us-east-1:aaaa")
    );
}

#[test]
fn an_identity_of_no_pool_is_dropped_at_start_and_deleted_by_the_next_commit() {
    let store = IdentityStore::default();
    let orphan = serde_json::json!({"id": "us-east-1:bbbb", "created": 1.0, "modified": 1.0});
    store
        .restore(vec![(format!("{POOL}/us-east-1:bbbb"), orphan.to_string())])
        .unwrap();
    assert!(store.read().pool_of("us-east-1:bbbb").is_err());
    assert_eq!(
        store.take_changes(),
        vec![(format!("{POOL}/us-east-1:bbbb"), None)]
    );
}
