//! The client slab: clients indexed by their mio token. A running command
//! takes its own client out of the slab so that the command context can hold
//! `&mut Client` and `&mut Server` at once; the slot stays reserved meanwhile.
//! An index by client id (Redis's `clients_index` radix tree, used by
//! `lookupClientByID`) finds a client's token without a scan, including a
//! client taken out to run a command.

use std::collections::HashMap;

use super::Client;

#[derive(Default)]
pub struct Clients {
    slots: Vec<Slot>,
    free: Vec<usize>,
    count: usize,
    /// The id of the client each slot holds, once put (None when vacant).
    ids: Vec<Option<u64>>,
    /// Client id to token, for every client put and not yet released.
    by_id: HashMap<u64, usize>,
}

enum Slot {
    Vacant,
    Taken,
    Occupied(Box<Client>),
}

impl Clients {
    /// Reserves a slot and returns its token.
    pub fn reserve(&mut self) -> usize {
        self.count += 1;
        if let Some(t) = self.free.pop() {
            self.slots[t] = Slot::Taken;
            t
        } else {
            self.slots.push(Slot::Taken);
            self.ids.push(None);
            self.slots.len() - 1
        }
    }

    /// Puts a client into its reserved (or taken) slot. The first put of a
    /// client indexes its id; a client coming back after a command costs
    /// one comparison.
    pub fn put(&mut self, c: Box<Client>) {
        let t = c.token;
        if self.ids[t] != Some(c.id) {
            if let Some(old) = self.ids[t].replace(c.id) {
                self.by_id.remove(&old);
            }
            self.by_id.insert(c.id, t);
        }
        self.slots[t] = Slot::Occupied(c);
    }

    /// Takes a client out, leaving the slot reserved.
    pub fn take(&mut self, token: usize) -> Option<Box<Client>> {
        match self.slots.get_mut(token) {
            Some(slot @ Slot::Occupied(_)) => match std::mem::replace(slot, Slot::Taken) {
                Slot::Occupied(c) => Some(c),
                _ => unreachable!(),
            },
            _ => None,
        }
    }

    /// Frees a slot whose client was taken and will not come back.
    pub fn release(&mut self, token: usize) {
        if let Some(slot) = self.slots.get_mut(token) {
            if !matches!(slot, Slot::Vacant) {
                *slot = Slot::Vacant;
                self.free.push(token);
                self.count -= 1;
                if let Some(id) = self.ids[token].take() {
                    self.by_id.remove(&id);
                }
            }
        }
    }

    pub fn get(&self, token: usize) -> Option<&Client> {
        match self.slots.get(token) {
            Some(Slot::Occupied(c)) => Some(c),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, token: usize) -> Option<&mut Client> {
        match self.slots.get_mut(token) {
            Some(Slot::Occupied(c)) => Some(c),
            _ => None,
        }
    }

    /// Clients connected, including one taken out to run a command.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Every client currently in the slab (not one taken out).
    pub fn iter(&self) -> impl Iterator<Item = &Client> {
        self.slots.iter().filter_map(|s| match s {
            Slot::Occupied(c) => Some(&**c),
            _ => None,
        })
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Client> {
        self.slots.iter_mut().filter_map(|s| match s {
            Slot::Occupied(c) => Some(&mut **c),
            _ => None,
        })
    }

    /// Up to `n` tokens of clients in the slab, from slot `*cursor` on,
    /// wrapping around, one lap at most; the cursor moves past them. Redis
    /// rotates its client list so that each cron tick takes the next few.
    pub fn rotate(&self, cursor: &mut usize, n: usize, out: &mut Vec<usize>) {
        out.clear();
        let len = self.slots.len();
        let mut i = if len == 0 { 0 } else { *cursor % len };
        for _ in 0..len {
            if out.len() == n {
                break;
            }
            if let Slot::Occupied(c) = &self.slots[i] {
                out.push(c.token);
            }
            i = (i + 1) % len;
        }
        *cursor = i;
    }

    /// Tokens of every client in the slab.
    pub fn tokens(&self) -> Vec<usize> {
        self.iter().map(|c| c.token).collect()
    }

    /// The token of the client with this id, if connected, whether it is
    /// in the slab or taken out to run a command (`lookupClientByID`).
    pub fn token_of(&self, id: u64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    /// The client with this id, if connected and in the slab.
    pub fn by_id(&self, id: u64) -> Option<&Client> {
        self.token_of(id).and_then(|t| self.get(t))
    }

    /// The client with this id, if connected and in the slab, for update.
    pub fn by_id_mut(&mut self, id: u64) -> Option<&mut Client> {
        self.token_of(id).and_then(|t| self.get_mut(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::Socket;

    fn put(slab: &mut Clients) -> usize {
        let t = slab.reserve();
        let (a, _b) = mio::net::UnixStream::pair().unwrap();
        let c = Client::new(
            t as u64,
            t,
            Socket::Unix(a),
            "/s:0".into(),
            "/s:0".into(),
            0,
        );
        slab.put(Box::new(c));
        t
    }

    #[test]
    fn id_index_follows_put_take_and_release() {
        let mut slab = Clients::default();
        let tokens: Vec<usize> = (0..100).map(|_| put(&mut slab)).collect();
        for &t in &tokens {
            assert_eq!(slab.token_of(t as u64), Some(t));
        }
        // A client taken out to run a command is still found by id.
        let c = slab.take(7).unwrap();
        assert_eq!(slab.token_of(7), Some(7));
        assert!(slab.by_id(7).is_none());
        slab.put(c);
        assert_eq!(slab.by_id(7).map(|c| c.token), Some(7));
        slab.release(7);
        assert_eq!(slab.token_of(7), None);
        // The slot is reused by a client with a new id.
        let t = slab.reserve();
        assert_eq!(t, 7);
        let (a, _b) = mio::net::UnixStream::pair().unwrap();
        let c = Client::new(1000, t, Socket::Unix(a), "/s:0".into(), "/s:0".into(), 0);
        slab.put(Box::new(c));
        assert_eq!(slab.token_of(1000), Some(7));
        assert_eq!(slab.token_of(7), None);
        assert_eq!(slab.by_id_mut(1000).map(|c| c.id), Some(1000));
    }

    #[test]
    fn rotate_takes_the_next_few_and_wraps() {
        let mut slab = Clients::default();
        for _ in 0..5 {
            put(&mut slab);
        }
        slab.release(1);
        // A client taken out to run a command is skipped too.
        let taken = slab.take(3).unwrap();
        let (mut cursor, mut out) = (0, Vec::new());
        slab.rotate(&mut cursor, 2, &mut out);
        assert_eq!(out, [0, 2]);
        slab.rotate(&mut cursor, 2, &mut out);
        assert_eq!(out, [4, 0]);
        // Never more than one lap, whatever `n`.
        slab.rotate(&mut cursor, 10, &mut out);
        assert_eq!(out, [2, 4, 0]);
        slab.put(taken);
        let empty = Clients::default();
        empty.rotate(&mut cursor, 3, &mut out);
        assert!(out.is_empty());
    }
}
