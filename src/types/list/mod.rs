//! The list type (Redis t_list.c, type API half): lists are quicklists in
//! Redis 7.0 (there is no listpack list encoding before 7.2), created with
//! the server's `list-max-listpack-size`, `list-compress-depth` and the
//! DEBUG QUICKLIST-PACKED-THRESHOLD value in force at creation time.

pub mod commands;
pub mod pop;

use crate::ds::quicklist::{End, Quicklist};
use crate::server::Server;
use crate::types::Value;

/// A new empty list value configured as `createQuicklistObject` does.
pub fn new_list(srv: &Server) -> Value {
    let fill = srv
        .config
        .list_max_listpack_size
        .clamp(i32::MIN as i64, i32::MAX as i64) as i32;
    let depth = srv.config.list_compress_depth.clamp(0, u32::MAX as i64) as u32;
    let mut ql = Quicklist::new(fill, depth);
    let thr = usize::try_from(srv.debug.quicklist_packed_threshold).unwrap_or(usize::MAX);
    ql.set_packed_threshold(thr);
    Value::List(Box::new(ql))
}

impl Value {
    pub fn is_list(&self) -> bool {
        matches!(self, Value::List(_))
    }

    /// The quicklist of a list value.
    pub fn as_list(&self) -> Option<&Quicklist> {
        match self {
            Value::List(ql) => Some(ql),
            _ => None,
        }
    }

    pub fn as_list_mut(&mut self) -> Option<&mut Quicklist> {
        match self {
            Value::List(ql) => Some(ql),
            _ => None,
        }
    }
}

/// The quicklist fields DEBUG OBJECT appends for lists (empty otherwise).
pub fn debug_object_extra(v: &Value) -> String {
    let Value::List(ql) = v else {
        return String::new();
    };
    let nodes = ql.node_count();
    format!(
        " ql_nodes:{} ql_avg_node:{:.2} ql_listpack_max:{} ql_compressed:{} ql_uncompressed_size:{}",
        nodes,
        ql.len() as f64 / nodes as f64,
        ql.fill(),
        (ql.compress_depth() != 0) as i32,
        ql.uncompressed_size()
    )
}

/// LEFT/RIGHT (and BEFORE/AFTER's head/tail sense) as a quicklist end.
pub fn parse_where(arg: &[u8]) -> Option<End> {
    if arg.eq_ignore_ascii_case(b"left") {
        Some(End::Head)
    } else if arg.eq_ignore_ascii_case(b"right") {
        Some(End::Tail)
    } else {
        None
    }
}

/// Normalises an LRANGE/LTRIM style range against `len`: `None` when empty.
pub fn clamp_range(start: i64, end: i64, len: i64) -> Option<(i64, i64)> {
    let mut s = if start < 0 {
        len.saturating_add(start)
    } else {
        start
    };
    let mut e = if end < 0 {
        len.saturating_add(end)
    } else {
        end
    };
    if s < 0 {
        s = 0;
    }
    if s > e || s >= len {
        return None;
    }
    if e >= len {
        e = len - 1;
    }
    Some((s, e))
}

/// Collects `count` elements starting at index `start` walking toward `dir`.
pub fn range(ql: &Quicklist, start: i64, count: usize, dir: End) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(count.min(1024));
    if count == 0 {
        return out;
    }
    ql.for_each_from(start, dir, |v| {
        out.push(v.to_vec());
        out.len() < count
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(clamp_range(0, -1, 3), Some((0, 2)));
        assert_eq!(clamp_range(5, 10, 3), None);
        assert_eq!(clamp_range(-100, 100, 3), Some((0, 2)));
        assert_eq!(clamp_range(i64::MIN, i64::MAX, 3), Some((0, 2)));
        assert_eq!(clamp_range(2, 1, 3), None);
    }
}
