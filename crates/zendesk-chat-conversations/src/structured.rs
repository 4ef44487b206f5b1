//! Structured messages (quick replies, buttons, a panel, a carousel, a list) through builders
//! that enforce the documented counts and require a fallback for clients that cannot show them:
//! quick replies 1–11, buttons 1–3, a carousel 2–10 panels, a list 2–4 items and at most one
//! button.
//!
//! ```
//! use zendesk_chat_conversations::structured::{Fallback, QuickReplies};
//!
//! let replies = QuickReplies::new("How can we help?")
//!     .reply("Billing", "billing")
//!     .reply("A human, please", "human")
//!     .build("W1siaWQiXV0=".into(), Fallback::new("How can we help? Billing, or a human?"))
//!     .unwrap();
//! assert_eq!(replies.quick_replies.len(), 2);
//! assert!(QuickReplies::new("?").build("c".into(), Fallback::new("?")).is_err());
//! ```

use crate::Id;
use crate::error::Error;
use crate::operations::{
    send_button_template, send_list_template, send_panel_template, send_panel_template_carousel,
    send_quick_replies,
};
use crate::types::{
    ActionInput, ActionType, ButtonInput, FallbackInput, PanelInput, PanelTemplateInput,
    QuickReplyInput,
};

/// The most quick replies a message may carry.
pub const MAX_QUICK_REPLIES: usize = 11;
/// The most buttons a button template (or a panel) may carry.
pub const MAX_BUTTONS: usize = 3;
/// How many panels a carousel carries.
pub const CAROUSEL_ITEMS: std::ops::RangeInclusive<usize> = 2..=10;
/// How many items a list carries.
pub const LIST_ITEMS: std::ops::RangeInclusive<usize> = 2..=4;
/// The most buttons a list may carry.
pub const MAX_LIST_BUTTONS: usize = 1;

/// The plain message sent to clients that cannot show structured messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Fallback(FallbackInput);

impl Fallback {
    /// A fallback message.
    pub fn new(msg: impl Into<String>) -> Self {
        Self(FallbackInput {
            msg: msg.into(),
            options: None,
        })
    }

    /// The choices, listed as options of the plain message.
    pub fn options<S: Into<String>>(mut self, options: impl IntoIterator<Item = S>) -> Self {
        self.0.options = Some(options.into_iter().map(Into::into).collect());
        self
    }
}

/// A button: a reply sent to the agent, or a link opened in a new tab.
#[derive(Debug, Clone, PartialEq)]
pub struct Button(ButtonInput);

impl Button {
    /// A button that sends `reply` to the agent when clicked.
    pub fn reply(text: impl Into<String>, reply: impl Into<String>) -> Self {
        Self(ButtonInput {
            text: text.into(),
            action: action(ActionType::QuickReplyAction, reply),
        })
    }

    /// A button that opens `url` in a new tab.
    pub fn link(text: impl Into<String>, url: impl Into<String>) -> Self {
        Self(ButtonInput {
            text: text.into(),
            action: action(ActionType::LinkAction, url),
        })
    }
}

/// A panel: a heading, with an optional paragraph and image; a click opens its link.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel(PanelInput);

impl Panel {
    /// A panel with a heading.
    pub fn new(heading: impl Into<String>) -> Self {
        Self(PanelInput {
            heading: heading.into(),
            paragraph: None,
            image_url: None,
            action: None,
        })
    }

    /// Its paragraph.
    pub fn paragraph(mut self, paragraph: impl Into<String>) -> Self {
        self.0.paragraph = Some(paragraph.into());
        self
    }

    /// Its image.
    pub fn image_url(mut self, url: impl Into<String>) -> Self {
        self.0.image_url = Some(url.into());
        self
    }

    /// The URL a click opens.
    pub fn link(mut self, url: impl Into<String>) -> Self {
        self.0.action = Some(action(ActionType::LinkAction, url));
        self
    }
}

fn action(kind: ActionType, value: impl Into<String>) -> ActionInput {
    ActionInput {
        value: value.into(),
        r#type: Some(kind),
    }
}

