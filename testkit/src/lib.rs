//! What Isobar's end-to-end tests (`tests/browser/`) and benchmarks (`cargo xtask bench`)
//! share: headless Chromium driven over WebDriver by ChromeDriver, with the flags it needs on
//! these machines; guards that kill a child process and remove a temporary folder when dropped;
//! free loopback ports; a static file server.
//!
//! Chromium and ChromeDriver come from Debian's packages (`cargo xtask` installs them); `CHROME`
//! and `CHROMEDRIVER` name others.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// Chromium's flags for headless runs as root in a container, without network chatter.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The Chromium binary: `CHROME`, else Debian's `/usr/bin/chromium`.
pub fn chromium() -> PathBuf {
    std::env::var_os("CHROME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// The ChromeDriver command: `CHROMEDRIVER`, else `chromedriver` on PATH.
pub fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into())
}

/// A child process, killed and reaped when dropped.
#[derive(Debug)]
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A temporary folder, removed when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty folder under the system's temporary folder, named after `tag`.
    pub fn new(tag: &str) -> std::io::Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p = std::env::temp_dir().join(format!("isobar-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free TCP port on 127.0.0.1 (free when asked: bind it soon).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Serves `dir` as static files on a free port of 127.0.0.1, for the life of the runtime.
pub async fn serve_dir(dir: PathBuf) -> std::io::Result<SocketAddr> {
    Ok(serve_dir_at(dir, "127.0.0.1:0").await?.0)
}

/// Serves `dir` as static files at `addr` (port 0: a free one), and returns the address and
/// the server's task: aborting it closes the port (connections are then refused, as with no
/// network), and serving again at the same address brings it back.
pub async fn serve_dir_at(
    dir: PathBuf,
    addr: &str,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(dir));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

/// The relay binary (`bin`) started with `--config config` and `RUST_LOG=rust_log`, its
/// stderr written to `log` (or dropped), once it answers `GET /health` at `addr`: killed when
/// the guard is dropped. Used by the relay's soak test and the benchmarks.
pub async fn start_relay(
    bin: &Path,
    config: &Path,
    addr: SocketAddr,
    rust_log: &str,
    log: Option<&Path>,
) -> Result<KillOnDrop, String> {
    let stderr = match log {
        Some(path) => Stdio::from(std::fs::File::create(path).map_err(|e| e.to_string())?),
        None => Stdio::null(),
    };
    let relay = KillOnDrop(
        Command::new(bin)
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !healthy(addr).await {
        if Instant::now() > deadline {
            return Err(format!("the relay at {addr} did not answer /health"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(relay)
}

/// Whether `GET /health` at `addr` answers 200.
async fn healthy(addr: SocketAddr) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut head = [0u8; 12];
    s.write_all(request.as_bytes()).await.is_ok()
        && s.read_exact(&mut head).await.is_ok()
        && head.ends_with(b" 200")
}

/// How to start the browser.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// Window width, CSS pixels; under 500 the phone's viewport is emulated (a window cannot
    /// be that narrow). Default 1280.
    pub width: u32,
    /// Window height, CSS pixels. Default 1000.
    pub height: u32,
    /// The browser's time zone (`TZ`), when set. Default: the machine's.
    pub time_zone: Option<String>,
    /// Keep the browser console's log (ChromeDriver's `se/log`). Default off.
    pub console_log: bool,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            width: 1280,
            height: 1000,
            time_zone: None,
            console_log: false,
        }
    }
}

/// Headless Chromium under ChromeDriver, with a profile of its own; all of it goes on drop
/// (close the [`Client`] first for a clean end of session).
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    _driver: KillOnDrop,
    _profile: TempDir,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium session.
    pub async fn start(opts: BrowserOptions) -> Result<Browser, String> {
        let port = free_port().map_err(|e| format!("no free port: {e}"))?;
        let bin = chromedriver();
        let mut cmd = Command::new(&bin);
        cmd.arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(tz) = &opts.time_zone {
            cmd.env("TZ", tz);
        }
        let driver =
            KillOnDrop(cmd.spawn().map_err(|e| {
                format!("cannot start {bin}: {e} (`cargo xtask setup` installs it)")
            })?);
        let profile = TempDir::new("chromium").map_err(|e| e.to_string())?;
        let args: Vec<String> = CHROMIUM_FLAGS
            .iter()
            .map(|f| (*f).to_owned())
            .chain([
                "--hide-scrollbars".to_owned(),
                format!("--window-size={},{}", opts.width, opts.height),
                format!("--user-data-dir={}", profile.0.display()),
            ])
            .collect();
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        let mut chrome = json!({"binary": chromium(), "args": args});
        if opts.width < 500 {
            chrome["mobileEmulation"] = json!({
                "deviceMetrics": {"width": opts.width, "height": opts.height, "pixelRatio": 1.0}
            });
        }
        caps.insert("goog:chromeOptions".into(), chrome);
        if opts.console_log {
            caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        }
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("ChromeDriver did not start: {e}"))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Ok(Browser {
            client,
            _driver: driver,
            _profile: profile,
        })
    }
}

/// Debian's Mosquitto broker, installed by `cargo xtask` with the other test tools.
pub const MOSQUITTO: &str = "/usr/sbin/mosquitto";

/// A Mosquitto broker on `127.0.0.1:port` (anonymous, no persistence), once it accepts
/// connections: killed when the guard is dropped, so a test can stop it and start it again on
/// the same port. Fails, saying how to get it, when Mosquitto is not installed: a test that
/// needs it must not pass without it.
pub async fn start_mosquitto(port: u16, dir: &TempDir) -> Result<KillOnDrop, String> {
    if !Path::new(MOSQUITTO).is_file() {
        return Err(format!(
            "{MOSQUITTO} is missing: `cargo xtask setup` installs Debian's mosquitto package"
        ));
    }
    let config = dir.0.join(format!("mosquitto-{port}.conf"));
    std::fs::write(
        &config,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
    )
    .map_err(|e| e.to_string())?;
    let broker = KillOnDrop(
        Command::new(MOSQUITTO)
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{MOSQUITTO}: {e}"))?,
    );
    wait_listening(port, "mosquitto").await?;
    Ok(broker)
}

/// Waits until something accepts connections on `127.0.0.1:port`, at most 10 s; the error
/// names `what`.
pub async fn wait_listening(port: u16, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        if Instant::now() > deadline {
            return Err(format!("{what} did not listen on port {port} within 10 s"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Debian's Redis server, installed by `cargo xtask` with the other test tools.
pub const REDIS: &str = "/usr/bin/redis-server";

/// A Redis server on `127.0.0.1:port` (no persistence: a restart loses everything, as an
/// unconfigured one does), once it answers: killed when the guard is dropped, so a test can
/// stop it and start it again on the same port. Fails, saying how to get it, when Redis is not
/// installed: a test that needs it must not pass without it.
pub async fn start_redis(port: u16, dir: &TempDir) -> Result<KillOnDrop, String> {
    if !Path::new(REDIS).is_file() {
        return Err(format!(
            "{REDIS} is missing: `cargo xtask setup` installs Debian's redis-server package"
        ));
    }
    let server = KillOnDrop(
        Command::new(REDIS)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&dir.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{REDIS}: {e}"))?,
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let mut answer = [0u8; 7];
            if s.write_all(b"PING\r\n").await.is_ok()
                && s.read_exact(&mut answer).await.is_ok()
                && &answer == b"+PONG\r\n"
            {
                return Ok(server);
            }
        }
        if Instant::now() > deadline {
            return Err(format!(
                "redis-server did not answer on port {port} within 10 s"
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_clean_up() {
        let dir = TempDir::new("kit-test").unwrap();
        let path = dir.0.clone();
        assert!(path.is_dir());
        drop(dir);
        assert!(!path.exists());
        let child = KillOnDrop(Command::new("sleep").arg("30").spawn().unwrap());
        let pid = child.0.id();
        drop(child);
        let alive =
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "));
        assert!(!alive, "the child outlived its guard");
    }

    #[test]
    fn free_ports_are_bindable() {
        let port = free_port().unwrap();
        std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    }

    #[tokio::test]
    async fn serve_dir_serves_files() {
        let dir = TempDir::new("kit-serve").unwrap();
        std::fs::write(dir.0.join("a.txt"), "hello").unwrap();
        let addr = serve_dir(dir.0.clone()).await.unwrap();
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        s.write_all(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        assert!(
            out.starts_with("HTTP/1.1 200") && out.ends_with("hello"),
            "{out}"
        );
    }
}
