//! PostgreSQL for tests and benchmarks: the server `WARM_TEST_PG` names (`.ci/run` starts one
//! and sets it), or else a throwaway server started from Debian's binaries in a temporary folder
//! and stopped when this process ends. Each caller gets a fresh database of its own on it.
//! Without either, it says how to get one: PostgreSQL tests fail, they are never skipped.

use super::super::store::HubError;
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// `postgres://USER@HOST:PORT/DBNAME` of a server where USER may create databases.
pub const ENV: &str = "WARM_TEST_PG";

/// A database of its own on the test server, dropped when this is.
pub struct ScratchDb {
    /// Hand this to the hub as its `database`.
    pub url: String,
    name: String,
}

impl ScratchDb {
    pub fn new() -> Result<ScratchDb, HubError> {
        let server = server()?;
        let name = format!("warm_test_{}", uuid::Uuid::now_v7().simple());
        admin(server, format!("CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"))?;
        let url = match server.rsplit_once('/') {
            Some((base, _)) if base.contains("://") && base.len() > "postgres://".len() => format!("{base}/{name}"),
            _ => return Err(HubError::Invalid(format!("{ENV}={server}: expected postgres://USER@HOST:PORT/DBNAME"))),
        };
        Ok(ScratchDb { url, name })
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if let Ok(server) = server() {
            // FORCE: hub processes of a failed test may still be connected.
            let _ = admin(server, format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// One statement on the server's admin database, on a thread of its own (the caller may be an
/// async test, where a runtime cannot be started).
fn admin(server: &'static str, sql: String) -> Result<(), HubError> {
    let run = move || -> Result<(), HubError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| HubError::Db(e.to_string()))?;
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls).await?;
            let connection = tokio::spawn(connection);
            client.batch_execute(&sql).await?;
            drop(client);
            let _ = connection.await;
            Ok(())
        })
    };
    std::thread::spawn(run).join().map_err(|_| HubError::Db("the admin thread panicked".into()))?
}

/// The test server's URL: `WARM_TEST_PG`, or one started now for this process.
pub fn server() -> Result<&'static str, HubError> {
    static SERVER: OnceLock<Result<String, HubError>> = OnceLock::new();
    SERVER
        .get_or_init(|| match std::env::var(ENV) {
            Ok(url) if !url.trim().is_empty() => Ok(url),
            _ => start_throwaway(),
        })
        .as_ref()
        .map(String::as_str)
        .map_err(Clone::clone)
}

/// The folder with `initdb` and `pg_ctl`: Debian's newest, else whatever is on PATH.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort_by_key(|p| p.parent().and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok()));
    versions.pop()
}

/// Runs a PostgreSQL program; as root, as the `postgres` user (the server refuses root).
fn pg(bin: &Path, program: &str, as_root: bool) -> Command {
    if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn run(mut command: Command, what: &str) -> Result<(), HubError> {
    let out = command.stdin(Stdio::null()).output().map_err(|e| HubError::Db(format!("{what}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(HubError::Db(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

fn start_throwaway() -> Result<String, HubError> {
    let Some(bin) = bin_dir() else {
        return Err(HubError::Db(format!(
            "the PostgreSQL tests need a server: set {ENV}=postgres://USER@HOST:PORT/postgres (USER may create \
             databases), or install Debian's postgresql (apt-get install postgresql) so they start their own"
        )));
    };
    let as_root = std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false);
    let dir = std::env::temp_dir().join(format!("warm-test-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| HubError::Db(format!("{}: {e}", dir.display())))?;
    if as_root {
        let mut chown = Command::new("chown");
        chown.args(["-R", "postgres:postgres"]).arg(&dir);
        run(chown, "chown postgres")?;
    }
    let data = dir.join("data");
    let mut initdb = pg(&bin, "initdb", as_root);
    initdb.arg("-D").arg(&data).args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
    run(initdb, "initdb")?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| HubError::Db(format!("no free port: {e}")))?
        .port();
    let mut start = pg(&bin, "pg_ctl", as_root);
    start
        .arg("-D")
        .arg(&data)
        .arg("-o")
        .arg(format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300", dir.display()))
        .arg("-l")
        .arg(dir.join("server.log"))
        .args(["-w", "start"]);
    run(start, "pg_ctl start")?;
    // Stopped, and its folder removed, once this process has ended however it ended.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {runuser} {pg_ctl} -D {data} -m immediate stop; rm -rf {dir}",
        pid = std::process::id(),
        runuser = if as_root { "runuser -u postgres --" } else { "" },
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("sh")
        .args(["-c", &stop])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| HubError::Db(format!("cannot watch the test server: {e}")))?;
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}
