//! The hub's typed configuration (`config/hub.toml`); every key has an embedded default.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use warm_core::domain::Lang;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HubConfig {
    /// Address and port to listen on; port 0 picks a free one (the chosen address is printed).
    /// Plain HTTP is served on a loopback address only; anything else needs `[tls]`.
    pub listen: String,
    /// Where the hub's database lives; `--data` overrides it.
    pub data_dir: Option<PathBuf>,
    /// `postgres://USER:PASSWORD@HOST:PORT/DBNAME`: keep everything in PostgreSQL (several hub
    /// processes may share it). Absent: the SQLite file `hub.sqlite` in the data folder.
    pub database: Option<String>,
    /// The zone the dashboard's "today" and times are in; stored times are UTC.
    pub time_zone: String,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The language of the command line's messages ("zh-CN" or "en"); without it, `LANG`.
    pub language: Option<Lang>,
    pub tls: TlsConfig,
    pub limits: Limits,
    pub login: LoginConfig,
}

/// `[tls]`: HTTPS with a certificate chain and its private key, both PEM files.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

impl TlsConfig {
    /// Both files, if HTTPS is configured.
    pub fn files(&self) -> Option<(&Path, &Path)> {
        Some((self.cert_file.as_deref()?, self.key_file.as_deref()?))
    }
}

/// `[limits]`: what one client, or all of them together, may hold of the hub.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// A connection that has not sent a whole request head (or finished its TLS handshake) within
    /// this is closed; so is a kept-alive connection idle this long.
    pub header_timeout_seconds: u64,
    /// A request not answered within this is answered `503 timeout`.
    pub request_timeout_seconds: u64,
    /// Connections open at once, from everyone together and from one address.
    pub max_connections: usize,
    pub max_connections_per_client: usize,
    /// Pushes of one terminal being handled at once (a kiosk sends two).
    pub max_pushes_per_terminal: u32,
    /// Pushes being decoded or stored at once, from every terminal together.
    pub max_pushes_at_once: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout_seconds: 10,
            request_timeout_seconds: 60,
            max_connections: 512,
            max_connections_per_client: 64,
            max_pushes_per_terminal: 2,
            max_pushes_at_once: 32,
        }
    }
}

impl Limits {
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_seconds)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_seconds)
    }
}

/// `[login]`: operator sessions and the pause after wrong passwords.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// How long a sign-in lasts.
    pub session_hours: u64,
    /// Wrong passwords in a row before a pause.
    pub tries: u32,
    /// The first pause; each further round of wrong tries doubles it, up to `max_pause_seconds`.
    pub pause_seconds: u64,
    pub max_pause_seconds: u64,
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig { session_hours: 12, tries: 5, pause_seconds: 60, max_pause_seconds: 3600 }
    }
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            listen: "127.0.0.1:7878".into(),
            data_dir: None,
            database: None,
            time_zone: "Asia/Shanghai".into(),
            max_body_bytes: warm_core::api::MAX_BODY_BYTES,
            language: None,
            tls: TlsConfig::default(),
            limits: Limits::default(),
            login: LoginConfig::default(),
        }
    }
}

/// A hub configuration that cannot be used: the file or setting, and what it needs instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl From<String> for ConfigError {
    fn from(problem: String) -> ConfigError {
        ConfigError(problem)
    }
}

impl From<&str> for ConfigError {
    fn from(problem: &str) -> ConfigError {
        ConfigError(problem.to_owned())
    }
}

