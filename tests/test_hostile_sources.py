"""Hostile and malformed sources: every one refused with its file, a message and a fix, never a traceback.

The corpus (tests/fixtures/bad_sources.py) holds one source per kind of fault with the message it
must produce; the property-based tests generate further malformed sources.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repnet.cli import cli

from .conftest import write
from .fixtures.bad_sources import CASES, source


def _file(tmp_path: Path, name: str, suffix: str, content: str | bytes) -> Path:
    path = tmp_path / f"{name}{suffix}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_the_corpus_holds_150_distinct_kinds() -> None:
    names = [c[0] for c in CASES]
    assert len(names) >= 150
    assert len(set(names)) == len(names)


def test_the_corpus_base_source_is_valid(tmp_path: Path) -> None:
    path = write(tmp_path / "good.yaml", source())
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize(("name", "suffix", "content", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_source_is_refused_with_its_message(tmp_path: Path, name: str, suffix: str, content: str | bytes,
                                               expected: str) -> None:
    path = _file(tmp_path, name, suffix, content)
    t0 = time.monotonic()
    result = CliRunner().invoke(cli, ["validate", str(path)])
    took = time.monotonic() - t0
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # no exception escaped the CLI
    assert "Traceback" not in result.output
    assert f"{path}" in result.stderr
    assert expected in result.stderr
    assert "fix: " in result.stderr
    assert took < 5


def test_the_corpus_is_refused_within_1_gb_and_5_s_per_case(tmp_path: Path) -> None:
    """All cases in one fresh process (so its peak memory is theirs alone): each refused, the
    slowest within 5 s, the process never above 1 GB."""
    script = f"""
import json, sys, time
from pathlib import Path
from click.testing import CliRunner
from repnet.cli import cli
from repnet.tests.fixtures.bad_sources import CASES
out, slowest = {{}}, 0.0
for name, suffix, content, expected in CASES:
    p = Path({str(tmp_path)!r}) / (name + suffix)
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    t0 = time.monotonic()
    r = CliRunner().invoke(cli, ["validate", str(p)])
    slowest = max(slowest, time.monotonic() - t0)
    out[name] = r.exit_code == 1 and expected in r.stderr and "Traceback" not in r.output
import resource
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({{"ok": sum(out.values()), "n": len(out), "slowest": slowest, "peak_kb": peak_kb}}))
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["ok"] == report["n"] == len(CASES)
    assert report["slowest"] < 5
    assert report["peak_kb"] < 1024 * 1024


# --------------------------------------------------------------------------------- fuzzing
# values a hostile file may hold: control characters, odd Unicode, wrong types, deep structures
_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
# floats as JSON writes them with a '.': YAML 1.1 reads 5e-324 (no dot) as text, JSON as a number
_floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: "e" not in json.dumps(f))
_values = st.recursive(st.none() | st.booleans() | st.integers() | _floats | _text,
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                       max_leaves=6)


def _good_text(v: object) -> bool:
    from repnet.graph.ingest.safeyaml import control_char

    return isinstance(v, str) and bool(v.strip()) and control_char(v) is None and not any(c in v for c in "\t\r\n")


def _doc() -> dict:
    return {"source": {"id": "tiny", "title": "T", "publisher": "org/tester", "published": "2024-05-01", "terms": "t"},
            "records": [{"id": "org/tester", "type": "Organization", "name": "Tester"},
                        {"id": "person/a", "type": "Person", "name": "A", "note": "n"}]}


def _inject(where: str, value: object) -> dict:
    """The valid document with one bad value put in ``where``."""
    d = _doc()
    if where.startswith("source."):
        d["source"][where[7:]] = value
    elif where == "top-level":
        d[str(value)] = 1
    elif where == "record.field":
        d["records"][1][f"x{value}"] = 1  # a field Person does not have
    else:
        d["records"][1][where[7:]] = value
    return d


