//! The incremental exports: items ordered by update time then id, after (`start_time`,
//! `start_id`), at most `limit` (1000) a page, with `count`, `end_time`, `end_id` and a
//! `next_page` that is there even on the last page; 400 for a `start_time` less than five minutes
//! in the past.
//!
//! Units, as the API has them: chats and conversions count `start_time` in seconds, the agent
//! timeline in microseconds, department events in seconds with a fractional `start_time` in
//! `next_page` (`1512172860.657078`) but an integer `end_time`.

use std::collections::HashMap;

use serde_json::Value;

mod expansion;

use self::expansion::Expansion;
use super::chats::join_json;
use super::{Answer, ErrorAnswer, ExportItem, Outcome, Store};
use zendesk_chat::export::{ExportResource, TimeUnit};
use zendesk_chat::limits::{EXPORT_MAX_PAGE_SIZE, EXPORT_MIN_AGE};

/// Microseconds per unit of an export's `start_time`.
fn micros_per_unit(resource: ExportResource) -> f64 {
    match resource.unit() {
        TimeUnit::Microseconds => 1.0,
        TimeUnit::Seconds => 1e6,
    }
}

/// The query parameters of an export request.
#[derive(Debug, Clone, Default)]
pub struct ExportRequest {
    start_micros: i64,
    start_time_text: String,
    start_id: String,
    limit: usize,
    limit_given: bool,
    fields: Option<String>,
}

impl ExportRequest {
    fn parse(
        kind: ExportResource,
        query: &HashMap<String, String>,
        now_micros: i64,
    ) -> Result<Self, ErrorAnswer> {
        let start_time_text = query
            .get("start_time")
            .cloned()
            .unwrap_or_else(|| "0".into());
        let start: f64 = start_time_text
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| ErrorAnswer::bad_request("start_time must be a non-negative number"))?;
        let start_micros = (start * micros_per_unit(kind)).round() as i64;
        if start_micros > now_micros - EXPORT_MIN_AGE.as_micros() as i64 {
            return Err(ErrorAnswer::bad_request(
                "start_time must be more than five minutes in the past",
            ));
        }
        let limit = match query.get("limit") {
            None => EXPORT_MAX_PAGE_SIZE as usize,
            Some(limit) => limit
                .parse::<usize>()
                .ok()
                .filter(|l| *l >= 1)
                .ok_or_else(|| ErrorAnswer::bad_request("limit must be a positive integer"))?
                .min(EXPORT_MAX_PAGE_SIZE as usize),
        };
        Ok(Self {
            start_micros,
            start_time_text,
            start_id: query.get("start_id").cloned().unwrap_or_default(),
            limit,
            limit_given: query.contains_key("limit"),
            fields: query.get("fields").cloned(),
        })
    }
}

impl Store {
    /// `GET /incremental/{kind}`.
    pub fn export(
        &self,
        kind: ExportResource,
        query: &HashMap<String, String>,
        base_url: &str,
        now_micros: i64,
    ) -> Outcome {
        let request = ExportRequest::parse(kind, query, now_micros)?;
        let expansion = match kind.expandable() {
            Some(resource) => Expansion::parse(request.fields.as_deref(), resource)
                .map_err(ErrorAnswer::bad_request)?,
            None => Expansion::All,
        };
        let after = |time: i64, id: &str| {
            time > request.start_micros
                || (kind.cursor_has_id()
                    && time == request.start_micros
                    && id > request.start_id.as_str())
        };
        let page: Vec<(i64, &str, &[u8])> = match kind {
            ExportResource::Chats => self
                .chats
                .updated_after(request.start_micros, &request.start_id)
                .take(request.limit)
                .map(|(id, entry)| (entry.meta.update_micros, id, entry.json.as_ref()))
                .collect(),
            ExportResource::AgentTimeline => page_of(&self.timeline, &after, request.limit),
            ExportResource::AgentEvents => page_of(&self.agent_events, &after, request.limit),
            ExportResource::Conversions => page_of(&self.conversions, &after, request.limit),
            ExportResource::DepartmentEvents => {
                page_of(&self.department_events, &after, request.limit)
            }
        };
        let projected: Vec<Vec<u8>> = page
            .iter()
            .map(|(_, id, json)| project(&expansion, id, json))
            .collect();
        let items: Vec<&[u8]> = projected.iter().map(Vec::as_slice).collect();

        let (end_time, end_id, next_start) = match page.last() {
            Some((time, id, _)) => (
                end_time_of(kind, *time),
                (*id).to_owned(),
                next_start_of(kind, *time),
            ),
            None => (
                end_time_of(kind, request.start_micros),
                request.start_id.clone(),
                request.start_time_text.clone(),
            ),
        };
        let mut next_page = format!("{base_url}{}?", kind.operation().path);
        if let Some(fields) = &request.fields {
            next_page.push_str(&format!(
                "fields={}&",
                url::form_urlencoded::byte_serialize(fields.as_bytes()).collect::<String>()
            ));
        }
        if request.limit_given {
            next_page.push_str(&format!("limit={}&", request.limit));
        }
        next_page.push_str(&format!("start_time={next_start}"));
        let end_id_field = if kind.cursor_has_id() {
            next_page.push_str(&format!(
                "&start_id={}",
                url::form_urlencoded::byte_serialize(end_id.as_bytes()).collect::<String>()
            ));
            format!(r#", "end_id": {}"#, Value::from(end_id))
        } else {
            String::new()
        };
        Ok(Answer::ok(format!(
            r#"{{"{}": [{}], "count": {}{end_id_field}, "end_time": {end_time}, "next_page": {}}}"#,
            kind.items_key(),
            join_json(&items),
            items.len(),
            Value::from(next_page),
        )))
    }
}

/// The first `limit` items after the cursor, from items in (time, id) order.
fn page_of<'a>(
    items: &'a [ExportItem],
    after: &dyn Fn(i64, &str) -> bool,
    limit: usize,
) -> Vec<(i64, &'a str, &'a [u8])> {
    let first = items.partition_point(|item| !after(item.time, &item.id));
    items[first..]
        .iter()
        .filter(|item| after(item.time, &item.id))
        .take(limit)
        .map(|item| (item.time, item.id.as_str(), item.json.as_ref()))
        .collect()
}

