"""Every git operation migrator performs (the only module that knows GitPython)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "BISECT_LOG": "a bisect",
}
FIELD, RECORD = "\x1f", "\x1e"


class GitError(Exception):
    """A git operation that failed; the message is one line."""


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
        try:
            return self._repo.commit(revision).hexsha
        except (git.BadName, ValueError, GitCommandError):
            return None

    # ---- changes ---------------------------------------------------------------------
    def commit_paths(self, paths: list[str], message: str) -> str:
        """Commit exactly `paths` (other staged changes stay staged), hooks included."""
        try:
            with self._repo.git.custom_environment(GIT_LITERAL_PATHSPECS="1"):
                self._repo.git.commit("--quiet", "-m", message, "--only", "--", *paths)
        except GitCommandError as error:
            raise GitError(f"git commit failed: {_one_line(error)}") from None
        return self._repo.head.commit.hexsha

    def unstage(self, paths: list[str]) -> None:
        """Make the index match HEAD again for `paths` (after an interrupted commit)."""
        if paths and self.head_sha():
            try:
                self._repo.git.reset("--quiet", "HEAD", "--", *paths)
            except GitCommandError as error:
                raise GitError(_one_line(error)) from None

    def revert(self, sha: str, message: str) -> str:
        """Revert one commit as a new commit with `message`; aborts cleanly on conflict."""
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
