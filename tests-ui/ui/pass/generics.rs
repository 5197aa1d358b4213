//! Generics, lifetimes, const generics and where clauses; bounds only where fields need them.

use run_metadata::RunMetadata;

struct Client;

#[derive(RunMetadata)]
#[metadata(step)]
struct Generic<'a, C, T: Clone, const N: usize>
where
    T: Send + 'a,
{
    client: &'a C,
    #[metadata]
    values: [T; N],
}

fn assert_component<T: RunMetadata>() {}

fn main() {
    assert_component::<Generic<'static, Client, u8, 3>>();
}