def _is_bad(where: str, v: object) -> bool:
    from repnet.graph.ingest.records import KEY, RESERVED_SOURCE_IDS, SOURCE_ID, is_url

    if where in ("source.title", "record.name"):
        return not _good_text(v)
    if where == "source.id":
        return not (isinstance(v, str) and SOURCE_ID.fullmatch(v) and v not in RESERVED_SOURCE_IDS)
    if where == "record.id":
        return not (isinstance(v, str) and v.startswith("person/") and KEY.fullmatch(v[7:]) and v != "person/a")
    if where in ("source.url", "source.license"):
        return v is not None and not is_url(v)
    if where == "top-level":
        return str(v) not in ("source", "records")
    if where in ("record.note", "source.terms"):  # line breaks and tabs allowed (records.MULTILINE_FIELDS)
        return not (isinstance(v, str) and v.strip()) or not _good_text(v.translate({ord(c): " " for c in "\n\r\t"}))
    return True


_WHERE = ["source.title", "source.terms", "source.id", "source.url", "source.license", "top-level", "record.field",
          "record.name", "record.id", "record.note"]


def _dump(doc: dict, suffix: str, escape: bool) -> str:
    # JSON is YAML too; unescaped, control characters reach the YAML reader as raw characters
    return json.dumps(doc, ensure_ascii=escape, indent=1 if suffix == ".yaml" else None)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(_WHERE), value=_values, suffix=st.sampled_from([".yaml", ".json"]), escape=st.booleans())
def test_fuzzed_bad_value_is_refused_naming_the_file(fuzz_dir: Path, where: str, value: object, suffix: str,
                                                      escape: bool) -> None:
    from hypothesis import assume

    assume(_is_bad(where, value))
    path = fuzz_dir / f"fuzz{suffix}"
    path.write_text(_dump(_inject(where, value), suffix, escape), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code in (1, 2), (result.output, path.read_text())
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert str(path) in result.stderr


_FRAGMENTS = ["&a ", "*a", "!!python/object:os.system ", "!x ", "<<: ", "? ", "\n---\n", "%YAML 1.1\n", "{", "[", "]",
              "}", ":", "- ", "\t", '"', "'", "\x00", "\x1b", "\u2028", "\ufeff", "#", "|", ">", "~", "\\e", "@", "`"]


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(_FRAGMENTS) | _text, st.booleans()),
                      min_size=1, max_size=4))
def test_fuzzed_mangled_yaml_never_ends_in_a_traceback(fuzz_dir: Path, edits: list[tuple[int, str, bool]]) -> None:
    """Random insertions and deletions in a valid source: accepted (rarely) or refused naming the
    file; never a traceback."""
    text = source()
    for pos, frag, delete in edits:
        pos %= len(text) + 1
        text = text[:pos] + text[pos + len(frag):] if delete else text[:pos] + frag + text[pos:]
    path = fuzz_dir / "mangled.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code in (0, 1, 2)
    assert isinstance(result.exception, SystemExit) or result.exception is None
    assert "Traceback" not in result.output
    if result.exit_code:
        assert str(path) in result.stderr


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-store")
    good = write(root.parent / "good-source.yaml", source())
    result = CliRunner().invoke(cli, ["--store", str(root), "build", str(good)])
    assert result.exit_code == 0, result.output
    return root


