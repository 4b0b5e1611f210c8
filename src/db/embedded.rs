//! A private PostgreSQL cluster run from the system's PostgreSQL binaries, so that a newcomer
//! needs no database server of their own. `serve` and the test suite both use it.
//!
//! The cluster listens only on a unix socket in a directory that only its owner can enter,
//! so no TCP port is taken and no password is needed. `initdb` refuses to run as root; when
//! Schakel runs as root the cluster runs as the `postgres` system user instead.

use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sqlx::postgres::PgConnectOptions;

/// The socket file name is `.s.PGSQL.<port>`; the whole path must fit in `sun_path` (108 bytes).
const MAX_SOCKET_PATH: usize = 100;
const PORT: u16 = 5432;
const SYSTEM_USER: &str = "postgres";
/// The cluster's superuser, which owns the schema and runs migrations.
pub const SUPERUSER: &str = "postgres";
/// The role the web server logs in as (created by the first migration).
pub const APP_ROLE: &str = "schakel_app";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "No PostgreSQL server programs (initdb, pg_ctl) were found on PATH, via `pg_config --bindir` \
         or under /usr/lib/postgresql/*/bin.\n\n\
         Schakel starts its own private PostgreSQL when DATABASE_URL is not set, and for that it needs \
         the PostgreSQL server package of your system. On Debian or Ubuntu install it with\n\n    \
         sudo apt-get install postgresql\n\n\
         (on Fedora: `sudo dnf install postgresql-server`; on macOS: `brew install postgresql`). \
         Alternatively set DATABASE_URL to an existing PostgreSQL server (see README.md)."
    )]
    NoBinaries,
    #[error(
        "Schakel runs as root, and PostgreSQL refuses to run as root, so the private cluster runs as the \
         system user `postgres` — but that user does not exist. Install the `postgresql` package (it \
         creates the user), run Schakel as an ordinary user, or set DATABASE_URL."
    )]
    NoSystemUser,
    #[error(
        "The private PostgreSQL cluster runs as the system user `postgres` (PostgreSQL refuses to run as \
         root), but that user cannot enter {blocked}, a parent of the data directory {data_dir}.\n\n\
         Fix it by making that directory traversable, e.g.\n\n    chmod o+x {blocked}\n\n\
         or choose a data directory that `postgres` can reach, e.g. `--data-dir /var/lib/schakel`."
    )]
    Unreachable { blocked: String, data_dir: String },
    #[error(
        "{path} exists but is not a PostgreSQL data directory; move it away or choose another --data-dir"
    )]
    NotACluster { path: String },
    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// How the cluster trades safety for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Normal PostgreSQL settings, for real data.
    Durable,
    /// fsync off: for throw-away test clusters only.
    Ephemeral,
}

/// A running cluster. Dropping it does not stop it: call [`Cluster::stop`].
#[derive(Debug, Clone)]
pub struct Cluster {
    bindir: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
    started_here: bool,
}

impl Cluster {
    /// Initialises (once) and starts the cluster in `<data_dir>/postgres`. If a server from an
    /// earlier run is still running on that directory, it is used as it is.
    pub fn start(data_dir: &Path, durability: Durability) -> Result<Cluster, EmbeddedError> {
        let bindir = find_bindir().ok_or(EmbeddedError::NoBinaries)?;
        let run_as = if is_root() {
            if !system_user_exists() {
                return Err(EmbeddedError::NoSystemUser);
            }
            Some(SYSTEM_USER)
        } else {
            None
        };

        fs::create_dir_all(data_dir)?;
        let data_dir = data_dir.canonicalize()?;
        let pgdata = data_dir.join("postgres");
        if !pgdata.exists() {
            fs::create_dir(&pgdata)?;
        }
        fs::set_permissions(&pgdata, fs::Permissions::from_mode(0o700))?;
        if let Some(user) = run_as {
            chown_to(&pgdata, user)?;
            check_reachable(&pgdata, user)?;
        }

        let mut cluster = Cluster {
            socket_dir: socket_dir_for(&data_dir),
            bindir,
            pgdata,
            port: PORT,
            run_as,
            started_here: false,
        };

        if !cluster.pgdata.join("PG_VERSION").exists() {
            if fs::read_dir(&cluster.pgdata)?.next().is_some() {
                return Err(EmbeddedError::NotACluster {
                    path: cluster.pgdata.display().to_string(),
                });
            }
            cluster.initdb()?;
        }

        if let Some(running) = cluster.running_postmaster() {
            tracing::info!(
                pid = running.pid,
                "using the PostgreSQL server left running by an earlier run"
            );
            cluster.socket_dir = running.socket_dir;
            cluster.port = running.port;
            return Ok(cluster);
        }

        cluster.prepare_socket_dir()?;
        cluster.write_settings(durability)?;
        cluster.pg_ctl_start()?;
        cluster.started_here = true;
        Ok(cluster)
    }

