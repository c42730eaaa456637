"""Writing the site: into a folder beside the output, swapped in whole (`write_site`), linking what did not change."""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import shutil
import stat
import tempfile
from functools import partial
from pathlib import Path
from typing import NamedTuple

from . import reuse

SHARED = 400  # files to write, from which a second process writes half of them


def write_site(outputs: dict[str, bytes], out: Path, spare: Path | None = None, processes: int = 1,
               keep: Found | None = None) -> None:
    """Write the files into a folder beside `out`, then swap it in: never a half-written site.

    Whatever stops it (an error, a full disk, an interrupt), `out` is left as it was: either the whole
    previous site or, once the swap is done, the whole new one. A file whose bytes did not change is
    hard-linked from the previous site rather than written again, so it keeps its modification time
    and a deploy uploads only what changed; nothing is ever written into the previous site's files.

    With a `spare` folder (the cache's, for `build`), the site that is swapped out is kept there, and
    the next build brings it up to date instead of making every folder anew: a rebuild of a large site
    then creates, writes and deletes only what changed. A manifest beside it (MANIFEST) says what each
    file of the live site was made from (reuse.tagged) and which files the spare holds, so that the next
    build need neither read an unchanged file to compare it nor walk the spare's folders.

    With `processes` > 1, a large site's files are written by two processes, each in its own folders.

    With `keep` (what `site_files` found), the files of the live site that are not among `outputs` stay as
    they are, unread: a rebuild of quiet.py writes only the files that show the time.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    live, held = keep if keep is not None else _read_manifest(spare, out)
    staging, held = _take_spare(spare, out, held)
    retired: Path | None = None
    try:
        unread = {name: entry for name, entry in keep.live.items() if name not in outputs} if keep is not None else {}
        entries = _fill(staging, outputs, out, live or {}, held, processes, unread)
        os.chmod(staging, 0o755)
        kept: dict[str, int] | None = None  # the files of the site swapped out and kept as the spare, and their inodes
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            previous = retired / out.name
            try:
                os.replace(out, previous)
                os.replace(staging, out)
            except BaseException:
                # Stopped between the two renames: put the previous site back before anything else.
                if previous.exists() and not out.exists():
                    os.replace(previous, out)
                raise
            if spare is not None:
                with contextlib.suppress(OSError):  # kept for the next build; or else deleted below
                    spare.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(previous, spare)
                    kept = {name: entry[1] for name, entry in live.items()} if live is not None else None
        else:
            os.replace(staging, out)
        if spare is not None:
            _write_manifest(spare, out, entries, kept)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)


MANIFEST = "site.manifest"  # beside the spare site, in the cache
Entry = tuple[str | None, int, int, int]  # a file's key (reuse.tagged) or None, its inode, size and modification time
UNWRITABLE = re.compile(r"[\t\n\r]")  # what a name in the manifest cannot hold


def _folder_id(path: Path) -> str:
    """A folder's device, inode and change time: it is the folder a manifest describes if these match."""
    try:
        found = os.lstat(path)
    except OSError:
        return "-"
    return f"{found.st_dev}:{found.st_ino}:{found.st_ctime_ns}" if stat.S_ISDIR(found.st_mode) else "-"


def _read_manifest(spare: Path | None, out: Path) -> tuple[dict[str, Entry] | None, dict[str, int] | None]:
    """What the last build wrote into `out` (each file checked again before it is trusted), and the files
    the spare holds if it is still the folder that build left; None for what is not known."""
    if spare is None:
        return None, None
    live: dict[str, Entry] = {}
    held: dict[str, int] = {}  # a file of the spare, and its inode (0: not known)
    try:
        with open(spare.parent / MANIFEST, encoding="utf-8") as file:
            first, *lines = file.read().split("\n")
        head = first.split()
        for line in lines:  # 22,000 lines for a site of 10,000 notices: split once each
            if line.startswith("L\t"):
                _, name, key, inode, size, mtime = line.split("\t")
                live[name] = (key or None, int(inode), int(size), int(mtime))
            elif line.startswith("S\t"):
                _, name, *known = line.split("\t")  # an older manifest's lines have no inode
                held[name] = int(known[0]) if known else 0
    except (OSError, ValueError):
        return None, None  # none yet, or not ours: read and walk
    if len(head) != 3 or head[0] != "statuspress-site-manifest":
        return None, None
    # The live site is the same folder if its device and inode are (its files are checked one by one);
    # the spare, only if its change time is the same too. A name that is not an output's is only ever
    # deleted, and only if it is _inside.
    same_live = head[1] != "-" and head[1].rsplit(":", 1)[0] == _folder_id(out).rsplit(":", 1)[0]
    same_spare = head[2] != "-" and head[2] == _folder_id(spare)
    return live if same_live else None, held if same_spare else None


