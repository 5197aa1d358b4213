//! Untrusted bytes through the crate's readers: `Metadata::from_json`, and the store's decoding
//! of a row (its `type` column read as a `MetadataType`, then its `value` column by
//! `MetadataValue::from_json`). The server's answers go through their readers in `zenml::fuzz`,
//! on the inputs made here.
//!
//! Inputs: the JSON of random value trees (all twelve tags, nested containers to `MAX_DEPTH`,
//! NaN and infinities, integers to 128 bits), whole or mutated (bits flipped, bytes replaced,
//! inserted, deleted, repeated, truncated anywhere); shapes no tree gives (10,000 levels deep,
//! arrays and objects of up to 20,000 members, repeated keys, 300-digit and `1e999999` numbers,
//! lone surrogates and bad escapes, control characters, a BOM, NUL); and soups of tokens and
//! bytes. Bytes that are not UTF-8 reach a reader as a `&str` API receives them, through
//! `String::from_utf8_lossy`.
//!
//! Every input must give a value or a typed error (whose `Display` is taken too), without a
//! panic, within [`MAX_TIME`], and a value no larger than a bound times its input ([`size`]:
//! nodes plus text bytes). A tree's own JSON must read back to the same JSON.
//!
//! `RUN_METADATA_FUZZ_CASES` sets the number of inputs per target (100,000 by default; the
//! figures in RELIABILITY.md are of 1,000,000, in release: `RUN_METADATA_FUZZ_CASES=1000000
//! cargo test --release -p run-metadata --all-features --lib fuzz -- --nocapture`).

use core::fmt::{Debug, Display};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use self::inputs::{Rng, TAGS, document, key, lossy, mutate, shape, tree};
use crate::map::metadata::Metadata;
use crate::value::tree::{MAX_DEPTH, MetadataValue};

pub(crate) mod inputs;

/// Inputs per target unless `RUN_METADATA_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: usize = 100_000;

/// The longest one input may take.
pub(crate) const MAX_TIME: Duration = Duration::from_secs(1);

/// Inputs per target.
pub(crate) fn cases() -> usize {
    std::env::var("RUN_METADATA_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// Nodes plus text bytes (strings and keys): what a value holds, whatever its type.
pub(crate) fn size(v: &MetadataValue) -> usize {
    1 + match v {
        MetadataValue::List(items) | MetadataValue::Tuple(items) | MetadataValue::Set(items) => {
            items.iter().map(size).sum()
        }
        MetadataValue::Dict(entries) => entries.iter().map(|(k, v)| k.len() + size(v)).sum(),
        other => other.as_str().map_or(0, str::len),
    }
}

/// What one target gave over its inputs, and the inputs that broke a rule.
pub(crate) struct Tally {
    name: &'static str,
    /// How many times an output may be larger than its input.
    bound: f64,
    inputs: usize,
    ok: usize,
    err: usize,
    panics: usize,
    /// Time spent reading, and since the first input was made.
    total: Duration,
    started: Instant,
    /// The longest read, and its input's length.
    slowest: (Duration, usize),
    /// The largest output, times its input.
    ratio: f64,
    failures: Vec<String>,
}

impl Tally {
    pub(crate) fn new(name: &'static str, bound: f64) -> Self {
        Self {
            name,
            bound,
            inputs: 0,
            ok: 0,
            err: 0,
            panics: 0,
            total: Duration::ZERO,
            started: Instant::now(),
            slowest: (Duration::ZERO, 0),
            ratio: 0.0,
            failures: Vec::new(),
        }
    }

    fn fail(&mut self, what: &str, input: &dyn Debug) {
        if self.failures.len() < 5 {
            let mut shown = format!("{input:?}");
            if shown.len() > 4000 {
                let cut = (0..=4000)
                    .rev()
                    .find(|&i| shown.is_char_boundary(i))
                    .unwrap_or(0);
                shown = format!("{}… ({} characters)", &shown[..cut], shown.len());
            }
            self.failures
                .push(format!("{what} on input #{}: {shown}", self.inputs));
        }
    }

    /// Reads one input of `len` bytes with `read`, which gives the size of what it read
    /// (see [`size`]) or a typed error, and the value itself for further checks.
    pub(crate) fn run<T, E: Display>(
        &mut self,
        input: &dyn Debug,
        len: usize,
        read: impl FnOnce() -> Result<(T, usize), E>,
    ) -> Option<T> {
        self.inputs += 1;
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| read().map_err(|e| e.to_string())));
        let took = start.elapsed();
        self.total += took;
        if took > self.slowest.0 {
            self.slowest = (took, len);
        }
        if took > MAX_TIME {
            self.fail(&format!("{took:?}"), input);
        }
        match outcome {
            Ok(Ok((value, size))) => {
                self.ok += 1;
                #[allow(clippy::cast_precision_loss)] // a ratio, for the report
                let ratio = size as f64 / len.max(1) as f64;
                self.ratio = self.ratio.max(ratio);
                if ratio > self.bound {
                    self.fail(&format!("an output {ratio:.2} times its input"), input);
                }
                Some(value)
            }
            Ok(Err(_)) => {
                self.err += 1;
                None
            }
            Err(_) => {
                self.panics += 1;
                self.fail("a panic", input);
                None
            }
        }
    }

    /// Checks `holds` (caught, should it panic) for one input.
    pub(crate) fn check(&mut self, what: &str, input: &dyn Debug, holds: impl FnOnce() -> bool) {
        if !catch_unwind(AssertUnwindSafe(holds)).unwrap_or(false) {
            self.fail(what, input);
        }
    }

    /// Prints the summary line and fails on any broken rule.
    pub(crate) fn finish(self) {
        println!(
            "fuzz {}: {} inputs, {} Ok, {} Err, {} panics; per input at most {:?} (a {}-byte \
             input), {:?} reading in all ({:?} with making the inputs); output at most {:.2} x input",
            self.name,
            self.inputs,
            self.ok,
            self.err,
            self.panics,
            self.slowest.0,
            self.slowest.1,
            self.total,
            self.started.elapsed(),
            self.ratio,
        );
        assert!(
            self.failures.is_empty(),
            "{}:\n{}",
            self.name,
            self.failures.join("\n")
        );
    }
}

