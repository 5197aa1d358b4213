//! What the server answers, read into types that name the fields used (unknown fields are
//! ignored). Run metadata inside an answer is taken as its raw text, for the metadata reader:
//! its integers are exact to 128 bits, which serde's numbers are not.

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::map::metadata::Metadata;
use crate::value::json::read::parse;
use crate::value::tree::{MAX_DEPTH, MetadataValue};
use crate::zenml::error::ZenmlError;

/// `text` read as `T`; an empty answer and `null` read as `{}`.
pub(crate) fn read<T: DeserializeOwned>(text: &str) -> Result<T, ZenmlError> {
    let text = match text.trim() {
        "" | "null" => "{}",
        text => text,
    };
    serde_json::from_str(text).map_err(|e| ZenmlError::Protocol(unexpected(&e)))
}

/// What was wrong with an answer, in words of this crate's only: serde's own messages quote
/// the server's text, which reaches an error only through the transport's redaction.
fn unexpected(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = e.to_string();
    let what = match e.classify() {
        // The field's name is ours.
        Category::Data if what.starts_with("missing field") => what
            .split(" at line")
            .next()
            .unwrap_or("a field missing")
            .to_owned(),
        Category::Data => "a value of another type than expected".to_owned(),
        Category::Syntax => "invalid JSON".to_owned(),
        Category::Eof => "JSON cut short".to_owned(),
        Category::Io => "an answer that could not be read".to_owned(),
    };
    format!("{what} at line {}, column {}", e.line(), e.column())
}

/// `POST /api/v1/login`.
#[derive(Deserialize)]
pub(crate) struct Login {
    pub(crate) access_token: Option<String>,
}

/// Anything with an id: `GET /api/v1/info`, an item of a page.
#[derive(Deserialize)]
pub(crate) struct Identified {
    pub(crate) id: Uuid,
}

/// A page of a list endpoint (`GET /api/v1/projects`, `/runs`, `/steps`, …).
#[derive(Deserialize)]
pub(crate) struct Page {
    #[serde(default)]
    items: Vec<Identified>,
}

impl Page {
    /// The id of the page's first item.
    pub(crate) fn first_id(&self) -> Option<Uuid> {
        self.items.first().map(|item| item.id)
    }
}

/// What a `POST` created: the item, or `[item, created]` as `POST /api/v1/runs` answers. Read
/// by hand, not as an untagged enum: that would buffer the whole answer (a run's metadata with
/// it) and meet `serde_json`'s depth limit; here everything but the id is skipped unread.
pub(crate) struct Created(Uuid);

impl Created {
    pub(crate) fn id(&self) -> Uuid {
        self.0
    }
}

impl<'de> Deserialize<'de> for Created {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Created;

            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an object with an id, or a list whose first item is one")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Created, A::Error> {
                let item =
                    Identified::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Created(item.id))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Created, A::Error> {
                let item: Identified = seq
                    .next_element()?
                    .ok_or_else(|| serde::de::Error::invalid_length(0, &self))?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Created(item.id))
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

/// A run or a step (`GET /api/v1/runs/{id}`, `/steps/{id}`): its status and its metadata.
#[derive(Deserialize)]
pub(crate) struct RunOrStep {
    body: Option<Body>,
    metadata: Option<RunMetadata>,
}

#[derive(Deserialize)]
struct Body {
    status: Option<String>,
}

#[derive(Deserialize)]
struct RunMetadata {
    run_metadata: Option<Box<RawValue>>,
}

impl RunOrStep {
    pub(crate) fn status(self) -> Option<String> {
        self.body?.status
    }

    /// `.metadata.run_metadata`, read exactly (integers to 128 bits, values to `MAX_DEPTH`
    /// below the dict); none, no metadata.
    pub(crate) fn metadata(&self) -> Result<Metadata, ZenmlError> {
        let Some(raw) = self.metadata.as_ref().and_then(|m| m.run_metadata.as_ref()) else {
            return Ok(Metadata::new());
        };
        let read = parse(raw.get(), MAX_DEPTH + 1)
            .map_err(|e| ZenmlError::Protocol(format!("invalid run_metadata: {e}")))?;
        let Some(MetadataValue::Dict(entries)) = read else {
            return Err(ZenmlError::Protocol("run_metadata is not an object".into()));
        };
        // The reader gives each key once (the last value of a repeated one): checked, not
        // searched for.
        let mut out = Metadata::with_capacity(entries.len());
        for (key, value) in entries {
            crate::value::key::check_key(&key).map_err(|e| ZenmlError::Protocol(e.to_string()))?;
            out.push_owned(key, value);
        }
        Ok(out)
    }
}

