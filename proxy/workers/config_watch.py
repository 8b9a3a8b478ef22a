"""Reload the config whenever its content changes, however the file gets replaced.

Watching the file itself ties the watch to one inode: ``sed -i``, an editor's save, a
delete and recreate or a Kubernetes ConfigMap update all put a new inode under the
name, and the old watch then never fires again. So this watches the directories that
hold the config's name and every symlink on its way (a ConfigMap mounts
``config.yaml -> ..data/config.yaml`` with ``..data`` swapped to a new timestamped
directory), keeps only events on those names, and reloads only when the sha256 of the
bytes differs from what is running: a touch, a no-op write or the several events of
one save reload at most once. When the symlink chain moves, the watch moves with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path, PurePath

import watchfiles

from tarash_gateway.router import ConfigError

logger = logging.getLogger("tarash.config")

#: Swaps the file's config in and returns its alias count, or raises ConfigError.
Reload = Callable[[], Awaitable[int]]

#: As many symlinks as Linux follows in one lookup before ELOOP.
MAX_SYMLINKS = 40


def digest(path: Path) -> str | None:
    """sha256 of the bytes behind ``path`` (symlinks followed); None when it is gone."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, NotADirectoryError):
        return None


def lookup_names(path: Path) -> frozenset[Path]:
    """Every directory entry whose change can change what reading ``path`` returns: the
    name itself, each symlink followed on the way and each name a link points at, all
    spelled under real (resolved) directories, as the file watcher reports them."""
    names: set[Path] = set()
    budget = MAX_SYMLINKS

    def walk(directory: Path, parts: Sequence[str]) -> Path:
        nonlocal budget
        for index, part in enumerate(parts):
            if part in ("", "."):
                continue
            if part == "..":
                directory = directory.parent
                continue
            here = directory / part
            if index == len(parts) - 1:
                names.add(here)
            if budget > 0 and here.is_symlink():
                budget -= 1
                names.add(here)
                try:
                    target = PurePath(os.readlink(here))
                except OSError:
                    directory = here
                    continue
                base = Path(target.anchor) if target.is_absolute() else directory
                rest = target.parts[1:] if target.is_absolute() else target.parts
                directory = walk(base, rest)
            else:
                directory = here
        return directory

    path = Path(path).absolute()
    walk(path.parent.resolve(), [path.name])
    return frozenset(names)


def watched_directories(names: frozenset[Path]) -> list[Path]:
    """The existing directories that hold ``names`` (each watched non-recursively)."""
    return sorted({name.parent for name in names if name.parent.is_dir()})


class ConfigWatcher:
    """Watches one config file and calls ``reload`` once per change of its content."""

    def __init__(
        self,
        path: Path,
        reload: Reload,
        *,
        debounce_ms: int = 300,
        retry_seconds: float = 1.0,
    ) -> None:
        self.path = Path(path).absolute()
        self._reload = reload
        self._debounce_ms = debounce_ms
        self._retry_seconds = retry_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: sha256 of the content running now (the file as it was when watching began).
        self.loaded: str | None = digest(self.path)
        #: sha256 last acted on, loaded or refused: one save logs one line, not one per event.
        self._seen = self.loaded
        self._missing = False
        self._names: frozenset[str] = frozenset()

    def start(self) -> ConfigWatcher:
        self._task = asyncio.create_task(self.run(), name="tarash-config-watch")
        return self

    async def close(self) -> None:
        """Stop watching. The stop event wakes the watch thread at once; cancelling it
        alone would wait for the thread's next timeout."""
        self._stop.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=10)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def relevant(self, _change: watchfiles.Change, path: str) -> bool:
        """watch_filter: only events on a name the config's lookup goes through."""
        return path in self._names

    async def run(self) -> None:
        """Watch until stopped. Nothing short of stopping ends it: a missing directory,
        a watch error or a bad file is logged and watching goes on."""
        # Every filtered-out event (the database or a log file next to the config) would
        # otherwise be a debug line of watchfiles'; this module logs what matters.
        logging.getLogger("watchfiles").setLevel(logging.WARNING)
        while not self._stop.is_set():
            try:
                await self._watch_once()
            except Exception as exc:  # the watch must outlive any error
                logger.warning(
                    "config watch of %s interrupted (%s); retrying in %s s",
                    self.path,
                    exc,
                    self._retry_seconds,
                )
                await self._pause()

    async def _watch_once(self) -> None:
        """Watch the current symlink chain's directories until the chain moves."""
        names = await asyncio.to_thread(lookup_names, self.path)
        directories = await asyncio.to_thread(watched_directories, names)
        self._names = frozenset(str(name) for name in names)
        await self.check(after_event=False)  # whatever changed while no watch was in place
        if not directories:  # even the config's directory is gone: wait for it
            await self._pause()
            return
        async for _changes in watchfiles.awatch(
            *directories,
            watch_filter=self.relevant,
            recursive=False,
            stop_event=self._stop,
            debounce=self._debounce_ms,
        ):
            await self.check()
            if await asyncio.to_thread(lookup_names, self.path) != names:
                return  # e.g. ..data now points at a new directory: watch that one

    async def check(self, *, after_event: bool = True) -> None:
        """Reload when the file's content differs from what is running; log what happened
        (an event that changed nothing only at debug, and only when there was an event)."""
        try:
            current = await asyncio.to_thread(digest, self.path)
        except OSError as exc:
            logger.error(
                "config file %s unreadable (%s); still running the previous config",
                self.path,
                exc.strerror or exc,
            )
            self._seen = None
            return
        if current is None:
            if not self._missing:
                logger.warning(
                    "config file gone; still running the previous config (%s)", self.path
                )
                self._missing = True
            return
        came_back, self._missing = self._missing, False
        if current == self._seen:
            if came_back:
                logger.info(
                    "config file %s is back with the running content (sha256 %s)",
                    self.path,
                    current[:12],
                )
            elif after_event:
                logger.debug(
                    "config file %s event without a content change (sha256 %s); not reloading",
                    self.path,
                    current[:12],
                )
            return
        self._seen = current
        if current == self.loaded:
            logger.info(
                "config file %s is back to the running content (sha256 %s); nothing to reload",
                self.path,
                current[:12],
            )
            return
        try:
            aliases = await self._reload()
        except ConfigError as error:
            logger.error("config change refused; still running the previous config:\n%s", error)
            return
        except Exception:  # a bug in one reload must not end the watch
            logger.exception("config reload failed; still running the previous config")
            return
        self.loaded = current
        logger.info(
            "config change applied from %s (sha256 %s): %d aliases",
            self.path,
            current[:12],
            aliases,
        )

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=self._retry_seconds)
