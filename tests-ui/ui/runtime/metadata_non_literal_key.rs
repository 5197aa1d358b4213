use run_metadata::metadata;

fn main() {
    let key = "dynamic";
    let _ = metadata! { key => 1, 7 => 2 };
}
