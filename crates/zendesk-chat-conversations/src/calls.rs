//! The everyday calls of an agent, over the generated operations.

use crate::error::Error;
use crate::operations::{
    AddTags, SendButtonTemplate, SendListTemplate, SendMessage, SendPanelTemplate,
    SendPanelTemplateCarousel, SendQuickReplies, TransferToDepartment, UpdateAgentStatus, add_tags,
    send_button_template, send_list_template, send_message, send_panel_template,
    send_panel_template_carousel, send_quick_replies, transfer_to_department, update_agent_status,
};
use crate::session::AgentSession;
use crate::tags::check_tags;
use crate::{Id, types};

impl AgentSession {
    /// Sets the agent's status (`ONLINE` to be routed chats). A new session, when the session
    /// heals, gets the last status set.
    pub async fn update_agent_status(
        &self,
        status: types::AgentStatus,
    ) -> Result<update_agent_status::Data, Error> {
        self.execute::<UpdateAgentStatus>(update_agent_status::Variables { status })
            .await
    }

    /// Sends a plain message to a channel; whether the API took it.
    pub async fn send_message(&self, channel_id: Id, msg: &str) -> Result<bool, Error> {
        let data = self
            .execute::<SendMessage>(send_message::Variables {
                channel_id,
                msg: msg.to_owned(),
                backoff: None,
                msg_id: None,
                options: None,
            })
            .await?;
        Ok(data.send_message.success.unwrap_or(false))
    }

    /// Tags a visitor channel the agent serves. Tags are checked first (letters, digits, `-`,
    /// `_`): one the API would refuse is an [`Error::InvalidInput`] and nothing is sent.
    pub async fn add_tags<S: AsRef<str>>(&self, channel_id: Id, tags: &[S]) -> Result<bool, Error> {
        check_tags(tags)?;
        let data = self
            .execute::<AddTags>(add_tags::Variables {
                channel_id,
                tags: tags.iter().map(|t| t.as_ref().to_owned()).collect(),
            })
            .await?;
        Ok(data.add_tags.success.unwrap_or(false))
    }

    /// Transfers a channel to a department (and leaves it, with `leave`).
    pub async fn transfer_to_department(
        &self,
        channel_id: Id,
        department_id: Id,
        leave: bool,
    ) -> Result<bool, Error> {
        let data = self
            .execute::<TransferToDepartment>(transfer_to_department::Variables {
                channel_id,
                department_id,
                leave: Some(leave),
            })
            .await?;
        Ok(data
            .transfer_to_department
            .and_then(|payload| payload.success)
            .unwrap_or(false))
    }

    /// Sends quick replies built with [`QuickReplies`](crate::structured::QuickReplies).
    pub async fn send_quick_replies(
        &self,
        variables: send_quick_replies::Variables,
    ) -> Result<send_quick_replies::Data, Error> {
        self.execute::<SendQuickReplies>(variables).await
    }

    /// Sends buttons built with [`ButtonTemplate`](crate::structured::ButtonTemplate).
    pub async fn send_button_template(
        &self,
        variables: send_button_template::Variables,
    ) -> Result<send_button_template::Data, Error> {
        self.execute::<SendButtonTemplate>(variables).await
    }

    /// Sends a panel built with [`PanelTemplate`](crate::structured::PanelTemplate).
    pub async fn send_panel_template(
        &self,
        variables: send_panel_template::Variables,
    ) -> Result<send_panel_template::Data, Error> {
        self.execute::<SendPanelTemplate>(variables).await
    }

    /// Sends a carousel built with [`Carousel`](crate::structured::Carousel).
    pub async fn send_panel_template_carousel(
        &self,
        variables: send_panel_template_carousel::Variables,
    ) -> Result<send_panel_template_carousel::Data, Error> {
        self.execute::<SendPanelTemplateCarousel>(variables).await
    }

    /// Sends a list built with [`ListTemplate`](crate::structured::ListTemplate).
    pub async fn send_list_template(
        &self,
        variables: send_list_template::Variables,
    ) -> Result<send_list_template::Data, Error> {
        self.execute::<SendListTemplate>(variables).await
    }
}
