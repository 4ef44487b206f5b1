//! What the three other exports carry: conversions, agents' status spans, departments' queue
//! sizes.

use zendesk_chat::types;

use super::{DAY_MICROS, HISTORY_END_MICROS, rng, ts_micros};
use crate::store::ExportItem;
use crate::store::ids::random_id_part;

/// The conversions of the account's chats, in time order.
pub(super) fn conversion_items(conversions: Vec<types::Conversion>) -> Vec<ExportItem> {
    let mut items: Vec<ExportItem> = conversions
        .into_iter()
        .map(|conversion| {
            let time = conversion
                .timestamp
                .as_ref()
                .and_then(|t| crate::store::clock::parse_iso(t.as_str()))
                .unwrap_or(0);
            ExportItem::new(time, conversion.id.clone().unwrap_or_default(), &conversion)
        })
        .collect();
    items.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    items
}

/// Each agent's statuses over the period, one span after another (the timeline), and each change
/// of status from one span to the next (the agent events).
pub(super) fn timeline_and_events(
    seed: u64,
    account_id: u64,
    agents: &[types::Agent],
    start: i64,
) -> (Vec<ExportItem>, Vec<ExportItem>) {
    let mut spans = Vec::new();
    let mut events = Vec::new();
    for (i, agent) in agents.iter().enumerate() {
        let mut rng = rng(seed, 4, i as u64);
        let mut at = start + rng.i64(0..DAY_MICROS);
        let mut previous: Option<types::AgentStatus> = None;
        while at < HISTORY_END_MICROS {
            let duration = rng.i64(60_000_000..4 * 3_600_000_000) + rng.i64(0..1_000_000);
            let status = match rng.u8(..10) {
                0..=5 => types::AgentStatus::Online,
                6..=8 => types::AgentStatus::Away,
                _ => types::AgentStatus::Invisible,
            };
            let span = types::AgentTimespan {
                agent_id: agent.id,
                start_time: ts_micros(at),
                duration: Some(duration as f64 / 1e6),
                status: Some(status.clone()),
                engagement_count: Some(rng.i64(0..4)),
                extra: Default::default(),
            };
            spans.push(ExportItem::new(at, format!("{at}.{i}"), &span));
            if let Some(previous) = previous
                .replace(status.clone())
                .filter(|previous| *previous != status)
            {
                let agent_id = agent.id.unwrap_or_default();
                let id = format!("R6vTSXc.agent:{agent_id}.{}", random_id_part(&mut rng, 6));
                let event = types::AgentEvent {
                    id: Some(id.clone()),
                    account_id: i64::try_from(account_id).ok(),
                    agent_id: agent.id,
                    field_name: Some("status".into()),
                    value: Some(serde_json::Value::String(status.to_string())),
                    previous_value: Some(serde_json::Value::String(previous.to_string())),
                    timestamp: ts_micros(at),
                    extra: Default::default(),
                };
                events.push(ExportItem::new(at, id, &event));
            }
            // Off for the night now and then.
            let pause = if rng.u8(..6) == 0 {
                rng.i64(8 * 3_600_000_000..16 * 3_600_000_000)
            } else {
                0
            };
            at += duration + pause;
        }
    }
    for items in [&mut spans, &mut events] {
        items.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    }
    (spans, events)
}

/// Each department's queue sizes, as they change.
pub(super) fn department_events(
    seed: u64,
    departments: &[(i64, String)],
    start: i64,
) -> Vec<ExportItem> {
    let mut items = Vec::new();
    for (i, (department_id, _)) in departments.iter().enumerate() {
        let mut rng = rng(seed, 5, i as u64);
        let mut at = start + rng.i64(0..3_600_000_000);
        // A department's first event has no previous value: `previous_value` is absent.
        let mut previous: Option<serde_json::Value> = None;
        while at < HISTORY_END_MICROS {
            let value = serde_json::json!({
                "assigned": rng.i64(0..6),
                "incoming": rng.i64(0..9),
            });
            let id = format!(
                "R3J4l7Q.department:{department_id}.{}",
                random_id_part(&mut rng, 6)
            );
            let event = types::DepartmentEvent {
                id: Some(id.clone()),
                department_id: Some(*department_id),
                timestamp: ts_micros(at),
                field_name: Some("queue_sizes".into()),
                value: Some(value.clone()),
                previous_value: previous.replace(value),
                extra: Default::default(),
            };
            items.push(ExportItem::new(at, id, &event));
            at += rng.i64(5 * 60_000_000..6 * 3_600_000_000) + rng.i64(0..1_000_000);
        }
    }
    items.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    items
}
