//! The bans: of visitors and of IP addresses, listed in two arrays and paged by id like the
//! agents (`limit`, `since_id`, `max_id`; the whole set without a paging parameter).

use std::collections::HashMap;

use serde_json::{Value, json};
use zendesk_chat::limits::BANS_MAX_PAGE_SIZE;
use zendesk_chat::types;

use super::clock::iso_seconds;
use super::collection::{self, Object, answer, answer_array, checked, request_fields};
use super::{Answer, ErrorAnswer, Outcome, Store};

/// The first id of the bans the emulator creates.
const FIRST_BAN_ID: i64 = 70_000_000;

/// Bans a page when a paging parameter is given without `limit`.
const DEFAULT_PAGE_SIZE: usize = 10;

impl Store {
    /// `GET /bans`: `{"visitor": [...], "ip_address": [...]}`, a page of `limit` bans (10 by
    /// default) from `since_id` forward or up to `max_id` backward, or the whole set without a
    /// paging parameter.
    pub fn list_bans(&self, query: &HashMap<String, String>) -> Outcome {
        let number = |name: &str| -> Result<Option<i64>, ErrorAnswer> {
            query
                .get(name)
                .map(|value| {
                    value
                        .parse::<i64>()
                        .map_err(|_| ErrorAnswer::bad_request(format!("{name} must be an integer")))
                })
                .transpose()
        };
        let (limit, since_id, max_id) = (number("limit")?, number("since_id")?, number("max_id")?);
        if let Some(limit) = limit
            && !(1..=i64::from(BANS_MAX_PAGE_SIZE)).contains(&limit)
        {
            return Err(ErrorAnswer::bad_request(format!(
                "limit must be between 1 and {BANS_MAX_PAGE_SIZE}"
            )));
        }
        let paged = limit.is_some() || since_id.is_some() || max_id.is_some();
        let mut bans: Vec<(&i64, &Object)> = self
            .bans
            .iter()
            .filter(|(id, _)| since_id.is_none_or(|since| **id >= since))
            .filter(|(id, _)| max_id.is_none_or(|max| **id <= max))
            .collect();
        if paged {
            let limit = limit.map_or(DEFAULT_PAGE_SIZE, |l| l as usize);
            if since_id.is_none() && max_id.is_some() {
                let skip = bans.len().saturating_sub(limit);
                bans.drain(..skip);
            } else {
                bans.truncate(limit);
            }
        }
        let of_type = |kind: &str| -> Vec<&Object> {
            bans.iter()
                .map(|(_, ban)| *ban)
                .filter(|ban| collection::text(ban, "type") == Some(kind))
                .collect()
        };
        Ok(Answer::json(
            200,
            &json!({"visitor": of_type("visitor"), "ip_address": of_type("ip_address")}),
        ))
    }

    /// `GET /bans/ip`: the IP address bans.
    pub fn list_ip_bans(&self) -> Outcome {
        Ok(answer_array(self.bans.values().filter(|ban| {
            collection::text(ban, "type") == Some("ip_address")
        })))
    }

    /// `POST /bans`: a ban of a visitor of the account (`visitor_id`) or of an IP address
    /// (`ip_address`), exactly one of them.
    pub fn create_ban(&mut self, body: &[u8]) -> Outcome {
        let mut ban = request_fields::<types::CreateBanRequest>(body, None)?;
        let visitor_id = collection::text(&ban, "visitor_id").map(str::to_owned);
        let ip_address = collection::text(&ban, "ip_address").map(str::to_owned);
        match (visitor_id, ip_address) {
            (Some(visitor_id), None) => {
                let visitor = self
                    .visitors
                    .get(&visitor_id)
                    .ok_or_else(|| ErrorAnswer::unprocessable("visitor_id: no such visitor"))?;
                ban.insert("type".into(), Value::from("visitor"));
                if let Some(name) = &visitor.name {
                    ban.insert("visitor_name".into(), Value::from(name.clone()));
                }
            }
            (None, Some(address)) if address.parse::<std::net::IpAddr>().is_ok() => {
                ban.insert("type".into(), Value::from("ip_address"));
            }
            (None, Some(_)) => {
                return Err(ErrorAnswer::unprocessable("ip_address: not an IP address"));
            }
            _ => {
                return Err(ErrorAnswer::bad_request(
                    "a ban needs one of visitor_id and ip_address",
                ));
            }
        }
        let id = self.bans.last_key().map_or(FIRST_BAN_ID, |last| last + 1);
        ban.insert("id".into(), Value::from(id));
        ban.entry("reason").or_insert(Value::from(""));
        ban.insert(
            "created_at".into(),
            Value::from(iso_seconds(self.clock.change_micros())),
        );
        let ban = checked::<types::Ban>(ban)?;
        let created = answer(201, &ban);
        self.bans.insert(id, ban);
        Ok(created)
    }

    /// `GET /bans/{id}`.
    pub fn get_ban(&self, id: &str) -> Outcome {
        self.bans.show(id.parse().ok())
    }

    /// `DELETE /bans/{id}`.
    pub fn delete_ban(&mut self, id: &str) -> Outcome {
        self.bans.delete(id.parse().ok())
    }
}
