//! What the fuzz targets in `fuzz/` reach of the client's private parts: reading a frame from
//! the server the way the connection does. Compiled only under `cargo fuzz` (`--cfg fuzzing`).

use crate::frames::{GraphQLPayload, Incoming};
use crate::operations;

/// Reads `text` as a frame from the server, then its payload's data as the data of every
/// operation (the generated list), as an answer or a subscription event would be. Returns
/// normally for any text: what does not fit is an error value, never a panic.
pub fn read_server_frame(text: &str) {
    let payload: GraphQLPayload = match Incoming::parse(text) {
        Ok(Incoming::Answer { payload, .. } | Incoming::Data { payload, .. }) => payload,
        Ok(Incoming::Pong | Incoming::Other | Incoming::EndOfSession { .. }) | Err(_) => return,
    };
    let Some(data) = payload.data else { return };
    for (name, _) in operations::ALL {
        let _ = operations::decode_data(name, data.clone());
    }
}
