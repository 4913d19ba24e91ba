"""Every git operation migrator performs: the only module that runs git or knows GitPython.

The reads on the scan path (the file list, the index's blob shas, the git directory) and the
burndown's object reads run the git executable once each, without GitPython: a cached
`migrator scan` does not pay for importing it. `Repository`, for the commands that change the
repository or read its history, wraps GitPython, imported when a repository is opened.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import git
    from git.exc import GitCommandError

IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "BISECT_LOG": "a bisect",
}
FIELD, RECORD = "\x1f", "\x1e"
SKIPPED_MODES = {"120000", "160000"}  # symlinks and submodules are never scanned


class GitError(Exception):
    """A git operation that failed; the message is one line."""


# ---- plumbing: the git executable, for reads on the scan and report paths -----------------
def run_git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    """The output of `git ARGS` run in `root`; `GitError` naming the command when it fails."""
    try:
        done = subprocess.run(["git", *args], cwd=root, input=data, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        message = detail.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]}: {message[0] if message else error}") from None
    return done.stdout


def _output(root: Path, *args: str) -> bytes | None:
    """The output of `git ARGS`, or None when git is missing, fails or `root` is outside git."""
    try:
        return run_git(root, *args)
    except GitError:
        return None


def work_tree_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, sorted, or None outside a git work tree."""
    out = _output(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if out is None:
        return None
    names = out.decode("utf-8", "surrogateescape").split("\0")
    return sorted({name for name in names if name})


def absolute_git_dir(root: Path) -> Path | None:
    """The absolute git directory of the work tree at `root`, or None outside git."""
    found = _output(root, "rev-parse", "--absolute-git-dir")
    return Path(found.decode().strip()) if found else None


def index_shas(root: Path) -> dict[str, str]:
    """Path -> blob sha for tracked files whose work-tree content git says matches the index."""
    return IndexShas(root).get()


class IndexShas:
    """`index_shas`, asked of git now and read when wanted: the caller works meanwhile (`git
    diff` stats every tracked file, and hashes those whose index entry it cannot trust, as in
    a fresh clone)."""

    def __init__(self, root: Path) -> None:
        self._staged = _Started(root, "ls-files", "-z", "--stage")
        self._dirty = _Started(root, "diff", "--name-only", "-z", "--no-renames", "--relative")
        self._answer: dict[str, str] | None = None

    def ready(self) -> bool:
        """Whether git has answered (`get` returns at once)."""
        return self._answer is not None or (self._staged.done() and self._dirty.done())

    def get(self) -> dict[str, str]:
        if self._answer is None:
            self._answer = _index_shas(self._staged.output(), self._dirty.output())
        return self._answer


def _index_shas(staged: bytes | None, dirty: bytes | None) -> dict[str, str]:
    if staged is None or dirty is None:
        return {}
    shas: dict[str, str] = {}
    for record in staged.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and fields[2] == b"0":
            shas[name.decode("utf-8", "surrogateescape")] = fields[1].decode()
    for name in dirty.split(b"\0"):
        shas.pop(name.decode("utf-8", "surrogateescape"), None)
    return shas


class _Started:
    """`git ARGS` running in `root`, its output going to an unnamed temporary file (so it never
    waits for a reader); `output` waits for it: None when it fails, as `_output`."""

    def __init__(self, root: Path, *args: str) -> None:
        self._file = tempfile.TemporaryFile()
        self._answer: tuple[bytes | None] | None = None
        try:
            self._process: subprocess.Popen | None = subprocess.Popen(
                ["git", *args], cwd=root, stdout=self._file, stderr=subprocess.DEVNULL
            )
        except OSError:
            self._process = None

    def done(self) -> bool:
        return self._process is None or self._process.poll() is not None

    def output(self) -> bytes | None:
        if self._answer is None:
            out = None
            if self._process is not None and self._process.wait() == 0:
                self._file.seek(0)
                out = self._file.read()
            self._file.close()
            self._answer = (out,)
        return self._answer[0]


def short_head(root: Path) -> str:
    """HEAD's sha abbreviated to 12 characters, or "" (no commit, or outside git)."""
    return _text(root, "rev-parse", "--short=12", "HEAD")


def config_value(root: Path, key: str) -> str:
    """The value of a git config key, or "" when it is not set (or outside git)."""
    return _text(root, "config", "--get", key)


def _text(root: Path, *args: str) -> str:
    out = _output(root, *args)
    return out.decode("utf-8", "replace").strip() if out is not None else ""


class GitObjects:
    """Trees and blobs of one repository, read through git plumbing (nothing is checked out)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def order(self) -> dict[str, int]:
        """Commit sha -> position in HEAD's history, oldest first."""
        shas = run_git(self.root, "rev-list", "--topo-order", "--reverse", "HEAD").split()
        return {sha.decode(): index for index, sha in enumerate(shas)}

    def resolve(self, revision: str) -> str | None:
        """The full sha of a commit-ish, or None when it names no commit."""
        found = _output(self.root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
        return found.decode().strip() if found is not None else None

    def tree(self, commit: str) -> dict[str, str]:
        """Path -> blob sha of every regular file in the commit's tree."""
        entries: dict[str, str] = {}
        listing = run_git(self.root, "ls-tree", "-r", "-z", "--full-tree", commit)
        for record in listing.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, sha = meta.decode().split()
            if kind == "blob" and mode not in SKIPPED_MODES:
                entries[name.decode("utf-8", "surrogateescape")] = sha
        return entries

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of many blobs, in one `git cat-file --batch`."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        request = "\n".join(wanted).encode() + b"\n"
        out = run_git(self.root, "cat-file", "--batch", data=request)
        contents: dict[str, bytes] = {}
        position = 0
        for sha in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].split()
            if len(header) != 3:
                raise GitError(f"git cat-file: cannot read blob {sha}")
            size = int(header[2])
            contents[sha] = out[end + 1 : end + 1 + size]
            position = end + 1 + size + 1
        return contents


# ---- porcelain: GitPython, for the commands that change the repository --------------------
@dataclass(frozen=True)
class LoggedCommit:
    """One commit as `git log` shows it: enough for the batch history."""

    sha: str
    author: str
    date: str
    subject: str
    message: str
    files: tuple[str, ...]


class Repository:
    """A git work tree migrator operates on."""

    def __init__(self, repo: git.Repo) -> None:
        self._repo = repo
        self.root = Path(repo.working_tree_dir or ".").resolve()
        self.git_dir = Path(repo.git_dir).resolve()

    # ---- state -----------------------------------------------------------------------
    def head_sha(self) -> str | None:
        """The full sha of HEAD, or None on an unborn branch."""
        try:
            return self._repo.head.commit.hexsha
        except ValueError:
            return None

    def is_detached(self) -> bool:
        return self._repo.head.is_detached

    def branch(self) -> str | None:
        return None if self.is_detached() else self._repo.active_branch.name

    def operation_in_progress(self) -> str | None:
        """`a merge`, `a rebase`, ... when one is under way, else None."""
        for marker, name in IN_PROGRESS.items():
            if (self.git_dir / marker).exists():
                return name
        return None

    def identity_problem(self) -> str | None:
        """Why git could not commit for lack of an author/committer identity, or None."""
        from git.exc import GitCommandError

        for variable in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            try:
                self._repo.git.var(variable)
            except GitCommandError:
                return (
                    "git has no identity to commit with: set user.name and user.email "
                    "(git config) or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL and "
                    "GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL"
                )
        return None

    def dirty_paths(self, paths: list[str] | None = None) -> list[str]:
        """Paths (of `paths`, or all) whose content differs from HEAD: staged, unstaged or new."""
        if paths is not None and not paths:
            return []
        return self._status("--untracked-files=all", *(["--", *paths] if paths else []))

    def tracked_dirty_paths(self) -> list[str]:
        """Tracked files with staged or unstaged changes (untracked files do not count)."""
        return self._status("--untracked-files=no")

    def _status(self, *args: str) -> list[str]:
        with self._repo.git.custom_environment(GIT_LITERAL_PATHSPECS="1"):
            out = self._repo.git.status(
                "--porcelain=v1", "-z", *args, strip_newline_in_stdout=False
            )
        entries, dirty, index = out.split("\0"), set(), 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            if len(entry) < 4:
                continue
            dirty.add(entry[3:])
            if "R" in entry[:2] or "C" in entry[:2]:
                dirty.add(entries[index])  # the source path of a rename or copy
                index += 1
        return sorted(dirty)

    def head_blob(self, path: str) -> bytes | None:
        """The bytes of `path` at HEAD, or None when HEAD has no such file."""
        try:
            blob = self._repo.head.commit.tree / path
        except (KeyError, ValueError):
            return None
        return blob.data_stream.read()

    def resolve(self, revision: str) -> str | None:
        """The full sha of a commit-ish, or None when it names no commit."""
        from git import BadName
        from git.exc import GitCommandError

        try:
            return self._repo.commit(revision).hexsha
        except (BadName, ValueError, GitCommandError):
            return None

    # ---- changes ---------------------------------------------------------------------
    def commit_paths(self, paths: list[str], message: str) -> str:
        """Commit exactly `paths` (other staged changes stay staged), hooks included."""
        from git.exc import GitCommandError

        try:
            with self._repo.git.custom_environment(GIT_LITERAL_PATHSPECS="1"):
                self._repo.git.commit("--quiet", "-m", message, "--only", "--", *paths)
        except GitCommandError as error:
            raise GitError(f"git commit failed: {_one_line(error)}") from None
        return self._repo.head.commit.hexsha

    def unstage(self, paths: list[str]) -> None:
        """Make the index match HEAD again for `paths` (after an interrupted commit)."""
        from git.exc import GitCommandError

        if paths and self.head_sha():
            try:
                self._repo.git.reset("--quiet", "HEAD", "--", *paths)
            except GitCommandError as error:
                raise GitError(_one_line(error)) from None

    def revert(self, sha: str, message: str) -> str:
        """Revert one commit as a new commit with `message`; aborts cleanly on conflict."""
        from git.exc import GitCommandError

        try:
            self._repo.git.revert("--no-commit", sha)
        except GitCommandError as error:
            self._abort_revert()
            raise GitError(f"cannot revert {sha[:12]}: {_one_line(error)}") from None
        try:
            self._repo.git.commit("--quiet", "-m", message)
        except GitCommandError as error:
            self._abort_revert()
            raise GitError(f"cannot commit the revert of {sha[:12]}: {_one_line(error)}") from None
        return self._repo.head.commit.hexsha

    def reset_keep(self, sha: str) -> None:
        """Move the branch back to `sha`, keeping any local changes (used to undo a rollback)."""
        self._repo.git.reset("--keep", sha)

    def _abort_revert(self) -> None:
        from git.exc import GitCommandError

        try:
            self._repo.git.revert("--abort")
        except GitCommandError:
            self._repo.git.reset("--quiet", "--merge")

    # ---- history ---------------------------------------------------------------------
    def log(self, grep: str | None = None, limit: int | None = None) -> list[LoggedCommit]:
        """Commits reachable from HEAD, newest first, optionally only those matching `grep`."""
        if self.head_sha() is None:
            return []
        fmt = FIELD.join(("%H", "%an <%ae>", "%aI", "%s", "%B")) + FIELD
        args = [f"--format={RECORD}{fmt}", "--name-only", "--no-renames"]
        if grep:
            args += ["-E", f"--grep={grep}"]
        if limit:
            args.append(f"-n{limit}")
        out = self._repo.git.log(*args, "HEAD", "--")
        commits = []
        for record in out.split(RECORD)[1:]:
            sha, author, date, subject, message, names = record.split(FIELD, 5)
            files = tuple(line for line in names.splitlines() if line.strip())
            commits.append(LoggedCommit(sha, author, date, subject, message.strip(), files))
        return commits


def open_repository(path: Path) -> Repository | None:
    """The work tree containing `path`, or None when it is not inside one."""
    import git
    from git.exc import InvalidGitRepositoryError, NoSuchPathError

    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        return None
    if repo.bare:
        return None
    return Repository(repo)


def _one_line(error: GitCommandError) -> str:
    text = (error.stderr or error.stdout or str(error)).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line.removeprefix("stderr: ").strip("'") for line in lines]
    meaningful = [line for line in lines if line.startswith(("fatal", "error"))] or lines
    return meaningful[0] if meaningful else "git failed"
