use std::collections::HashMap;

use run_metadata::metadata;

fn main() {
    let scores: HashMap<(u8, u8), f64> = HashMap::new();
    let _ = metadata! { "scores" => scores };
}