fn project(expansion: &Expansion, id: &str, json: &[u8]) -> Vec<u8> {
    match expansion {
        Expansion::All => json.to_vec(),
        Expansion::IdOnly => format!(r#"{{"id": {}}}"#, Value::from(id)).into_bytes(),
        Expansion::Only(_) => {
            let value: Value = serde_json::from_slice(json).expect("stored items are JSON");
            serde_json::to_vec(&expansion.project(&value)).expect("JSON serializes")
        }
    }
}

/// `end_time` of a page whose last item is at `micros`, in the export's unit.
fn end_time_of(kind: ExportResource, micros: i64) -> i64 {
    match kind.unit() {
        TimeUnit::Microseconds => micros,
        TimeUnit::Seconds => micros.div_euclid(1_000_000),
    }
}

/// `start_time` of `next_page` after an item at `micros`: as `end_time`, except department events,
/// whose `next_page` carries fractional seconds.
fn next_start_of(kind: ExportResource, micros: i64) -> String {
    match kind {
        ExportResource::DepartmentEvents => format!(
            "{}.{:06}",
            micros.div_euclid(1_000_000),
            micros.rem_euclid(1_000_000)
        ),
        _ => end_time_of(kind, micros).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_account::{AccountSize, account};

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn page(store: &Store, kind: ExportResource, pairs: &[(&str, &str)]) -> Value {
        let now = super::super::clock::micros(std::time::SystemTime::now());
        let answer = store
            .export(kind, &query(pairs), "http://emu", now)
            .unwrap();
        serde_json::from_slice(&answer.body.unwrap()).unwrap()
    }

    #[test]
    fn without_fields_chats_carry_their_id_only() {
        let store = account(1, &AccountSize::with_chats(5));
        let body = page(&store, ExportResource::Chats, &[]);
        assert_eq!(
            body["chats"][0]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["id"]
        );
        assert_eq!(body["count"], 5);
    }

    #[test]
    fn following_next_page_visits_every_item_once() {
        let store = account(2, &AccountSize::with_chats(25));
        for kind in [
            ExportResource::Chats,
            ExportResource::AgentTimeline,
            ExportResource::Conversions,
            ExportResource::DepartmentEvents,
        ] {
            let mut seen = Vec::new();
            let mut cursor = vec![("limit".to_owned(), "7".to_owned())];
            loop {
                let pairs: Vec<(&str, &str)> = cursor
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let body = page(&store, kind, &pairs);
                let items = body[kind.items_key()].as_array().unwrap().clone();
                seen.extend(items.iter().map(Value::to_string));
                let next = body["next_page"].as_str().unwrap();
                cursor = url::Url::parse(next)
                    .unwrap()
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                if items.len() < 7 {
                    break;
                }
            }
            let unique: std::collections::BTreeSet<_> = seen.iter().collect();
            assert_eq!(unique.len(), seen.len(), "{kind:?} repeated an item");
            let total = match kind {
                ExportResource::Chats => store.chats.len(),
                ExportResource::AgentTimeline => store.timeline.len(),
                ExportResource::AgentEvents => store.agent_events.len(),
                ExportResource::Conversions => store.conversions.len(),
                ExportResource::DepartmentEvents => store.department_events.len(),
            };
            assert_eq!(seen.len(), total, "{kind:?}");
        }
    }

    #[test]
    fn department_events_hand_back_a_fractional_start_time() {
        let store = account(3, &AccountSize::with_chats(5));
        let body = page(&store, ExportResource::DepartmentEvents, &[("limit", "2")]);
        let next = body["next_page"].as_str().unwrap();
        let start_time = url::Url::parse(next)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "start_time")
            .unwrap()
            .1
            .into_owned();
        assert!(start_time.contains('.'), "{start_time}");
        assert!(body["end_time"].is_i64());
    }

    #[test]
    fn a_recent_start_time_is_refused() {
        let store = account(4, &AccountSize::with_chats(5));
        let now = super::super::clock::micros(std::time::SystemTime::now());
        let recent = ((now - 60_000_000) / 1_000_000).to_string();
        let error = store
            .export(
                ExportResource::Chats,
                &query(&[("start_time", &recent)]),
                "http://emu",
                now,
            )
            .unwrap_err();
        assert_eq!(error.status, 400);
    }
}
