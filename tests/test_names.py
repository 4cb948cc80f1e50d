"""The one folding of names (repnet.graph.names): scripts, romanisations, Russian forms, order,
patronymics. Every name here is a real public spelling pattern; the pairs are what a lookup must join."""

from __future__ import annotations

import pytest

from repnet.graph.names import browser_spec, fold, name_keys, same_name_score, skeleton


@pytest.mark.parametrize(("text", "folded"), [
    ("Łojka ", "lojka"), ("Калеснікава", "kalesnikava"), ("Statkievič", "statkievich"), ("Ціханоўская", "tsikhanouskaya"),
    ("Gomel'", "gomel"), ("  Nasta   LOIKA", "nasta loika"), ("Kovalkova-Bialiatskaya", "kovalkova bialiatskaya"),
])
def test_fold_removes_case_diacritics_and_script(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("spellings", [
    # Belarusian national, Russian-style, Łacinka, Belarusian and Russian Cyrillic
    ("Kalesnikava", "Kolesnikova", "Kalieśnikava", "Калеснікава", "Колесникова"),
    ("Babaryka", "Babariko", "Бабарыка", "Бабарико"),
    ("Tsikhanouskaya", "Tikhanovskaya", "Cichanoŭskaja", "Ціханоўская", "Тихановская"),
    ("Statkevich", "Statkievič", "Статкевіч", "Статкевич"),
    ("Bialiatski", "Byalyatski", "Бяляцкі", "Беляцкий"),
    ("Hrodna", "Grodno", "Гродна", "Гродно"),
    ("Loika", "Lojka", "Łojka", "Лойка"),
])
def test_every_spelling_of_a_name_has_one_skeleton(spellings: tuple[str, ...]) -> None:
    assert len({skeleton(s) for s in spellings}) == 1, {s: skeleton(s) for s in spellings}


def test_name_keys_ignore_order_and_patronymic() -> None:
    assert name_keys("Maryia Kalesnikava") == {"kalasnakava mara"}
    assert name_keys("Калеснікава Марыя Аляксандраўна") == {"kalasnakava mara", "alaksandrana kalasnakava mara"}
    assert name_keys("Mikalai Mikalaevich Statkevich") == {"makala statkavah", "makala makalavah statkavah"}
    assert name_keys("Статкевич Николай Николаевич") == {"nakala statkavah", "nakala nakalavah statkavah"}


def test_same_name_score() -> None:
    assert same_name_score("Мария Колесникова", "Maryia Kalesnikava") == 1.0
    assert same_name_score("Viktar Babaryka", "Бабарыка Віктар Дзмітрыевіч") == 1.0
    assert same_name_score("Maryia Kalesnikava", "Maryia Kalesnikova-Ivanova") == 0.8
    assert same_name_score("Nasta Loika", "Marfa Rabkova") < 0.5
    assert same_name_score("", "Nasta Loika") == 0.0


def test_the_browser_table_folds_each_character_as_python_does() -> None:
    spec = browser_spec()
    chars = spec["chars"]
    assert isinstance(chars, dict)
    assert chars["č"] == "ch" and chars["Щ"] == "shch" and chars["ь"] == "" and chars["ł"] == "l"
    for text in ("Калеснікава Марыя", "Statkievič", "Ціханоўская"):
        assert "".join(chars.get(c, c.lower()) for c in text) == fold(text)
