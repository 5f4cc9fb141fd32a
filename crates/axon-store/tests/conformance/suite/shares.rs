//! Share links (found by token hash, revoked once) and annotations (by scope and time).

use super::*;
use axon_domain::annotation::*;
use axon_domain::share::*;

fn link(hash: &str, scope: ScopeKind, id: i64) -> ShareLink {
    ShareDraft {
        scope,
        scope_id: id,
        period: Some("30d".into()),
        expires_in_hours: Some(48),
        label: Some("에이전시 · agency".into()),
    }
    .validate(hash.into(), Ts(1_000))
    .unwrap()
}

pub async fn share_links_by_hash_revoked_once(b: &Backend) {
    let repo = b.repo();
    assert!(repo.shares().await.unwrap().is_empty());
    let a = repo
        .create_share(link(&"a".repeat(64), ScopeKind::Activity, 7))
        .await
        .unwrap();
    let c = repo
        .create_share(link(&"c".repeat(64), ScopeKind::Campaign, 2))
        .await
        .unwrap();
    assert!(a.id > 0 && c.id > a.id, "{}", b.name);
    assert_eq!(
        (a.scope, a.scope_id, a.period.as_str(), a.label.as_str()),
        (ScopeKind::Activity, 7, "30d", "에이전시 · agency")
    );
    assert_eq!(a.expires_at, Ts(1_000 + 48 * 3_600_000));
    assert_eq!(a.revoked_at, None);

    let found = repo.share_by_hash(&"c".repeat(64)).await.unwrap().unwrap();
    assert_eq!(found, c, "{}", b.name);
    assert!(repo.share_by_hash(&"d".repeat(64)).await.unwrap().is_none());
    // The same token hash cannot be stored twice.
    assert!(
        repo.create_share(link(&"a".repeat(64), ScopeKind::Campaign, 3))
            .await
            .is_err(),
        "{}",
        b.name
    );
    assert_eq!(repo.shares().await.unwrap().len(), 2);

    let r = repo.revoke_share(a.id, Ts(5_000)).await.unwrap();
    assert_eq!(r.revoked_at, Some(Ts(5_000)));
    let again = repo.revoke_share(a.id, Ts(9_000)).await.unwrap();
    assert_eq!(
        again.revoked_at,
        Some(Ts(5_000)),
        "the first revocation stays"
    );
    assert_eq!(
        repo.share_by_hash(&"a".repeat(64))
            .await
            .unwrap()
            .unwrap()
            .status(Ts(6_000)),
        ShareStatus::Revoked
    );
    assert!(matches!(
        repo.revoke_share(999_999, Ts(1)).await,
        Err(StoreError::NotFound(_))
    ));
    let all = repo.shares().await.unwrap();
    assert_eq!(all.iter().map(|s| s.id).collect::<Vec<_>>(), [a.id, c.id]);
    assert_eq!(all[1].revoked_at, None, "only the one revoked");
}

fn note(scope: ScopeKind, id: i64, at: i64, text: &str) -> Annotation {
    AnnotationDraft {
        scope,
        scope_id: id,
        at: Ts(at),
        text: text.into(),
    }
    .validate(Ts(at))
    .unwrap()
}

pub async fn annotations_by_scope_and_window(b: &Backend) {
    let repo = b.repo();
    let act = ScopeKind::Activity;
    let later = repo
        .create_annotation(note(act, 7, 30_000, "가격 인하"))
        .await
        .unwrap();
    let first = repo
        .create_annotation(note(act, 7, 10_000, "TV 광고 송출 📺"))
        .await
        .unwrap();
    let other = repo
        .create_annotation(note(ScopeKind::Campaign, 7, 20_000, "campaign note"))
        .await
        .unwrap();
    repo.create_annotation(note(act, 8, 20_000, "another activity"))
        .await
        .unwrap();
    assert!(first.id > later.id && other.id > first.id, "{}", b.name);

    let all = repo.annotations(act, 7, Ts(0), Ts(100_000)).await.unwrap();
    assert_eq!(
        all.iter().map(|a| a.text.as_str()).collect::<Vec<_>>(),
        ["TV 광고 송출 📺", "가격 인하"],
        "{}: by time, only this scope, text kept exactly",
        b.name
    );
    // Half-open window: start included, end excluded.
    let w = repo
        .annotations(act, 7, Ts(10_000), Ts(30_000))
        .await
        .unwrap();
    assert_eq!(w.iter().map(|a| a.id).collect::<Vec<_>>(), [first.id]);
    let c = repo
        .annotations(ScopeKind::Campaign, 7, Ts(0), Ts(100_000))
        .await
        .unwrap();
    assert_eq!(c, vec![other.clone()]);
    assert_eq!(
        repo.annotation(first.id).await.unwrap(),
        Some(first.clone())
    );

    let gone = repo.delete_annotation(first.id).await.unwrap();
    assert_eq!(gone, first);
    assert!(repo.annotation(first.id).await.unwrap().is_none());
    assert!(matches!(
        repo.delete_annotation(first.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        repo.annotations(act, 7, Ts(0), Ts(100_000))
            .await
            .unwrap()
            .len(),
        1
    );
}
