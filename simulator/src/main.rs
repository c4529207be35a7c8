//! `isobar-simulator`: an Open-Meteo-compatible server for running Isobar offline.
//!
//! ```text
//! cargo run -p isobar-simulator -- [--addr 127.0.0.1:8081] [FAULT FLAGS]
//! ```
//! `--help` lists the fault flags (`isobar_simulator::faults::FAULTS`).

use clap::Parser;
use isobar_simulator::faults::FaultArgs;

/// An Open-Meteo-compatible server with deterministic weather and fault injection: forecast
/// (/v1/forecast), air quality (/v1/air-quality) and geocoding (/v1/search).
#[derive(Parser, Debug)]
#[command(name = "isobar-simulator", version)]
struct Cli {
    /// Where to listen.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8081")]
    addr: String,
    #[command(flatten)]
    faults: FaultArgs,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    match isobar_simulator::spawn(&cli.addr, cli.faults.table).await {
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
            eprintln!("cannot listen on {}: {e}", cli.addr);
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use isobar_simulator::faults::{Endpoint, FAULTS};

    #[test]
    fn every_fault_is_in_the_help() {
        let help = Cli::command().render_long_help().to_string();
        for spec in FAULTS {
            assert!(
                help.contains(&spec.flag()),
                "{} missing from:\n{help}",
                spec.flag()
            );
            assert!(help.contains(spec.help), "{}'s help missing", spec.flag());
        }
    }

    #[test]
    fn fault_flags_parse_per_endpoint_and_switches_default_to_all() {
        let cli = Cli::try_parse_from([
            "isobar-simulator",
            "--addr",
            "127.0.0.1:0",
            "--delay",
            "300",
            "--status",
            "air-quality=503",
            "--hang",
            "--live",
            "forecast",
        ])
        .unwrap();
        assert!(cli.faults.given);
        let t = &cli.faults.table.0;
        assert_eq!(t[&Endpoint::Geocoding].delay_ms, Some(300));
        assert_eq!(t[&Endpoint::AirQuality].status, Some(503));
        assert_eq!(t[&Endpoint::Forecast].status, None);
        assert!(Endpoint::ALL.iter().all(|e| t[e].hang));
        assert!(t[&Endpoint::Forecast].live && !t[&Endpoint::AirQuality].live);
        assert!(Cli::try_parse_from(["isobar-simulator", "--status", "forecast=99"]).is_err());
        assert!(Cli::try_parse_from(["isobar-simulator", "--hang", "moon"]).is_err());
        assert!(
            !Cli::try_parse_from(["isobar-simulator"])
                .unwrap()
                .faults
                .given
        );
    }
}