    /// Stops the server with a fast shutdown (open transactions are rolled back), but only if
    /// this process started it: a server that was already running belongs to someone else.
    pub fn stop(&self) -> Result<(), EmbeddedError> {
        if !self.started_here {
            return Ok(());
        }
        self.run_checked(self.stop_command())
    }

    /// The command line that stops this cluster, for a watchdog that outlives the caller.
    pub fn stop_command(&self) -> Vec<OsString> {
        self.command_line(
            "pg_ctl",
            [
                "stop".into(),
                "-D".into(),
                self.pgdata.clone().into_os_string(),
                "-m".into(),
                "fast".into(),
                "-w".into(),
                "-s".into(),
            ],
        )
    }

    /// Kills the postmaster without any shutdown, as a crash or `kill -9` would.
    pub fn kill(&self) -> Result<(), EmbeddedError> {
        let pid = read_postmaster_pid(&self.pgdata)
            .map(|p| p.pid)
            .ok_or_else(|| EmbeddedError::Command {
                command: "kill".into(),
                detail: "no postmaster.pid".into(),
            })?;
        // SAFETY: kill(2) with a pid read from our own cluster's lock file.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        for _ in 0..100 {
            if !process_alive(pid) {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Ok(())
    }

    /// Whether the cluster's server is running (a crash or `kill -9` leaves its lock file).
    pub fn is_running(&self) -> bool {
        self.running_postmaster().is_some()
    }

    /// Starts the server again after it died. PostgreSQL replays its write-ahead log before it
    /// accepts connections, so every commit that was acknowledged is there again.
    pub fn restart(&self) -> Result<(), EmbeddedError> {
        self.prepare_socket_dir()?;
        self.pg_ctl_start()
    }

    pub fn started_here(&self) -> bool {
        self.started_here
    }

    pub fn data_dir(&self) -> &Path {
        &self.pgdata
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// Connection options for `database` as `user`, over the cluster's unix socket.
    pub fn connect_options(&self, user: &str, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(self.port)
            .username(user)
            .database(database)
            .application_name("schakel")
    }

    fn initdb(&self) -> Result<(), EmbeddedError> {
        tracing::info!(dir = %self.pgdata.display(), "creating a private PostgreSQL cluster");
        let args: Vec<OsString> = vec![
            "-D".into(),
            self.pgdata.clone().into_os_string(),
            "-U".into(),
            SUPERUSER.into(),
            // Only the cluster's owner (and root) can enter the socket directory.
            "--auth=trust".into(),
            "--encoding=UTF8".into(),
            // Locale-independent: sorting for people uses ICU collations explicitly.
            "--no-locale".into(),
            "--no-instructions".into(),
        ];
        self.run_checked(self.command_line("initdb", args))?;
        let conf = self.pgdata.join("postgresql.conf");
        let mut file = fs::OpenOptions::new().append(true).open(conf)?;
        writeln!(file, "\ninclude_if_exists = 'schakel.conf'")?;
        Ok(())
    }

    fn prepare_socket_dir(&self) -> Result<(), EmbeddedError> {
        fs::create_dir_all(&self.socket_dir)?;
        fs::set_permissions(&self.socket_dir, fs::Permissions::from_mode(0o700))?;
        if let Some(user) = self.run_as {
            chown_to(&self.socket_dir, user)?;
        }
        // A server killed without shutdown leaves its socket and lock file behind.
        for name in [
            format!(".s.PGSQL.{}", self.port),
            format!(".s.PGSQL.{}.lock", self.port),
        ] {
            let path = self.socket_dir.join(name);
            if path.exists() {
                fs::remove_file(path)?;
            }
        }
        Ok(())
    }

    /// Settings that depend on where the cluster lives now, rewritten at every start.
    fn write_settings(&self, durability: Durability) -> Result<(), EmbeddedError> {
        let socket_dir = self.socket_dir.display().to_string().replace('\'', "''");
        let mut settings = format!(
            "# Written by Schakel at every start; changes here are overwritten.\n\
             listen_addresses = ''\n\
             port = {port}\n\
             unix_socket_directories = '{socket_dir}'\n\
             unix_socket_permissions = 0700\n",
            port = self.port,
        );
        if durability == Durability::Ephemeral {
            settings.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let path = self.pgdata.join("schakel.conf");
        fs::write(&path, settings)?;
        if let Some(user) = self.run_as {
            chown_to(&path, user)?;
        }
        Ok(())
    }

    fn pg_ctl_start(&self) -> Result<(), EmbeddedError> {
        if let Some(stale) = read_postmaster_pid(&self.pgdata) {
            tracing::warn!(
                pid = stale.pid,
                "removing the stale postmaster.pid of a server that is gone"
            );
            fs::remove_file(self.pgdata.join("postmaster.pid"))?;
        }
        let log = self.log_file();
        let args: Vec<OsString> = vec![
            "start".into(),
            "-D".into(),
            self.pgdata.clone().into_os_string(),
            "-l".into(),
            log.clone().into_os_string(),
            "-w".into(),
            "-t".into(),
            "60".into(),
            "-s".into(),
        ];
        self.run_checked(self.command_line("pg_ctl", args))
            .map_err(|error| {
                let tail = fs::read_to_string(&log)
                    .map(|text| {
                        text.lines()
                            .rev()
                            .take(15)
                            .collect::<Vec<_>>()
                            .into_iter()
                            .rev()
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .unwrap_or_default();
                EmbeddedError::Command {
                    command: "pg_ctl start".into(),
                    detail: format!("{error}\nLast lines of {}:\n{tail}", log.display()),
                }
            })
    }

    /// The server log sits beside the cluster, where its owner can write.
    pub fn log_file(&self) -> PathBuf {
        self.pgdata.join("server.log")
    }

    fn running_postmaster(&self) -> Option<PostmasterPid> {
        read_postmaster_pid(&self.pgdata).filter(|p| process_alive(p.pid) && is_postgres(p.pid))
    }

    /// `program` from the cluster's bindir with `args`, as the cluster's system user when needed.
    fn command_line(&self, program: &str, args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
        let mut line: Vec<OsString> = Vec::new();
        if let Some(user) = self.run_as {
            line.extend(["runuser".into(), "-u".into(), user.into(), "--".into()]);
        }
        line.push(self.bindir.join(program).into_os_string());
        line.extend(args);
        line
    }

    fn run_checked(&self, line: Vec<OsString>) -> Result<(), EmbeddedError> {
        let output = run(&line)?;
        if output.status.success() {
            Ok(())
        } else {
            Err(EmbeddedError::Command {
                command: display_line(&line),
                detail: format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stderr).trim(),
                    String::from_utf8_lossy(&output.stdout).trim()
                ),
            })
        }
    }
}

fn run(line: &[OsString]) -> Result<Output, EmbeddedError> {
    let (program, args) = line.split_first().expect("a command line has a program");
    Command::new(program)
        .args(args)
        // The server must not inherit our stdout: a test harness would wait for it to close.
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir("/")
        .output()
        .map_err(|error| EmbeddedError::Command {
            command: display_line(line),
            detail: error.to_string(),
        })
}

fn display_line(line: &[OsString]) -> String {
    line.iter()
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Finds the directory holding `initdb` and `pg_ctl`: PATH, then `pg_config --bindir`, then
/// the highest version under /usr/lib/postgresql (Debian keeps them off PATH).
pub fn find_bindir() -> Option<PathBuf> {
    let pg_config_bindir = Command::new("pg_config")
        .arg("--bindir")
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    find_bindir_in(
        std::env::var_os("PATH").unwrap_or_default(),
        pg_config_bindir,
        Path::new("/usr/lib/postgresql"),
    )
}

fn find_bindir_in(
    path: OsString,
    pg_config_bindir: Option<PathBuf>,
    versions_root: &Path,
) -> Option<PathBuf> {
    let has_tools = |dir: &Path| {
        dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() && dir.join("postgres").is_file()
    };

    for dir in std::env::split_paths(&path) {
        // Resolve symlinks so that initdb finds its share directory next to its real home.
        if let Ok(pg_ctl) = dir.join("pg_ctl").canonicalize()
            && let Some(real) = pg_ctl.parent()
            && has_tools(real)
        {
            return Some(real.to_path_buf());
        }
    }
    if let Some(dir) = pg_config_bindir.filter(|dir| has_tools(dir)) {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir(versions_root)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.split('.').next()?.parse().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Unix socket paths are short; a deep data directory gets its socket in /tmp instead, in a
/// directory named after the data directory so that two clusters never share one.
fn socket_dir_for(data_dir: &Path) -> PathBuf {
    let preferred = data_dir.join("run");
    let socket_len = preferred.as_os_str().len() + "/.s.PGSQL.5432".len();
    if socket_len <= MAX_SOCKET_PATH {
        return preferred;
    }
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir().join(format!("schakel-{short}"))
}

struct PostmasterPid {
    pid: i32,
    port: u16,
    socket_dir: PathBuf,
}

/// postmaster.pid holds, one per line: pid, data dir, start time, port, socket directory, ...
fn read_postmaster_pid(pgdata: &Path) -> Option<PostmasterPid> {
    let text = fs::read_to_string(pgdata.join("postmaster.pid")).ok()?;
    let lines: Vec<&str> = text.lines().collect();
    Some(PostmasterPid {
        pid: lines.first()?.trim().parse().ok()?,
        port: lines.get(3).and_then(|l| l.trim().parse().ok()).unwrap_or(PORT),
        socket_dir: PathBuf::from(lines.get(4).map(|l| l.trim()).unwrap_or_default()),
    })
}

fn process_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    pid > 0 && unsafe { libc::kill(pid, 0) } == 0 && !is_zombie(pid)
}

/// A process that died keeps its pid until its parent collects it, which an init process in a
/// container may never do.
fn is_zombie(pid: i32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(") ").map(|(_, rest)| rest.starts_with('Z')))
        .unwrap_or(false)
}

/// A pid from a stale lock file may since have been given to an unrelated process.
fn is_postgres(pid: i32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|name| name.trim().starts_with("postgres") || name.trim().starts_with("postmaster"))
        .unwrap_or(true)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn system_user_exists() -> bool {
    Command::new("id")
        .args(["-u", SYSTEM_USER])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn chown_to(path: &Path, user: &str) -> Result<(), EmbeddedError> {
    let status = Command::new("chown").arg(format!("{user}:")).arg(path).status()?;
    if status.success() {
        Ok(())
    } else {
        Err(EmbeddedError::Command {
            command: format!("chown {user}: {}", path.display()),
            detail: status.to_string(),
        })
    }
}

/// Names the first directory on the way to `pgdata` that `user` cannot enter.
fn check_reachable(pgdata: &Path, user: &str) -> Result<(), EmbeddedError> {
    let mut dirs: Vec<&Path> = pgdata.ancestors().collect();
    dirs.reverse();
    let output = Command::new("runuser")
        .args([
            "-u",
            user,
            "--",
            "sh",
            "-c",
            r#"for d; do [ -x "$d" ] || { printf '%s' "$d"; exit 1; }; done"#,
            "sh",
        ])
        .args(&dirs)
        .current_dir("/")
        .output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(EmbeddedError::Unreachable {
            blocked: String::from_utf8_lossy(&output.stdout).into_owned(),
            data_dir: pgdata.display().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_install(root: &Path, version: &str) -> PathBuf {
        let bin = root.join(version).join("bin");
        fs::create_dir_all(&bin).unwrap();
        for tool in ["initdb", "pg_ctl", "postgres"] {
            fs::write(bin.join(tool), "").unwrap();
        }
        bin
    }

    #[test]
    fn the_highest_installed_version_is_found_when_nothing_is_on_path() {
        let root = std::env::temp_dir().join(format!("schakel-bindir-{}", uuid::Uuid::new_v4().simple()));
        fake_install(&root, "9.6");
        fake_install(&root, "13");
        let newest = fake_install(&root, "15");
        fs::create_dir_all(root.join("16/bin")).unwrap();
        assert_eq!(find_bindir_in(OsString::new(), None, &root), Some(newest.clone()));
        assert_eq!(
            find_bindir_in(OsString::from("/nowhere"), Some(root.join("13/bin")), &root),
            Some(root.join("13/bin"))
        );
        assert_eq!(
            find_bindir_in(OsString::from(root.join("13/bin")), None, &root),
            Some(root.join("13/bin"))
        );
        fs::remove_dir_all(&root).unwrap();
        assert_eq!(find_bindir_in(OsString::new(), None, &root), None);
    }

    #[test]
    fn missing_binaries_are_explained_in_one_paragraph_naming_the_package() {
        let message = EmbeddedError::NoBinaries.to_string();
        assert!(message.contains("apt-get install postgresql"), "{message}");
        assert!(message.contains("DATABASE_URL"), "{message}");
    }

    #[test]
    fn long_data_dirs_get_a_short_socket_dir() {
        let long = PathBuf::from(format!("/srv/{}", "x".repeat(120)));
        let dir = socket_dir_for(&long);
        assert!(
            dir.as_os_str().len() + "/.s.PGSQL.5432".len() <= MAX_SOCKET_PATH,
            "{dir:?}"
        );
        assert_ne!(
            dir,
            socket_dir_for(&PathBuf::from(format!("/srv/{}", "y".repeat(120))))
        );
        assert_eq!(
            socket_dir_for(Path::new("/srv/data")),
            PathBuf::from("/srv/data/run")
        );
    }
}