def _snapshot(root: Path) -> tuple[str, list[str]]:
    return os.readlink(root / "current"), sorted(p.name for p in root.iterdir())


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(_WHERE), value=_values)
def test_fuzzed_bad_source_leaves_the_store_unchanged(built_store: Path, where: str, value: object) -> None:
    from hypothesis import assume

    assume(_is_bad(where, value))
    before = _snapshot(built_store)
    path = built_store.parent / "bad-source.yaml"
    path.write_text(_dump(_inject(where, value), ".yaml", True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--store", str(built_store), "build", str(path)])
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output
    assert str(path) in result.stderr and "The store was not changed." in result.stderr
    assert _snapshot(built_store) == before


# ------------------------------------------------------------------ findings of issue 16, exactly
def test_reserved_source_id_meta_is_refused_by_build_naming_file_and_line(built_store: Path) -> None:
    before = _snapshot(built_store)
    path = write(built_store.parent / "meta.yaml", source({"id": "meta"}))
    result = CliRunner().invoke(cli, ["--store", str(built_store), "build", str(path)])
    assert result.exit_code == 1
    assert (f"{path}, line 2: source id 'meta' is reserved: the store uses the graph <base>graph/meta itself"
            in result.stderr)
    assert _snapshot(built_store) == before


def test_a_public_record_naming_a_person_of_a_restricted_source_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.yaml", source({"id": "secret", "restricted": "true"},
                                                      ["{id: person/hidden, type: Person, name: Hidden}"]))
    public = write(tmp_path / "public.yaml", source(
        {"id": "public"}, ["{id: observation/o, type: StatusObservation, person: person/hidden, status: imprisoned, "
                           "as_of: 2024-01-01}"]).replace("  - {id: org/tester, type: Organization, name: Tester}\n"
                                                          "  - {id: person/a, type: Person, name: Person A}\n", "")
)
    result = CliRunner().invoke(cli, ["validate", str(secret), str(public)])
    assert result.exit_code == 1
    assert (f"{public}, line 8, record observation/o: 'person': refers to 'person/hidden', which is restricted "
            "(every record of it is), so this public fact would publish its key") in result.stderr


def test_a_restricted_field_may_name_a_restricted_person(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", source(records=[
        "{id: person/hidden, type: Person, name: Hidden, restricted: true}",
        "{id: observation/o, type: StatusObservation, person: person/hidden, status: imprisoned, as_of: 2024-01-01, "
        "restricted: [person]}"]))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.stderr == ""
    assert result.exit_code == 0


@pytest.mark.parametrize(("meta", "extra", "expected"), [
    ({"id": "vocabulary"}, "", "line 2: source id 'vocabulary' is reserved"),
    ({"title": "[a, b]"}, "", "line 3: source title must be text, got a list"),
    ({"publisher": "org/nobody"}, "", "line 4: publisher 'org/nobody' is not an Organization"),
    ({"published": "2023-02-30"}, "", "line 5: source published: '2023-02-30' is an impossible date"),
    ({"language": "english"}, "", "line 7: language 'english' is not a BCP 47 tag"),
    ({}, "notes: hello\n", "line 10: unknown top-level key 'notes'"),
])
def test_metadata_problems_point_at_their_key(tmp_path: Path, meta: dict[str, str], extra: str, expected: str) -> None:
    path = write(tmp_path / "s.yaml", source(meta, extra=extra))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}, {expected}" in result.stderr


def _fields() -> list[tuple[str, str]]:
    from repnet.ontology.resources import mapping

    m = mapping()
    return sorted((t, f) for t, spec in m.types.items() for f in [*spec.fields, *m.common])


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(_fields()), value=_values)
def test_fuzzed_any_field_of_any_record_type_never_ends_in_a_traceback(fuzz_dir: Path, field: tuple[str, str],
                                                                       value: object) -> None:
    """Every field's value is type-checked before use: whatever it holds, `validate` answers with
    exit code 0 or 1 and a message, never a traceback."""
    from repnet.ontology.resources import mapping

    rtype, name = field
    d = _doc()
    d["records"].append({"id": f"{mapping().types[rtype].segment}/fuzz", "type": rtype, name: value})
    path = fuzz_dir / "any-field.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert isinstance(result.exception, SystemExit) or result.exception is None
    assert "Traceback" not in result.output


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from([f for t, f in _fields() if t == "Person"]), value=_values | st.lists(_text, max_size=3))
def test_fuzzed_person_field_reaches_rdf_or_is_refused(fuzz_dir: Path, name: str, value: object) -> None:
    """A valid person with one fuzzed field: the values the checker lets through are turned into
    RDF and validated by the shapes without a traceback."""
    d = _doc()
    d["records"][1][name] = value
    path = fuzz_dir / "person-field.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert isinstance(result.exception, SystemExit) or result.exception is None
    assert "Traceback" not in result.output