impl HubConfig {
    pub fn load(path: &Path) -> Result<HubConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        HubConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()).into())
    }

    pub fn parse(text: &str) -> Result<HubConfig, ConfigError> {
        let config: HubConfig = toml::from_str(text).map_err(|e| warm_core::toml_error::in_words(&e))?;
        config.time_zone()?;
        if let Some(url) = &config.database
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(ConfigError(format!(
                "database = {:?}: a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DBNAME), or leave it out for the SQLite file",
                Database::Postgres(url.clone()).to_string()
            )));
        }
        if config.max_body_bytes < 1024 {
            return Err(format!("max_body_bytes = {}: at least 1024", config.max_body_bytes).into());
        }
        if config.tls.cert_file.is_some() != config.tls.key_file.is_some() {
            return Err("[tls] needs both cert_file and key_file".into());
        }
        let l = &config.limits;
        if l.header_timeout_seconds == 0
            || l.request_timeout_seconds == 0
            || l.max_connections == 0
            || l.max_connections_per_client == 0
            || l.max_pushes_per_terminal == 0
            || l.max_pushes_at_once == 0
        {
            return Err("every [limits] value must be at least 1".into());
        }
        let g = &config.login;
        if g.session_hours == 0 || g.tries == 0 || g.pause_seconds == 0 || g.max_pause_seconds < g.pause_seconds {
            return Err(
                "[login]: session_hours, tries and pause_seconds at least 1, max_pause_seconds at least pause_seconds"
                    .into(),
            );
        }
        Ok(config)
    }

    pub fn time_zone(&self) -> Result<jiff::tz::TimeZone, ConfigError> {
        jiff::tz::TimeZone::get(&self.time_zone).map_err(|e| format!("time_zone = {:?}: {e}", self.time_zone).into())
    }

    /// `--data` first, then `data_dir`, then the user's data folder, then `./hub-data`.
    pub fn data_dir(&self, from_command_line: Option<&Path>) -> PathBuf {
        from_command_line
            .map(Path::to_owned)
            .or_else(|| self.data_dir.clone())
            .or_else(|| dirs::data_dir().map(|d| d.join("warm-hub")))
            .unwrap_or_else(|| PathBuf::from("hub-data"))
    }

    /// The language of the command line: the config's, else `LANG` (`zh…` is Chinese), else English.
    pub fn language(&self) -> Lang {
        self.language.unwrap_or_else(|| {
            let lang = std::env::var("LC_ALL").ok().filter(|v| !v.is_empty()).or_else(|| std::env::var("LANG").ok());
            if lang.is_some_and(|l| l.starts_with("zh")) { Lang::Zh } else { Lang::En }
        })
    }
}

/// Plain HTTP crosses the network in clear (tokens, payment references): only on loopback.
pub fn plain_http_allowed(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("hub.sqlite")
}

/// Where the hub keeps everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A connection URL; shown without its password.
    Postgres(String),
}

impl HubConfig {
    /// `--database` first, then `database`, else the SQLite file in the data folder.
    pub fn database_in(&self, from_command_line: Option<&str>, data_dir: &Path) -> Database {
        match from_command_line.map(str::to_owned).or_else(|| self.database.clone()) {
            Some(url) => Database::Postgres(url),
            None => Database::Sqlite(db_path(data_dir)),
        }
    }
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => {
                // postgres://user:secret@host/db -> postgres://user:…@host/db
                match url.split_once("://").and_then(|(scheme, rest)| {
                    let (auth, host) = rest.rsplit_once('@')?;
                    let (user, _) = auth.split_once(':')?;
                    Some(format!("{scheme}://{user}:…@{host}"))
                }) {
                    Some(shown) => f.write_str(&shown),
                    None => f.write_str(url),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_hub_toml_equals_the_defaults() {
        let text = include_str!("../../../config/hub.toml");
        assert_eq!(HubConfig::parse(text).unwrap(), HubConfig::default());
    }

    #[test]
    fn a_database_url_is_shown_without_its_password_and_a_wrong_one_is_refused() {
        let config = HubConfig::parse("database = \"postgres://hub:s3cret@db.coop:5432/warm\"").unwrap();
        let database = config.database_in(None, Path::new("/srv/hub"));
        assert_eq!(database.to_string(), "postgres://hub:…@db.coop:5432/warm");
        assert_eq!(
            HubConfig::default().database_in(None, Path::new("/srv/hub")),
            Database::Sqlite(PathBuf::from("/srv/hub/hub.sqlite"))
        );
        let e = HubConfig::parse("database = \"mysql://hub:s3cret@db/warm\"").unwrap_err().to_string();
        assert!(e.contains("PostgreSQL URL") && !e.contains("s3cret"), "{e}");
    }

    #[test]
    fn an_unknown_key_is_refused_by_name() {
        let e = HubConfig::parse("listne = \"x\"").unwrap_err().to_string();
        assert!(e.contains("listne"), "{e}");
        let e = HubConfig::parse("[limits]\nmax_conections = 3").unwrap_err().to_string();
        assert!(e.contains("max_conections"), "{e}");
    }

    #[test]
    fn tls_needs_both_files_and_limits_are_positive() {
        assert!(HubConfig::parse("[tls]\ncert_file = \"c.pem\"").unwrap_err().to_string().contains("key_file"));
        let c = HubConfig::parse("[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"").unwrap();
        assert_eq!(c.tls.files(), Some((Path::new("c.pem"), Path::new("k.pem"))));
        assert!(HubConfig::parse("[limits]\nmax_connections = 0").unwrap_err().to_string().contains("limits"));
        assert_eq!(HubConfig::parse("language = \"zh-CN\"").unwrap().language(), Lang::Zh);
    }

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(plain_http_allowed(&"127.0.0.1:7878".parse().unwrap()));
        assert!(plain_http_allowed(&"[::1]:7878".parse().unwrap()));
        assert!(!plain_http_allowed(&"0.0.0.0:7878".parse().unwrap()));
        assert!(!plain_http_allowed(&"192.168.1.5:7878".parse().unwrap()));
    }
}
