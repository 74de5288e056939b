"""A secret's name spelt without writing it (an escape, adjacent literals) still reaches the rules
whose cheap text tests choose the files they read: the tests ask what the parser gives, not what
the text shows."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from gonogo.collectors.dict_passwords import dict_passwords
from gonogo.collectors.literal_spelling import spelt_out
from gonogo.collectors.secret_defaults import secret_defaults
from tests.helpers import make_repo, result_of, scan_repo

HIDDEN_NAMES = {
    "an escape": '"DB_PASS\\x57ORD"',
    "a four-digit escape": '"DB_PASS\\u0057ORD"',
    "an eight-digit escape": '"DB_PASS\\U00000057ORD"',
    "a named escape": '"DB_\\N{LATIN CAPITAL LETTER P}ASSWORD"',
    "an octal escape": '"DB_PA\\123SWORD"',
    "adjacent literals": '"DB_PASS" "WORD"',
    "literals on two lines": '("DB_PA"\n    "SSWORD")',
    "a comment between the literals": '("DB_PA"  # the name\n    "SSWORD")',
    "a line continuation": '"DB_PA" \\\n    "SSWORD"',
    "an empty literal between": '"DB_PA" "" "SSWORD"',
    "triple quotes and a prefix": '"""DB_PA""" u"SSWORD"',
    "no blank between": '"DB_PA""SSWORD"',
    "an escape and a join": '"DB_PA" "\\x53SWORD"',
    "the long s": '"DB_PA\\u017fSWORD"',
}


@pytest.mark.parametrize("written", HIDDEN_NAMES.values(), ids=HIDDEN_NAMES.keys())
def test_a_secret_default_is_found_however_its_name_is_written(written: str) -> None:
    source = f"import os\nDB = os.getenv({written}, 'hunter2-default')\n"
    assert [d.line for d in secret_defaults(source, ast.parse(source))] == [2]


@pytest.mark.parametrize("written", HIDDEN_NAMES.values(), ids=HIDDEN_NAMES.keys())
def test_a_dict_password_is_found_however_its_key_is_written(written: str) -> None:
    source = f"USERS = {{{written.replace('DB_', 'db_')}: 'hunter2-value'}}\n"
    assert [d.line for d in dict_passwords(source.encode())] == [1]


def test_a_key_with_other_characters_before_the_word_is_read() -> None:
    """The text test once asked for word characters between the quote and the word, and passed
    ``"db.prod_password"`` by, which bandit's pattern (and this rule) finds."""
    assert [d.key for d in dict_passwords(b'X = {"db.prod_password": "hunter2-value"}\n')] == ["db.prod_password"]


def test_the_escape_and_the_join_in_a_whole_scan(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        "app/settings.py": 'import os\nSECRET = os.getenv("APP_SECRET\\x5fKEY", "dev-only-key")\n',
        "app/seed.py": 'ADMIN = {"pass" "word": "admin123"}\n',
    })
    report = scan_repo(repo, select="OPS021,SEC009")
    assert [(f.path, f.line) for f in result_of(report, "OPS021").findings] == [("app/settings.py", 2)]
    assert [(f.path, f.line) for f in result_of(report, "SEC009").findings] == [("app/seed.py", 1)]


@pytest.mark.parametrize(
    "text",
    ["", "x = 1\n", "\x00\xff" * 100, "a" + '" "' * 50_000 + "b", '"' * 200_000 + "a", "a\"#" * 50_000,
     "\\" * 100_000, "\\N{" + "x" * 100_000, "a'" + " " * 200_000 + "'"],
    ids=["empty", "plain", "binary", "many joins", "a run of quotes", "comments after quotes",
         "a run of backslashes", "an endless named escape", "a long blank between quotes"],
)
def test_odd_and_hostile_texts_are_spelt_in_one_pass(text: str) -> None:
    """Each input is sized so that reading it again from every start would outlast the suite's
    hang guard; the answers are exact."""
    spelt = spelt_out(text)
    assert all(isinstance(s, str) and s != text for s in spelt)
    if text.startswith("a\" \""):
        assert spelt == ("ab",)


def test_the_texts_hold_every_word_any_literal_does() -> None:
    """Random names cut into adjacent literals at random, each character written as itself or as
    an escape: the name the parser gives is in the text or in one of the spelt-out texts."""
    rng = random.Random(7)
    escapes = (lambda ch: ch, lambda ch: f"\\x{ord(ch):02x}", lambda ch: f"\\u{ord(ch):04x}",
               lambda ch: f"\\{ord(ch):o}")
    for _ in range(3000):
        value = rng.choice(["", "db_", "x.y_"]) + rng.choice(["password", "secret", "token"]) + rng.choice(["", "_x"])
        cuts = sorted(rng.sample(range(1, len(value)), rng.randint(0, 3)))
        pieces = [value[a:b] for a, b in zip([0, *cuts], [*cuts, len(value)], strict=True)]
        literals = []
        for piece in pieces:
            quote = rng.choice(['"', "'", '"""'])
            body = "".join(rng.choice(escapes)(ch) for ch in piece)
            literals.append(rng.choice(["", "u"]) + quote + body + quote)
            if rng.random() < 0.2:
                literals.append(rng.choice(['""', "''"]))
        source = "X = (" + "".join(lit + rng.choice([" ", "\n    ", "  # note\n    "]) for lit in literals) + ")\n"
        assert ast.literal_eval(source[4:]) == value, source
        texts = (source, *spelt_out(source))
        word = next(w for w in ("password", "secret", "token") if w in value)
        assert any(word in text for text in texts), source


def test_a_passwords_hash_in_a_dict_is_no_password() -> None:
    """FastAPI's security tutorial keeps users as ``{"hashed_password": "$2b$12$..."}``: a hash signs
    no one in. A password beside it is still found."""
    source = (
        b'USERS = {"alice": {"hashed_password": "$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW",\n'
        b'                   "password": "hunter2-value"}}\n'
    )
    assert [(d.line, d.key) for d in dict_passwords(source)] == [(2, "password")]
