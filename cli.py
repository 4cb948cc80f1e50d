"""The `repnet` command line: thin commands over the library in repnet.graph."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from . import __version__
from .graph.errors import RepnetError, SourceError, UsageError

STORE_HELP = "Store directory (default: $XDG_DATA_HOME/repnet/store). Env: REPNET_STORE."


class Ctx:
    def __init__(self, store: str | None, quiet: bool, include_restricted: bool = False):
        self.store = store
        self.quiet = quiet
        self.include_restricted = include_restricted
        if include_restricted:
            click.echo("warning: --include-restricted: output includes RESTRICTED facts (health, ill-treatment, "
                       "private details); do not publish it.", err=True)

    def open(self) -> Any:
        """The store, public graphs only unless --include-restricted."""
        from .graph.store import open_store

        return open_store(self.store, include_restricted=self.include_restricted)

    def progress(self, stage: str, n: int) -> None:
        if not self.quiet:
            msg = {"reading": "reading and checking sources ...", "checked": f"{n:,} records checked; loading and validating ...",
                   "loaded": f"  {n:,} triples loaded ..."}.get(stage, f"{stage} {n}")
            click.echo(msg, err=True)


class RepnetGroup(click.Group):
    """Turns RepnetError into a message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RepnetError as e:
            click.echo(f"Error: {e}", err=True)
            ctx.exit(e.exit_code)


@click.group(cls=RepnetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", envvar="REPNET_STORE", default=None, metavar="DIR", help=STORE_HELP)
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr.")
@click.option("--include-restricted", is_flag=True,
              help="Let reads see restricted facts (health, ill-treatment, ...). Default: public graphs only.")
@click.version_option(__version__, prog_name="repnet")
@click.pass_context
def cli(ctx: click.Context, store: str | None, quiet: bool, include_restricted: bool) -> None:
    """repnet: a knowledge graph of political-repression networks.

    Sources (data/*.yaml, one file per source document) are checked, turned into RDF with one
    named graph per source, validated against SHACL shapes and stored in an embedded Oxigraph
    store.

    \b
    Examples:
        repnet build                  # the shipped data -> the default store
        repnet stats                  # what the store holds
        repnet --store /tmp/s build my-sources/
    """
    ctx.obj = Ctx(store, quiet, include_restricted)


base_option = click.option("--base", envvar="REPNET_BASE", default=None, metavar="IRI",
                           help="Base IRI for minted entity and graph IRIs (default https://w3id.org/repnet/). Env: REPNET_BASE.")
format_option = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
                             show_default=True, help="Output format.")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@base_option
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="SHACL engine: shapes compiled to SPARQL in Oxigraph, or pySHACL (slow, reference).")
@click.pass_obj
def build(obj: Ctx, paths: tuple[Path, ...], base: str | None, engine: str) -> None:
    """Build the store from source files (default: the packaged data/).

    Reads and checks every source, writes one named graph per source, validates the result
    against ontology/shapes.ttl and only then replaces the store. On any error the previous
    store stays as it was.

    \b
    Example:
        repnet build
        repnet --store ./store build data/ more-sources/
    """
    from .graph.build import build as run

    t0 = time.perf_counter()
    try:
        r = run(paths or None, obj.store, base, engine, progress=obj.progress)
    except RepnetError as e:
        e.args = (f"{e}\nThe store was not changed.",)
        raise
    click.echo(f"Built {r.store}: {r.sources} sources, {r.records:,} records, {r.quads:,} triples "
               f"in {time.perf_counter() - t0:.2f} s (read+check {r.seconds_read:.2f} s, load+validate {r.seconds_load_validate:.2f} s).")


