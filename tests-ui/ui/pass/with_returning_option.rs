// The advice of `with_returning_result`, applied: a value that may fail to come is an
// `Option`, which leaves the key out.
use run_metadata::{RunMetadata, StepRunInfo};

fn parsed(text: &String) -> Option<u32> {
    text.parse().ok()
}

#[derive(RunMetadata)]
struct Operator {
    #[metadata(step, with = parsed)]
    replicas: String,
}

fn main() {
    let info = StepRunInfo::new(uuid::Uuid::nil(), uuid::Uuid::nil(), "run", "train");
    let some = Operator { replicas: "3".into() }.step_run_metadata(&info);
    assert_eq!(some.get("replicas").map(ToString::to_string).as_deref(), Some("3"));
    let none = Operator { replicas: "three".into() }.step_run_metadata(&info);
    assert!(none.is_empty());
}
