//! The hub's typed configuration (`config/hub.toml`); every key has an embedded default.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HubConfig {
    /// Address and port to listen on; port 0 picks a free one (the chosen address is printed).
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
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            listen: "0.0.0.0:7878".into(),
            data_dir: None,
            database: None,
            time_zone: "Asia/Shanghai".into(),
            max_body_bytes: warm_core::api::MAX_BODY_BYTES,
        }
    }
}

impl HubConfig {
    pub fn load(path: &Path) -> Result<HubConfig, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        HubConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<HubConfig, String> {
        let config: HubConfig = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
        config.time_zone()?;
        if let Some(url) = &config.database
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(format!(
                "database = {:?}: a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DBNAME), or leave it out for the SQLite file",
                Database::Postgres(url.clone()).to_string()
            ));
        }
        if config.max_body_bytes < 1024 {
            return Err(format!("max_body_bytes = {}: at least 1024", config.max_body_bytes));
        }
        Ok(config)
    }

    pub fn time_zone(&self) -> Result<jiff::tz::TimeZone, String> {
        jiff::tz::TimeZone::get(&self.time_zone).map_err(|e| format!("time_zone = {:?}: {e}", self.time_zone))
    }

    /// `--data` first, then `data_dir`, then the user's data folder, then `./hub-data`.
    pub fn data_dir(&self, from_command_line: Option<&Path>) -> PathBuf {
        from_command_line
            .map(Path::to_owned)
            .or_else(|| self.data_dir.clone())
            .or_else(|| dirs::data_dir().map(|d| d.join("warm-hub")))
            .unwrap_or_else(|| PathBuf::from("hub-data"))
    }
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
        let e = HubConfig::parse("database = \"mysql://hub:s3cret@db/warm\"").unwrap_err();
        assert!(e.contains("PostgreSQL URL") && !e.contains("s3cret"), "{e}");
    }

    #[test]
    fn an_unknown_key_is_refused_by_name() {
        let e = HubConfig::parse("listne = \"x\"").unwrap_err();
        assert!(e.contains("listne"), "{e}");
    }
}
