//! Inputs the benchmarks share.

use anyhow::Context;
use zendesk_chat_emulator::Emulator;

/// The bytes of one page of the incremental chat export: `chats` fully expanded chats with the
/// emulator generator's realistic histories, exactly as the emulator serves them.
pub fn chats_export_page(chats: usize) -> anyhow::Result<Vec<u8>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let emulator = Emulator::builder().seed(7).chats(chats).start().await?;
        let url = format!(
            "{}/api/v2/chat/incremental/chats?start_time=0&limit={chats}&fields=chats(*)",
            emulator.base_url()
        );
        let response = reqwest::Client::new()
            .get(url)
            .bearer_auth(emulator.token())
            .send()
            .await?
            .error_for_status()?;
        let body = response.bytes().await.context("reading the page")?.to_vec();
        emulator.shutdown().await;
        Ok(body)
    })
}
