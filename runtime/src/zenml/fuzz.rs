//! The server's answers through their readers, on the inputs of the crate's `fuzz` module:
//! `answer_json` and what reads an answer's fields (`field`, `first_id`, `id_of`), `detail`
//! (what an error keeps of an error answer), and the reading of `Client::read_metadata` (the
//! answer read exactly, `MAX_DEPTH + 3` deep, then `.metadata.run_metadata` as a `Metadata`).
//! The same rules and the same `RUN_METADATA_FUZZ_CASES`, inputs per target.

use std::convert::Infallible;

use uuid::Uuid;

use crate::fuzz::inputs::{Rng, document, lossy, shape, tree};
use crate::fuzz::{Tally, cases, size};
use crate::map::metadata::Metadata;
use crate::value::tree::{MAX_DEPTH, MetadataValue};
use crate::zenml::endpoints::client::{first_id, id_of, metadata_of_answer};
use crate::zenml::transport::error::ZenmlError;
use crate::zenml::transport::http::{answer_json, detail, field};

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
    /// What `first_id`, else `id_of`, gives.
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
            for i in 0..rng.below(4) {
                let (id, uuid) = id(rng);
                if i == 0 {
                    answer.id = uuid;
                }
                let body = tree(rng, 3);
                items.push(V::Dict(vec![("id".into(), id), ("body".into(), body)]));
            }
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
    let mut tally = Tally::new("answer_json, field, first_id, id_of", 1.0);
    for _ in 0..cases() {
        let Answer { tree, id, .. } = answer(&mut rng);
        let json = tree.to_json();
        let (bytes, whole) = document(&mut rng, json.clone());
        let text = lossy(&bytes);
        let read = tally.run(&text, text.len(), || {
            let answer = answer_json(&text)?;
            for name in ["id", "items", "metadata", "detail", "body", ""] {
                let _ = field(&answer, name);
            }
            let items = field(&answer, "items").and_then(MetadataValue::as_slice);
            for item in items.unwrap_or_default() {
                let _ = id_of(item);
            }
            let found = first_id(&answer).or_else(|| id_of(&answer).ok());
            let n = size(&answer);
            Ok::<_, ZenmlError>(((answer, found), n))
        });
        if whole {
            tally.check("an answer read back differently", &text, || {
                read.is_some_and(|(answer, found)| {
                    answer.to_json() == json && (id.is_none() || found == id)
                })
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
            metadata_of_answer(&text).map(|m| {
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