@cli.command()
@format_option
@click.pass_obj
def stats(obj: Ctx, fmt: str) -> None:
    """Show what the store holds: triples, named graphs, entities per class, sources.

    \b
    Example:
        repnet stats
        repnet stats --format json
    """
    from .graph.output import render
    from .graph.stats import stats as compute
    from .graph.store import open_store

    s = compute(open_store(obj.store, include_restricted=True))  # counts only; curators see what is restricted
    if fmt == "json":
        click.echo(json.dumps(s, indent=2, ensure_ascii=False, default=str))
        return
    if fmt in ("csv", "tsv"):
        rows = [{"kind": "class", "name": c["class"], "count": c["entities"]} for c in s["classes"]]
        rows += [{"kind": "graph", "name": g["graph"], "count": g["triples"]} for g in s["graphs"]]
        click.echo(render(rows, ["kind", "name", "count"], fmt))
        return
    click.echo(f"Store: {s['store']}\nTriples: {s['triples']:,} in {s['named_graphs']} named graphs\n")
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
@format_option
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
    from .graph.dataset import load_dataset
    from .graph.store import memory_store
    from .graph.validate import locations, validate_store

    try:
        ds = load_dataset(paths or None, base)
    except SourceError as e:
        if fmt == "json":
            click.echo(json.dumps({"conforms": False, "problems": [p.__dict__ for p in e.problems]}, indent=2))
            sys.exit(1)
        raise
    report = validate_store(memory_store(ds.quads()), engine)
    if fmt == "json":
        where = locations(ds)
        click.echo(json.dumps({"conforms": report.conforms, "problems": [
            {**v.__dict__, "where": where.get(v.focus)} for v in report.violations]}, indent=2))
    else:
        click.echo(report.text(locations(ds)) if not report.conforms else
                   f"{len(ds.sources)} sources, {ds.record_count:,} records: the data conforms to the shapes.")
    sys.exit(0 if report.conforms else 1)


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
    from .graph.synth import write_synthetic

    files = write_synthetic(out, persons=persons, seed=seed, per_file=per_file,
                            progress=None if obj.quiet else lambda n: click.echo(f"  {n:,} persons written ...", err=True))
    click.echo(f"Wrote {len(files)} synthetic source files for {persons:,} persons to {out}.")


@cli.command()
@click.argument("query", required=False)
@click.option("-e", "--expression", metavar="SPARQL", help="Inline SPARQL instead of a saved query or .rq file.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter (repeatable). Persons and organizations take an IRI or any of their names.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "nquads",
                                                      "rdfxml", "trig", "jsonld"]),
              default=None, help="Output: table (default on a terminal), csv, tsv, json (SPARQL 1.1 JSON results), xml; "
                                 "CONSTRUCT/DESCRIBE: turtle (default) or another RDF format.")
@click.option("--source", "sources", multiple=True, metavar="ID", help="Query only these sources' graphs (repeatable).")
@click.option("--list", "list_", is_flag=True, help="List the saved queries with their columns and parameters.")
@click.pass_obj
def query(obj: Ctx, query: str | None, expression: str | None, params: tuple[str, ...], fmt: str | None,
          sources: tuple[str, ...], list_: bool) -> None:
    """Run SPARQL: a saved query by name, a .rq file, or -e 'inline SPARQL'.

    By default a query sees the union of all sources; GRAPH ?g gives each fact's source graph.
    Parameters are bound as RDF terms (VALUES), never pasted into the query text.

    \b
    Examples:
        repnet query --list
        repnet query sentences --format csv > sentences.csv
        repnet query detained-on --param date=2024-01-01
        repnet query timeline --param person="Nasta Loika"
        repnet query -e 'SELECT ?s WHERE { ?s a ?c } LIMIT 5' --format json
        repnet query my-question.rq --format table
    """
    from .graph import query as q

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
    prepared = q.prepare(store, str(text), bindings, saved)
    graphs = q.source_graphs(store, sources) if sources else None
    result = q.execute(store, prepared, graphs)
    if fmt is None:
        fmt = "table" if sys.stdout.isatty() else ("turtle" if prepared.form in ("CONSTRUCT", "DESCRIBE") else "csv")
        if prepared.form in ("CONSTRUCT", "DESCRIBE") and fmt == "table":
            fmt = "turtle"
    click.echo(q.render_result(result, prepared, fmt), nl=False)


