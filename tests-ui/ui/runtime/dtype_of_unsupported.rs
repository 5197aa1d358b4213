use run_metadata::DType;

fn main() {
    let _ = DType::of::<i128>();
}
