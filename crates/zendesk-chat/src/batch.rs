//! Batch helpers: any number of chat ids, split into requests of at most 50.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::call::decode;
use crate::error::RecordError;
use crate::limits::IDS_PER_REQUEST;
use crate::operations::LIST_CHATS;
use crate::record::decode_each;
use crate::{Client, Error, types};

/// The chats of [`Client::chats_by_ids`]: those that decoded, by id, and those that did not fit
/// their model, kept whole.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ChatsById {
    /// The chats that decoded, by id. Ids the API does not know are absent.
    pub chats: BTreeMap<String, types::Chat>,
    /// The chats that did not fit their model (see [`RecordError`]); their ids are in
    /// [`RecordError::location`] (`docs["…"]`) and usually [`RecordError::id`].
    pub failures: Vec<RecordError>,
}

impl ChatsById {
    /// The decoded chat with this id.
    pub fn get(&self, id: &str) -> Option<&types::Chat> {
        self.chats.get(id)
    }

    /// How many chats decoded.
    pub fn len(&self) -> usize {
        self.chats.len()
    }

    /// Whether no chat decoded.
    pub fn is_empty(&self) -> bool {
        self.chats.is_empty()
    }
}

impl Client {
    /// The chats with these ids, by id, however many there are: the ids are sent 50 a request
    /// and the `docs` maps merged. Ids the API does not know are absent from the map.
    ///
    /// A chat that does not fit its model does not fail the batch: it is in
    /// [`ChatsById::failures`], kept whole with where and why.
    ///
    /// ```no_run
    /// # async fn run(client: zendesk_chat::Client, ids: Vec<String>) -> Result<(), zendesk_chat::Error> {
    /// let found = client.chats_by_ids(&ids).await?;
    /// for failure in &found.failures {
    ///     eprintln!("kept raw: {failure}");
    /// }
    /// println!("{} chats", found.len());
    /// # Ok(()) }
    /// ```
    pub async fn chats_by_ids<I, S>(&self, ids: I) -> Result<ChatsById, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut found = ChatsById::default();
        for chunk in chunks(ids)? {
            let body = self.get_bytes(&LIST_CHATS, &[("ids", &chunk)]).await?;
            let page: DocsPage = decode(&LIST_CHATS, &body)?;
            let outcomes = decode_each::<types::Chat, _>(
                &LIST_CHATS,
                page.docs
                    .iter()
                    .map(|(id, raw)| (format!("docs[{id:?}]"), raw.get())),
            );
            for ((id, _), outcome) in page.docs.iter().zip(outcomes) {
                match outcome {
                    Ok(chat) => {
                        found.chats.insert(id.clone(), chat);
                    }
                    Err(failure) => found.failures.push(*failure),
                }
            }
        }
        Ok(found)
    }

    /// Deletes the chats with these ids, however many there are: 50 a request, with the counts
    /// and the per-reason `failed` lists merged.
    ///
    /// The requests are made in order; if one fails, the error is returned and the chats of the
    /// earlier requests stay deleted.
    pub async fn delete_chats<I, S>(&self, ids: I) -> Result<types::BulkDeleteResult, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut merged = types::BulkDeleteResult::default();
        for chunk in chunks(ids)? {
            let result = self.bulk_delete_chats().ids(chunk).await?;
            merge(&mut merged, result);
        }
        Ok(merged)
    }
}

/// An answer of `listChats` with `ids`: the chats by id, as JSON text.
#[derive(Deserialize)]
struct DocsPage<'a> {
    #[serde(borrow, default)]
    docs: HashMap<String, &'a RawValue>,
}

/// The ids, comma-joined, 50 a chunk. An id with a comma (which would split it) is refused.
fn chunks<I, S>(ids: I) -> Result<Vec<String>, Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let ids: Vec<String> = ids.into_iter().map(|id| id.as_ref().to_owned()).collect();
    if let Some(bad) = ids.iter().find(|id| id.is_empty() || id.contains(',')) {
        return Err(Error::invalid_input(
            None,
            format!("chat id {bad:?} is empty or contains a comma"),
        ));
    }
    Ok(ids
        .chunks(IDS_PER_REQUEST)
        .map(|chunk| chunk.join(","))
        .collect())
}

fn merge(total: &mut types::BulkDeleteResult, part: types::BulkDeleteResult) {
    let add = |a: Option<i64>, b: Option<i64>| match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    };
    total.number_success = add(total.number_success, part.number_success);
    total.number_fail = add(total.number_fail, part.number_fail);
    if let Some(failed) = part.failed {
        let merged = total.failed.get_or_insert_with(Default::default);
        merged.already_deleted.extend(failed.already_deleted);
        merged.invalid_id.extend(failed.invalid_id);
        merged.not_found.extend(failed.not_found);
        for (reason, ids) in failed.extra {
            merged.extra.entry(reason).or_default().extend(ids);
        }
    }
    total.extra.extend(part.extra);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sent_fifty_a_request() {
        let ids: Vec<String> = (0..120).map(|i| format!("c{i}")).collect();
        let requests = chunks(&ids).unwrap();
        let sizes: Vec<usize> = requests.iter().map(|c| c.split(',').count()).collect();
        assert_eq!(sizes, [50, 50, 20]);
        assert!(requests[2].ends_with("c119"));
        assert!(chunks(Vec::<String>::new()).unwrap().is_empty());
    }

    #[test]
    fn an_id_with_a_comma_is_refused() {
        assert!(chunks(["a", "b,c"]).is_err());
    }

    #[test]
    fn results_are_merged() {
        let part = |success, fail, not_found: &[&str]| types::BulkDeleteResult {
            number_success: Some(success),
            number_fail: Some(fail),
            failed: Some(types::BulkDeleteFailures {
                not_found: not_found.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut total = types::BulkDeleteResult::default();
        merge(&mut total, part(48, 2, &["x", "y"]));
        merge(&mut total, part(10, 1, &["z"]));
        assert_eq!(
            (total.number_success, total.number_fail),
            (Some(58), Some(3))
        );
        assert_eq!(total.failed.unwrap().not_found, ["x", "y", "z"]);
    }
}