/// A FastAPI error answer: `{"detail": …}`, the detail as the server wrote it.
#[derive(Deserialize)]
struct Failure<'a> {
    #[serde(borrow)]
    detail: Option<&'a RawValue>,
}

/// The `detail` of a FastAPI error answer (`{"detail": "…"}`, or its parts joined by `": "`:
/// `{"detail": ["KeyError", "'k'"]}`; anything else as the server wrote it, its order kept),
/// else the whole body.
pub(crate) fn detail(body: &str) -> String {
    // A text, unescaped; anything else, its JSON as it came.
    let text = |raw: &RawValue| {
        serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned())
    };
    // An object only: a derived struct would take `[1]` for `{"detail": 1}`.
    let detail = match serde_json::from_str::<Failure<'_>>(body) {
        Ok(Failure {
            detail: Some(detail),
        }) if body.trim_start().starts_with('{') => detail,
        _ => return body.to_owned(),
    };
    match serde_json::from_str::<Vec<&RawValue>>(detail.get()) {
        Ok(parts) => parts.into_iter().map(text).collect::<Vec<_>>().join(": "),
        Err(_) => text(detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details() {
        assert_eq!(detail(r#"{"detail":["KeyError","'k'"]}"#), "KeyError: 'k'");
        assert_eq!(detail(r#"{"detail":"gone"}"#), "gone");
        assert_eq!(detail(r#"{"detail":{"a":1}}"#), r#"{"a":1}"#);
        assert_eq!(detail("oops"), "oops");
        assert_eq!(detail("[1]"), "[1]");
        // FastAPI's 422 items keep their order: the message before the echoed input.
        assert_eq!(
            detail(
                r#"{"detail":[{"type":"missing","loc":["body","id"],"msg":"Field required","input":{}}]}"#
            ),
            r#"{"type":"missing","loc":["body","id"],"msg":"Field required","input":{}}"#
        );
        assert_eq!(
            detail(r#"{"detail":"a \"quoted\" word"}"#),
            r#"a "quoted" word"#
        );
    }

    #[test]
    fn answers_are_read_by_their_shape() {
        let id = "0f9a3b1c-2d4e-4f60-8a7b-9c0d1e2f3a4b";
        let page: Page =
            read(&format!(r#"{{"items":[{{"id":"{id}","x":1}}],"total":1}}"#)).unwrap();
        assert_eq!(page.first_id(), Some(id.parse().unwrap()));
        assert_eq!(read::<Page>("").unwrap().first_id(), None);
        let pair: Created = read(&format!(r#"[{{"id":"{id}"}},true]"#)).unwrap();
        assert_eq!(pair.id().to_string(), id);
        let item: Created = read(&format!(r#"{{"id":"{id}"}}"#)).unwrap();
        assert_eq!(item.id().to_string(), id);
        // A wrong shape is a protocol error, not an empty page.
        assert!(matches!(
            read::<Page>(r#"{"items":{}}"#),
            Err(ZenmlError::Protocol(_))
        ));
        assert!(matches!(
            read::<Created>("{}"),
            Err(ZenmlError::Protocol(_))
        ));
        let login: Login = read(r#"{"access_token":"t","token_type":"bearer"}"#).unwrap();
        assert_eq!(login.access_token.as_deref(), Some("t"));
    }

    #[test]
    fn run_metadata_is_read_exactly_and_checked() {
        let big = "340282366920938463463374607431768211455";
        let run: RunOrStep = read(&format!(
            r#"{{"body":{{"status":"running"}},"metadata":{{"run_metadata":{{"n":{big},"f":1e+16}}}}}}"#
        ))
        .unwrap();
        let metadata = run.metadata().unwrap();
        assert_eq!(metadata.to_json(), format!(r#"{{"n":{big},"f":1e+16}}"#));
        assert_eq!(run.status().as_deref(), Some("running"));
        let bad: RunOrStep = read(r#"{"metadata":{"run_metadata":{"a:b":1}}}"#).unwrap();
        assert!(matches!(bad.metadata(), Err(ZenmlError::Protocol(_))));
        let list: RunOrStep = read(r#"{"metadata":{"run_metadata":[1]}}"#).unwrap();
        assert!(matches!(list.metadata(), Err(ZenmlError::Protocol(_))));
        let none: RunOrStep = read(r#"{"metadata":{}}"#).unwrap();
        assert!(none.metadata().unwrap().is_empty());
    }
}
