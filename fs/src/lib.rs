//! Files and folders only their owner may read: evidence at rest is
//! owner-only on both sides. Evidence, databases and keys must not be
//! readable by other users of the machine, and a umask is whatever the
//! launching shell or service left behind, so modes are given at creation
//! (0700 folders, 0600 files) and anything older is tightened when opened.
//! Its own crate because the device store and the case server both use it,
//! and the server does not depend on the device code.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Mode of every folder we create.
#[cfg(unix)]
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file we create.
#[cfg(unix)]
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents as owner-only folders, and tightens
/// `dir` itself if it already existed with a wider mode.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    b.mode(DIR_MODE);
    b.create(dir)?;
    tighten(dir, true)
}

/// Creates (or truncates) a file readable and writable by its owner only.
pub fn create_file(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(FILE_MODE);
    let f = o.open(path)?;
    tighten(path, false)?;
    Ok(f)
}

/// Makes sure a SQLite database file exists and is owner-only before SQLite
/// opens it (SQLite gives its WAL and shared-memory files the mode of the
/// database file), and tightens those of an older store. An existing file is
/// only chmod-ed by path, never opened: closing any descriptor of a database
/// file drops every POSIX lock this process holds on it, including those of
/// SQLite connections already open.
pub fn prepare_sqlite_file(path: &Path) -> io::Result<()> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    o.mode(FILE_MODE);
    match o.open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    tighten(path, false)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        tighten_if_present(Path::new(&side))?;
    }
    Ok(())
}

/// Removes group and other permissions from an existing file or folder (a
/// store made by an older version); a missing path is left alone.
pub fn tighten_if_present(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) => tighten(path, m.is_dir()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn tighten(path: &Path, is_dir: bool) -> io::Result<()> {
    let m = fs::metadata(path)?;
    let want = if is_dir { DIR_MODE } else { FILE_MODE };
    if m.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(want))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _is_dir: bool) -> io::Result<()> {
    Ok(())
}

/// The permission bits of a file or folder (`0o777` masked).
#[cfg(unix)]
pub fn mode_of(path: &Path) -> io::Result<u32> {
    Ok(fs::metadata(path)?.permissions().mode() & 0o777)
}

/// Every folder under `root` (itself included) whose mode is not [`DIR_MODE`]
/// and every file whose mode is not [`FILE_MODE`], with its mode: empty means
/// the tree is exactly as this crate creates and tightens it. What the device
/// and server tests check their whole store against.
#[cfg(unix)]
pub fn not_owner_only(root: &Path) -> io::Result<Vec<(PathBuf, u32)>> {
    let mut found = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(path) = todo.pop() {
        let is_dir = fs::metadata(&path)?.is_dir();
        let mode = mode_of(&path)?;
        if mode != if is_dir { DIR_MODE } else { FILE_MODE } {
            found.push((path.clone(), mode));
        }
        if is_dir {
            for entry in fs::read_dir(&path)? {
                todo.push(entry?.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        mode_of(p).unwrap()
    }

    #[test]
    fn modes_do_not_depend_on_the_umask_and_old_paths_are_tightened() {
        let tmp = tempfile::tempdir().unwrap();
        let nested = tmp.path().join("a/b");
        create_dir_all(&nested).unwrap();
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        let f = nested.join("f");
        drop(create_file(&f).unwrap());
        assert_eq!(mode(&f), 0o600);
        fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(&nested, fs::Permissions::from_mode(0o755)).unwrap();
        prepare_sqlite_file(&f).unwrap();
        create_dir_all(&nested).unwrap();
        assert_eq!((mode(&f), mode(&nested)), (0o600, 0o700));
        tighten_if_present(&tmp.path().join("missing")).unwrap();
    }

    #[test]
    fn a_tree_check_names_every_path_wider_than_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("store");
        create_dir_all(&root.join("blobs")).unwrap();
        drop(create_file(&root.join("blobs/x")).unwrap());
        drop(create_file(&root.join("db")).unwrap());
        assert_eq!(not_owner_only(&root).unwrap(), vec![]);
        fs::set_permissions(root.join("blobs/x"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(root.join("blobs"), fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(not_owner_only(&root).unwrap(), vec![(root.join("blobs"), 0o755), (root.join("blobs/x"), 0o644)]);
    }
}
