//! The real-time metrics (`/stream/…`, on the real-time host in production), computed from the
//! account as it stands at its last moment (the start of its last chat). "Not Computed!" while
//! there is nothing to compute from, as Zendesk answers before the metrics exist.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use super::{Answer, ErrorAnswer, Outcome, Store};

/// The windows of the windowed metrics, in minutes.
const WINDOWS: [i64; 2] = [30, 60];

const MINUTE_MICROS: i64 = 60_000_000;

/// `{"status_code": 200, "message": "Not Computed!"}`, with HTTP 200.
fn not_computed() -> Answer {
    Answer::json(
        200,
        &json!({"status_code": 200, "message": "Not Computed!"}),
    )
}

/// The envelope of metrics of `topic`.
fn envelope(topic: &str, data: Map<String, Value>, department_id: Option<i64>) -> Answer {
    Answer::json(
        200,
        &json!({
            "content": {"topic": topic, "data": data, "type": "update", "department_id": department_id},
            "status_code": 200,
        }),
    )
}

/// The query's `department_id` and `window`; 400 for a value the API does not take.
fn parameters(query: &HashMap<String, String>) -> Result<(Option<i64>, i64), ErrorAnswer> {
    let department_id = query
        .get("department_id")
        .map(|id| {
            id.parse::<i64>()
                .map_err(|_| ErrorAnswer::bad_request("department_id must be an integer"))
        })
        .transpose()?;
    let window = match query.get("window").map(String::as_str) {
        None => 30,
        Some("30") => 30,
        Some("60") => 60,
        Some(_) => return Err(ErrorAnswer::bad_request("window must be 30 or 60")),
    };
    Ok((department_id, window))
}

/// `data` narrowed to one metric; 400 for a metric the topic does not have.
fn one_metric(mut data: Map<String, Value>, key: &str) -> Result<Map<String, Value>, ErrorAnswer> {
    let value = data
        .remove(key)
        .ok_or_else(|| ErrorAnswer::bad_request(format!("no metric {key:?}")))?;
    Ok(Map::from_iter([(key.to_owned(), value)]))
}

impl Store {
    /// `GET /stream/chats`.
    pub fn get_chat_metrics(&self, query: &HashMap<String, String>) -> Outcome {
        let (department_id, window) = parameters(query)?;
        Ok(match self.chat_metrics(window) {
            Some(data) => envelope("chats", data, department_id),
            None => not_computed(),
        })
    }

    /// `GET /stream/chats/{metric_key}`.
    pub fn get_chat_metric(&self, key: &str, query: &HashMap<String, String>) -> Outcome {
        let (department_id, window) = parameters(query)?;
        Ok(match self.chat_metrics(window) {
            Some(data) => envelope("chats", one_metric(data, key)?, department_id),
            None => not_computed(),
        })
    }

    /// `GET /stream/agents`.
    pub fn get_agent_metrics(&self, query: &HashMap<String, String>) -> Outcome {
        let (department_id, _) = parameters(query)?;
        Ok(match self.agent_metrics(department_id) {
            Some(data) => envelope("agents", data, department_id),
            None => not_computed(),
        })
    }

    /// `GET /stream/agents/{metric_key}`.
    pub fn get_agent_metric(&self, key: &str, query: &HashMap<String, String>) -> Outcome {
        let (department_id, _) = parameters(query)?;
        Ok(match self.agent_metrics(department_id) {
            Some(data) => envelope("agents", one_metric(data, key)?, department_id),
            None => not_computed(),
        })
    }

    /// The chat metrics at the account's last moment: the chats going on then, and those of the
    /// last 30 and 60 minutes (their durations over `window` minutes). None without chats.
    fn chat_metrics(&self, window: i64) -> Option<Map<String, Value>> {
        let now = self.chats.by_start().last()?.1.meta.timestamp_micros;
        let within = |minutes: i64| {
            self.chats.by_start().filter(move |(_, entry)| {
                entry.meta.timestamp_micros >= now - minutes * MINUTE_MICROS
            })
        };
        let windowed = |count: &dyn Fn(&super::chats::ChatMeta) -> bool| -> Value {
            let counts: BTreeMap<String, usize> = WINDOWS
                .iter()
                .map(|minutes| {
                    let n = within(*minutes)
                        .filter(|(_, entry)| count(&entry.meta))
                        .count();
                    (minutes.to_string(), n)
                })
                .collect();
            json!(counts)
        };
        let going_on: Vec<_> = self
            .chats
            .by_start()
            .filter(|(_, entry)| {
                entry.meta.timestamp_micros <= now
                    && entry.meta.end_timestamp_micros.is_some_and(|end| end > now)
            })
            .collect();
        let assigned = going_on
            .iter()
            .filter(|(_, e)| !e.meta.agent_names.is_empty())
            .count();
        let durations: Vec<f64> = within(window)
            .filter_map(|(_, entry)| {
                let end = entry.meta.end_timestamp_micros?;
                Some((end - entry.meta.timestamp_micros) as f64 / 1e6)
            })
            .collect();
        let average =
            (!durations.is_empty()).then(|| durations.iter().sum::<f64>() / durations.len() as f64);
        let longest = durations.iter().copied().reduce(f64::max);
        let data = json!({
            "incoming_chats": going_on.len() - assigned,
            "assigned_chats": assigned,
            "active_chats": going_on.len(),
            "missed_chats": windowed(&|meta| meta.agent_names.is_empty()),
            "satisfaction_good": windowed(&|meta| meta.rating.as_deref() == Some("good")),
            "satisfaction_bad": windowed(&|meta| meta.rating.as_deref() == Some("bad")),
            "waiting_time_avg": null,
            "waiting_time_max": null,
            "chat_duration_avg": average,
            "chat_duration_max": longest,
            "response_time_avg": null,
            "response_time_max": null,
        });
        data.as_object().cloned()
    }

    /// How many agents (of `department_id`, or all) were in each status at the end of the
    /// timeline: each agent's last timespan. None before any timespan.
    fn agent_metrics(&self, department_id: Option<i64>) -> Option<Map<String, Value>> {
        let mut last_status: HashMap<i64, String> = HashMap::new();
        for item in self.timeline.iter().rev() {
            if last_status.len() == self.agents.len() {
                break;
            }
            let span: Value = serde_json::from_slice(&item.json).ok()?;
            if let (Some(agent), Some(status)) =
                (span["agent_id"].as_i64(), span["status"].as_str())
            {
                last_status
                    .entry(agent)
                    .or_insert_with(|| status.to_owned());
            }
        }
        if last_status.is_empty() {
            return None;
        }
        let in_department = |agent: &i64| {
            department_id.is_none_or(|department| {
                self.agents
                    .get(agent)
                    .is_some_and(|a| a.departments.contains(&department))
            })
        };
        let count = |status: &str| {
            last_status
                .iter()
                .filter(|(agent, s)| in_department(agent) && s.as_str() == status)
                .count()
        };
        let data = json!({
            "agents_online": count("online"),
            "agents_away": count("away"),
            "agents_invisible": count("invisible"),
        });
        data.as_object().cloned()
    }
}
