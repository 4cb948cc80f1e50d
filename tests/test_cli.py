"""The command line: exit codes, messages that name the file, record and fix; no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from repnet.cli import cli

from .conftest import MINIMAL_SOURCE, write


def invoke(runner: CliRunner, *args: str, store: Path | None = None) -> tuple[int, str, str]:
    argv = (["--store", str(store)] if store else []) + list(args)
    r = runner.invoke(cli, argv, catch_exceptions=False)
    assert "Traceback" not in r.output
    return r.exit_code, r.stdout, r.stderr


@pytest.mark.parametrize("command", [[], ["build"], ["stats"], ["validate"], ["synth"]])
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    r = runner.invoke(cli, [*command, "--help"])
    assert r.exit_code == 0
    assert r.stdout.startswith("Usage: ")
    assert "Example" in r.stdout


def test_build_then_stats(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = invoke(runner, "build", store=tmp_path)
    assert code == 0
    assert out.startswith(f"Built {tmp_path}: 2 sources, 90 records, ")
    assert "loading and validating" in err
    code, out, _ = invoke(runner, "stats", "--format", "json", store=tmp_path)
    s = json.loads(out)
    assert code == 0
    # public graphs (2 sources, the derived status periods of all sources and of the one source that
    # has any, meta, vocabulary); the restricted one is only counted
    assert s["named_graphs"] == 6
    assert (s["triples"], s["restricted_triples"], s["restricted_sources_triples"]) == (1240, 23, 0)
    assert {c["class"]: c["entities"] for c in s["classes"]}["https://schema.org/Person"] == 11
    assert [(x["source"], x["restricted_triples"] > 0) for x in s["sources"]] == [
        ("hrw-2025-12-15-belarus", True), ("wikidata-links", False)]
    code, out, _ = invoke(runner, "stats", "--format", "table", store=tmp_path)
    assert "hrw-2025-12-15-belarus" in out and "schema:Person" in out


def test_store_from_environment(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(cli, ["build"], env={"REPNET_STORE": str(tmp_path / "env-store")})
    assert r.exit_code == 0
    assert (tmp_path / "env-store" / "current").is_symlink()


def test_stats_without_a_store_says_to_build(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = invoke(runner, "stats", store=tmp_path / "none")
    assert code == 1
    assert err == f"Error: no store at {tmp_path / 'none'}.\nBuild one first (`repnet build`, or repnet.build(store=...)), or open a built store (the store argument; --store or REPNET_STORE in the CLI).\n"


def test_validate_the_shipped_data_conforms(runner: CliRunner) -> None:
    code, out, _ = invoke(runner, "validate")
    assert (code, out) == (0, "2 sources, 90 records: the data conforms to the shapes.\n")


def test_validate_usage_error_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(cli, ["validate", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 2
    assert "does not exist" in r.stderr


BROKEN = MINIMAL_SOURCE + """\
  - {id: person/b, type: Persn, name: B}
  - {id: sentence/a, type: Sentence, person: person/nobody, penalty: imprisonment, term: {years: -3}}
  - {id: sentence/b, type: Sentence, person: person/a, penalty: imprisonment, term: {years: 80}, date: 2023-02-30}
  - {id: arrest/a, type: Arrest, person: person/a, date: 2024-07-01}
