//! Load a config N times (for profiling): `cargo run --release --example loadbench FILE N`.
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE");
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let text = std::fs::read_to_string(&path).expect("read");
    let fs = lxconf_parse::fs::RealFs;
    let options = lxconf_parse::LoadOptions {
        fs: &fs,
        base_dir: "/".into(),
        lxd_profiles: Vec::new(),
    };
    let start = std::time::Instant::now();
    let mut count = 0;
    for _ in 0..n {
        count += lxconf_parse::lxc::load(&path, &text, &options)
            .document
            .container
            .mounts
            .len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{count} mounts; {:.1} MB/s",
        (text.len() * n) as f64 / secs / 1e6
    );
}
