//! `cargo run -p codegen`: regenerates `src/generated` from `codegen/models`.

use std::path::Path;
use std::time::Instant;

fn main() {
    let start = Instant::now();
    let models = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models"));
    let out = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../src/generated"));
    let files = codegen::generate(models);
    std::fs::create_dir_all(out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    for (name, content) in &files {
        let path = out.join(name);
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == *content);
        if !unchanged {
            std::fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        println!(
            "{} {} ({} bytes)",
            if unchanged { "unchanged" } else { "wrote" },
            path.display(),
            content.len()
        );
    }
    println!("generated in {:.2?}", start.elapsed());
}