@cli.group()
def export() -> None:
    """Export the graph: linked data (RDF), CSV tables, or the projected network.

    Public graphs only unless --include-restricted is given (on `repnet` or on the subcommand).

    \b
    Examples:
        repnet export trig -o belarus.trig
        repnet export jsonld -o belarus.jsonld
        repnet export csv -o tables/
        repnet export trig --include-restricted -o internal.trig
    """


def _rdf_export_command(fmt: str) -> None:
    from .graph.export import EXTENSIONS

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
        from .graph.export import export_rdf
        from .graph.store import open_store

        if restricted and not obj.include_restricted:
            click.echo("warning: --include-restricted: the export includes RESTRICTED facts; do not publish it.", err=True)
        store = open_store(obj.store, include_restricted=restricted or obj.include_restricted)
        t0 = time.perf_counter()
        with click.open_file(output, "wb") as fh:
            n = export_rdf(store, fmt, fh, description=not no_description, endpoint=endpoint, dump_base=dump_base)
        if output != "-" and not obj.quiet:
            size = Path(output).stat().st_size
            click.echo(f"Wrote {n:,} {'quads' if fmt in ('trig', 'nquads', 'jsonld') else 'triples'} to {output} "
                       f"({size:,} bytes, {time.perf_counter() - t0:.2f} s)"
                       + ("; includes RESTRICTED facts" if store.public_only is False else "; public graphs only") + ".", err=True)


for _fmt in ("trig", "nquads", "jsonld", "turtle", "ntriples", "rdfxml"):
    _rdf_export_command(_fmt)


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
    from .graph.export import export_csv
    from .graph.store import open_store

    store = open_store(obj.store, include_restricted=restricted or obj.include_restricted)
    counts = export_csv(store, Path(output))
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

    from .graph.describe import describe as run
    from .graph.export import prefixes_for

    store = obj.open()
    formats = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "ntriples": ox.RdfFormat.N_TRIPLES,
               "rdfxml": ox.RdfFormat.RDF_XML}
    data = ox.serialize(run(store, endpoint, dump_base), format=formats[fmt],
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
              "marked restricted). Off by default.")
@click.option("--allow-update", is_flag=True, help="Answer SPARQL Update from clients with the token with 501 instead of "
              "403 (the store is never written; it is built from sources).")
@click.option("--token", envvar="REPNET_TOKEN", default=None, metavar="T",
              help="Bearer token for --allow-update. Env: REPNET_TOKEN.")
@click.pass_obj
def serve(obj: Ctx, host: str, port: int, timeout: float, max_rows: int, cors: str | None, workers: int,
          include_restricted: bool, allow_update: bool, token: str | None) -> None:
    """Serve the store as a SPARQL 1.1 endpoint at /sparql, with a query page at /.

    Read-only; every query has a time limit and a row cap; SERVICE and LOAD are refused and
    FROM <url> is never fetched. The query page works offline and offers the saved queries.

    \b
    Example:
        repnet serve                              # http://127.0.0.1:8000/sparql and the page at /
        repnet serve --port 8001 --timeout 10 --max-rows 5000
        curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/sparql' --data-urlencode 'query=SELECT * {?s ?p ?o} LIMIT 3'
    """
    from .graph.serve import Settings
    from .graph.serve import serve as run
    from .graph.store import resolve

    run(Settings(store=resolve(obj.store), host=host, port=port, timeout=timeout, max_rows=max_rows, cors=cors,
                 allow_update=allow_update, token=token, workers=workers, include_restricted=include_restricted,
                 quiet=obj.quiet))


def main() -> None:  # pragma: no cover
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["cli", "UsageError"]
