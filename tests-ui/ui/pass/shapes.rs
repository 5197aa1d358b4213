//! Every shape of type the derive takes.

use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Named {
    #[metadata(step)]
    a: u8,
}

#[derive(RunMetadata)]
struct Tuple(#[metadata(pipeline, rename = "first")] u8, String);

#[derive(RunMetadata)]
struct Unit;

#[derive(RunMetadata)]
struct Empty {}

#[derive(RunMetadata)]
enum Enum {
    A,
    B(#[metadata(step, rename = "b")] u8),
    C {
        #[metadata(pipeline)]
        c: u8,
    },
}

#[derive(RunMetadata)]
enum Never {}

fn assert_component<T: RunMetadata>() {}

fn main() {
    assert_component::<Named>();
    assert_component::<Tuple>();
    assert_component::<Unit>();
    assert_component::<Empty>();
    assert_component::<Enum>();
    assert_component::<Never>();
}
