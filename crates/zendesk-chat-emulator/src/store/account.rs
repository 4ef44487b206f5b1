//! The account: its key, status, plan and (for the owner) billing. On a Chat account created
//! from Zendesk Support, it can be read but not changed.

use zendesk_chat::types;

use super::collection::{answer, checked, merge, request_fields};
use super::{ErrorAnswer, Outcome, Store};

impl Store {
    /// `GET /account`.
    pub fn get_account(&self) -> Outcome {
        Ok(answer(200, &self.account))
    }

    /// `PUT /account`: the billing details, merged field by field.
    pub fn update_account(&mut self, body: &[u8]) -> Outcome {
        if self.agents_read_only {
            return Err(ErrorAnswer::forbidden(
                "this Chat account was created from Zendesk Support: the account is managed there",
            ));
        }
        let changes = request_fields::<types::UpdateAccountRequest>(body, Some(&self.account))?;
        let mut updated = self.account.clone();
        merge(&mut updated, changes);
        self.account = checked::<types::Account>(updated)?;
        Ok(answer(200, &self.account))
    }
}
