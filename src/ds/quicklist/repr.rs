//! quicklistRepr (Redis quicklist.c): the quicklist's structure as text for
//! DEBUG QUICKLIST; `full` adds each node's listpack or plain element.

use std::io::Write as _;

use super::node::Data;
use super::Quicklist;

impl Quicklist {
    /// Appends the description to `out`. Like Redis, a full dump leaves the
    /// compressed nodes it printed decompressed (with `recompress` cleared):
    /// Redis's recompress step after printing finds nothing to do.
    pub fn repr(&mut self, full: bool, out: &mut Vec<u8>) {
        let _ = write!(
            out,
            "{{count : {}}}\n{{len : {}}}\n{{fill : {}}}\n{{compress : {}}}\n{{bookmark_count : 0}}\n",
            self.len(),
            self.nodes.len(),
            self.fill,
            self.compress
        );
        for (i, node) in self.nodes.iter_mut().enumerate() {
            let _ = writeln!(
                out,
                "{{quicklist node({})\n{{container : {}, encoding: {}, size: {}, count: {}, recompress: {}, attempted_compress: 0}}",
                i,
                if node.plain { "PLAIN" } else { "PACKED" },
                if matches!(node.data, Data::Lzf(_)) { "LZF" } else { "RAW" },
                node.sz,
                node.count,
                node.recompress as i32
            );
            if !full {
                continue;
            }
            node.decompress();
            if node.plain {
                // Redis prints the element with %s: it stops at a NUL byte.
                let raw = node.raw_bytes();
                let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
                out.extend_from_slice(b"{ entry : ");
                out.extend_from_slice(&raw[..end]);
                out.extend_from_slice(b" }\n");
            } else {
                out.extend_from_slice(b"{ listpack:\n");
                node.listpack().repr(out);
                out.extend_from_slice(b"}\n");
            }
            out.extend_from_slice(b"}\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_dump_leaves_nodes_decompressed_like_redis() {
        let mut ql = Quicklist::new(2, 1);
        for i in 0..8u8 {
            ql.push_tail(&[b'a' + i; 200]);
        }
        assert!(ql.compressed_nodes() > 0);
        let mut out = Vec::new();
        ql.repr(false, &mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        assert!(text.starts_with("{count : 8}\n{len : 4}\n{fill : 2}\n{compress : 1}\n{bookmark_count : 0}\n{quicklist node(0)\n{container : PACKED, encoding: RAW, size: "));
        assert!(text.contains("encoding: LZF"));
        assert!(!text.contains("{ listpack:"));
        out.clear();
        ql.repr(true, &mut out);
        assert!(String::from_utf8_lossy(&out).contains("encoding: LZF"));
        assert_eq!(ql.compressed_nodes(), 0);
        assert_eq!(ql.len(), 8);
    }
}