"""


def test_validate_lists_every_problem_with_file_line_record_and_fix(runner: CliRunner, tmp_path: Path) -> None:
    f = write(tmp_path / "broken.yaml", BROKEN)
    code, out, err = invoke(runner, "validate", str(f))
    assert code == 1
    assert err.startswith("Error: 6 problems in the sources:\n")
    assert f"{f}, line 10, record person/b: unknown record type 'Persn' (did you mean 'Person'?)" in err
    assert (f"{f}, line 11, record sentence/a: 'person': refers to 'person/nobody', which no source defines (did you mean 'person/a'?)\n"
            "    fix: add a record with id person/nobody (type Person) to a source, or fix the id") in err
    assert f"{f}, line 11, record sentence/a: 'term': term years must be a whole number of 0 or more, got -3" in err
    assert f"{f}, line 12, record sentence/b: 'term': a term of 80 years is not plausible (more than 50); for life imprisonment use penalty: life-imprisonment without a term" in err
    assert f"{f}, line 12, record sentence/b: 'date': '2023-02-30' is an impossible date: February 2023 has 28 days" in err
    assert f"{f}, line 13, record arrest/a: 'date': 2024-07-01 is after the source was published (2024-05-01)" in err


def test_a_date_after_publication_is_rejected(runner: CliRunner, tmp_path: Path) -> None:
    f = write(tmp_path / "late.yaml", MINIMAL_SOURCE + "  - {id: arrest/a, type: Arrest, person: person/a, date: 2024-07-01}\n")
    code, _, err = invoke(runner, "validate", str(f))
    assert code == 1
    assert (f"{f}, line 10, record arrest/a: 'date': 2024-07-01 is after the source was published (2024-05-01)\n"
            "    fix: a source cannot report what happened after it: check the year") in err


def test_validate_json_output(runner: CliRunner, tmp_path: Path) -> None:
    f = write(tmp_path / "late.yaml", MINIMAL_SOURCE + "  - {id: person/c, type: Person}\n")
    code, out, _ = invoke(runner, "validate", "--format", "json", str(f))
    assert code == 1
    assert json.loads(out) == {"conforms": False, "problems": [
        {"file": str(f), "line": 10, "record": "person/c", "message": "Person needs 'name'",
         "fix": "add 'name:' (text) to the record"}]}


def test_validate_reports_shacl_violations_at_their_record(runner: CliRunner, tmp_path: Path) -> None:
    f = write(tmp_path / "s.yaml", MINIMAL_SOURCE +
              "  - {id: detention/x, type: Detention, person: person/a, detention_type: pre-trial, start: 2023-05, end: 2023-01}\n")
    code, out, _ = invoke(runner, "validate", str(f))
    assert code == 1
    assert out == ("1 violation of the SHACL shapes:\n"
                   "- It ends before it starts: the end date is earlier than the start date. Check both dates against the source.\n"
                   f"    {f}, line 10, record detention/x (value: 2023-01-31)\n")


def test_malformed_yaml_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    f = write(tmp_path / "bad.yaml", "source:\n  id: x\nrecords:\n  - {id: person/a, type: Person, name: [unclosed\n")
    code, out, err = invoke(runner, "build", str(f), store=tmp_path / "store")
    assert code == 1
    assert f"Error: 1 problem in the sources:\n{f}, line 5: invalid YAML" in err
    assert err.endswith("The store was not changed.\n")
    assert not (tmp_path / "store" / "current").exists()


def test_missing_top_level_keys(runner: CliRunner, tmp_path: Path) -> None:
    f = write(tmp_path / "x.yaml", "just: text\n")
    code, _, err = invoke(runner, "validate", str(f))
    assert code == 1
    assert f"{f}, line 1: a source file needs the top-level keys 'source' and 'records'" in err


def test_restricted_types_must_be_marked(runner: CliRunner, tmp_path: Path) -> None:
    f = write(tmp_path / "h.yaml", MINIMAL_SOURCE + "  - {id: health/a, type: HealthReport, person: person/a, condition: ill}\n")
    code, _, err = invoke(runner, "validate", str(f))
    assert code == 1
    assert "a HealthReport is sensitive and must be marked restricted" in err
    assert "fix: add 'restricted: true' to the record" in err


def test_a_failed_build_keeps_the_previous_store(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert invoke(runner, "build", store=store)[0] == 0
    before = json.loads(invoke(runner, "stats", "--format", "json", store=store)[1])
    f = write(tmp_path / "broken.yaml", BROKEN)
    code, _, err = invoke(runner, "build", str(f), store=store)
    assert code == 1 and err.endswith("The store was not changed.\n")
    after = json.loads(invoke(runner, "stats", "--format", "json", store=store)[1])
    assert after == before


def test_restricted_fields_go_to_the_restricted_graph(runner: CliRunner, tmp_path: Path) -> None:
    from repnet.graph.ingest.dataset import load_dataset

    f = write(tmp_path / "r.yaml", MINIMAL_SOURCE +
              "  - {id: person/d, type: Person, name: D, description: lives at a secret address, restricted: [description]}\n")
    quads = list(load_dataset([f]).quads())
    graphs = {q.graph_name.value for q in quads if q.predicate.value == "https://schema.org/description"}
    assert graphs == {"https://w3id.org/repnet/graph/tiny/restricted"}
    names = {q.graph_name.value for q in quads if q.predicate.value.endswith("prefLabel") and q.subject.value.endswith("/person/d")}
    assert names == {"https://w3id.org/repnet/graph/tiny"}


def test_a_restricted_source_keeps_its_description_out_of_the_public_meta_graph(tmp_path: Path) -> None:
    from repnet.graph.ingest.dataset import load_dataset

    f = write(tmp_path / "r.yaml", MINIMAL_SOURCE.replace("  terms: test data\n", "  terms: test data\n  restricted: true\n"))
    quads = list(load_dataset([f]).quads())
    assert {q.graph_name.value for q in quads if "/graph/tiny" in q.graph_name.value or "/id/" in q.subject.value} == {
        "https://w3id.org/repnet/graph/tiny/restricted"}
