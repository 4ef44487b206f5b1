//! The account's agents.

use zendesk_chat::types;

use super::configuration::FIRST_SKILL_ID;
use super::vocabulary::{FIRST_NAMES, LAST_NAMES, SKILLS};
use super::{DAY_MICROS, HISTORY_END_MICROS, pick, rng, ts};

/// Agent `i` of the account, in some of its departments.
pub(super) fn agent(
    seed: u64,
    i: usize,
    start: i64,
    departments: &[(i64, String)],
) -> types::Agent {
    let mut rng = rng(seed, 1, i as u64);
    let first = pick(&mut rng, FIRST_NAMES).to_string();
    let last = pick(&mut rng, LAST_NAMES).to_string();
    let mine: Vec<i64> = departments
        .iter()
        .filter(|_| rng.bool())
        .map(|(id, _)| *id)
        .collect();
    let departments = if mine.is_empty() {
        vec![departments[0].0]
    } else {
        mine
    };
    types::Agent {
        id: Some(7_282_618_000_000 + i as i64 * 104_729),
        first_name: Some(first.clone()),
        last_name: Some(last.clone()),
        display_name: Some(format!("{first} {}", &last[..1])),
        email: Some(format!(
            "{}.{}.{i}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        )),
        enabled: Some(types::Flag::Boolean(rng.u8(..10) > 0)),
        role_id: Some(if i == 0 { 1 } else { 2 + rng.i64(0..3) }),
        roles: Some(types::AgentRoles {
            owner: Some(i == 0),
            administrator: Some(i < 2),
            extra: Default::default(),
        }),
        enabled_departments: departments.clone(),
        departments,
        skills: (0..rng.usize(..3))
            .map(|_| FIRST_SKILL_ID + rng.i64(0..SKILLS.len() as i64))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        create_date: ts(start - rng.i64(0..(400 * DAY_MICROS))),
        last_login: if rng.u8(..8) == 0 {
            None
        } else {
            ts(HISTORY_END_MICROS - rng.i64(0..(30 * DAY_MICROS)))
        },
        extra: Default::default(),
    }
}
