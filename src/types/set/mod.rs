//! The set type (Redis t_set.c).
pub struct Set;
impl Set {
    pub fn encoding(&self) -> &'static str {
        ""
    }
    pub fn free_effort(&self) -> usize {
        1
    }
    pub fn duplicate(&self) -> Set {
        Set
    }
}
impl Set {
    pub fn for_each(&self, _f: impl FnMut(&[u8])) {}
}
