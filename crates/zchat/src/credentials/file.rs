//! `credentials.toml`: a login's details, where its secrets are, and the secrets themselves when
//! they are kept in the file. Written atomically and readable by the owner only; never echoed.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// The file's contents.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CredentialsFile {
    pub subdomain: Option<String>,
    pub base_url: Option<String>,
    pub scope: Option<String>,
    pub grant: String,
    pub client_id: String,
    pub auth_url: String,
    pub token_url: String,
    /// The name of the OS keyring's entry that holds the secrets; absent when the file holds
    /// them (as in every file written before the keyring was used, so that those read as before,
    /// and a file-kept login stays readable by those versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring_entry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl CredentialsFile {
    /// The file at `path`, if there is one.
    pub fn read(path: &Path) -> anyhow::Result<Option<Self>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        // Never echo the file: it may hold tokens (nor its parse error, which quotes it).
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{} is not valid: {}", path.display(), e.message()))
    }

    /// Writes it to `path` atomically (a new file renamed over the old), readable by the owner
    /// only: a reader sees the old file or the new, never half, and two writers never share one.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let text = toml::to_string(self).context("the credentials do not serialize")?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let mut temporary = tempfile::Builder::new()
            .prefix(".credentials")
            .tempfile_in(dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temporary
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        temporary.write_all(text.as_bytes())?;
        temporary.as_file().sync_all()?;
        temporary
            .persist(path)
            .map_err(|error| error.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }
}
