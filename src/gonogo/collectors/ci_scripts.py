"""What a CI command runs when it calls the repository's own scripts.

A workflow step often says ``bash scripts/tests-start.sh``, ``./scripts/test``, ``make test`` or
``npm run e2e``, and the test runner is inside that script, recipe or package script. Judging the
step by its own text calls a CI that tests "a CI that never tests" (issue 9, class 5). So the
commands a step calls are followed here, recursively and to a bounded depth, reading only files
inside the same workspace root: shell scripts (by extension or shebang), Makefile target recipes and
``package.json`` scripts. Nothing is run. The result is the lines reached, each with the chain of
files that led there, so a check can say *where* the tests run.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from gonogo.notes import Notes
from gonogo.workspace import FileReadError, SourceFile, Workspace

MAX_DEPTH = 4
"""Scripts calling scripts deeper than this are rare; the bound keeps a cycle or a huge tree cheap."""
MAX_SCRIPT_BYTES = 256 * 1024

_SEGMENT_SPLIT = re.compile(r"&&|\|\||[;|&\n]")
_SHELL_SHEBANG = re.compile(rb"^#!\s*\S*(/|env\s+)(ba|z|da|k)?sh\b")
_SHELL_SUFFIXES = (".sh", ".bash")
_MAKE_TARGET = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?!=)(.*)$")
_MAKE_PROGRAMS = frozenset({"make", "gmake", "$(MAKE)", "${MAKE}"})
_PACKAGE_RUNNERS = frozenset({"npm", "pnpm", "yarn", "bun"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ReachedLine:
    """A line a CI command runs through the repository's scripts."""

    file: SourceFile
    line: int
    text: str
    chain: tuple[str, ...]
    """The files followed to get here, outermost first (``backend/scripts/tests-start.sh``, ...)."""


@dataclass(slots=True)
class ScriptFollower:
    """Follows calls from CI commands into one workspace root's scripts; remembers what it read."""

    workspace: Workspace
    notes: Notes
    files: dict[str, SourceFile]
    """relpath -> file, for one root."""
    _texts: dict[str, str | None]

    @classmethod
    def for_root(cls, workspace: Workspace, root_file: SourceFile, notes: Notes) -> ScriptFollower:
        files = {f.relpath: f for f in workspace.files if f.root == root_file.root}
        return cls(workspace=workspace, notes=notes, files=files, _texts={})

    def follow(self, text: str, workdir: str) -> tuple[ReachedLine, ...]:
        """Every line reached from the shell ``text`` run in ``workdir`` (a relpath, ``""`` = root)."""
        return tuple(self._follow(text, workdir, (), set()))

    def _follow(self, text: str, workdir: str, chain: tuple[str, ...], seen: set[str]) -> Iterator[ReachedLine]:
        if len(chain) >= MAX_DEPTH:
            return
        for segment in shell_segments(text):
            words = split_words(segment)
            for target, lines in self._calls(words, workdir, chain):
                if target in seen:
                    continue
                seen.add(target)
                for line in lines:
                    yield line
                    yield from self._follow(line.text, _workdir_after(workdir, line), line.chain, seen)

    def _calls(
        self, words: list[str], workdir: str, chain: tuple[str, ...]
    ) -> Iterator[tuple[str, list[ReachedLine]]]:
        """The scripts, make targets and package scripts one command segment calls."""
        if not words:
            return
        if any(w in _MAKE_PROGRAMS for w in words):
            yield from self._make(words, workdir, chain)
        runner = next((i for i, w in enumerate(words) if w in _PACKAGE_RUNNERS), None)
        if runner is not None:
            yield from self._package_script(words[runner + 1 :], workdir, chain)
        for word in words:
            script = self._script(word, workdir)
            if script is not None:
                file, text = script
                yield file.relpath, _script_lines(file, text, (*chain, file.display))

    def _script(self, word: str, workdir: str) -> tuple[SourceFile, str] | None:
        """``word`` as a shell script of the repository, if it names one."""
        if "$" in word or word.startswith("-") or ("/" not in word and not word.endswith(_SHELL_SUFFIXES)):
            return None
        file = self._resolve(word, workdir)
        if file is None:
            return None
        text = self._read(file)
        if text is None:
            return None
        if file.name.endswith(_SHELL_SUFFIXES) or _SHELL_SHEBANG.match(text[:200].encode()):
            return file, text
        return None

    def _make(self, words: list[str], workdir: str, chain: tuple[str, ...]) -> Iterator[tuple[str, list[ReachedLine]]]:
        start = next(i for i, w in enumerate(words) if w in _MAKE_PROGRAMS)
        folder, makefile, targets = workdir, None, []
        args = iter(words[start + 1 :])
        for word in args:
            if word in ("-C", "--directory"):
                folder = _join(folder, next(args, ""))
            elif word in ("-f", "--file", "--makefile"):
                makefile = next(args, None)
            elif not word.startswith("-") and "=" not in word:
                targets.append(word)
        candidates = [makefile] if makefile else ["GNUmakefile", "makefile", "Makefile"]
        file = next((f for name in candidates if (f := self.files.get(_join(folder, name))) is not None), None)
        if file is None:
            return
        text = self._read(file)
        if text is None:
            return
        recipes, order = parse_makefile(text)
        for target in targets or order[:1]:
            key = f"{file.relpath}:{target}"
            lines = list(_recipe(file, recipes, target, (*chain, f"{file.display}:{target}"), set()))
            yield key, lines

    def _package_script(
        self, words: list[str], workdir: str, chain: tuple[str, ...]
    ) -> Iterator[tuple[str, list[ReachedLine]]]:
        """``npm run NAME`` / ``yarn NAME`` / ``bun run NAME``: the ``scripts`` entry of package.json."""
        names = [w for w in words if not w.startswith("-")]
        if names[:1] == ["run"]:
            names = names[1:]
        if not names:
            return
        manifest = self.files.get(_join(workdir, "package.json"))
        if manifest is None:
            return
        text = self._read(manifest)
        try:
            scripts = json.loads(text or "").get("scripts", {})
        except (ValueError, AttributeError):
            return
        body = scripts.get(names[0]) if isinstance(scripts, dict) else None
        if isinstance(body, str):
            line = _line_of(text or "", f'"{names[0]}"')
            reached = ReachedLine(file=manifest, line=line, text=body, chain=(*chain, f"{manifest.display}:{names[0]}"))
            yield f"{manifest.relpath}:{names[0]}", [reached]

    def _resolve(self, word: str, workdir: str) -> SourceFile | None:
        """Relative to the command's folder, to the root, or, for a command run inside a container
        (``docker compose exec backend bash scripts/x.sh``), the one file whose path ends like it."""
        if word.startswith("/"):
            return None
        for base in (workdir, ""):
            found = self.files.get(_join(base, word))
            if found is not None:
                return found
        tail = "/" + "/".join(p for p in posixpath.normpath(word).split("/") if p not in ("", ".", ".."))
        matches = [f for path, f in self.files.items() if path.endswith(tail)]
        return matches[0] if len(matches) == 1 else None

    def _read(self, file: SourceFile) -> str | None:
        if file.relpath not in self._texts:
            try:
                self._texts[file.relpath] = self.workspace.read_text(file, limit=MAX_SCRIPT_BYTES)
            except FileReadError as exc:
                self.notes.add(f"CI script not followed: {exc}", path=file.display, source="ci")
                self._texts[file.relpath] = None
        return self._texts[file.relpath]


