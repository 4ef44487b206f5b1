//! Hand-written model types that the generated models use, where typify's own would be wrong
//! (see `codegen/`): each maps a spec schema or string format.

mod accessors;
mod loose_id;
mod optional_text;
mod password;
mod timestamp;
mod webpath_item;

pub use loose_id::LooseId;
pub use optional_text::OptionalText;
pub use password::Password;
pub use timestamp::Timestamp;
pub use webpath_item::WebpathItem;
