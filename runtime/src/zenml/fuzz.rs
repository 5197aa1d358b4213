//! The server's answers through their readers, on the inputs of the crate's `fuzz` module:
//! the answer types of `wire::answers` (`Page`, `Identified`, `Created`, `Login`, `RunOrStep`),
//! `detail` (what an error keeps of an error answer), and the reading of
//! `Client::read_metadata` (`.metadata.run_metadata` read exactly, `MAX_DEPTH + 1` deep, as a
//! `Metadata`).
//! The same rules and the same `RUN_METADATA_FUZZ_CASES`, inputs per target.

use std::convert::Infallible;

use uuid::Uuid;

use crate::fuzz::inputs::{Rng, document, lossy, shape, tree};
use crate::fuzz::{Tally, cases, size};
use crate::map::metadata::Metadata;
use crate::value::tree::{MAX_DEPTH, MetadataValue};
use crate::zenml::error::ZenmlError;
use crate::zenml::wire::answers::{self, Created, Identified, Login, Page, RunOrStep, detail};

/// How many times its answer `detail`'s text may be: a float's shortest text against the
/// float as written (`9e15` is `9000000000000000.0`).
const DETAIL_BOUND: f64 = 8.0;

/// An id as a server sends it, or one it should not; the UUID it reads as, if any.
fn id(rng: &mut Rng) -> (MetadataValue, Option<Uuid>) {
    let uuid = Uuid::from_u64_pair(rng.bits(), rng.bits());
    let (text, read) = match rng.below(8) {
        0 => (uuid.simple().to_string(), Some(uuid)),
        1 => (uuid.to_string().to_uppercase(), Some(uuid)),
        2 => (uuid.to_string()[1..].to_owned(), None),
        3 => return (MetadataValue::Int(1.into()), None),
        _ => (uuid.to_string(), Some(uuid)),
    };
    (MetadataValue::Str(text), read)
}

/// An answer, and what its readers must find in it where it says.
struct Answer {
    tree: MetadataValue,
    /// What a `Page`'s first id, else an `Identified`'s id, gives.
    id: Option<Uuid>,
    /// What `detail` gives.
    detail: Option<String>,
    /// What `Client::read_metadata` gives.
    metadata: Option<Metadata>,
}

/// An answer as a server gives it: a page of items, an entity with its run metadata, an error
/// answer, or any tree.
fn answer(rng: &mut Rng) -> Answer {
    use MetadataValue as V;
    let mut answer = Answer {
        tree: V::Dict(Vec::new()),
        id: None,
        detail: None,
        metadata: None,
    };
    let s = |s: &str| V::Str(s.to_owned());
    answer.tree = match rng.below(5) {
        0 => {
            let mut items = Vec::new();
            let mut first = None;
            let mut all_read = true;
            for i in 0..rng.below(4) {
                let (id, uuid) = id(rng);
                if i == 0 {
                    first = uuid;
                }
                all_read &= uuid.is_some();
                let body = tree(rng, 3);
                items.push(V::Dict(vec![("id".into(), id), ("body".into(), body)]));
            }
            // A page is read whole: one unreadable id, and it is refused.
            answer.id = first.filter(|_| all_read);
            let total = ("total".into(), V::Int(items.len().into()));
            V::Dict(vec![total, ("items".into(), V::List(items))])
        }
        1 => {
            let (id, uuid) = id(rng);
            answer.id = uuid;
            let mut m = Metadata::new();
            for i in 0..rng.below(6) {
                let value = tree(rng, MAX_DEPTH);
                m.insert_value(format!("k{i}"), value).expect("a valid key");
            }
            let values = m.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect();
            answer.metadata = Some(m);
            let metadata = V::Dict(vec![("run_metadata".into(), V::Dict(values))]);
            V::Dict(vec![("id".into(), id), ("metadata".into(), metadata)])
        }
        2 => {
            let detail = tree(rng, 0).as_str().unwrap_or("gone").to_owned();
            answer.detail = Some(detail.clone());
            V::Dict(vec![("detail".into(), V::Str(detail))])
        }
        3 => {
            let parts = vec![s("KeyError"), s("'k'"), tree(rng, 2)];
            V::Dict(vec![("detail".into(), V::List(parts))])
        }
        _ => tree(rng, MAX_DEPTH),
    };
    answer
}

#[test]
fn answers() {
    let mut rng = Rng::new(0xa115_4e25);
    let mut tally = Tally::new("the answer types", 1.0);
    for _ in 0..cases() {
        let Answer { tree, id, .. } = answer(&mut rng);
        let (bytes, whole) = document(&mut rng, tree.to_json());
        let text = lossy(&bytes);
        let read = tally.run(&text, text.len(), || {
            let page = answers::read::<Page>(&text).map(|p| p.first_id());
            let one = answers::read::<Identified>(&text).map(|i| i.id);
            let created = answers::read::<Created>(&text).map(|c| c.id());
            let _ = answers::read::<Login>(&text).map(|l| l.access_token);
            let _ = answers::read::<RunOrStep>(&text).map(RunOrStep::status);
            if let (Ok(one), Ok(created)) = (&one, &created) {
                assert_eq!(one, created, "an item read as created differently");
            }
            let found = page.ok().flatten().or(one.ok());
            Ok::<_, ZenmlError>((found, 1))
        });
        if whole {
            tally.check("an id read differently", &text, || {
                read.is_some_and(|found| id.is_none() || found == id)
            });
        }
    }
    tally.finish();
}

#[test]
fn details() {
    let mut rng = Rng::new(0xde7a_1105);
    let mut tally = Tally::new("detail", DETAIL_BOUND);
    for _ in 0..cases() {
        let given = answer(&mut rng);
        let (bytes, whole) = document(&mut rng, given.tree.to_json());
        let body = lossy(&bytes);
        let read = tally.run(&body, body.len(), || {
            let text = detail(&body);
            let n = text.len();
            Ok::<_, Infallible>((text, n))
        });
        if let (true, Some(msg)) = (whole, given.detail) {
            tally.check("a detail read differently", &body, || read == Some(msg));
        }
    }
    tally.finish();
}

#[test]
fn read_metadata_answers() {
    let mut rng = Rng::new(0x4ead_3e7a);
    let mut tally = Tally::new("Client::read_metadata's reading", 1.0);
    for _ in 0..cases() {
        let given = answer(&mut rng);
        let (text, whole) = if rng.one_in(20) {
            let run_metadata = lossy(&shape(&mut rng));
            (
                format!(r#"{{"metadata":{{"run_metadata":{run_metadata}}}}}"#),
                false,
            )
        } else {
            let (bytes, whole) = document(&mut rng, given.tree.to_json());
            (lossy(&bytes), whole)
        };
        let read = tally.run(&text, text.len(), || {
            answers::read::<RunOrStep>(&text)
                .and_then(|r| r.metadata())
                .map(|m| {
                    let n = 1 + m.iter().map(|(k, v)| k.len() + size(v)).sum::<usize>();
                    (m, n)
                })
        });
        if let (true, Some(m)) = (whole, given.metadata) {
            tally.check("run metadata read back differently", &text, || {
                read.is_some_and(|r| r.to_json() == m.to_json())
            });
        }
    }
    tally.finish();
}
