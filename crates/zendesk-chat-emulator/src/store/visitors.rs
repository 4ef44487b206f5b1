//! The visitors operations: create, show and update.

use zendesk_chat::types;

use super::clock::iso_seconds;
use super::ids::visitor_id;
use super::{Answer, ErrorAnswer, Outcome, Store, parse_body};

impl Store {
    /// `POST /visitors`.
    pub fn create_visitor(&mut self, body: &[u8]) -> Outcome {
        let request: types::CreateVisitorRequest = parse_body(body)?;
        self.next_visitor += 1;
        let mut rng = fastrand::Rng::with_seed(self.account_id ^ self.next_visitor.rotate_left(17));
        let id = visitor_id(&mut rng, self.account_id);
        let visitor = types::Visitor {
            id: Some(zendesk_chat::LooseId::String(id)),
            name: request.name,
            email: request.email,
            phone: request.phone,
            notes: request.notes,
            banned: Some(request.banned.unwrap_or(false)),
            external_id: None,
            created: Some(iso_seconds(self.clock.change_micros()).into()),
            extra: Default::default(),
        };
        self.insert_visitor(visitor.clone());
        Ok(Answer::json(201, &visitor))
    }

    /// `GET /visitors/{id}`.
    pub fn get_visitor(&self, id: &str) -> Outcome {
        self.visitors
            .get(id)
            .map(|v| Answer::json(200, v))
            .ok_or_else(ErrorAnswer::not_found)
    }

    /// `PUT /visitors/{id}`.
    pub fn update_visitor(&mut self, id: &str, body: &[u8]) -> Outcome {
        let request: types::UpdateVisitorRequest = parse_body(body)?;
        let visitor = self
            .visitors
            .get_mut(id)
            .ok_or_else(ErrorAnswer::not_found)?;
        let types::UpdateVisitorRequest {
            name,
            email,
            phone,
            notes,
            banned,
        } = request;
        visitor.name = name.or(visitor.name.take());
        visitor.email = email.or(visitor.email.take());
        visitor.phone = phone.or(visitor.phone.take());
        visitor.notes = notes.or(visitor.notes.take());
        visitor.banned = banned.or(visitor.banned);
        Ok(Answer::json(200, visitor))
    }
}
