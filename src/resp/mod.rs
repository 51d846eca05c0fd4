//! RESP (Redis networking.c `processInlineBuffer`, `processMultibulkBuffer`,
//! and the `addReply*` family): a resumable request parser and reply encoders.

pub mod outbuf;
pub mod parser;
pub mod reply;

pub use outbuf::{OutBuf, REPLY_CHUNK};
pub use parser::{ParseLimits, ProtocolError, RequestParser};
pub use reply::Reply;
