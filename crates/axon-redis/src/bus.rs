//! The bus between nodes on one channel, `{prefix}changes` (Redis pub/sub): each node announces
//! the commits it made durable (`c <node> <feed number>`) and its revocations (`r <node>`), and
//! hears the others'. A heard commit makes this node's tail read the database now (the
//! projector then applies it and wakes this node's live viewers — never before the engine has
//! the data); a heard revocation makes this node's live streams re-check their keys at once.
//!
//! Publishing never blocks a writer: announcements go through watch channels to one publisher
//! task, which coalesces a burst into its newest feed number. The subscriber reconnects and
//! resubscribes after a Redis restart (checking the connection with a `PING` every
//! [`PING_EVERY`]); on every (re)subscription it reports [`Heard::Connected`], so the node looks
//! for what it may have missed meanwhile. Pub/sub is best effort: a lost message only delays a
//! viewer until the tail's next poll.

use crate::link::RedisLink;
use axon_ports::Peers;
use futures_util::StreamExt;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often the subscriber checks that its connection is alive.
pub const PING_EVERY: Duration = Duration::from_secs(2);
/// Wait before resubscribing after the connection was lost.
const RETRY: Duration = Duration::from_millis(200);

/// What a node hears from the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// Another node made the commit with this feed number durable.
    Commit(u64),
    /// Another node revoked a key or signed out a session.
    Revoked,
    /// The subscription is (again) in place; announcements made meanwhile may be lost.
    Connected,
}

/// This node's end of the bus.
pub struct RedisBus {
    node: String,
    commits: watch::Sender<u64>,
    revocations: watch::Sender<u64>,
}

impl RedisBus {
    /// Subscribes (in the background, resubscribing as needed) and starts the publisher;
    /// `hear` is called for every message of another node.
    pub fn start(
        link: &Arc<RedisLink>,
        hear: impl Fn(Heard) + Send + Sync + 'static,
    ) -> Arc<RedisBus> {
        let node = format!(
            "{:016x}",
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        );
        let channel = link.key("changes");
        let (commits, commits_rx) = watch::channel(0u64);
        let (revocations, revocations_rx) = watch::channel(0u64);
        // The publisher holds a connection, not the link: the link (and its runtime) goes
        // when the node's backends go.
        link.rt.spawn(publish(
            link.conn.clone(),
            channel.clone(),
            node.clone(),
            commits_rx,
            revocations_rx,
        ));
        link.rt
            .spawn(subscribe(link.client.clone(), channel, node.clone(), hear));
        Arc::new(RedisBus {
            node,
            commits,
            revocations,
        })
    }

    /// This node's id on the bus (its own messages are ignored).
    pub fn node(&self) -> &str {
        &self.node
    }
}

impl Peers for RedisBus {
    fn committed(&self, position: u64) {
        self.commits.send_modify(|p| *p = (*p).max(position));
    }

    fn revoked(&self) {
        self.revocations.send_modify(|n| *n += 1);
    }
}

async fn publish(
    conn: redis::aio::ConnectionManager,
    channel: String,
    node: String,
    mut commits: watch::Receiver<u64>,
    mut revocations: watch::Receiver<u64>,
) {
    loop {
        let message = tokio::select! {
            r = commits.changed() => {
                if r.is_err() { return }
                format!("c {node} {}", *commits.borrow_and_update())
            }
            r = revocations.changed() => {
                if r.is_err() { return }
                revocations.borrow_and_update();
                format!("r {node}")
            }
        };
        // A Redis restart breaks the connection under the first command after it: try again
        // while the connection manager reconnects, then give up (the tails' poll covers it).
        for attempt in 1..=5u32 {
            let mut c = conn.clone();
            let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
                .arg(&channel)
                .arg(&message)
                .query_async(&mut c)
                .await;
            match sent {
                Ok(_) => break,
                Err(e) => {
                    tracing::debug!(attempt, error = %e, "could not announce on the Redis bus");
                    tokio::time::sleep(RETRY * attempt).await;
                }
            }
        }
    }
}

async fn subscribe(
    client: redis::Client,
    channel: String,
    node: String,
    hear: impl Fn(Heard) + Send + Sync + 'static,
) {
    let mut connected = true;
    loop {
        match listen(&client, &channel, &node, &hear).await {
            Ok(()) => tracing::warn!("the Redis bus connection closed; resubscribing"),
            Err(e) if connected => {
                tracing::warn!(error = %e, "the Redis bus is down; resubscribing");
            }
            Err(_) => {}
        }
        connected = false;
        tokio::time::sleep(RETRY).await;
    }
}

/// One subscription, until its connection is lost (`Ok` when it closed, `Err` on a failure).
async fn listen(
    client: &redis::Client,
    channel: &str,
    node: &str,
    hear: &(impl Fn(Heard) + Send + Sync),
) -> redis::RedisResult<()> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    let (mut sink, mut stream) = pubsub.split();
    tracing::info!(channel, "listening on the Redis bus");
    hear(Heard::Connected);
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            msg = stream.next() => {
                let Some(msg) = msg else { return Ok(()) };
                let text: String = msg.get_payload().unwrap_or_default();
                if let Some(h) = parse(&text, node) {
                    hear(h);
                }
            }
            _ = ping.tick() => {
                match tokio::time::timeout(PING_EVERY, sink.ping::<redis::Value>()).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return Err(e),
                    Err(_) => return Err(redis::RedisError::from((
                        redis::ErrorKind::Io,
                        "the Redis bus did not answer PING",
                    ))),
                }
            }
        }
    }
}

/// Another node's message (`None`: ours, or not understood).
fn parse(text: &str, own: &str) -> Option<Heard> {
    let mut parts = text.split(' ');
    let kind = parts.next()?;
    if parts.next()? == own {
        return None;
    }
    match kind {
        "c" => parts.next()?.parse().ok().map(Heard::Commit),
        "r" => Some(Heard::Revoked),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_other_nodes_are_understood_and_our_own_ignored() {
        assert_eq!(parse("c n2 42", "n1"), Some(Heard::Commit(42)));
        assert_eq!(parse("r n2", "n1"), Some(Heard::Revoked));
        assert_eq!(parse("c n1 42", "n1"), None);
        assert_eq!(parse("c n2 x", "n1"), None);
        assert_eq!(parse("zz", "n1"), None);
    }
}