class Found(NamedTuple):
    """The files of a live site and of the spare, as the manifest says (`site_files`)."""

    live: dict[str, Entry]
    held: dict[str, int] | None


def site_files(out: Path, spare: Path) -> Found | None:
    """The files of the site at `out` as the last build wrote them (`write_site` with `spare`), each checked
    to be still that file, and those of the spare; None when one is not, or the manifest does not say."""
    live, held = _read_manifest(spare, out)
    if live is None:
        return None
    root = str(out)
    for name, (_, inode, size, mtime) in live.items():
        try:
            found = os.lstat(f"{root}/{name}")
        except OSError:
            return None
        if (found.st_ino, found.st_size, found.st_mtime_ns) != (inode, size, mtime) or not stat.S_ISREG(found.st_mode):
            return None
    return Found(live, held)


def _inside(name: object) -> bool:
    """Whether `name` is a file's path inside a site: relative, plain, never up and out of it."""
    return isinstance(name, str) and bool(name) and not name.startswith("/") and posixpath.normpath(name) == name \
        and ".." not in name.split("/")


def _write_manifest(spare: Path, out: Path, entries: dict[str, Entry], kept: dict[str, int] | None) -> None:
    """Say what `out` and the spare hold now (_read_manifest): a line for the two folders, then a line for
    each file of `out` (L) and of the spare (S); or, when that cannot be written, nothing."""
    path = spare.parent / MANIFEST
    with contextlib.suppress(OSError):
        path.unlink()  # a stale manifest is worse than none
    if UNWRITABLE.search("".join(entries)) or UNWRITABLE.search("".join(kept or ())):
        return
    spare_id = _folder_id(spare) if kept is not None else "-"
    with contextlib.suppress(OSError):
        spare.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".site-", dir=spare.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(f"statuspress-site-manifest {_folder_id(out)} {spare_id}\n")
                file.writelines(f"L\t{name}\t{key or ''}\t{ino}\t{size}\t{mtime}\n"
                                for name, (key, ino, size, mtime) in entries.items())
                file.writelines(f"S\t{name}\t{inode}\n" for name, inode in (kept or {}).items())
            os.replace(name, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)


