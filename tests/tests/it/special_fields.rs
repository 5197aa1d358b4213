//! `uri`, `dtype` and `path` take what is text: the special types themselves, any `AsRef<str>`
//! (a URL type), and `Option`s of them; foreign types cast with `with`.

use std::time::Duration;

use run_metadata::{
    DType, MetadataType, MetadataValue, Path, RunMetadata, StepRunInfo, ToMetadata, Uri,
};
use uuid::Uuid;

/// A URL type of another kind: text through `AsRef<str>`.
struct ConsoleLink(String);

impl AsRef<str> for ConsoleLink {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[derive(RunMetadata)]
#[metadata(step)]
struct Tracker {
    #[metadata(uri)]
    already_a_uri: Uri,
    #[metadata(uri)]
    maybe: Option<Uri>,
    #[metadata(uri)]
    link: ConsoleLink,
    #[metadata(uri)]
    url: url::Url,
    #[metadata(uri)]
    no_url: Option<url::Url>,
    #[metadata(dtype)]
    dtype: DType,
    #[metadata(path)]
    path: Path,
    #[metadata(with = Duration::as_secs_f64)]
    elapsed: Duration,
    #[metadata]
    plain_url: url::Url,
}

#[test]
fn text_of_any_kind_takes_the_special_types() {
    let t = Tracker {
        already_a_uri: Uri::new("https://a.example"),
        maybe: Some(Uri::new("https://b.example")),
        link: ConsoleLink("https://console.example/run/1".into()),
        url: url::Url::parse("https://mlflow.example/#/runs/7").unwrap(),
        no_url: None,
        dtype: DType::new("float32"),
        path: Path::new("/mnt/artifacts"),
        elapsed: Duration::from_millis(1500),
        plain_url: url::Url::parse("http://127.0.0.1:5000").unwrap(),
    };
    let m = t.step_run_metadata(&StepRunInfo::new(Uuid::nil(), Uuid::nil(), "r", "s"));
    let tags: Vec<(&str, MetadataType)> = m.types().collect();
    assert_eq!(
        tags,
        [
            ("already_a_uri", MetadataType::Uri),
            ("maybe", MetadataType::Uri),
            ("link", MetadataType::Uri),
            ("url", MetadataType::Uri),
            ("dtype", MetadataType::DType),
            ("path", MetadataType::Path),
            ("elapsed", MetadataType::Float),
            ("plain_url", MetadataType::Uri),
        ]
    );
    assert_eq!(
        m.get("link").unwrap().as_str(),
        Some("https://console.example/run/1")
    );
    assert_eq!(
        m.get("url").unwrap().as_str(),
        Some("https://mlflow.example/#/runs/7")
    );
    assert_eq!(
        m.get("plain_url").unwrap().as_str(),
        Some("http://127.0.0.1:5000/")
    );
    assert_eq!(m.get("elapsed"), Some(&MetadataValue::Float(1.5)));
    // The schema knows every tag without an instance; `Option`s are optional.
    let schema = Tracker::schema().to_string();
    assert!(schema.contains("step maybe: Uri (optional)\n"), "{schema}");
    assert!(schema.contains("step link: Uri\n"), "{schema}");
    assert!(schema.contains("step plain_url: Uri\n"), "{schema}");
}

#[test]
fn a_url_is_a_uri() {
    let url = url::Url::parse("https://zenml.example/runs?id=1").unwrap();
    assert_eq!(
        url.to_metadata(),
        MetadataValue::Uri(Uri::new("https://zenml.example/runs?id=1"))
    );
    assert_eq!(
        <url::Url as ToMetadata>::METADATA_TYPE,
        Some(MetadataType::Uri)
    );
}
