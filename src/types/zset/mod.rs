//! The sorted set type (Redis t_zset.c).
pub struct ZSet;
impl ZSet {
    pub fn encoding(&self) -> &'static str {
        ""
    }
    pub fn free_effort(&self) -> usize {
        1
    }
    pub fn duplicate(&self) -> ZSet {
        ZSet
    }
}
impl ZSet {
    pub fn for_each(&self, _f: impl FnMut(&[u8], f64)) {}
}
