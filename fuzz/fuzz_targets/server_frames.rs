//! The Conversations client, any frame from the server: whatever text arrives on the socket is
//! told apart as the connection does, and its payload decoded as the data of every operation;
//! nothing panics.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    zendesk_chat_conversations::fuzzing::read_server_frame(text);
});
