//! RESP (Redis networking.c `processInlineBuffer`, `processMultibulkBuffer`,
//! and the `addReply*` family): a resumable request parser and reply encoders.

pub mod parser;
pub mod reply;

pub use parser::{ParseLimits, ProtocolError, RequestParser};
pub use reply::Reply;