fn count(what: &str, got: usize, allowed: std::ops::RangeInclusive<usize>) -> Result<(), Error> {
    if allowed.contains(&got) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{what}: {got} given; the API takes {} to {}",
            allowed.start(),
            allowed.end()
        )))
    }
}

/// A message with quick replies (1 to 11).
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct QuickReplies {
    msg: String,
    replies: Vec<QuickReplyInput>,
}

impl QuickReplies {
    /// A message above the quick replies.
    pub fn new(msg: impl Into<String>) -> Self {
        Self {
            msg: msg.into(),
            replies: Vec::new(),
        }
    }

    /// A quick reply showing `text` that sends `reply`.
    pub fn reply(mut self, text: impl Into<String>, reply: impl Into<String>) -> Self {
        self.replies.push(QuickReplyInput {
            text: text.into(),
            action: action(ActionType::QuickReplyAction, reply),
        });
        self
    }

    /// The variables of `sendQuickReplies`, or why the API would refuse them.
    pub fn build(
        self,
        channel_id: Id,
        fallback: Fallback,
    ) -> Result<send_quick_replies::Variables, Error> {
        count("quick replies", self.replies.len(), 1..=MAX_QUICK_REPLIES)?;
        Ok(send_quick_replies::Variables {
            channel_id,
            msg: self.msg,
            quick_replies: self.replies,
            fallback: fallback.0,
        })
    }
}

/// A message with buttons (1 to 3).
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct ButtonTemplate {
    msg: String,
    buttons: Vec<ButtonInput>,
}

impl ButtonTemplate {
    /// A message above the buttons.
    pub fn new(msg: impl Into<String>) -> Self {
        Self {
            msg: msg.into(),
            buttons: Vec::new(),
        }
    }

    /// A button.
    pub fn button(mut self, button: Button) -> Self {
        self.buttons.push(button.0);
        self
    }

    /// The variables of `sendButtonTemplate`, or why the API would refuse them.
    pub fn build(
        self,
        channel_id: Id,
        fallback: Fallback,
    ) -> Result<send_button_template::Variables, Error> {
        count("buttons", self.buttons.len(), 1..=MAX_BUTTONS)?;
        Ok(send_button_template::Variables {
            channel_id,
            msg: self.msg,
            buttons: self.buttons,
            fallback: fallback.0,
        })
    }
}

/// A panel with buttons (0 to 3).
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct PanelTemplate {
    panel: PanelInput,
    buttons: Vec<ButtonInput>,
}

impl PanelTemplate {
    /// The panel.
    pub fn new(panel: Panel) -> Self {
        Self {
            panel: panel.0,
            buttons: Vec::new(),
        }
    }

    /// A button under the panel.
    pub fn button(mut self, button: Button) -> Self {
        self.buttons.push(button.0);
        self
    }

    /// The variables of `sendPanelTemplate`, or why the API would refuse them.
    pub fn build(
        self,
        channel_id: Id,
        fallback: Fallback,
    ) -> Result<send_panel_template::Variables, Error> {
        count("buttons", self.buttons.len(), 0..=MAX_BUTTONS)?;
        Ok(send_panel_template::Variables {
            channel_id,
            panel: self.panel,
            buttons: (!self.buttons.is_empty()).then_some(self.buttons),
            fallback: fallback.0,
        })
    }
}

/// Panels as a carousel (2 to 10).
#[derive(Debug, Clone, PartialEq, Default)]
#[must_use]
pub struct Carousel {
    items: Vec<PanelTemplateInput>,
}

impl Carousel {
    /// An empty carousel.
    pub fn new() -> Self {
        Self::default()
    }

    /// A panel and its buttons (0 to 3).
    pub fn item(mut self, panel: Panel, buttons: impl IntoIterator<Item = Button>) -> Self {
        let buttons: Vec<ButtonInput> = buttons.into_iter().map(|b| b.0).collect();
        self.items.push(PanelTemplateInput {
            panel: panel.0,
            buttons: (!buttons.is_empty()).then_some(buttons),
        });
        self
    }

