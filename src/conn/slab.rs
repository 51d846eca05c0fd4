//! The client slab: clients indexed by their mio token. A running command
//! takes its own client out of the slab so that the command context can hold
//! `&mut Client` and `&mut Server` at once; the slot stays reserved meanwhile.

use super::Client;

#[derive(Default)]
pub struct Clients {
    slots: Vec<Slot>,
    free: Vec<usize>,
    count: usize,
    /// Where the next `cron_batch` starts (Redis rotates its clients list).
    cron_cursor: usize,
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
            self.slots.len() - 1
        }
    }

    /// Puts a client into its reserved (or taken) slot.
    pub fn put(&mut self, c: Box<Client>) {
        let t = c.token;
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

    /// Up to `n` clients, continuing round-robin from where the previous
    /// batch stopped, so that a cron visiting `n` a tick sees them all in
    /// turn (Redis's clientsCron rotation).
    pub fn cron_batch(&mut self, n: usize) -> Vec<usize> {
        let total = self.slots.len();
        let mut out = Vec::with_capacity(n.min(self.count));
        let mut seen = 0;
        while out.len() < n && seen < total {
            let t = self.cron_cursor % total;
            self.cron_cursor = t + 1;
            seen += 1;
            if let Slot::Occupied(c) = &self.slots[t] {
                out.push(c.token);
            }
        }
        out
    }

    /// Tokens of every client in the slab.
    pub fn tokens(&self) -> Vec<usize> {
        self.iter().map(|c| c.token).collect()
    }

    /// The token of the client with this id, if connected.
    pub fn token_of(&self, id: u64) -> Option<usize> {
        self.iter().find(|c| c.id == id).map(|c| c.token)
    }
}