def _take_spare(spare: Path | None, out: Path, held: dict[str, int] | None
                ) -> tuple[Path, dict[str, int] | None]:
    """A folder beside `out` to build the new site in: the spare site when there is one on the same disk;
    and the files it holds, when the manifest knows them (`held`)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    if spare is not None and spare.is_dir() and not spare.is_symlink():
        try:
            if spare.stat().st_dev == out.parent.stat().st_dev:
                os.rmdir(staging)
                os.replace(spare, staging)
                return staging, held
        except OSError:
            staging.mkdir(exist_ok=True)
    return staging, {}  # a new, empty folder


def _fill(staging: Path, outputs: dict[str, bytes], out: Path, live: dict[str, Entry], held: dict[str, int] | None,
          processes: int = 1, keep: dict[str, Entry] | None = None) -> dict[str, Entry]:
    """Make `staging` hold exactly `outputs` and the files of `out` to `keep`: link what `out` already holds,
    write the rest, delete the others. `live` says what the files of `out` were made from, and `held` which
    files `staging` holds (else it is walked). Return what each file of `staging` is."""
    keep = keep or {}
    root, previous_root = str(staging), str(out)
    emptied = set()  # folders that may be left empty
    if held is None:
        held = {}
        for folder, subfolders, names in os.walk(root):
            for name in subfolders:
                if os.path.islink(os.path.join(folder, name)):  # never a way out of the folder
                    os.unlink(os.path.join(folder, name))
            inside = folder[len(root) + 1:]
            held.update((f"{inside}/{name}" if inside else name, 0) for name in names)
            if not names:
                emptied.add(inside)
    stale = set(held).difference(outputs, keep)
    folders = {name.rpartition("/")[0] for name in held} | {""}
    first = not os.path.isdir(previous_root)  # no site yet: nothing to link or compare

    def place(names: list[str]) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        for name in names:
            data = outputs.get(name)
            folder = name.rpartition("/")[0]
            if folder not in folders:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
                folders.add(folder)
            target = f"{root}/{name}"
            source = f"{previous_root}/{name}"
            if data is None:  # a file to keep, as the live site holds it
                entries[name] = keep[name]
                if held.get(name) != keep[name][1] and not _link(source, target):
                    raise OSError(f"cannot link {source}")
                continue
            key = reuse.tag(data)
            previous = None if first else _unchanged(source, data, key, live.get(name))
            if previous is not None:
                entries[name] = (key, previous.st_ino, previous.st_size, previous.st_mtime_ns)
                if held.get(name) == previous.st_ino or _same_file(previous, target):
                    continue  # the spare site already links the file that stays (the manifest says, or the disk)
            if previous is None or not _link(source, target):
                written = write_file(target, data)
                entries[name] = (key, written.st_ino, written.st_size, written.st_mtime_ns)
        return entries

    names = [*outputs, *keep]
    # Two processes when there are many files to write; linking the unchanged ones takes less time than
    # starting a process would.
    changing = len(names) if first else sum(_changing(name, data, live) for name, data in outputs.items())
    if processes > 1 and changing >= SHARED:
        from .parallel import aside  # here: it loads the whole pipeline, which a quiet rebuild does without

        mine, theirs = _halves(names)
        with aside(partial(place, theirs), processes, len(theirs)) as placed:  # the other half, by another process
            entries = place(mine)
            entries.update(placed())
    else:
        entries = place(names)
    for name in filter(_inside, stale):  # a planted manifest cannot name a file elsewhere
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(root, name))
        emptied.add(posixpath.dirname(name))
    for folder in sorted(emptied, key=lambda f: f.count("/"), reverse=True):  # the deepest first
        while folder:
            try:
                os.rmdir(os.path.join(root, folder))  # only if empty
            except OSError:
                break
            folder = posixpath.dirname(folder)
    return entries


def _changing(name: str, data: bytes, live: dict[str, Entry]) -> bool:
    """Whether the file `name` is likely to be written, rather than linked: not made from the same key as
    the live site's file."""
    entry = live.get(name)
    return entry is None or entry[0] is None or entry[0] != reuse.tag(data)


def _halves(names: list[str]) -> tuple[list[str], list[str]]:
    """`names` in two parts about as long, each with all the files of some top folders: two processes that
    create files in the same folder wait for each other."""
    tops: dict[str, list[str]] = {}
    for name in names:
        tops.setdefault(name.partition("/")[0] if "/" in name else "", []).append(name)
    halves: tuple[list[str], list[str]] = ([], [])
    for top in sorted(tops.values(), key=len, reverse=True):
        min(halves, key=len).extend(top)
    return halves


def write_file(path: str, data: bytes) -> os.stat_result:
    """Write one output file as a new file and return its status (tests stop a build here). A file already
    at `path` is replaced, never written into: it may be a link to a file of the live site. Plain system
    calls: `open()` would also ask whether the file is a terminal and where it stands, for every file."""
    try:
        handle = os.open(path, NEW_FILE, 0o666)
    except FileExistsError:
        os.unlink(path)
        handle = os.open(path, NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        return os.fstat(handle)
    finally:
        os.close(handle)


NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)  # as open()


def _unchanged(path: str, data: bytes, key: str | None, entry: Entry | None) -> os.stat_result | None:
    """The file at `path`, when it holds exactly `data`; None when it does not or cannot be read. It is
    not read when the last build wrote it from the same `key` (its `entry`) and it is still that file."""
    try:
        found = os.lstat(path)
        if not stat.S_ISREG(found.st_mode) or found.st_size != len(data):
            return None
        if key is not None and entry is not None and entry == (key, found.st_ino, found.st_size, found.st_mtime_ns):
            return found
        with open(path, "rb") as file:
            return found if file.read() == data else None
    except OSError:
        return None


def _same_file(found: os.stat_result, path: str) -> bool:
    try:
        other = os.lstat(path)
    except OSError:
        return False
    return (other.st_ino, other.st_dev) == (found.st_ino, found.st_dev)


def _link(source: str, target: str) -> bool:
    """Hard-link `source` as `target`, in place of any file there; False on a file system without hard links,
    or a file gone since."""
    try:
        try:
            os.link(source, target)
        except FileExistsError:
            os.unlink(target)
            os.link(source, target)
    except OSError:
        return False
    return True
