//! `isobar-simulator`: an Open-Meteo-compatible server for running Isobar offline.
//!
//! ```text
//! cargo run -p isobar-simulator -- [--addr 127.0.0.1:8081] [FAULT FLAGS]
//!
//!   --delay [ENDPOINT=]MS          wait MS milliseconds before answering
//!   --status [ENDPOINT=]CODE       answer with CODE (429, 500, 503, ...) and Open-Meteo's error body
//!   --retry-after [ENDPOINT=]SECS  Retry-After of a 429/503 (default 1)
//!   --truncate [ENDPOINT=]PART     cut the body off: a fraction (0.5) or a byte count (200)
//!   --hang [ENDPOINT]              send part of the body, then never finish
//!   --nulls [ENDPOINT=]FRACTION    replace that fraction of the values with null
//!   --live [ENDPOINT]              live mode: `current` changes every few seconds
//! ```
//! ENDPOINT is `forecast`, `air-quality`, `geocoding` or `all` (the default).

use isobar_simulator::faults::FaultTable;

const USAGE: &str = "usage: isobar-simulator [--addr HOST:PORT] [--delay [ENDPOINT=]MS] \
[--status [ENDPOINT=]CODE] [--retry-after [ENDPOINT=]SECS] [--truncate [ENDPOINT=]PART] [--hang [ENDPOINT]] \
[--nulls [ENDPOINT=]FRACTION]\n\
ENDPOINT: forecast | air-quality | geocoding | all (default)";

fn parse_args(args: &[String]) -> Result<(String, FaultTable), String> {
    let mut addr = "127.0.0.1:8081".to_owned();
    let mut faults = FaultTable::default();
    let mut it = args.iter().peekable();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "-h" | "--help" => return Err(USAGE.to_owned()),
            "--addr" => addr = it.next().ok_or("--addr needs HOST:PORT")?.clone(),
            "--hang" | "--live" => {
                let target = match it.peek() {
                    Some(v) if !v.starts_with("--") => it.next().expect("peeked").clone(),
                    _ => "all".to_owned(),
                };
                faults.apply_flag(flag, &target)?;
            }
            "--delay" | "--status" | "--retry-after" | "--truncate" | "--nulls" => {
                let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
                faults.apply_flag(flag, v)?;
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok((addr, faults))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (addr, faults) = match parse_args(&args) {
        Ok(v) => v,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    match isobar_simulator::spawn(&addr, faults).await {
        Ok(sim) => {
            println!("Open-Meteo simulator listening on http://{}", sim.addr);
            println!("  forecast:    http://{}/v1/forecast", sim.addr);
            println!("  air quality: http://{}/v1/air-quality", sim.addr);
            println!("  geocoding:   http://{}/v1/search", sim.addr);
            tokio::select! {
                _ = sim.task => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    }
}