    /// The variables of `sendPanelTemplateCarousel`, or why the API would refuse them.
    pub fn build(
        self,
        channel_id: Id,
        fallback: Fallback,
    ) -> Result<send_panel_template_carousel::Variables, Error> {
        count("carousel items", self.items.len(), CAROUSEL_ITEMS)?;
        for item in &self.items {
            let buttons = item.buttons.as_ref().map_or(0, Vec::len);
            count("buttons of a carousel item", buttons, 0..=MAX_BUTTONS)?;
        }
        Ok(send_panel_template_carousel::Variables {
            channel_id,
            items: self.items,
            fallback: fallback.0,
        })
    }
}

/// A list of items (2 to 4) with at most one button.
#[derive(Debug, Clone, PartialEq, Default)]
#[must_use]
pub struct ListTemplate {
    items: Vec<PanelInput>,
    buttons: Vec<ButtonInput>,
}

impl ListTemplate {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// An item.
    pub fn item(mut self, item: Panel) -> Self {
        self.items.push(item.0);
        self
    }

    /// The button under the list (at most one).
    pub fn button(mut self, button: Button) -> Self {
        self.buttons.push(button.0);
        self
    }

    /// The variables of `sendListTemplate`, or why the API would refuse them.
    pub fn build(
        self,
        channel_id: Id,
        fallback: Fallback,
    ) -> Result<send_list_template::Variables, Error> {
        count("list items", self.items.len(), LIST_ITEMS)?;
        count("list buttons", self.buttons.len(), 0..=MAX_LIST_BUTTONS)?;
        Ok(send_list_template::Variables {
            channel_id,
            items: self.items,
            buttons: (!self.buttons.is_empty()).then_some(self.buttons),
            fallback: fallback.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fallback() -> Fallback {
        Fallback::new("plain")
    }

    #[test]
    fn the_documented_counts_are_enforced() {
        let replies =
            |n: usize| (0..n).fold(QuickReplies::new("?"), |q, i| q.reply(format!("{i}"), "r"));
        assert!(replies(11).build("c".into(), fallback()).is_ok());
        assert!(replies(12).build("c".into(), fallback()).is_err());

        let buttons = |n: usize| {
            (0..n).fold(ButtonTemplate::new("?"), |t, _| {
                t.button(Button::link("a", "https://x"))
            })
        };
        assert!(buttons(0).build("c".into(), fallback()).is_err());
        assert!(buttons(3).build("c".into(), fallback()).is_ok());
        assert!(buttons(4).build("c".into(), fallback()).is_err());

        let carousel = |n: usize| {
            (0..n).fold(Carousel::new(), |c, i| {
                c.item(Panel::new(format!("{i}")), [])
            })
        };
        assert!(carousel(1).build("c".into(), fallback()).is_err());
        assert!(carousel(10).build("c".into(), fallback()).is_ok());
        assert!(carousel(11).build("c".into(), fallback()).is_err());

        let list = |n: usize| {
            (0..n).fold(ListTemplate::new(), |l, i| {
                l.item(Panel::new(format!("{i}")))
            })
        };
        assert!(list(1).build("c".into(), fallback()).is_err());
        assert!(list(4).build("c".into(), fallback()).is_ok());
        assert!(list(5).build("c".into(), fallback()).is_err());
        let two_buttons = list(2)
            .button(Button::reply("a", "a"))
            .button(Button::reply("b", "b"));
        assert!(two_buttons.build("c".into(), fallback()).is_err());
    }

    #[test]
    fn actions_are_written_as_the_api_reads_them() {
        let variables = ButtonTemplate::new("Pick")
            .button(Button::reply("Yes", "yes"))
            .button(Button::link("Docs", "https://example.com"))
            .build("c".into(), fallback().options(["Yes", "Docs"]))
            .unwrap();
        let json = serde_json::to_value(&variables).unwrap();
        assert_eq!(
            json["buttons"][0]["action"],
            serde_json::json!({"value": "yes", "type": "QUICK_REPLY_ACTION"})
        );
        assert_eq!(json["buttons"][1]["action"]["type"], "LINK_ACTION");
        assert_eq!(
            json["fallback"],
            serde_json::json!({"msg": "plain", "options": ["Yes", "Docs"]})
        );
    }
}
