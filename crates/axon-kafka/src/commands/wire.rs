//! The command topic's wire format: an envelope (the command id and the command as JSON), the
//! partition key, and decoding what the consumer group reads.

use axon_domain::event::Event;
use axon_domain::model::{ActivityId, Entry, Purchase};
use axon_domain::Ts;
use axon_ports::commands::{Command, ConsumedCommand};
use axon_ports::{NewEntry, NewPurchase, TokenKind, TokenRecord};
use serde::{Deserialize, Serialize};

/// A command on the wire.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Envelope {
    pub(super) id: String,
    pub(super) command: Wire,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Wire {
    #[serde(rename_all = "camelCase")]
    Enter {
        entry: Entry,
        event: Event,
        reservation: Option<(String, Ts)>,
        coupon_id: Option<i64>,
    },
    #[serde(rename_all = "camelCase")]
    Token {
        token: String,
        approval: bool,
        entry_id: i64,
        activity_id: ActivityId,
        user_id: String,
        expires_at: Ts,
    },
    #[serde(rename_all = "camelCase")]
    Pay {
        purchase: Purchase,
        event: Event,
        entry_id: Option<i64>,
    },
    Cancel {
        ids: Vec<i64>,
        at: Ts,
    },
}

impl From<Command> for Wire {
    fn from(c: Command) -> Wire {
        match c {
            Command::Enter(n) => Wire::Enter {
                entry: n.entry,
                event: n.event,
                reservation: n.reservation,
                coupon_id: n.coupon_id,
            },
            Command::Token(t) => Wire::Token {
                token: t.token,
                approval: t.kind == TokenKind::Approval,
                entry_id: t.entry_id,
                activity_id: t.activity_id,
                user_id: t.user_id,
                expires_at: t.expires_at,
            },
            Command::Pay(p) => Wire::Pay {
                purchase: p.purchase,
                event: p.event,
                entry_id: p.entry_id,
            },
            Command::Cancel { ids, at } => Wire::Cancel { ids, at },
        }
    }
}

impl From<Wire> for Command {
    fn from(w: Wire) -> Command {
        match w {
            Wire::Enter {
                entry,
                event,
                reservation,
                coupon_id,
            } => Command::Enter(NewEntry {
                entry,
                event,
                reservation,
                coupon_id,
            }),
            Wire::Token {
                token,
                approval,
                entry_id,
                activity_id,
                user_id,
                expires_at,
            } => Command::Token(TokenRecord {
                token,
                kind: if approval {
                    TokenKind::Approval
                } else {
                    TokenKind::Reservation
                },
                entry_id,
                activity_id,
                user_id,
                expires_at,
            }),
            Wire::Pay {
                purchase,
                event,
                entry_id,
            } => Command::Pay(NewPurchase {
                purchase,
                event,
                entry_id,
            }),
            Wire::Cancel { ids, at } => Command::Cancel { ids, at },
        }
    }
}

/// The partition key: one seat's commands (entry, token, payment) stay in order.
pub(super) fn key_of(c: &Command) -> String {
    match c {
        Command::Enter(n) => format!("{}:{}", n.entry.activity_id, n.entry.user_id),
        Command::Token(t) => format!("{}:{}", t.activity_id, t.user_id),
        Command::Pay(p) => format!(
            "{}:{}",
            p.purchase.activity_id.unwrap_or(0),
            p.purchase.user_id
        ),
        Command::Cancel { .. } => "cancel".into(),
    }
}

pub(super) fn command_id() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source failed");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(super) fn decode(
    partition: i32,
    offset: i64,
    payload: Option<&[u8]>,
) -> Result<ConsumedCommand, String> {
    let e: Envelope =
        serde_json::from_slice(payload.ok_or("no payload")?).map_err(|e| e.to_string())?;
    Ok(ConsumedCommand {
        partition,
        offset,
        id: e.id,
        command: e.command.into(),
    })
}
