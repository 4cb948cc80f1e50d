"""FollowTheMoney in and out (issue 12): `repnet export ftm` writes entities the followthemoney
library validates and reads back; `repnet import ftm` reads a synthetic FtM list
(tests/fixtures/accountability/list.ftm.json: invented officials in Cyrillic and two Latin
transliterations, namesakes, sanctions, a membership, an entity of a schema FtM does not define)
into a source that builds into its own named graph."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from followthemoney import model

from repnet.cli import cli
from repnet.graph.errors import SourceError
from repnet.graph.ingest.build import build
from repnet.graph.ingest.ftm import read_ftm
from repnet.graph.store import open_store

from .conftest import select, write

FIXTURE = Path(__file__).parent / "fixtures" / "accountability"


@pytest.fixture(scope="module")
def acc_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ftm-store")
    build([FIXTURE / "officials.yaml"], root)
    return root


def test_export_ftm_round_trips_through_followthemoney(acc_dir: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["--store", str(acc_dir), "export", "ftm", "-o", str(tmp_path / "x.ftm.json")])
    assert out.exit_code == 0, out.output
    assert "Wrote 41 FtM entities" in out.output
    proxies = {}
    for line in (tmp_path / "x.ftm.json").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        assert model.get(data["schema"]).validate(data) is None
        p = model.get_proxy(data)
        assert p.to_dict() == data  # read back unchanged
        proxies[p.id] = p
    counts: dict[str, int] = {}
    for p in proxies.values():
        counts[p.schema.name] = counts.get(p.schema.name, 0) + 1
    assert counts == {"CourtCase": 1, "CourtCaseParty": 3, "Membership": 7, "Organization": 4, "Person": 15,
                      "PublicBody": 7, "Sanction": 4}
    judge = proxies["person-hrushetskaya"]
    assert (judge.get("name"), judge.get("alias"), judge.get("birthDate")) == (
        ["Alena Hrushetskaya"], ["Алена Грушэцкая"], ["1975-03-14"])
    post = proxies["membership-barysenka-colony-1-head"]
    assert (post.get("member"), post.get("organization"), post.get("role"), post.get("startDate"), post.get("endDate")) == (
        ["person-barysenka"], ["place-colony-1"], ["head"], ["2019-02-01"], ["2022-12"])
    assert proxies["place-colony-1"].schema.name == "PublicBody"
    s = proxies["sanction-union-2022-1--person-barysenka"]
    assert {k: s.get(k) for k in ("entity", "authority", "program", "startDate", "endDate")} == {
        "entity": ["person-barysenka"], "authority": ["Union of States"], "program": ["Council Regulation (synthetic) 2022/1"],
        "startDate": ["2022-02-24"], "endDate": ["2024-02-20"]}
    party = proxies["case-c-3--prosecutor--person-sharapanava"]
    assert (party.get("case"), party.get("role")) == (["case-c-3"], ["prosecutor"])


def test_import_ftm_writes_a_source_that_builds_into_its_own_graph(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["import", "ftm", str(FIXTURE / "list.ftm.json"), "--source", "synthetic-list",
                                   "--publisher", "A list maker (synthetic)", "--published", "2025-06-01", "-o", str(tmp_path / "src")])
    assert out.exit_code == 0, out.output
    assert ("warning: " + str(FIXTURE / "list.ftm.json") + ", line 16, entity syn-16: unknown FtM schema 'Prisoner', skipped") in out.stderr
    assert "(Delisting 1, Membership 1, Organization 1, Person 11, Sanction 2); skipped schemata repnet does not import: Address 1" in out.stderr
    store_dir = tmp_path / "store"
    build([FIXTURE / "officials.yaml", tmp_path / "src" / "synthetic-list.json"], store_dir)
    store = open_store(store_dir)
    g = "https://w3id.org/repnet/graph/synthetic-list"
    rows = select(store, f"""SELECT ?name ?born WHERE {{ GRAPH <{g}> {{ ?p a schema:Person ; skos:prefLabel ?name
                                OPTIONAL {{ ?p schema:birthDate ?born }} }} }} ORDER BY ?name""")
    assert len(rows) == 11 and rows[0] == ("Alena Hrushetskaya", dt.date(1990, 6, 1))
    assert select(store, f"""SELECT ?src WHERE {{ <{g}> prov:wasDerivedFrom ?src }}""") == [
        ("https://w3id.org/repnet/id/source/synthetic-list",)]
    sanctions = [r for r in CliRunner().invoke(cli, ["--store", str(store_dir), "query", "sanctions", "--format", "csv"]).stdout.splitlines()
                 if "synthetic-list" in r]
    assert [r.split(",")[1:5] for r in sanctions] == [
        ["Грушецкая Алёна Ивановна", "Union of States", "2022-02-24", "Council Regulation (synthetic) 2022/1"],
        ["Лапицкий Дмитрий Петрович", "Government of Z", "2024-05-01", "Order (synthetic) 9"]]
    assert sanctions[1].endswith(",2025-01-15")  # delisted


@pytest.mark.parametrize("line, message", [
    ("not json", "line 1: not JSON: Expecting value (column 1)"),
    ('["a list"]', "line 1: an FtM entity is a JSON object with an 'id', a 'schema' and 'properties'"),
    ('{"id": "x", "schema": "Person", "properties": {"name": ["A"], "colour": ["red"]}}', "line 1, record x: schema Person has no property colour"),
    ('{"id": "x", "schema": "Person", "properties": {"name": ["A"], "birthDate": ["soon"]}}',
     "line 1, record x: Person entity is not valid: birthDate: Invalid value: 'soon'"),
    ('{"id": "s", "schema": "Sanction", "properties": {"entity": ["nobody"]}}',
     "line 1, record s: Sanction entity refers to 'nobody', which the file does not hold as a person or organization"),
])
def test_a_bad_ftm_entity_is_refused_with_its_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path / "bad.ftm.json", line + "\n")
    with pytest.raises(SourceError) as e:
        read_ftm(path, "bad")
    assert str(path) + ", " + message in str(e.value)
    out = CliRunner().invoke(cli, ["import", "ftm", str(path), "--source", "bad", "-o", str(tmp_path / "o")])
    assert out.exit_code == 1 and message in out.output and not (tmp_path / "o").exists()
