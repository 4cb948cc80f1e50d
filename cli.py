"""The `repnet` command line: thin commands over the library in repnet.graph."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from . import __version__
from .graph.errors import RepnetError, SourceError, UsageError
from .graph.progressbar import Lines, ProgressBar, is_terminal

STORE_HELP = "Store directory (default: $XDG_DATA_HOME/repnet/store). Env: REPNET_STORE."
QUIET_HELP = "No progress bars or progress messages on stderr (there are no bars when stderr is not a terminal)."
RESTRICTED_HELP = "Let reads see restricted facts (health, ill-treatment, ...). Default: public graphs only."
RAW_CSV_HELP = ("CSV/TSV output exactly as stored: no apostrophe before cells a spreadsheet would evaluate "
                "(=, +, -, @ ...). Env: REPNET_RAW_CSV.")


class Ctx:
    """What the shared options say, given before the subcommand (`repnet --store DIR stats`) or after it."""

    def __init__(self, store: str | None, quiet: bool, include_restricted: bool = False, raw_csv: bool = False):
        self.store = store
        self.raw_csv = raw_csv
        self.quiet = quiet
        self.include_restricted = False
        if include_restricted:
            self.restrict()

    def restrict(self) -> None:
        """Let reads see restricted facts, and say so on stderr (once)."""
        if not self.include_restricted:
            click.echo("warning: --include-restricted: output includes RESTRICTED facts (health, ill-treatment, "
                       "private details); do not publish it.", err=True)
        self.include_restricted = True

    def open(self) -> Any:
        """The store, public graphs only unless --include-restricted."""
        from .graph.store import open_store

        return open_store(self.store, include_restricted=self.include_restricted)

    def bar(self, lines: Lines | None = None) -> ProgressBar:
        """A progress bar on stderr (a terminal), else only ``lines``; nothing with -q."""
        return ProgressBar(quiet=self.quiet, lines=lines)


# ------------------------------------------------------------------ shared options, before or after the subcommand
def _keep_shared(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Store a shared option given after the subcommand into the context object (it wins over the group's)."""
    if value is None or value is False:
        return
    obj = ctx.find_object(Ctx)
    if obj is None:  # pragma: no cover - the group always makes one
        return
    if param.name == "include_restricted":
        obj.restrict()
    else:
        setattr(obj, str(param.name), value)


def _shared_params() -> list[click.Parameter]:
    """--store, -q, --include-restricted and --raw-csv for a subcommand (no environment variables
    here: those are read once, by the group)."""
    return [
        click.Option(["--store"], metavar="DIR", expose_value=False, callback=_keep_shared,
                     help="Store directory or SPARQL URL; the same as `repnet --store`."),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_keep_shared, help=QUIET_HELP),
        click.Option(["--include-restricted"], is_flag=True, expose_value=False, callback=_keep_shared,
                     help=RESTRICTED_HELP),
        click.Option(["--raw-csv"], is_flag=True, expose_value=False, callback=_keep_shared,
                     help="CSV/TSV output exactly as stored (see `repnet --help`)."),
    ]


def _add_shared(command: click.Command) -> None:
    """Give ``command`` the shared options it does not define itself (export's own --include-restricted stays)."""
    taken = {opt for p in command.params for opt in getattr(p, "opts", [])}
    command.params.extend(p for p in _shared_params() if not set(p.opts) & taken)


