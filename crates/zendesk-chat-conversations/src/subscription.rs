//! [`Subscription`]: a subscription's events as a stream.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::mpsc;

use crate::connection::{Command, RawEvent};
use crate::error::Error;
use crate::runtime::Operation;
use crate::session::{Shared, decode};

/// An event of a subscription.
#[derive(Debug)]
#[non_exhaustive]
pub enum SubscriptionEvent<D> {
    /// The event's data.
    Data(D),
    /// The session's connection was healed and the subscription re-established: events may
    /// have been missed in between. `new_session` says whether a new session had to be started
    /// (the agent's status was restored too).
    Reconnected {
        /// Whether a new session was started (rather than the same one reconnected).
        new_session: bool,
    },
    /// An event that came with GraphQL errors, or whose data does not decode. The stream goes on.
    Error(Error),
}

/// A subscription's events, until it is dropped (which stops it on the server) or the session
/// is stopped (the stream then ends). It is `Unpin`, `Send` and `'static`: keep it in a struct,
/// or move it to a task.
///
/// ```no_run
/// # async fn run(session: zendesk_chat_conversations::AgentSession) -> Result<(), zendesk_chat_conversations::Error> {
/// use zendesk_chat_conversations::{SubscriptionEvent, operations::Message};
///
/// let mut messages = session.subscribe::<Message>(Default::default()).await?;
/// while let Some(event) = messages.next().await {
///     match event {
///         SubscriptionEvent::Data(data) => println!("{data:?}"),
///         SubscriptionEvent::Reconnected { .. } => println!("(reconnected: some messages may be missed)"),
///         SubscriptionEvent::Error(error) => eprintln!("{error}"),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Subscription<O: Operation> {
    key: u64,
    events: mpsc::UnboundedReceiver<RawEvent>,
    shared: Arc<Shared>,
    commands: mpsc::UnboundedSender<Command>,
    operation: PhantomData<fn() -> O>,
}

impl<O: Operation> Subscription<O> {
    pub(crate) fn new(
        key: u64,
        events: mpsc::UnboundedReceiver<RawEvent>,
        shared: Arc<Shared>,
        commands: mpsc::UnboundedSender<Command>,
    ) -> Self {
        Self {
            key,
            events,
            shared,
            commands,
            operation: PhantomData,
        }
    }

    /// The next event; `None` once the session is stopped.
    pub async fn next(&mut self) -> Option<SubscriptionEvent<O::Data>> {
        futures::StreamExt::next(self).await
    }

    fn convert(event: RawEvent) -> Option<SubscriptionEvent<O::Data>> {
        match event {
            RawEvent::Data(payload) => Some(match decode::<O>(payload) {
                Ok(data) => SubscriptionEvent::Data(data),
                Err(error) => SubscriptionEvent::Error(error),
            }),
            RawEvent::Reconnected { new_session } => {
                Some(SubscriptionEvent::Reconnected { new_session })
            }
            RawEvent::Closed => None,
        }
    }
}

impl<O: Operation> Stream for Subscription<O> {
    type Item = SubscriptionEvent<O::Data>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.events.poll_recv(cx) {
            Poll::Ready(Some(event)) => Poll::Ready(Self::convert(event)),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<O: Operation> Drop for Subscription<O> {
    fn drop(&mut self) {
        self.shared.subscriptions.fetch_sub(1, Ordering::SeqCst);
        let _ = self.commands.send(Command::Unsubscribe { key: self.key });
    }
}

impl<O: Operation> std::fmt::Debug for Subscription<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("operation", &O::NAME)
            .finish_non_exhaustive()
    }
}