def shell_segments(text: str) -> Iterator[str]:
    """The simple commands of a shell text: one per line, ``&&``/``||``/``;``/``|`` split, with
    comments and line continuations removed. Rough on purpose: a quoted ``;`` splits too, which only
    ever cuts a command short."""
    joined = re.sub(r"\\\r?\n", " ", text)
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for segment in _SEGMENT_SPLIT.split(stripped):
            if segment.strip():
                yield segment.strip()


def split_words(segment: str) -> list[str]:
    """Shell words of one simple command; a quote left open (a fragment) falls back to spaces."""
    try:
        return shlex.split(segment, comments=True)
    except ValueError:
        return segment.split()


def parse_makefile(text: str) -> tuple[dict[str, tuple[list[str], list[tuple[int, str]]]], list[str]]:
    """target -> (prerequisites, [(line, recipe line)]), and targets in file order (for the default)."""
    recipes: dict[str, tuple[list[str], list[tuple[int, str]]]] = {}
    order: list[str] = []
    current: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("\t"):
            for target in current:
                recipes[target][1].append((number, raw.strip().lstrip("@-+").strip()))
            continue
        match = _MAKE_TARGET.match(raw)
        if match is None:
            if raw.strip() and not raw.startswith("#"):
                current = []
            continue
        names = [n for n in match.group(1).split() if not n.startswith(".")]
        prerequisites = match.group(2).split(";", 1)
        current = names
        for name in names:
            recipes.setdefault(name, ([], []))
            recipes[name][0].extend(prerequisites[0].split())
            if len(prerequisites) > 1 and prerequisites[1].strip():
                recipes[name][1].append((number, prerequisites[1].strip()))
            if name not in order:
                order.append(name)
    return recipes, order


def _recipe(
    file: SourceFile,
    recipes: dict[str, tuple[list[str], list[tuple[int, str]]]],
    target: str,
    chain: tuple[str, ...],
    seen: set[str],
) -> Iterator[ReachedLine]:
    """A target's recipe lines, after those of its prerequisites (which make runs first)."""
    if target in seen or target not in recipes or len(seen) > 50:
        return
    seen.add(target)
    prerequisites, lines = recipes[target]
    for prerequisite in prerequisites:
        yield from _recipe(file, recipes, prerequisite, chain, seen)
    for number, text in lines:
        yield ReachedLine(file=file, line=number, text=text, chain=chain)


def _script_lines(file: SourceFile, text: str, chain: tuple[str, ...]) -> list[ReachedLine]:
    return [
        ReachedLine(file=file, line=number, text=line.strip(), chain=chain)
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _workdir_after(workdir: str, line: ReachedLine) -> str:
    """Where the next call resolves from: a script's lines usually assume the folder it was called
    from; a Makefile's recipes and a package script run in their file's folder."""
    if line.file.name.lower() in ("makefile", "gnumakefile", "package.json"):
        return posixpath.dirname(line.file.relpath)
    return workdir


def _join(base: str, path: str) -> str:
    joined = posixpath.normpath(posixpath.join(base, path)) if base else posixpath.normpath(path)
    return "" if joined == "." else joined


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return 1

