use run_metadata::ToMetadata;

fn track<T: ToMetadata>(_: &T) {}

fn main() {
    track(&vec![std::time::Duration::from_secs(1)]);
    track(&(1, ()));
}
