"""CLI polish (issue 14): clean errors for bad paths, outputs written whole or not at all, shared
options after the subcommand, CSV when piped, query formats per form, no prompt without a
terminal, progress bars only on a terminal, shell completion, messages naming our options."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.errors import UsageError
from repnet.graph.progressbar import ProgressBar
from repnet.graph.store.embedded import EmbeddedStore

CANNOT = "Choose a path in an existing directory you can write to (the file is written whole or not at all).\n"
BAR_CHARS = ("█", "%|", "it/s", "\r")


@pytest.fixture
def run(belarus_store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Invoke repnet (stdout and stderr are not terminals here); --store is given by each test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("REPNET_PASSWORD", raising=False)
    monkeypatch.delenv("REPNET_STORE", raising=False)

    def invoke(*args: str) -> tuple[int, str, str]:
        r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert "Traceback" not in r.output
        return r.exit_code, r.stdout, r.stderr

    return invoke


@pytest.fixture
def store(belarus_store: EmbeddedStore) -> str:
    return str(belarus_store.location)


# ------------------------------------------------------------------ 1. bad paths, atomic outputs
@pytest.mark.parametrize("args, path", [
    (["export", "trig", "-o", "/nonexistent/x.trig"], "/nonexistent/x.trig"),
    (["export", "csv", "-o", "/proc/x"], "/proc/x"),
    (["export", "gexf", "-o", "/nonexistent/x.gexf"], "/nonexistent/x.gexf"),
    (["export", "network-csv", "-o", "/proc/x"], "/proc/x"),
    (["synth", "--persons", "10", "-o", "/proc/x"], "/proc/x"),
])
def test_an_unwritable_output_is_a_usage_error_naming_the_path(run, store: str, args: list[str], path: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("--store", store, *args)
    assert (code, out) == (2, "")
    assert err == f"Error: cannot write {path}: No such file or directory. {CANNOT}"


def test_a_missing_store_is_a_message(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("stats", "--store", str(tmp_path / "none"))
    assert (code, out) == (1, "")
    assert err == (f"Error: no store at {tmp_path / 'none'}.\n"
                   "Build one first (`repnet build`, or repnet.build(store=...)), or open a built store (the store argument; --store or REPNET_STORE in the CLI).\n")


def test_an_export_failing_midway_keeps_the_previous_file_and_leaves_no_part_file(
        run, store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out" / "x.trig"
    target.parent.mkdir()
    target.write_text("previous export\n")

    def failing(self: object, graph: str, output: io.BufferedIOBase, *args: object, **kw: object) -> None:
        output.write(b"@prefix half: <urn:half> .\n")
        raise OSError(28, "No space left on device")

    from repnet.graph.store.embedded import EmbeddedStore

    monkeypatch.setattr(EmbeddedStore, "dump_graph", failing)  # TriG is written from Oxigraph's dumps
    code, out, err = run("--store", store, "export", "trig", "-o", str(target))
    assert (code, out) == (2, "")
    assert err == f"Error: cannot write {target}: No space left on device. {CANNOT}"
    assert target.read_text() == "previous export\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.trig"]


def test_a_csv_export_failing_midway_keeps_the_previous_tables(
        run, store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from repnet.graph import csvsafe

    out_dir = tmp_path / "tables"
    assert run("--store", store, "export", "csv", "-o", str(out_dir))[0] == 0
    before = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    calls = {"n": 0}
    real = csvsafe.Writer.writerow

    def fail_late(self: csvsafe.Writer, row: list[object]) -> None:
        calls["n"] += 1
        if calls["n"] == 30:
            raise OSError(28, "No space left on device")
        real(self, row)

    monkeypatch.setattr(csvsafe.Writer, "writerow", fail_late)
    code, _, err = run("--store", store, "export", "csv", "-o", str(out_dir))
    assert code == 2 and err.startswith(f"Error: cannot write {out_dir}/")
    assert {p.name: p.read_bytes() for p in out_dir.iterdir()} == before


# ------------------------------------------------------------------ 2. shared options after the subcommand
def test_group_options_work_after_the_subcommand(run, store: str) -> None:  # type: ignore[no-untyped-def]
    before = run("--store", store, "stats", "--format", "json")
    after = run("stats", "--store", store, "--format", "json")
    assert before == after and before[0] == 0
    code, out, err = run("query", "-q", "sentences", "--store", store, "--format", "csv")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "person,personLabel,court,courtLabel,date,years,charges,source,status"
    code, _, err = run("stats", "--store", store, "--include-restricted", "--format", "json")
    assert code == 0 and err.startswith("warning: --include-restricted: output includes RESTRICTED facts")


def test_raw_csv_after_the_subcommand(run, store: str) -> None:  # type: ignore[no-untyped-def]
    q = "SELECT ?x WHERE { BIND('=1+1' AS ?x) }"
    assert run("--store", store, "query", "-e", q, "--format", "csv")[1] == "x\n'=1+1\n"
    assert run("query", "-e", q, "--format", "csv", "--store", store, "--raw-csv")[1] == "x\n=1+1\n"


# ------------------------------------------------------------------ 3. CSV when piped, --format wins
def test_stats_is_csv_when_piped_and_a_table_on_request(run, store: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("stats", "--store", store)
    assert code == 0
    assert out.splitlines()[0] == "kind,name,count"
    assert "class,https://schema.org/Person,11" in out.splitlines()
    code, out, _ = run("stats", "--store", store, "--format", "table")
    assert code == 0 and out.startswith(f"Store: {store}\nTriples: 1,240 in 6 named graphs")


def test_analyze_is_csv_when_piped_and_a_table_on_request(run, store: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("analyze", "judges", "--store", store, "--kind", "court")
    assert code == 0
    assert out.splitlines()[:2] == ["rank,kind,label,court,persons,sentences,total_years,node",
                                    "1,court,Minsk City Court,,1,1,7.0,https://w3id.org/repnet/id/org/minsk-city-court"]
    code, out, _ = run("analyze", "judges", "--store", store, "--kind", "court", "--format", "table")
    assert code == 0 and out.splitlines()[0].split() == ["rank", "kind", "label", "court", "persons", "sentences",
                                                         "total_years"]


def test_query_is_csv_when_piped(run, store: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("query", "sources", "--store", store)
    assert code == 0 and out.startswith("source,")
    code, out, _ = run("query", "sources", "--store", store, "--format", "table")
    assert code == 0 and out.startswith("source ") and out.endswith("(2 rows)\n")


def test_help_texts_say_what_piping_does() -> None:
    for args in (["stats"], ["analyze", "judges"], ["query"]):
        out = " ".join(CliRunner().invoke(cli, [*args, "--help"]).stdout.split())
        assert "csv when stdout is piped or redirected" in out or "csv (default when stdout is piped or redirected)" in out, args


# ------------------------------------------------------------------ 4. formats per query form
CONSTRUCT = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 2"


def test_a_table_format_for_a_construct_is_an_error_listing_the_rdf_formats(run, store: str) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("csv", "tsv"):
        code, out, err = run("query", "--store", store, "-e", CONSTRUCT, "--format", fmt)
        assert (code, out) == (2, "")
        assert err == (f"Error: --format '{fmt}' does not fit a CONSTRUCT, which gives RDF: use one of "
                       "turtle, ntriples, nquads, trig, jsonld, rdfxml\n")
    code, out, err = run("query", "--store", store, "-e", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "turtle")
    assert (code, out) == (2, "")
    assert err == "Error: --format 'turtle' does not fit a SELECT, which gives a table: use one of table, csv, tsv, json, xml\n"


def test_a_construct_piped_without_format_gives_turtle(run, store: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("query", "--store", store, "-e", CONSTRUCT)
    assert code == 0
    assert len(list(ox.parse(out.encode(), format=ox.RdfFormat.TURTLE))) == 2
    assert run("query", "--store", store, "-e", "ASK { ?s ?p ?o }")[1] == "true\n"


# ------------------------------------------------------------------ 5. no prompt without a terminal
def test_push_without_password_and_terminal_fails_naming_the_variable(run, store: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("--store", store, "push", "http://127.0.0.1:9/sparql-graph-crud-auth", "--user", "dba")
    assert (code, out) == (2, "")
    assert err == ("Error: no password for dba: set the environment variable REPNET_PASSWORD (standard input is "
                   "not a terminal, so repnet cannot ask for it).\n")


# ------------------------------------------------------------------ 6. progress
def test_no_bar_when_stderr_is_not_a_terminal(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("--store", str(tmp_path / "s"), "build")
    assert code == 0 and out.startswith(f"Built {tmp_path / 's'}: 2 sources, 90 records")
    assert not any(c in err for c in BAR_CHARS)
    lines = err.splitlines()
    assert lines[:2] == ["reading and checking sources ...", "90 records checked; loading and validating ..."]
    assert all(line.endswith(" triples loaded ...") for line in lines[2:]) and len(lines) > 2
    code, _, err = run("--store", str(tmp_path / "s"), "-q", "build")
    assert code == 0 and err == ""
    code, _, err = run("synth", "--persons", "250", "--per-file", "100", "-o", str(tmp_path / "syn"))
    assert code == 0 and err.splitlines() == ["  100 persons written ...", "  200 persons written ...",
                                             "  250 persons written ..."]


def test_export_says_nothing_but_its_summary_without_a_terminal(run, store: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("--store", store, "export", "nquads", "-o", str(tmp_path / "x.nq"))
    assert code == 0
    assert re.fullmatch(rf"Wrote 1,383 quads to {re.escape(str(tmp_path / 'x.nq'))} \([\d,]+ bytes, [\d.]+ s\); "
                        r"public graphs only\.\n", err)


def test_the_bar_reports_done_of_total_on_a_terminal() -> None:
    stream = io.StringIO()
    with ProgressBar(stream=stream, terminal=True) as bar:
        assert bar.callback is bar
        for done in range(0, 11):
            bar("loading records", done, 10)
            bar._bar.refresh()  # tqdm draws at most every 0.2 s; draw each step here
        bar("loaded triples", 1234)  # no total: shown beside the running bar
        bar._bar.refresh()
        bar("validating", 3, 4)
        bar._bar.refresh()
    text = stream.getvalue()
    assert "loading records:  50%" in text and "5/10" in text and "10/10" in text
    assert "loaded triples 1,234" in text
    assert "validating:  75%" in text and "3/4" in text


def test_no_bar_and_only_given_lines_without_a_terminal() -> None:
    stream = io.StringIO()
    with ProgressBar(stream=stream, terminal=False, lines={"a": lambda done, total: f"{done} of {total}"}) as bar:
        bar("a", 1, 2)
        bar("b", 1, 2)
    assert stream.getvalue() == "1 of 2\n"
    with ProgressBar(stream=stream, quiet=True, terminal=True, lines={"a": lambda d, t: "x"}) as bar:
        assert bar.callback is None
    assert ProgressBar(stream=io.StringIO(), terminal=False).callback is None


def test_export_rdf_reports_quads_written_of_total(belarus_store: EmbeddedStore) -> None:
    from repnet.graph.publish.export import export_rdf

    seen: list[tuple[str, int, int | None]] = []
    n = export_rdf(belarus_store, "nquads", io.BytesIO(), description=False,
                   progress=lambda stage, done, total=None: seen.append((stage, done, total)))
    assert n == len(belarus_store)
    assert seen[-1] == ("writing quads", n, n)  # after each graph, of all the visible quads
    done = [d for _, d, _ in seen]
    assert done == sorted(done) and len(set(done)) > 1 and {t for _, _, t in seen} == {n}


def test_build_reports_every_stage_with_totals(tmp_path: Path) -> None:
    from repnet.graph.ingest.build import build

    seen: list[tuple[str, int, int | None]] = []
    build(None, tmp_path / "s", progress=lambda stage, done, total=None: seen.append((stage, done, total)))
    stages = list(dict.fromkeys(s for s, _, _ in seen))
    assert stages == ["reading files", "checking records", "loaded triples", "loading records", "deriving", "indexing", "validating"]
    assert [x for x in seen if x[0] == "reading files"] == [("reading files", 0, 2), ("reading files", 1, 2),
                                                             ("reading files", 2, 2)]
    assert [x for x in seen if x[0] == "checking records"] == [("checking records", 0, 90), ("checking records", 90, 90)]
    assert [x for x in seen if x[0] == "loading records"][-1] == ("loading records", 90, 90)
    validating = [x for x in seen if x[0] == "validating"]
    assert validating[0][1] == 0 and validating[-1][1] == validating[-1][2] > 0


# ------------------------------------------------------------------ 7. completion
@pytest.mark.parametrize("shell, marker", [("bash", "_REPNET_COMPLETE=bash_complete"),
                                           ("zsh", "_REPNET_COMPLETE=zsh_complete"),
                                           ("fish", "_REPNET_COMPLETE=fish_complete")])
def test_completion_prints_the_shell_script(shell: str, marker: str) -> None:
    r = CliRunner().invoke(cli, ["completion", shell])
    assert r.exit_code == 0 and marker in r.stdout


def test_completion_completes_subcommands_and_options() -> None:
    from click.shell_completion import ShellComplete

    names = [c.value for c in ShellComplete(cli, {}, "repnet", "_REPNET_COMPLETE").get_completions(["export"], "t")]
    assert names == ["trig", "turtle"]
    opts = [c.value for c in ShellComplete(cli, {}, "repnet", "_REPNET_COMPLETE").get_completions(["stats"], "--st")]
    assert opts == ["--store"]


# ------------------------------------------------------------------ 8. the library names arguments, the CLI flags
def test_library_messages_name_arguments_and_the_cli_names_flags(run, store: str, belarus_store: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    from repnet.graph.ask import query as q

    saved = q.saved_queries()["detained-on"]
    with pytest.raises(UsageError) as e:
        q.prepare(belarus_store, saved.text, {"date": "2024-01"}, saved)
    assert (str(e.value), e.value.argument) == ("param date='2024-01': give a day, YYYY-MM-DD", "params")
    code, _, err = run("--store", store, "query", "detained-on", "-p", "date=2024-01")
    assert (code, err) == (2, "Error: --param date='2024-01': give a day, YYYY-MM-DD\n")


def test_push_method_message_names_the_option(run, store: str) -> None:  # type: ignore[no-untyped-def]
    from repnet.graph.publish.push import push
    from repnet.graph.store import open_store

    with pytest.raises(UsageError) as e:
        push(open_store(store), "http://127.0.0.1:9/other", method="gsp")
    assert "Use method='update'" in str(e.value) and e.value.argument == "method"
    code, _, err = run("--store", store, "push", "http://127.0.0.1:9/other")
    assert code == 2 and "Use --method update, or set REPNET_GSP_URL" in err


def test_no_stray_part_files_after_a_good_export(run, store: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for args in (["export", "turtle", "-o", str(tmp_path / "a.ttl")], ["export", "csv", "-o", str(tmp_path / "t")],
                 ["export", "graphml", "-o", str(tmp_path / "n.graphml")]):
        assert run("--store", store, *args)[0] == 0
    names = sorted(os.path.relpath(os.path.join(d, f), tmp_path) for d, _, fs in os.walk(tmp_path) for f in fs
                   if "cache" not in d)
    assert names == ["a.ttl", "n.graphml", "t/detentions.csv", "t/persons.csv", "t/releases.csv", "t/sentences.csv",
                     "t/sources.csv"]
