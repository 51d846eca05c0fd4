//! ASCII sparklines (Redis sparkline.c), used by LATENCY GRAPH.

/// Characters for the three steps of one row, filled style.
const CHARSET_FILL: &[u8] = b"_o#";
const CHARSET_LEN: i64 = 3;
/// Empty rows between the graph and the labels.
const LABEL_MARGIN_TOP: i64 = 1;

/// A sequence of samples with optional labels.
#[derive(Default)]
pub struct Sequence {
    samples: Vec<(f64, Option<String>)>,
    labels: usize,
    min: f64,
    max: f64,
}

impl Sequence {
    pub fn add(&mut self, value: f64, label: Option<String>) {
        let label = label.filter(|l| !l.is_empty());
        if self.samples.is_empty() {
            self.min = value;
            self.max = value;
        } else if value < self.min {
            self.min = value;
        } else if value > self.max {
            self.max = value;
        }
        if label.is_some() {
            self.labels += 1;
        }
        self.samples.push((value, label));
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

/// Renders `seq` in filled style, `columns` samples per block of `rows` rows.
pub fn render(out: &mut Vec<u8>, seq: &Sequence, columns: usize, rows: i64) {
    let mut j = 0;
    while j < seq.len() {
        let len = (seq.len() - j).min(columns);
        if j != 0 {
            out.push(b'\n');
        }
        render_range(out, seq, rows, j, len);
        j += columns;
    }
}

fn render_range(out: &mut Vec<u8>, seq: &Sequence, rows: i64, offset: usize, len: usize) {
    let mut relmax = seq.max - seq.min;
    if relmax == 0.0 {
        relmax = 1.0;
    }
    let steps = CHARSET_LEN * rows;
    let mut row: i64 = 0;
    let mut chars = vec![b' '; len];
    loop {
        let mut more = false;
        chars.fill(b' ');
        for (j, slot) in chars.iter_mut().enumerate() {
            let (value, label) = &seq.samples[j + offset];
            let relval = value - seq.min;
            // C truncates the product to int before dividing by relmax.
            let step = (((relval * steps as f64) as i64) as f64 / relmax) as i64;
            let step = step.clamp(0, steps - 1);
            if row < rows {
                let idx = step - (rows - row - 1) * CHARSET_LEN;
                more = true;
                if (0..CHARSET_LEN).contains(&idx) {
                    *slot = CHARSET_FILL[idx as usize];
                } else if idx >= CHARSET_LEN {
                    *slot = b'|';
                }
            } else {
                if seq.labels > 0 && row - rows < LABEL_MARGIN_TOP {
                    more = true;
                    break;
                }
                if let Some(l) = label {
                    let at = (row - rows - LABEL_MARGIN_TOP) as usize;
                    if let Some(&c) = l.as_bytes().get(at) {
                        more = true;
                        *slot = c;
                    }
                }
            }
        }
        if !more {
            break;
        }
        row += 1;
        out.extend_from_slice(&chars);
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_samples_with_labels() {
        let mut s = Sequence::default();
        s.add(10.0, Some("2s".into()));
        s.add(20.0, Some("1s".into()));
        let mut out = Vec::new();
        render(&mut out, &s, 80, 4);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, " #\n |\n |\n_|\n  \n21\nss\n");
    }
}
