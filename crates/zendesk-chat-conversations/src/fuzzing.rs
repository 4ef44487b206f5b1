//! What the fuzz targets in `fuzz/` reach of the client's private parts: reading a frame from
//! the server the way the connection does. Compiled only under `cargo fuzz` (`--cfg fuzzing`).

use crate::frames::{GraphQLPayload, Incoming};
use crate::operations::*;
use crate::runtime::Operation;
use crate::session::decode;

/// Reads `text` as a frame from the server, then its payload as the data of every operation, as
/// an answer or as a subscription event would be. Returns normally for any text: what does not
/// fit is an error value, never a panic.
pub fn read_server_frame(text: &str) {
    let payload = match Incoming::parse(text) {
        Ok(Incoming::Answer { payload, .. } | Incoming::Data { payload, .. }) => payload,
        Ok(Incoming::Pong | Incoming::Other | Incoming::EndOfSession { .. }) | Err(_) => return,
    };
    macro_rules! every_operation {
        ($($operation:ty),* $(,)?) => {
            $(read_as::<$operation>(&payload);)*
        };
    }
    every_operation!(
        AddTags,
        Agents,
        ChatActivity,
        Departments,
        InviteAgent,
        LeaveChannel,
        ListenVisitorChannel,
        Message,
        SendButtonTemplate,
        SendListTemplate,
        SendMessage,
        SendPanelTemplate,
        SendPanelTemplateCarousel,
        SendQuickReplies,
        SetTypingIndicator,
        StartAgentSession,
        StopAgentSession,
        TransferToDepartment,
        UpdateAgentStatus,
    );
}

/// Decodes the payload as `O`'s data, the way both an answer and a subscription event are.
fn read_as<O: Operation>(payload: &GraphQLPayload) {
    let _ = decode::<O>(GraphQLPayload {
        data: payload.data.clone(),
        errors: payload.errors.clone(),
    });
}
