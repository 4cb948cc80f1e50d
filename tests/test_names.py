"""The one folding of names (repnet.graph.names): scripts, romanisations, Russian forms, order,
patronymics. Every name here is a real public spelling pattern; the pairs are what a lookup must join."""

from __future__ import annotations

import pytest

from repnet.graph.names import GIVEN, browser_spec, fold, name_keys, name_words, same_name_score, skeleton


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
    # Николай is Мікалай (graph/given-names.yaml); the patronymic keeps its Russian form
    assert name_keys("Статкевич Николай Николаевич") == {"makala statkavah", "makala nakalavah statkavah"}


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


@pytest.mark.parametrize(("belarusian", "russian"), [
    ("Volha", "Olga"), ("Вольга", "Ольга"), ("Mikalai", "Nikolay"), ("Мікалай", "Николай"), ("Aliaksandr", "Alexander"),
    ("Аляксандр", "Александр"), ("Uladzimir", "Vladimir"), ("Katsiaryna", "Ekaterina"), ("Hanna", "Анна"),
    ("Yauhen", "Evgeny"), ("Hienadz", "Gennady"), ("Ryhor", "Grigory"), ("Anatol", "Анатолий"), ("Vasil", "Vasily"),
])
def test_belarusian_and_russian_forms_of_a_given_name_are_one_word(belarusian: str, russian: str) -> None:
    assert skeleton(belarusian) == skeleton(russian)


def test_given_names_join_full_names_but_not_other_names() -> None:
    assert name_keys("Volha Sharapanava") == name_keys("Шарапанова Ольга") == {"sarapanava valha"}
    assert same_name_score("Uladzimir Hundar", "Владимир Гундарь") == 1.0
    assert same_name_score("Volha Kalesnik", "Hanna Kalesnik") < 0.9  # two given names stay two


def test_the_given_names_table_has_one_word_per_row() -> None:
    # every form of a row is one word, and no form is written as the word of another row
    from importlib.resources import files

    import yaml

    rows = yaml.safe_load(files("repnet.graph").joinpath("given-names.yaml").read_text(encoding="utf-8"))
    assert len(rows) == 46
    for row in rows:
        assert {GIVEN.get(skeleton(f), skeleton(f)) for f in row} == {skeleton(row[0])}, row
    assert len(set(GIVEN.values())) == 46


def test_name_words_are_the_surname_and_other_words_not_given_names_or_patronymics() -> None:
    assert name_words("Калеснікава Марыя Аляксандраўна") == {"kalasnakava"}
    assert name_words("Mikalai Statkevich") == {"statkavah"}  # -evich is a surname here: two words have no patronymic
    assert name_words("Nasta Loika") == {"nasta", "laka"}  # Nasta is not in the table
    assert name_words("Maria") == set()