class RepnetCommand(click.Command):
    """A subcommand that also takes the group's options: `repnet stats --store DIR` = `repnet --store DIR stats`."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _add_shared(self)


# library argument -> (how its messages name it, how the CLI names the option); see UsageError.argument
FLAG_NAMES: dict[str, tuple[str, str]] = {
    "params": (r"\bparam (\S+?)=", r"--param \1="),
    "fmt": (r"\bformat '", "--format '"),
    "method": (r"\bmethod='([\w-]+)'", r"--method \1"),
}


# library argument -> option, where the option is not the argument's name with dashes
OPTION_OF = {"start": "--from", "end": "--to", "kinds": "--by"}


def cli_message(e: RepnetError) -> str:
    """The error's message, naming our options where the library named its arguments.

    ``UsageError.argument`` names the arguments a message is about (comma-separated): a message
    that says ``by='x'`` or ``min_shared must ...`` is shown as ``--by 'x'``, ``--min-shared must ...``.
    """
    text = str(e)
    for arg in (getattr(e, "argument", None) or "").split(","):
        if arg in FLAG_NAMES:
            pattern, repl = FLAG_NAMES[arg]
            text = re.sub(pattern, repl, text, count=1)
        elif arg:
            flag = OPTION_OF.get(arg, "--" + arg.replace("_", "-"))
            text = re.sub(rf"(?<![\w-]){re.escape(arg)}(=| )", flag.replace("\\", "\\\\") + " ", text, count=1)
    return text


class RepnetGroup(click.Group):
    """Turns RepnetError (and an OSError that escaped) into a message and an exit code, never a traceback."""

    command_class = RepnetCommand
    group_class = type  # subgroups are RepnetGroups too

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _add_shared(self)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RepnetError as e:
            click.echo(f"Error: {cli_message(e)}", err=True)
            ctx.exit(e.exit_code)
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            click.echo(f"Error: {where}{e.strerror or e}.", err=True)
            ctx.exit(1)


@click.group(cls=RepnetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", envvar="REPNET_STORE", default=None, metavar="DIR", help=STORE_HELP)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@click.option("--include-restricted", is_flag=True, help=RESTRICTED_HELP)
@click.option("--raw-csv", is_flag=True, envvar="REPNET_RAW_CSV", help=RAW_CSV_HELP)
@click.version_option(__version__, prog_name="repnet")
@click.pass_context
def cli(ctx: click.Context, store: str | None, quiet: bool, include_restricted: bool, raw_csv: bool) -> None:
    """repnet: a knowledge graph of political-repression networks.

    Sources (data/*.yaml, one file per source document) are checked, turned into RDF with one
    named graph per source, validated against SHACL shapes and stored in an embedded Oxigraph
    store.

    The options above may also follow the subcommand (`repnet stats --store DIR`). Tables go to
    a terminal; when stdout is piped or redirected, query, stats and analyze write CSV unless
    --format says otherwise. Progress bars (with time left) appear on stderr when it is a
    terminal, never with -q. Shell completion: `repnet completion bash|zsh|fish`.

    \b
    Examples:
        repnet build                  # the shipped data -> the default store
        repnet stats                  # what the store holds
        repnet --store /tmp/s build my-sources/
        repnet stats --store /tmp/s --format json
    """
    ctx.obj = Ctx(store, quiet, include_restricted, raw_csv)


base_option = click.option("--base", envvar="REPNET_BASE", default=None, metavar="IRI",
                           help="Base IRI for minted entity and graph IRIs (default https://w3id.org/repnet/). Env: REPNET_BASE.")
FORMAT_HELP = "Output format. Default: table on a terminal, csv when stdout is piped or redirected."
format_option = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default=None,
                             help=FORMAT_HELP)
validate_format_option = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]),
                                      default="table", show_default=True, help="Output format (json: the problems as JSON).")


def output_format(fmt: str | None) -> str:
    """An explicit --format, else table on a terminal and csv when stdout is piped or redirected."""
    return fmt or ("table" if is_terminal(sys.stdout) else "csv")


@contextlib.contextmanager
def output_file(path: str) -> Iterator[IO[bytes]]:
    """stdout for '-', else ``path`` written whole or not at all (:mod:`repnet.graph.files`)."""
    if path == "-":
        yield sys.stdout.buffer
        return
    from .graph.files import atomic_output

    with atomic_output(path, "wb") as f:
        yield f


# what a build says when stderr is not a terminal (no bar): the phase lines it has always printed
BUILD_LINES: Lines = {
    "reading files": lambda done, total: "reading and checking sources ..." if done == 0 else None,
    "checking records": lambda done, total: (f"{done:,} records checked; loading and validating ..."
                                             if done == total else None),
    "loaded triples": lambda done, total: f"  {done:,} triples loaded ...",
}


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@base_option
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="SHACL engine: shapes compiled to SPARQL in Oxigraph, or pySHACL (slow, reference).")
@click.option("--full", is_flag=True,
              help="Build from scratch even when only some source files changed since the last build.")
@click.pass_obj
def build(obj: Ctx, paths: tuple[Path, ...], base: str | None, engine: str, full: bool) -> None:
    """Build the store from source files (default: the packaged data/).

    Reads and checks every source, writes one named graph per source, validates the result
    against ontology/shapes.ttl and only then replaces the store. On any error the previous
    store stays as it was.

    When the store was built by this repnet from mostly the same files, only the files that
    changed are read and the store is updated incrementally, to the same contents as a full
    build (--full always builds from scratch).

    \b
    Example:
        repnet build
        repnet --store ./store build data/ more-sources/
    """
    from .graph.ingest.build import build as run

    t0 = time.perf_counter()
    try:
        with obj.bar(BUILD_LINES) as bar:
            r = run(paths or None, obj.store, base, engine, progress=bar.callback, full=full)
    except RepnetError as e:
        e.args = (f"{e}\nThe store was not changed.",)
        raise
    how = "" if not r.incremental else (
        f" incrementally ({r.changed} changed source{'s' if r.changed != 1 else ''} read"
        + (f", {r.removed} removed" if r.removed else "") + ")")
    click.echo(f"Built {r.store}{how}: {r.sources} sources, {r.records:,} records, {r.quads:,} triples "
               f"in {time.perf_counter() - t0:.2f} s (read {r.seconds_read:.2f} s; checked, loaded and validated "
               f"{r.seconds_load_validate:.2f} s).")


@cli.command()
@format_option
@click.pass_obj
def stats(obj: Ctx, fmt: str | None) -> None:
    """Show what the store holds: triples, named graphs, entities per class, sources.

    A table on a terminal; CSV (kind, name, count) when stdout is piped or redirected, unless
    --format says otherwise.

    \b
    Example:
        repnet stats
        repnet stats --format json
        repnet stats --store ./store > counts.csv
    """
    from .graph.ask.stats import stats as compute
    from .graph.output import render
    from .graph.store import open_store

    # what is shown comes from the public graphs (unless --include-restricted); the full store only
    # adds how many triples are restricted, so curators see that they exist without their content
    s = compute(obj.open(), open_store(obj.store, include_restricted=True))
    fmt = output_format(fmt)
    if fmt == "json":
        click.echo(json.dumps(s, indent=2, ensure_ascii=False, default=str))
        return
    if fmt in ("csv", "tsv"):
        rows = [{"kind": "class", "name": c["class"], "count": c["entities"]} for c in s["classes"]]
        rows += [{"kind": "graph", "name": g["graph"], "count": g["triples"]} for g in s["graphs"]]
        click.echo(render(rows, ["kind", "name", "count"], fmt, obj.raw_csv))
        return
    click.echo(f"Store: {s['store']}\nTriples: {s['triples']:,} in {s['named_graphs']} named graphs"
               + (f" (public; {s['restricted_triples']:,} more triples are restricted)" if s.get("restricted_triples") else "")
               + "\n")
    click.echo(render(s["sources"], ["source", "title", "publisher", "date", "triples", "restricted_triples"], "table"))
    click.echo()
    click.echo(render([{"class": _curie(c["class"]), "entities": c["entities"]} for c in s["classes"]],
                      ["class", "entities"], "table"))


def _curie(iri: str) -> str:
    from .ontology.namespaces import PREFIXES

    for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return iri


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@base_option
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="SHACL engine (see `repnet build --help`).")
@validate_format_option
@click.pass_obj
def validate(obj: Ctx, paths: tuple[Path, ...], base: str | None, engine: str, fmt: str) -> None:
    """Check source files and validate their RDF; the store is not touched.

    Lists every problem, not just the first. Exit code 0: the data conforms; 1: problems
    listed; 2: usage error.

    \b
    Example:
        repnet validate data/
        repnet validate --format json my-source.yaml
    """
    from .graph.ingest.build import in_memory
    from .graph.ingest.dataset import load_dataset
    from .graph.ingest.validate import locations, validate_store

    try:
        ds = load_dataset(paths or None, base)
    except SourceError as e:
        if fmt == "json":
            click.echo(json.dumps({"conforms": False, "problems": [p.__dict__ for p in e.problems]}, indent=2))
            sys.exit(1)
        raise
    report = validate_store(in_memory(ds), engine)
    if fmt == "json":
        where = locations(ds)
        click.echo(json.dumps({"conforms": report.conforms, "problems": [
            {**v.__dict__, "where": where.get(v.focus, v.source)} for v in report.violations]}, indent=2))
    else:
        click.echo(report.text(locations(ds)) if not report.conforms else
                   f"{len(ds.sources)} sources, {ds.record_count:,} records: the data conforms to the shapes.")
    sys.exit(0 if report.conforms else 1)


# ------------------------------------------------------------------ import (issue 13: lists; issue 12 adds ftm)
class ImportGroup(RepnetGroup):
    """`repnet import FILE ...` is `repnet import list FILE ...`: a first argument that names no
    subcommand is a list to import."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["list", *args]
        return super().resolve_command(ctx, args)


@cli.group(name="import", cls=ImportGroup)
def import_() -> None:
    """Import data into source files: lists of prisoners and victims (`repnet import list`, or
    `repnet import FILE`), FollowTheMoney entities (`repnet import ftm FILE --source ID`)."""


@import_.command(name="list")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The mapping (YAML) that says which records each row yields (README, 'Importing a list').")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory for the source file (and the rejects file).")
@click.option("--skip-bad", is_flag=True, help="Write the good rows and put refused rows in <source id>.rejects.csv, "
              "with the reason. Default: a bad row stops the import and nothing is written.")
@click.option("--sheet", default=None, metavar="N|NAME", help="The spreadsheet's sheet (a number from 1, or a name). Default: the first.")
@click.option("--encoding", default=None, help="The text encoding of a CSV/TSV (default: detected).")
@click.option("--delimiter", default=None, help="The delimiter of a CSV (default: detected; tab for .tsv).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default=None,
              help="The source file's format (default: YAML; JSON when YAML would pass the 4 MB limit of YAML sources).")
@click.pass_obj
def import_list_command(obj: Ctx, file: Path, mapping: Path, out: Path, skip_bad: bool, sheet: str | None,
                        encoding: str | None, delimiter: str | None, fmt: str | None) -> None:
    """Import a list (CSV, TSV, XLSX, ODS, JSON lines) as a source file.

    \b
    Example:
        repnet import prisoners.csv --mapping prisoners-map.yaml -o sources/
        repnet import victims.xlsx --sheet 1 --mapping victims-map.yaml -o sources/ --skip-bad
        repnet build data/ sources/
    """
    from .graph.ingest.lists import import_list

    with obj.bar({}) as bar:
        r = import_list(file, mapping, out, skip_bad=skip_bad, encoding=encoding, delimiter=delimiter, sheet=sheet,
                        fmt=fmt, progress=bar.callback)
    click.echo(f"Imported {r.imported:,} of {r.rows:,} rows as {r.records:,} records to {r.output}"
               + (f"; {r.rejected:,} row{'s' if r.rejected != 1 else ''} refused, listed with their reasons in {r.rejects}." if r.rejected else "."))


@cli.command()
@click.option("--persons", type=click.IntRange(1, 5_000_000), default=1000, show_default=True, help="Number of synthetic persons.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed; the same seed gives the same files.")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory to write the synthetic source files to.")
@click.option("--per-file", type=click.IntRange(100, 1_000_000), default=10_000, show_default=True,
              help="Persons per source file.")
@click.pass_obj
def synth(obj: Ctx, persons: int, seed: int, out: Path, per_file: int) -> None:
    """Write a synthetic source set for tests and benchmarks.

    Everything is marked synthetic: source ids, IRIs (…/synthetic-…) and labels ("[synthetic]").
    About 25 triples per person.

    \b
    Example:
        repnet synth --persons 10000 --seed 1 -o /tmp/synth10k
        repnet --store /tmp/s10k build /tmp/synth10k
    """
    from .graph.ingest.synth import write_synthetic

    with obj.bar({"writing persons": lambda done, total: f"  {done:,} persons written ..."}) as bar:
        files = write_synthetic(out, persons=persons, seed=seed, per_file=per_file, progress=bar.callback)
    click.echo(f"Wrote {len(files)} synthetic source files for {persons:,} persons to {out}.")


@cli.command()
@click.argument("query", required=False)
@click.option("-e", "--expression", metavar="SPARQL", help="Inline SPARQL instead of a saved query or .rq file.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter (repeatable). Persons and organizations take an IRI or any of their names.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "nquads",
                                                      "rdfxml", "trig", "jsonld"]),
              default=None, help="SELECT: table (default on a terminal), csv (default when stdout is piped or "
                                 "redirected), tsv, json (SPARQL 1.1 JSON results), xml. CONSTRUCT/DESCRIBE: turtle "
                                 "(the default, piped or not), ntriples, nquads, rdfxml, trig, jsonld (json and "
                                 "xml are taken as jsonld and rdfxml; csv and tsv are an error). ASK: true/false, "
                                 "or json/xml.")
@click.option("--source", "sources", multiple=True, metavar="ID", help="Query only these sources' graphs (repeatable).")
@click.option("--list", "list_", is_flag=True, help="List the saved queries with their columns and parameters.")
@click.pass_obj
def query(obj: Ctx, query: str | None, expression: str | None, params: tuple[str, ...], fmt: str | None,
          sources: tuple[str, ...], list_: bool) -> None:
    """Run SPARQL: a saved query by name, a .rq file, or -e 'inline SPARQL'.

    By default a query sees the union of all sources; GRAPH ?g gives each fact's source graph.
    Parameters are bound as RDF terms (VALUES), never pasted into the query text. Output is a
    table on a terminal and CSV when piped (Turtle for CONSTRUCT/DESCRIBE); --format wins.

    \b
    Examples:
        repnet query --list
        repnet query sentences --format csv > sentences.csv
        repnet query detained-on --param date=2024-01-01
        repnet query timeline --param person="Nasta Loika"
        repnet query -e 'SELECT ?s WHERE { ?s a ?c } LIMIT 5' --format json
        repnet query my-question.rq --format table
    """
    from .graph.ask import query as q

    if list_:
        click.echo(q.list_text(fmt or "table"))
        return
    if bool(query) == bool(expression):
        raise UsageError("give a saved query's name, a .rq file, or -e 'SPARQL' (one of them). "
                         "`repnet query --list` lists the saved queries.")
    text, saved = (expression, None) if expression else q.load_text(str(query))
    bindings = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep or not name:
            raise UsageError(f"--param '{p}': write NAME=VALUE, e.g. --param date=2024-01-01")
        bindings[name.strip()] = value
    store = obj.open()
    from .graph.web.serve import query_refusal

    too_deep = query_refusal(str(text), max_query=sys.maxsize)  # Oxigraph's parser would overflow the stack
    if too_deep:
        raise UsageError(too_deep + ".")
    prepared = q.prepare(store, str(text), bindings, saved)
    graphs = q.source_graphs(store, sources) if sources else None
    if fmt is None:
        fmt = "table" if sys.stdout.isatty() else ("turtle" if prepared.form in ("CONSTRUCT", "DESCRIBE") else "csv")
        if prepared.form in ("CONSTRUCT", "DESCRIBE") and fmt == "table":
            fmt = "turtle"
    click.echo(q.answer_text(store, prepared, fmt, obj.raw_csv, graphs), nl=False)


@cli.command()
@click.argument("source", metavar="[SOURCE]", required=False)
@click.option("--against", metavar="SOURCE", help="With SOURCE: compare with the persons of this source (default: every person not in SOURCE).")
@click.option("--within", "within", type=click.Path(exists=True, path_type=Path), metavar="DIR",
              help="Source files (an imported list, several lists) whose persons are compared.")
@click.option("--graph", "against_graph", is_flag=True, help="With --within: compare them with the persons of the built store instead of with each other.")
@click.option("--review", is_flag=True, help="Add the new pairs to judgements.yaml in the --within DIR (or the --judgements DIR) "
              "(decision unsure; same at a score of 0.95 or more) for a reviewer to decide; the build applies the decisions.")
@click.option("--judgements", "judgements_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="With SOURCE: the folder of judgements.yaml (its decisions are shown; --review writes there).")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None,
              help="List pairs scoring at least this (default 0.5; namesakes born in different years score 0.3, "
              "pairs at 0.85 or more are proposed).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default=None, help="Output format (default: table on a terminal, else csv).")
@click.pass_obj
def match(obj: Ctx, source: str | None, against: str | None, within: Path | None, against_graph: bool, review: bool,
          judgements_dir: Path | None, min_score: float | None, fmt: str | None) -> None:
    """List pairs of persons that may be one person, with a score and the evidence.

    With --within DIR: the persons of the source files in DIR, with each other or (--graph) with the
    built store. With SOURCE (a source in the store, such as an imported sanctions list): its persons
    against the rest of the graph (or --against another source). One score for both (birth dates,
    birthplace, employer or address, posts as evidence; graph/resolution.py): pairs at 0.85 or more
    are 'proposed', the rest listed for 'review'. Nothing is merged
    here: --review writes the pairs to judgements.yaml for a person to decide, and the build applies
    the 'same' decisions as owl:sameAs.

    \b
    Example:
        repnet match --within sources/ --review      # duplicates within the lists -> sources/judgements.yaml
        repnet match --within sources/ --graph       # the lists' persons against the built graph
        repnet match eu-sanctions --review --judgements decisions/   # a sanctions list against the officials
    """
    from .graph.resolution import REVIEW_FLOOR

    if (source is None) == (within is None):
        raise UsageError("give a SOURCE to cross-reference, or --within DIR (not both)")
    if source is None:
        _match_within(obj, within, against_graph, review, REVIEW_FLOOR if min_score is None else min_score, fmt)
    else:
        _match_source(obj, source, against, review, judgements_dir, REVIEW_FLOOR if min_score is None else min_score, fmt)


def _match_within(obj: Ctx, within: Any, against_graph: bool, review: bool, min_score: float, fmt: str | None) -> None:
    """repnet match --within DIR [--graph] [--review] (issue 13)."""
    from .graph.ingest.match import match as find_pairs
    from .graph.ingest.match import write_judgements
    from .graph.output import render
    from .graph.resolution import AUTO_SAME, THRESHOLD

    with obj.bar({}) as bar:
        found = find_pairs(within, obj.open() if against_graph else None, min_score, progress=bar.callback)
    rows = [{"a": c.a.id, "a_name": c.a.names[0] if c.a.names else "", "b": c.b.id, "b_name": c.b.names[0] if c.b.names else "",
             "score": c.score, "decision": "proposed" if c.score >= THRESHOLD else "review", "evidence": c.evidence} for c in found]
    click.echo(render(rows, ["a", "a_name", "b", "b_name", "score", "decision", "evidence"], output_format(fmt)).rstrip("\n"))
    if review:
        if not within.is_dir():
            raise UsageError("--review writes DIR/judgements.yaml: give --within a directory")
        path, added, auto = write_judgements(within, found)
        click.echo(f"{len(found)} candidate pairs; {added} added to {path} ({auto} decided same automatically, score >= {AUTO_SAME}; "
                   "the rest unsure). Edit the decisions, then build.", err=True)


def _match_source(obj: Ctx, source: str, against: str | None, review: bool, judgements_dir: Path | None,
                  min_score: float, fmt: str | None) -> None:
    """repnet match SOURCE [--against SOURCE] [--review --judgements DIR] (issue 12's cross-reference)."""
    from .graph.ask.match import THRESHOLD
    from .graph.ask.match import match as run
    from .graph.ingest.match import JUDGEMENTS, Candidate, judgement_id, write_judgements
    from .graph.ingest.sources import read_source
    from .graph.network.analysis import Table
    from .graph.resolution import Person

    if review and judgements_dir is None:
        raise UsageError("--review writes DIR/judgements.yaml: give --judgements DIR")
    decided: dict[str, str] = {}
    if judgements_dir is not None and (judgements_dir / JUDGEMENTS).exists():
        decided = {r.data["id"]: r.data.get("decision", "") for r in read_source(judgements_dir / JUDGEMENTS).records
                   if r.data.get("type") == "Judgement"}
    found = run(obj.open(), source, against, min_score=min_score)

    def short(iri: str) -> str:
        return iri.split("/id/", 1)[1] if "/id/" in iri else iri

    rows = [{"score": round(c.score, 3),
             "decision": decided.get(judgement_id(short(c.a.iri), short(c.b.iri))) or ("proposed" if c.proposed else "review"),
             "a": c.a.iri, "aLabel": c.a.label, "b": c.b.iri, "bLabel": c.b.label, "reasons": "; ".join(c.reasons)}
            for c in found]
    notes: dict[str, Any] = {"threshold": THRESHOLD, "pairs": len(rows), "proposed": sum(1 for c in found if c.proposed)}
    if review and judgements_dir is not None:
        judgements_dir.mkdir(parents=True, exist_ok=True)
        pairs = [Candidate(Person(short(c.a.iri), c.a.label, c.a.names), Person(short(c.b.iri), c.b.label, c.b.names), c.score,
                           "; ".join(c.reasons)) for c in found]
        path, added, auto = write_judgements(judgements_dir, pairs)
        notes.update({"written": added, "decided_same": auto})
    _emit(obj, Table("match", ["score", "decision", "aLabel", "bLabel", "reasons"], rows, notes, ["a", "b"]), fmt)


@import_.command(name="ftm")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--source", "source_id", required=True, metavar="ID", help="The id of the source (and of its named graph).")
@click.option("-o", "--output", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Directory for the source file ID.json.")
@click.option("--title", help="The source's title (default: 'FollowTheMoney entities from FILE').")
@click.option("--publisher", help="Who published the file (default: the file's name).")
@click.option("--published", metavar="DATE", help="When it was published or retrieved (default: today).")
@click.option("--url", help="Where the file was published.")
@click.pass_obj
def import_ftm(obj: Ctx, file: str, source_id: str, output: str, title: str | None, publisher: str | None,
               published: str | None, url: str | None) -> None:
    """Read FollowTheMoney entities (JSON lines: Person, Organization, Sanction, Membership, ...) into a source file.

    The file OUTPUT/ID.json is an ordinary source: `repnet build` checks it and loads it into the named
    graph of source ID with its provenance. Every problem is listed with its line number and nothing
    is written. An entity of a schema FtM does not define is skipped with a warning naming its line;
    entities of schemata repnet does not import (Address, Vessel, ...) are skipped and counted.

    \b
    Example:
        repnet import ftm sanctions.ftm.json --source eu-sanctions --publisher "Council of the EU" -o sources/
    """
    from .graph.files import output_directory, write_text
    from .graph.ingest.ftm import read_ftm

    result = read_ftm(file, source_id, title=title, publisher=publisher, published=published, url=url)
    for w in result.warnings:
        click.echo("warning: " + w, err=True)
    target = output_directory(output) / f"{source_id}.json"
    write_text(target, json.dumps(result.document, ensure_ascii=False, indent=1) + "\n")
    if not obj.quiet:
        read = ", ".join(f"{k} {v:,}" for k, v in sorted(result.counts.items())) or "nothing"
        skipped = ", ".join(f"{k} {v:,}" for k, v in sorted(result.skipped.items()))
        click.echo(f"Wrote {target}: {len(result.document['records']):,} records ({read})"
                   + (f"; skipped schemata repnet does not import: {skipped}" if skipped else "")
                   + f". Next: repnet build ... {output}", err=True)


@cli.group()
def export() -> None:
    """Export the graph: linked data (RDF), CSV tables, or the projected network.

    Public graphs only unless --include-restricted is given (on `repnet` or on the subcommand).

    \b
    Examples:
        repnet export trig -o belarus.trig
        repnet export jsonld -o belarus.jsonld
        repnet export csv -o tables/
        repnet export ftm -o repnet.ftm.json
        repnet export trig --include-restricted -o internal.trig
    """


def _rdf_export_command(fmt: str) -> None:
    from .graph.formats import EXTENSIONS

    @export.command(name=fmt, help=f"""Write the dataset as {fmt.upper() if fmt != 'jsonld' else 'JSON-LD'} ({EXTENSIONS[fmt]}), with its VoID/DCAT description.

    \b
    Example:
        repnet export {fmt} -o belarus{EXTENSIONS[fmt]}
    """)
    @click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", show_default=True,
                  help="File to write ('-' for stdout).")
    @click.option("--include-restricted", "restricted", is_flag=True, help="Include restricted facts (internal use only).")
    @click.option("--no-description", is_flag=True, help="Leave out the VoID/DCAT dataset description.")
    @click.option("--endpoint", metavar="URL", help="SPARQL endpoint URL to state in the description.")
    @click.option("--dump-base", metavar="URL", help="Base URL where the dumps are published, for the description.")
    @click.pass_obj
    def command(obj: Ctx, output: str, restricted: bool, no_description: bool, endpoint: str | None,
                dump_base: str | None) -> None:
        from .graph.publish.export import export_rdf
        from .graph.store import open_store

        if restricted and not obj.include_restricted:
            click.echo("warning: --include-restricted: the export includes RESTRICTED facts; do not publish it.", err=True)
        store = open_store(obj.store, include_restricted=restricted or obj.include_restricted)
        t0 = time.perf_counter()
        with output_file(output) as fh, obj.bar() as bar:
            n = export_rdf(store, fmt, fh, description=not no_description, endpoint=endpoint, dump_base=dump_base,
                           progress=bar.callback)
        if output != "-" and not obj.quiet:
            size = Path(output).stat().st_size
            click.echo(f"Wrote {n:,} {'quads' if fmt in ('trig', 'nquads', 'jsonld') else 'triples'} to {output} "
                       f"({size:,} bytes, {time.perf_counter() - t0:.2f} s)"
                       + ("; includes RESTRICTED facts" if store.public_only is False else "; public graphs only") + ".", err=True)


for _fmt in ("trig", "nquads", "jsonld", "turtle", "ntriples", "rdfxml"):
    _rdf_export_command(_fmt)


@export.command(name="ftm")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", show_default=True,
              help="File to write ('-' for stdout).")
@click.pass_obj
def export_ftm_command(obj: Ctx, output: str) -> None:
    """Write the public graph as FollowTheMoney entities (JSON lines) for OpenSanctions, Aleph and other FtM tools.

    Persons, organizations, posts (Membership), sanctions (one Sanction per target) and criminal cases
    (CourtCase and CourtCaseParty), each made and validated with the followthemoney library. What FtM
    cannot hold (sentences, detentions, verdicts, releases) is left out; see the README.

    \b
    Example:
        repnet export ftm -o repnet.ftm.json
    """
    from .graph.publish.ftm import export_ftm
    from .graph.store import open_store

    store = open_store(obj.store)  # public graphs only: an FtM file is for publishing
    with output_file(output) as fh:
        counts = export_ftm(store, fh)
    if output != "-" and not obj.quiet:
        click.echo(f"Wrote {sum(counts.values()):,} FtM entities to {output} ("
                   + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + "); public graphs only.", err=True)


@export.command(name="csv")
@click.option("-o", "--output", type=click.Path(file_okay=False), required=True, help="Directory for the CSV files.")
@click.option("--include-restricted", "restricted", is_flag=True, help="Include restricted facts (internal use only).")
@click.pass_obj
def export_csv_command(obj: Ctx, output: str, restricted: bool) -> None:
    """Write persons, sentences, detentions, releases and sources as CSV tables.

    \b
    Example:
        repnet export csv -o tables/
    """
    from .graph.publish.export import export_csv
    from .graph.store import open_store

    store = open_store(obj.store, include_restricted=restricted or obj.include_restricted)
    counts = export_csv(store, Path(output), raw=obj.raw_csv)
    click.echo(", ".join(f"{name}.csv: {n} rows" for name, n in counts.items()) + f" in {output}.")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["turtle", "jsonld", "ntriples", "rdfxml"]), default="turtle",
              show_default=True, help="RDF format.")
@click.option("--endpoint", metavar="URL", help="SPARQL endpoint URL to state (void:sparqlEndpoint, dcat:endpointURL).")
@click.option("--dump-base", metavar="URL", help="Base URL of the published dumps (void:dataDump, dcat:downloadURL).")
@click.pass_obj
def describe(obj: Ctx, fmt: str, endpoint: str | None, dump_base: str | None) -> None:
    """Print the VoID + DCAT description of the dataset (public counts unless --include-restricted).

    \b
    Example:
        repnet describe
        repnet describe --endpoint https://example.org/sparql --dump-base https://example.org/dumps
    """
    import pyoxigraph as ox

    from .graph.ask.describe import describe as run
    from .graph.publish.export import prefixes_for

    store = obj.open()
    from .graph.formats import RDF

    data = ox.serialize(run(store, endpoint, dump_base), format=RDF[fmt],
                        prefixes=prefixes_for(store) if fmt in ("turtle", "rdfxml") else None)
    click.echo((data or b"").decode(), nl=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on. Anything but loopback "
              "lets other machines query the store.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=30.0, show_default=True, metavar="SECONDS",
              help="Time limit per query; a query still running is stopped and answered with 503.")
@click.option("--max-rows", type=click.IntRange(1, 100_000_000), default=100_000, show_default=True,
              help="At most this many rows (or triples) per answer; header X-Repnet-Truncated: true when cut.")
@click.option("--cors", metavar="ORIGIN", default=None, help="Allow browser pages from ORIGIN (or *) to read answers. Off by default.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Query worker processes.")
@click.option("--include-restricted", is_flag=True, help="Also serve the restricted graphs (ill-treatment, health, facts "
              "marked restricted). Off by default: only graphs the metadata lists as PUBLIC.")
@click.option("--allow-update", is_flag=True, help="Answer SPARQL Update from clients with the token with 501 instead of "
              "403 (the store is never written; it is built from sources).")
@click.option("--token", envvar="REPNET_TOKEN", default=None, metavar="T",
              help="Bearer token for --allow-update. Env: REPNET_TOKEN.")
@click.option("--memory-limit", type=click.IntRange(64, 1_000_000), default=2048, show_default=True, metavar="MB",
              help="Memory a query worker may grow by beyond its size when ready (with the explorer's data read); "
                   "a query past it is stopped with 503 and the worker replaced.")
@click.option("--slow-after", type=click.FloatRange(0.05, 3600), default=0.25, show_default=True, metavar="SECONDS",
              help="A query running longer moves to the slow lane, and a fresh worker takes its place.")
@click.option("--slow-workers", type=click.IntRange(0, 64), default=2, show_default=True,
              help="Queries allowed in the slow lane at once; one more that turns slow is stopped with 503.")
@click.option("--raw-csv", is_flag=True, help="CSV/TSV answers without the spreadsheet-formula guard (see README).")
@click.pass_obj
def serve(obj: Ctx, host: str, port: int, timeout: float, max_rows: int, cors: str | None, workers: int,
          include_restricted: bool, allow_update: bool, token: str | None, memory_limit: int, slow_after: float,
          slow_workers: int, raw_csv: bool) -> None:
    """Serve the store as a SPARQL 1.1 endpoint at /sparql, with a query page at /.

    Read-only; every query has a time limit and a row cap; SERVICE and LOAD are refused and
    FROM <url> is never fetched. The query page works offline and offers the saved queries.

    \b
    Example:
        repnet serve                              # http://127.0.0.1:8000/sparql and the page at /
        repnet serve --port 8001 --timeout 10 --max-rows 5000
        curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/sparql' --data-urlencode 'query=SELECT * {?s ?p ?o} LIMIT 3'
    """
    from .graph.store.layout import resolve
    from .graph.web.serve import Settings
    from .graph.web.serve import serve as run

    restricted = include_restricted or obj.include_restricted
    if restricted and not obj.include_restricted:
        click.echo("warning: --include-restricted: the endpoint serves RESTRICTED facts; keep it to trusted local use.", err=True)
    run(Settings(store=resolve(obj.store), host=host, port=port, timeout=timeout, max_rows=max_rows, cors=cors,
                 allow_update=allow_update, token=token, workers=workers, include_restricted=restricted,
                 quiet=obj.quiet, memory_limit=memory_limit * 1024 * 1024, slow_after=slow_after,
                 slow_workers=slow_workers, raw_csv=raw_csv or obj.raw_csv))


@cli.command()
@click.argument("url")
@click.option("--user", envvar="REPNET_USER", default=None, metavar="NAME",
              help="User on the server. The password comes from REPNET_PASSWORD or a prompt, never an option. Env: REPNET_USER.")
@click.option("--include-restricted", "restricted", is_flag=True, help="Also upload the restricted graphs (internal servers only).")
@click.option("--method", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="Graph Store Protocol (a PUT per graph; a large N-Triples graph as a PUT and POSTs of 8 MB parts) "
                   "or SPARQL Update (DROP + INSERT DATA).")
@click.option("--syntax", type=click.Choice(["ntriples", "turtle"]), default="ntriples", show_default=True,
              help="Body of the Graph Store Protocol PUTs.")
@click.option("--auth", type=click.Choice(["auto", "digest", "basic"]), envvar="REPNET_AUTH", default="auto", show_default=True,
              help="HTTP authentication: digest (Virtuoso), basic (Fuseki, GraphDB) or whichever the server asks for. Env: REPNET_AUTH.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Report format.")
@click.pass_obj
def push(obj: Ctx, url: str, user: str | None, restricted: bool, method: str, syntax: str, auth: str, fmt: str) -> None:
    """Upload the store's named graphs to a SPARQL 1.1 server (public graphs only by default).

    URL is the server's graph store, update or query endpoint; the others are derived from it
    (Virtuoso /sparql, /sparql-auth, /sparql-graph-crud-auth; Fuseki /DS/sparql, /DS/update,
    /DS/data; GraphDB /repositories/R, .../statements, .../rdf-graphs/service). REPNET_UPDATE_URL
    and REPNET_GSP_URL override them. Each graph replaces the graph of the same name on the server;
    afterwards the triples of each graph are counted there.

    \b
    Example:
        REPNET_PASSWORD=... repnet push http://127.0.0.1:8890/sparql-graph-crud-auth --user dba
        repnet --store http://127.0.0.1:8890/sparql query sentences
    """
    from .graph.publish.push import push as run
    from .graph.store import open_store
    from .graph.store.http import HttpClient, endpoints_for
    from .graph.store.layout import is_remote

    if is_remote(obj.store):
        raise UsageError("push uploads a local store: give --store a directory (the target server is the URL argument).")
    if not is_remote(url):
        raise UsageError(f"'{url}' is not an http(s) URL of a SPARQL server.")
    if restricted and not obj.include_restricted:
        click.echo("warning: --include-restricted: RESTRICTED graphs are uploaded; only to a server as private as this machine.", err=True)
    store = open_store(obj.store, include_restricted=restricted or obj.include_restricted)
    password = _password(user, url)
    eps = endpoints_for(url)
    http = HttpClient((eps.gsp if method == "gsp" else eps.update) or url, user=user, password=password, auth=auth)
    with obj.bar() as bar:
        report = run(store, url, method=method, syntax=syntax, http=http, progress=bar.callback)
    if not obj.quiet and fmt == "table":
        for g in report.graphs:
            click.echo(f"  {g.graph}: {g.triples:,} triples, {g.bytes:,} bytes, {g.seconds:.2f} s", err=True)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        scope = "including RESTRICTED graphs" if report.include_restricted else "public graphs only"
        click.echo(f"Pushed {len(report.graphs)} graphs, {report.triples:,} triples, {report.bytes:,} bytes in "
                   f"{report.seconds:.2f} s to {report.endpoint} ({method}, {report.requests} requests, {scope}); "
                   f"the server holds them all.")
    for stale in report.stale:
        click.echo(f"warning: {stale} is on the server but was not pushed (an old graph, or one this push left out); "
                   "remove it on the server if it should not be there.", err=True)


def _password(user: str | None, url: str) -> str | None:
    """REPNET_PASSWORD, else a prompt on the terminal; never a prompt when stdin is not a terminal."""
    import os
    from urllib.parse import urlsplit

    password = os.environ.get("REPNET_PASSWORD") if user else None
    if user and password is None:
        if not is_terminal(sys.stdin):
            raise UsageError(f"no password for {user}: set the environment variable REPNET_PASSWORD (standard input "
                             "is not a terminal, so repnet cannot ask for it).")
        password = click.prompt(f"Password for {user} at {urlsplit(url).netloc}", hide_input=True, err=True)
    return password


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write: a page (.html, default network.html), or with --overview a picture "
                   "(.png or .svg, default overview.png).")
@click.option("--focus", metavar="NAME", help="Show one entity's surroundings (any name, name variant or IRI).")
@click.option("--radius", type=click.IntRange(0, 20), default=1, show_default=True, help="Steps around --focus.")
@click.option("--path", "path", nargs=2, metavar="A B", default=None, help="Show the shortest paths between two entities.")
@click.option("--class", "classes", multiple=True, metavar="CLASS",
              help="Keep only entities of this class (repeatable): Person, Judge, Court, Facility, ...")
@click.option("--relation", "relations", multiple=True, metavar="REL",
              help="Keep only this relation (repeatable): member_of, sentenced_by, held_at, released_in, ...")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="The network as of a day: relations that had begun "
              "and not ended, persons' status on that day.")
@click.option("--size-by", type=click.Choice(["degree", "pagerank", "betweenness"]), default="degree",
              show_default=True, help="Centrality that sizes the nodes (and ranks them when the view is reduced).")
@click.option("--max-nodes", type=click.IntRange(1, 10_000_000), default=None, metavar="N",
              help="Draw at most N entities, the top N by --size-by (default 5000 for a page, 2000 for --overview); "
                   "the page says what was left out.")
@click.option("--max-edges", type=click.IntRange(0, 100_000_000), default=None, metavar="M",
              help="A page draws at most M relations (default 30000): fewer top entities when they have more.")
@click.option("--overview", is_flag=True, help="Write a still picture (PNG or SVG, by -o's extension) for reports.")
@click.option("--chart", is_flag=True, help="Write the chart of persons held, sentenced and released per month "
              "(PNG or SVG, by -o's extension; default held.png), from the stored status periods.")
@click.option("--flow", is_flag=True, help="Write the flow of persons along arrest or detention, charge (article), "
              "court, judge, facility and release or still held (PNG or SVG, by -o's extension; default flow.png); "
              "--from/--to choose the persons detained in a date range, --focus NAME those linked to one entity.")
@click.option("--from", "since", metavar="YYYY-MM-DD", help="With --flow: only the persons arrested or detained on "
              "or after this day (the earliest day the sources allow for the start).")
@click.option("--to", "until", metavar="YYYY-MM-DD", help="With --flow: only the persons arrested or detained on or "
              "before this day.")
@click.option("--group-by", "group_by", type=click.Choice(["auto", "none", "community", "class", "court", "facility",
              "organization", "release-round"]), default="auto", show_default=True,
              help="Draw groups of entities (a click opens one): auto groups a view too large to draw whole by "
                   "Louvain community; none reduces it to the top --max-nodes entities instead.")
@click.option("--title", metavar="TEXT", help="Title of the page or picture (default: from the view).")
@click.pass_obj
def viz(obj: Ctx, output: Path | None, focus: str | None, radius: int, path: tuple[str, str] | None,
        classes: tuple[str, ...], relations: tuple[str, ...], as_of: str | None, size_by: str, max_nodes: int | None,
        max_edges: int | None, overview: bool, chart: bool, flow: bool, since: str | None, until: str | None,
        group_by: str, title: str | None) -> None:
    """Draw the network as an interactive page that works offline, or as a still picture.

    The page is one HTML file (scripts, styles and data inline; nothing is fetched): colour and
    shape by class, size by centrality, edges coloured by relation, held and released persons
    ringed red and green; hover or click an entity for its facts and their sources; search by any
    name or variant; class and relation filters, physics switch, time control. Large views are
    reduced to the top --max-nodes entities, and the page says what was left out.

    \b
    Example:
        repnet viz -o belarus.html                                     # the whole network
        repnet viz --focus "Marfa Rabkova" --radius 2 -o rabkova.html   # one person's surroundings
        repnet viz --path "Nasta Loika" "United States" -o path.html
        repnet viz --class Person --class Court --as-of 2025-12-01 -o dec.html
        repnet viz --overview -o overview.png                           # a still picture for reports
        repnet viz --chart -o held.svg                                  # held, sentenced, released per month
        repnet viz --flow -o flow.svg                                   # arrest -> charge -> court -> judge -> facility -> release
        repnet viz --flow --from 2020-08-09 --to 2020-12-31 -o flow.svg # the persons detained in those months
        repnet viz --flow --focus "Minsk City Court" -o court.svg        # the persons linked to one entity
    """
    from .graph.viz.overview import write_overview
    from .graph.viz.page import write_page
    from .graph.viz.rank import MAX_EDGES, MAX_NODES, OVERVIEW_MAX_NODES
    from .graph.viz.view import build_view

    out = output or Path("overview.png" if overview else "held.png" if chart else "flow.png" if flow else "network.html")
    if (since or until) and not flow:
        raise UsageError("--from and --to choose the persons of a flow diagram: add --flow (the page's flow view has "
                         "its own date range)")
    if flow:
        from .graph.dates import parse_day
        from .graph.viz.flow import write_flow

        since, until = parse_day(since, "from"), parse_day(until, "to")

        t0 = time.perf_counter()
        store, G = _network(obj)
        view = build_view(store, classes=classes or None, relations=relations or None, as_of=as_of, focus=focus,
                          radius=radius, path=path, restricted=obj.include_restricted, graph=G)
        numbers = write_flow(store, view.graph, out, title=title, since=since, until=until,
                             persons=None if view.graph is G else set(view.graph))
        span = f", arrested or detained {since or '(any day)'} to {until or '(any day)'}" if since or until else ""
        n = numbers["persons"]
        click.echo(f"Wrote {out}: {n:,} person{'s' if n != 1 else ''}{span} along {len(numbers['stages'])} stages "
                   f"({time.perf_counter() - t0:.1f} s).")
        return
    if chart:
        from .graph.viz.chart import write_chart

        t0 = time.perf_counter()
        store, G = _network(obj)
        view = build_view(store, classes=classes or None, relations=relations or None, as_of=as_of, focus=focus,
                          radius=radius, path=path, restricted=obj.include_restricted, graph=G)
        whole = view.graph is G
        numbers = write_chart(store, out, view.graph, title=title, persons=None if whole else set(view.graph))
        peak = max((sum(x) for x in zip(*numbers["held"].values(), strict=True)), default=0)
        click.echo(f"Wrote {out}: {len(numbers['months'])} months, at most {peak:,} persons held on a month's last day "
                   f"({time.perf_counter() - t0:.1f} s).")
        return
    if not overview and out.suffix.lower() in (".png", ".svg"):
        raise UsageError(f"{out.name}: pictures are written with --overview (repnet viz --overview -o {out.name})")
    t0 = time.perf_counter()
    store, G = _network(obj)  # the projection analyze uses, cached per store generation
    view = build_view(store, classes=classes or None, relations=relations or None, as_of=as_of, focus=focus,
                      radius=radius, path=path, restricted=obj.include_restricted, graph=G)
    if overview:
        page = write_overview(store, view, out, size_by=size_by, max_nodes=max_nodes or OVERVIEW_MAX_NODES,
                              title=title)
    else:
        page = write_page(store, view, out, size_by=size_by, max_nodes=max_nodes or MAX_NODES,
                          max_edges=MAX_EDGES if max_edges is None else max_edges, title=title,
                          group_by=None if group_by == "none" else group_by, network=G)
    size = out.stat().st_size
    msg = (f"Wrote {out}: {page.nodes:,} entities, {page.edges:,} relations ({size / 1e6:.1f} MB, "
           f"{time.perf_counter() - t0:.1f} s)")
    if page.groups:
        msg += (f"; drawn as {page.groups:,} groups of the view's {page.view_nodes:,} entities (a click opens one; "
                "--group-by none draws the top entities instead)")
    elif page.reduced:
        msg += (f"; reduced from {page.view_nodes:,} entities and {page.view_edges:,} relations to the top "
                f"{page.nodes:,} by {size_by} (narrow the view or raise --max-nodes/--max-edges to see the rest)")
    click.echo(msg + ".")


# ---------------------------------------------------------------------------- network analysis (issue 4)
def _view_options(f: Any) -> Any:
    f = click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                     help="The network as of a day: relations that had begun by then and not ended (undated ones "
                          "always count).")(f)
    return click.option("--relation", "relations", multiple=True, metavar="REL",
                        help="Keep only this relation (repeatable): member_of, sentenced_by, sentenced_in, "
                             "prosecuted_by, held_at, charged_under, defined_by, co_defendant, released_in, "
                             "released_by, negotiated_by, government_of.")(f)


def _network(obj: Ctx, relations: tuple[str, ...] = (), as_of: str | None = None,
             classes: tuple[str, ...] = ()) -> tuple[Any, Any]:
    """The store and its projected network (cached per store generation), viewed as asked."""
    from .graph.network.project import network

    store = obj.open()
    with obj.bar() as bar:
        return store, network(store, classes=classes or None, relations=relations or None, as_of=as_of,
                              restricted=obj.include_restricted, progress=bar.callback)


def _emit(obj: Ctx, table: Any, fmt: str | None) -> None:
    """An analysis' table in --format (default: table on a terminal, csv when piped); notes of CSV/TSV go to stderr."""
    fmt = output_format(fmt)
    click.echo(table.render(fmt, obj.raw_csv))
    if fmt in ("csv", "tsv") and table.notes and not obj.quiet:
        click.echo(table.notes_text(), err=True)


_CLASS_HELP = ("Only entities of this class (repeatable): Person, Judge, Prosecutor, Court, Facility, Organization, "
               "Government, Offence, Article, ReleaseRound, Country, Place.")


@cli.group()
def analyze() -> None:
    """Network analysis: who and what holds the repression network together.

    The store is projected into a network of entities (persons, judges, prosecutors, courts,
    facilities, organizations, governments, offences and articles, release rounds) linked by the
    relations analysts think in: member_of, sentenced_by, held_at, charged_under, co_defendant,
    released_in, negotiated_by, ... Every relation keeps its date and source. The projection of a
    store is cached, so only the first analysis after a build reads the whole store. Names are
    matched as in `repnet query`: any label or name variant, without case or diacritics. Output is
    a table on a terminal and CSV when stdout is piped or redirected, unless --format says otherwise.

    \b
    Examples:
        repnet analyze centrality --class Court --top 10
        repnet analyze path "Marfa Rabkova" "United States"
        repnet analyze ego "Ales Bialiatski" --radius 2
        repnet analyze communities
        repnet analyze judges
        repnet analyze accountability --unsanctioned
        repnet analyze diff --from 2025-09-01 --to 2025-12-31
        repnet analyze stats --format csv > sentence-stats.csv
    """


@analyze.command(name="centrality")
@click.option("--class", "classes", multiple=True, metavar="CLASS", help=_CLASS_HELP)
@click.option("--by", type=click.Choice(["betweenness", "degree", "pagerank"]), default="betweenness", show_default=True,
              help="Rank by this measure.")
@click.option("--top", type=click.IntRange(0), default=20, show_default=True, help="How many rows (0: all).")
@click.option("--samples", "k", type=click.IntRange(2), default=None, metavar="K",
              help="Betweenness from K sampled source nodes (default: exact for small networks, sampled for large "
                   "ones; the output says which).")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the betweenness sample.")
@_view_options
@format_option
@click.pass_obj
def analyze_centrality(obj: Ctx, classes: tuple[str, ...], by: str, top: int, k: int | None, seed: int,
                       relations: tuple[str, ...], as_of: str | None, fmt: str | None) -> None:
    """Rank entities by degree, betweenness and PageRank.

    Measured on the whole network (each linked pair once, direction ignored); --class only
    chooses which entities are listed.

    \b
    Example:
        repnet analyze centrality --class Court --top 10
        repnet analyze centrality --class Judge --by degree --format csv
    """
    from .graph.network.analysis import centrality

    _, G = _network(obj, relations, as_of)
    _emit(obj, centrality(G, classes=classes or None, by=by, top=top or None, k=k, seed=seed), fmt)


@analyze.command(name="path")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@click.option("--limit", type=click.IntRange(1, 1000), default=5, show_default=True,
              help="List at most this many shortest paths.")
@_view_options
@format_option
@click.pass_obj
def analyze_path(obj: Ctx, source: str, target: str, limit: int, relations: tuple[str, ...], as_of: str | None,
                 fmt: str | None) -> None:
    """How two entities are connected: the shortest paths, each fact with its date and source.

    \b
    Example:
        repnet analyze path "Marfa Rabkova" "United States"
        repnet analyze path "Nasta Loika" "Minsk City Court" --format json
    """
    from .graph.network.analysis import paths
    from .graph.network.project import node_for

    store, G = _network(obj, relations, as_of)
    _emit(obj, paths(G, node_for(store, G, source), node_for(store, G, target), limit=limit), fmt)


@analyze.command(name="ego")
@click.argument("name")
@click.option("--radius", type=click.IntRange(0, 10), default=2, show_default=True, help="Steps around the entity.")
@_view_options
@format_option
@click.pass_obj
def analyze_ego(obj: Ctx, name: str, radius: int, relations: tuple[str, ...], as_of: str | None, fmt: str | None) -> None:
    """The entities within --radius steps of one entity, nearest first, each with the link that reaches it.

    \b
    Example:
        repnet analyze ego "Ales Bialiatski" --radius 2
    """
    from .graph.network.analysis import ego
    from .graph.network.project import node_for

    store, G = _network(obj, relations, as_of)
    _emit(obj, ego(G, node_for(store, G, name), radius=radius), fmt)


@analyze.command(name="communities")
@click.option("--seed", type=int, default=42, show_default=True, help="Louvain's random seed (same seed, same result).")
@click.option("--resolution", type=click.FloatRange(0.01, 100), default=1.0, show_default=True,
              help="Above 1: smaller communities; below 1: larger ones.")
@click.option("--members", type=click.IntRange(1, 100), default=5, show_default=True,
              help="Best-connected members named per community.")
@click.option("--top", type=click.IntRange(0), default=0, show_default=True, help="How many communities (0: all).")
@_view_options
@format_option
@click.pass_obj
def analyze_communities(obj: Ctx, seed: int, resolution: float, members: int, top: int, relations: tuple[str, ...],
                        as_of: str | None, fmt: str | None) -> None:
    """Communities found by Louvain modularity optimization, with the modularity reached.

    \b
    Example:
        repnet analyze communities
        repnet analyze communities --relation member_of --relation sentenced_by --seed 7
    """
    from .graph.network.analysis import communities

    _, G = _network(obj, relations, as_of)
    _emit(obj, communities(G, seed=seed, resolution=resolution, members=members, top=top or None), fmt)


@analyze.command(name="brokers")
@click.option("--class", "classes", multiple=True, metavar="CLASS", help=_CLASS_HELP)
@click.option("--top", type=click.IntRange(0), default=20, show_default=True, help="How many rows (0: all).")
@click.option("--seed", type=int, default=42, show_default=True, help="Louvain's random seed.")
@click.option("--resolution", type=click.FloatRange(0.01, 100), default=1.0, show_default=True,
              help="Louvain resolution (see `repnet analyze communities`).")
@_view_options
@format_option
@click.pass_obj
def analyze_brokers(obj: Ctx, classes: tuple[str, ...], top: int, seed: int, resolution: float,
                    relations: tuple[str, ...], as_of: str | None, fmt: str | None) -> None:
    """Brokers: entities that link communities, ranked by how many other communities they reach.

    \b
    Example:
        repnet analyze brokers --class Person --top 10
    """
    from .graph.network.analysis import brokers

    _, G = _network(obj, relations, as_of)
    _emit(obj, brokers(G, classes=classes or None, top=top or None, seed=seed, resolution=resolution), fmt)


@analyze.command(name="shared")
@click.option("--by", "kinds", multiple=True,
              type=click.Choice(["case", "judge", "court", "facility", "organization", "offence", "release-round",
                                 "prosecutor"]),
              help="What persons share (repeatable). Default: case, judge, court and facility.")
@click.option("--person", metavar="NAME", help="Only pairs with this person.")
@click.option("--min-shared", type=click.IntRange(1), default=1, show_default=True,
              help="Only pairs sharing at least this many.")
@click.option("--top", type=click.IntRange(0), default=50, show_default=True, help="How many pairs (0: all).")
@_view_options
@format_option
@click.pass_obj
def analyze_shared(obj: Ctx, kinds: tuple[str, ...], person: str | None, min_shared: int, top: int,
                   relations: tuple[str, ...], as_of: str | None, fmt: str | None) -> None:
    """Pairs of persons who share a case, judge, court or facility (a bipartite projection).

    \b
    Example:
        repnet analyze shared
        repnet analyze shared --by organization --by release-round
        repnet analyze shared --person "Marfa Rabkova" --by facility
    """
    from .graph.network.analysis import DEFAULT_SHARED, shared
    from .graph.network.project import node_for

    store, G = _network(obj, relations, as_of)
    who = node_for(store, G, person) if person else None
    _emit(obj, shared(G, by=kinds or DEFAULT_SHARED, person=who, min_shared=min_shared, top=top or None), fmt)


@analyze.command(name="judges")
@click.option("--kind", type=click.Choice(["both", "judge", "court"]), default="both", show_default=True,
              help="Rank judges, courts, or both.")
@click.option("--top", type=click.IntRange(0), default=20, show_default=True, help="How many rows (0: all).")
@_view_options
@format_option
@click.pass_obj
def analyze_judges(obj: Ctx, kind: str, top: int, relations: tuple[str, ...], as_of: str | None, fmt: str | None) -> None:
    """Judges and courts ranked by the persons they sentenced and the total years imposed.

    \b
    Example:
        repnet analyze judges
        repnet analyze judges --kind court --as-of 2022-12-31
    """
    from .graph.network.analysis import judges

    _, G = _network(obj, relations, as_of)
    _emit(obj, judges(G, kind=kind, top=top or None), fmt)


@analyze.command(name="accountability")
@click.option("--by", type=click.Choice(["official", "organization"]), default="official", show_default=True,
              help="Rank all posts together, or within each court, office and facility.")
@click.option("--unsanctioned", is_flag=True, help="Only officials no authority lists now (never listed, or delisted).")
@click.option("--top", type=click.IntRange(0), default=0, show_default=True, help="How many rows (per organization with --by organization; 0: all).")
@format_option
@click.pass_obj
def analyze_accountability(obj: Ctx, by: str, unsanctioned: bool, top: int, fmt: str | None) -> None:
    """Officials ranked by the persons sentenced or held under their posts and the total years, with who sanctions them.

    Officials are persons with a post (judge, prosecutor, investigator, head or deputy head of a
    facility, officer), and judges, prosecutors and investigators named on verdicts, trials or cases
    outside any post of theirs (a row with no dates); a post counts only what its dates allow. The
    numbers are those of `repnet query officials`, whose header defines them.

    \b
    Example:
        repnet analyze accountability
        repnet analyze accountability --unsanctioned --format csv > not-yet-sanctioned.csv
        repnet analyze accountability --by organization
    """
    from .graph.api import Store
    from .graph.network.analysis import accountability

    rows = Store(obj.open()).query("officials")
    _emit(obj, accountability(rows, by=by, unsanctioned=unsanctioned, top=top or None), fmt)


@analyze.command(name="diff")
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="The earlier day.")
@click.option("--to", "end", required=True, metavar="YYYY-MM-DD", help="The later day.")
@click.option("--relation", "relations", multiple=True, metavar="REL", help="Compare only this relation (repeatable).")
@format_option
@click.pass_obj
def analyze_diff(obj: Ctx, start: str, end: str, relations: tuple[str, ...], fmt: str | None) -> None:
    """Who changed between two days: released, added to the network, removed from it, or changed.

    Compares the network as of --from with the network as of --to, person by person.

    \b
    Example:
        repnet analyze diff --from 2025-09-01 --to 2025-12-31
    """
    from .graph.ask.status import stored_periods
    from .graph.network.analysis import diff

    store, G = _network(obj, relations)
    _emit(obj, diff(G, start, end, stored_periods(store)), fmt)


@analyze.command(name="stats")
@click.option("--by", "by", multiple=True, type=click.Choice(["court", "judge", "charge", "year"]),
              help="Group sentences by this (repeatable). Default: court, judge, charge and year.")
@_view_options
@format_option
@click.pass_obj
def analyze_stats(obj: Ctx, by: tuple[str, ...], relations: tuple[str, ...], as_of: str | None, fmt: str | None) -> None:
    """Sentence years aggregated by court, judge, charge and year.

    \b
    Example:
        repnet analyze stats
        repnet analyze stats --by year --format csv
    """
    from .graph.network.analysis import STATS_BY
    from .graph.network.analysis import stats as aggregate

    _, G = _network(obj, relations, as_of)
    _emit(obj, aggregate(G, by=by or STATS_BY), fmt)


def _network_export(fmt: str, what: str, example: str) -> None:
    @export.command(name=fmt, help=f"""Write the projected network as {what}.

    Nodes are entities (label, class), edges the relations between them with their attributes
    (relation, source, event, date, since, until, years, ...). Public facts only unless
    --include-restricted.

    \b
    Example:
        {example}
    """)
    @click.option("-o", "--output", required=True,
                  type=click.Path(file_okay=fmt != "network-csv", dir_okay=fmt == "network-csv", allow_dash=fmt != "network-csv"),
                  help="Directory for nodes.csv and edges.csv." if fmt == "network-csv" else "File to write ('-' for stdout).")
    @click.option("--class", "classes", multiple=True, metavar="CLASS", help=_CLASS_HELP)
    @_view_options
    @click.pass_obj
    def command(obj: Ctx, output: str, classes: tuple[str, ...], relations: tuple[str, ...], as_of: str | None) -> None:
        from .graph.network.netexport import NETWORK_FORMATS

        _, G = _network(obj, relations, as_of, classes)
        if fmt == "network-csv":
            NETWORK_FORMATS["csv"](G, output, raw=obj.raw_csv)
        else:
            NETWORK_FORMATS[fmt.removeprefix("network-")](G, output)
        if output != "-" and not obj.quiet:
            click.echo(f"Wrote {output}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges"
                       + ("; includes RESTRICTED facts" if obj.include_restricted else "; public facts only") + ".",
                       err=True)


_network_export("gexf", "GEXF, for Gephi", "repnet export gexf -o network.gexf")
_network_export("graphml", "GraphML, for Cytoscape, yEd or igraph", "repnet export graphml --relation sentenced_by -o courts.graphml")
_network_export("network-csv", "two CSV files, nodes.csv and edges.csv (Gephi's spreadsheet import)",
                "repnet export network-csv -o network/")


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the script that makes SHELL complete repnet's commands, options and choices.

    Load it in the shell's start-up file. The same script comes from click's environment
    variable: `_REPNET_COMPLETE=bash_source repnet` (zsh_source, fish_source).

    \b
    Example:
        eval "$(repnet completion bash)"                  # in ~/.bashrc
        eval "$(repnet completion zsh)"                   # in ~/.zshrc
        repnet completion fish > ~/.config/fish/completions/repnet.fish
    """
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    assert completer is not None  # the three choices are click's own
    click.echo(completer(cli, {}, "repnet", "_REPNET_COMPLETE").source())


def main() -> None:  # pragma: no cover
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["cli", "UsageError"]
