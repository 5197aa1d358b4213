use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(step, prefix = "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp")]
struct Tracker {
    #[metadata]
    run_id: String,
}

fn main() {}
