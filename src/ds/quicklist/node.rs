//! One quicklist node (Redis quicklist.c quicklistNode): a listpack, or a
//! single large element stored as-is (a "plain" node), either of which may
//! be LZF-compressed while it sits deep inside the list.

use std::borrow::Cow;

use crate::ds::listpack::Listpack;

/// Nodes smaller than this are not worth compressing (MIN_COMPRESS_BYTES).
const MIN_COMPRESS_BYTES: usize = 48;
/// Compression must save at least this much (MIN_COMPRESS_IMPROVE).
const MIN_COMPRESS_IMPROVE: usize = 8;

#[derive(Clone, Debug)]
pub(super) enum Data {
    Packed(Listpack),
    Plain(Vec<u8>),
    /// LZF bytes of the listpack or plain element; `Node::sz` is the
    /// uncompressed length.
    Lzf(Vec<u8>),
}

#[derive(Clone, Debug)]
pub(super) struct Node {
    pub data: Data,
    /// Elements in the node (1 for a plain node).
    pub count: usize,
    /// Uncompressed size in bytes: the listpack's total bytes, or the plain
    /// element's length.
    pub sz: usize,
    pub plain: bool,
    /// Decompressed temporarily for use; compress again when done.
    pub recompress: bool,
    /// Keep uncompressed for the duration of a replace.
    pub dont_compress: bool,
}

impl Node {
    pub fn packed(lp: Listpack) -> Node {
        Node {
            count: lp.len(),
            sz: lp.bytes(),
            data: Data::Packed(lp),
            plain: false,
            recompress: false,
            dont_compress: false,
        }
    }

    pub fn plain(value: Vec<u8>) -> Node {
        Node {
            count: 1,
            sz: value.len(),
            data: Data::Plain(value),
            plain: true,
            recompress: false,
            dont_compress: false,
        }
    }

    pub fn is_compressed(&self) -> bool {
        matches!(self.data, Data::Lzf(_))
    }

    /// The listpack of an uncompressed packed node.
    pub fn lp(&self) -> &Listpack {
        match &self.data {
            Data::Packed(lp) => lp,
            _ => panic!("quicklist node is not an uncompressed listpack"),
        }
    }

    pub fn lp_mut(&mut self) -> &mut Listpack {
        match &mut self.data {
            Data::Packed(lp) => lp,
            _ => panic!("quicklist node is not an uncompressed listpack"),
        }
    }

    /// Refreshes `sz` and `count` after the listpack changed.
    #[inline]
    pub fn update_sz(&mut self) {
        if let Data::Packed(lp) = &self.data {
            self.sz = lp.bytes();
            self.count = lp.len();
        }
    }

    /// The uncompressed bytes (listpack or element), decompressing into a
    /// temporary when needed.
    pub fn raw_bytes(&self) -> Cow<'_, [u8]> {
        match &self.data {
            Data::Packed(lp) => Cow::Borrowed(lp.as_bytes()),
            Data::Plain(v) => Cow::Borrowed(v),
            Data::Lzf(z) => Cow::Owned(lzf_decompress(z, self.sz)),
        }
    }

    /// The listpack of a packed node, decompressed into a temporary if the
    /// node is compressed.
    pub fn listpack(&self) -> Cow<'_, Listpack> {
        match &self.data {
            Data::Packed(lp) => Cow::Borrowed(lp),
            Data::Lzf(z) => Cow::Owned(Listpack::from_trusted(
                lzf_decompress(z, self.sz),
                self.count,
            )),
            Data::Plain(_) => panic!("plain quicklist node has no listpack"),
        }
    }

    /// __quicklistCompressNode: compresses when the node is big enough and
    /// LZF saves enough. The caller checks the node is not at either end.
    pub fn compress(&mut self) -> bool {
        if self.dont_compress {
            return false;
        }
        self.recompress = false;
        if self.sz < MIN_COMPRESS_BYTES || self.is_compressed() {
            return false;
        }
        let raw = self.raw_bytes();
        // The node's size is the cap, as Redis gives lzf_compress.
        let mut out = match crate::util::lzf::compress(&raw, raw.len()) {
            Some(out) if out.len() + MIN_COMPRESS_IMPROVE < raw.len() => out,
            _ => return false,
        };
        out.shrink_to_fit();
        self.data = Data::Lzf(out);
        true
    }

    /// __quicklistDecompressNode.
    pub fn decompress(&mut self) {
        self.recompress = false;
        if let Data::Lzf(z) = &self.data {
            let raw = lzf_decompress(z, self.sz);
            self.data = if self.plain {
                Data::Plain(raw)
            } else {
                Data::Packed(Listpack::from_trusted(raw, self.count))
            };
        }
    }
}

/// Decompresses data this process compressed; the length must come back
/// exactly (liblzf may return short without an error).
fn lzf_decompress(z: &[u8], sz: usize) -> Vec<u8> {
    crate::util::lzf::decompress_exact(z, sz).expect("quicklist: corrupt LZF node")
}