#[test]
#[cfg(feature = "store")]
fn store_rows() {
    let mut rng = Rng::new(0x5707_e000);
    let mut tally = Tally::new("store rows (key, type, value)", 1.0);
    for _ in 0..cases() {
        let v = tree(&mut rng, MAX_DEPTH);
        let (bytes, whole) = document(&mut rng, v.to_json());
        let json = lossy(&bytes);
        let own = v.metadata_type().as_str();
        let tag = match rng.below(8) {
            0..=4 => own.to_owned(),
            5 | 6 => rng.pick(TAGS).to_owned(),
            _ => {
                let mut tag = own.as_bytes().to_vec();
                mutate(&mut rng, &mut tag);
                lossy(&tag)
            }
        };
        let key = if rng.one_in(20) {
            inputs::text(&mut rng)
        } else {
            key(&mut rng)
        };
        let input = (&key, &json, &tag);
        let read = tally.run(&input, json.len(), || {
            crate::store::decode_row(&key, &json, &tag).map(|v| {
                let n = size(&v);
                (v, n)
            })
        });
        if whole && tag == own && crate::value::key::check_key(&key).is_ok() {
            tally.check("a tree read back differently", &input, || {
                read.is_some_and(|r| r.to_json() == json)
            });
        }
    }
    tally.finish();
}

/// `types` for the keys of `m`: each key's tag, another tag, junk, a tag that is not a
/// string, or no entry; now and then a key `values` does not have.
fn types_for(rng: &mut Rng, m: &Metadata) -> String {
    let mut members = Vec::new();
    for (key, v) in m {
        let tag = match rng.below(6) {
            0 => continue,
            1 => MetadataValue::Str(rng.pick(TAGS).to_owned()).to_json(),
            2 => rng
                .pick(&["1", "null", "[\"int\"]", "{\"t\":\"str\"}", "true"])
                .to_owned(),
            _ => format!("\"{}\"", v.metadata_type().as_str()),
        };
        members.push(format!(
            "{}:{tag}",
            MetadataValue::Str(key.to_owned()).to_json()
        ));
    }
    if rng.one_in(4) {
        members.push(format!("\"{}\":\"int\"", rng.below(10)));
    }
    format!("{{{}}}", members.join(","))
}

#[test]
fn metadata_from_json() {
    let mut rng = Rng::new(0x3e7a_da7a);
    let mut tally = Tally::new("Metadata::from_json", 1.0);
    for _ in 0..cases() {
        let mut m = Metadata::new();
        for _ in 0..rng.below(8) {
            let v = tree(&mut rng, MAX_DEPTH);
            m.insert_value(key(&mut rng), v).expect("a valid key");
        }
        let (values, types, whole) = match rng.below(10) {
            0 => (m.to_json(), types_for(&mut rng, &m), false),
            1 => {
                let tag = MetadataValue::Str(rng.pick(TAGS).to_owned()).to_json();
                (
                    format!("{{\"k\":{}}}", lossy(&shape(&mut rng))),
                    format!("{{\"k\":{tag}}}"),
                    false,
                )
            }
            _ => {
                let (values, whole) = document(&mut rng, m.to_json());
                let mut types = m.types_json().into_bytes();
                if !whole && rng.one_in(3) {
                    mutate(&mut rng, &mut types);
                }
                (lossy(&values), lossy(&types), whole)
            }
        };
        let input = (&values, &types);
        let read = tally.run(&input, values.len(), || {
            Metadata::from_json(&values, &types).map(|m| {
                let n = 1 + m.iter().map(|(k, v)| k.len() + size(v)).sum::<usize>();
                (m, n)
            })
        });
        if whole {
            tally.check("a map read back differently", &input, || {
                read.is_some_and(|r| r.to_json() == values && r.types_json() == types)
            });
        }
    }
    tally.finish();
}
