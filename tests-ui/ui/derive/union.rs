use run_metadata::RunMetadata;

#[derive(RunMetadata)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
