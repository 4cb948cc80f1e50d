"""Each fact of the HRW article of 2025-12-15, asserted by SPARQL over the built store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from repnet.graph.store.embedded import EmbeddedStore

from .conftest import ID, select

HRW = "https://w3id.org/repnet/graph/hrw-2025-12-15-belarus"
HRW_RESTRICTED = HRW + "/restricted"


def person(key: str) -> str:
    return f"<{ID}person/{key}>"


def test_the_source_is_described_with_provenance(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?title ?publisher ?url ?date ?access WHERE {{
          <{HRW}> prov:wasDerivedFrom ?doc ; dcterms:accessRights ?access .
          ?doc dcterms:title ?title ; schema:publisher/skos:prefLabel ?publisher ; schema:url ?url ;
               schema:datePublished ?date ; a schema:NewsArticle . }}""")
    assert rows == [("More than 1,000 Belarusians remain in prison for exercising their rights", "Human Rights Watch",
                     "https://www.hrw.org/news/2025/12/15/more-than-1000-belarusians-remain-in-prison-for-exercising-their-rights",
                     dt.date(2025, 12, 15), "http://publications.europa.eu/resource/authority/access-right/PUBLIC")]


def test_123_prisoners_released_on_2025_12_13_after_us_led_negotiations(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?date ?n ?qualifier ?by ?leader WHERE {
          ?r a rpn:MassRelease ; schema:startDate ?date ; rpn:grantedBy/skos:prefLabel ?by ; rpn:resultOf ?neg .
          ?neg rpn:ledBy/skos:prefLabel ?leader ; rpn:hasOutcome ?r .
          ?c rpn:aboutEvent ?r ; rpn:countValue ?n ; rpn:countQualifier ?qualifier ; rpn:countOf "prisoners released"@en .
        }""")
    assert rows == [(dt.date(2025, 12, 13), 123, "https://w3id.org/repnet/concept/count-qualifier/exact",
                     "Government of Belarus", "United States government")]


def test_the_us_agreed_to_lift_sanctions_on_belarusian_potash(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?sanction ?target ?by ?status ?extent ?latest WHERE {
          ?neg a rpn:Negotiation ; rpn:hasOutcome ?relief , ?release . ?release a rpn:MassRelease ; schema:startDate ?d .
          FILTER (?d = "2025-12-13"^^xsd:date)
          ?relief a rpn:SanctionsRelief ; rpn:relieves ?s ; rpn:reliefStatus ?status ; rpn:reliefExtent/skos:prefLabel ?extent ;
                  rpn:grantedBy/skos:prefLabel ?by ; rpn:latestStart ?latest .
          ?s skos:prefLabel ?sanction ; rpn:targetDescription ?target .
        }""")
    assert rows == [("sanctions on Belarusian potash", "Belarusian potash", "United States government",
                     "https://w3id.org/repnet/concept/relief-status/agreed", "lifted", dt.date(2025, 12, 13))]


def test_no_one_is_said_to_have_imposed_the_potash_sanctions(belarus_store: EmbeddedStore) -> None:
    """The article says the US agreed to lift them, not who imposed them."""
    assert select(belarus_store, "SELECT ?s ?by WHERE { ?s a ftm:Sanction . OPTIONAL { ?s rpn:imposedBy ?by } }") == [
        (f"{ID}sanction/belarusian-potash", None)]


def test_the_negotiating_parties_are_the_us_and_belarus(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?neg ?party WHERE { ?neg a rpn:Negotiation ; rpn:party/skos:prefLabel ?party } ORDER BY ?neg ?party""")
    assert [r[1] for r in rows] == ["Government of Belarus", "United States government"] * 2


def test_the_majority_went_to_ukraine_and_nine_to_lithuania(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT DISTINCT ?place ?qualifier ?n WHERE {
          ?c a rpn:StatedCount ; rpn:aboutEvent/schema:startDate "2025-12-13"^^xsd:date ; rpn:countPlace/skos:prefLabel ?place ;
             rpn:countQualifier/skos:prefLabel ?qualifier . OPTIONAL { ?c rpn:countValue ?n } } ORDER BY ?place""")
    assert rows == [("Lithuania", "exactly", 9), ("Ukraine", "the majority", None)]


def test_the_named_released_persons(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?name WHERE { ?r a rpn:Release ; rpn:releasedPerson/skos:prefLabel ?name ;
                                schema:startDate "2025-12-13"^^xsd:date ; schema:superEvent ?mass . ?mass a rpn:MassRelease }
        ORDER BY ?name""")
    assert [r[0] for r in rows] == ["Ales Bialiatski", "Maksim Znak", "Maria Kalesnikava", "Maryna Zolatava",
                                    "Uladzimir Labkovich", "Viktar Babaryka"]


def test_the_named_persons_of_13_december_are_released_not_individually_expelled(belarus_store: EmbeddedStore) -> None:
    """The article says of the group where they were sent; it names no one as expelled, and a destination only for Bialiatski."""
    rows = select(belarus_store, """
        SELECT ?name (GROUP_CONCAT(DISTINCT STR(?cls); separator=" ") AS ?classes) ?dest WHERE {
          ?r rpn:releasedPerson/skos:prefLabel ?name ; schema:superEvent <https://w3id.org/repnet/id/release/2025-12-13> ; a ?cls .
          OPTIONAL { ?r rpn:destination/skos:prefLabel ?dest } } GROUP BY ?name ?dest ORDER BY ?name""")
    release = "https://w3id.org/repnet/ontology#Release"
    assert rows == [("Ales Bialiatski", release, "Lithuania"), ("Maksim Znak", release, None),
                    ("Maria Kalesnikava", release, None), ("Maryna Zolatava", release, None),
                    ("Uladzimir Labkovich", release, None), ("Viktar Babaryka", release, None)]
    # the group's destinations stay on the mass release, with the kinds of release it comprised
    rows = select(belarus_store, """SELECT DISTINCT ?dest WHERE { <https://w3id.org/repnet/id/release/2025-12-13> rpn:destination/skos:prefLabel ?dest }
        ORDER BY ?dest""")
    assert rows == [("Lithuania",), ("Ukraine",)]


def test_bialiatski_arrived_in_lithuania_at_the_us_embassy_in_vilnius(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT DISTINCT ?dest ?arrival WHERE {{ ?r rpn:releasedPerson {person('ales-bialiatski')} ;
            rpn:destination/skos:prefLabel ?dest ; rpn:arrivalPlace ?arrival }}""")
    assert rows == [("Lithuania", "U.S. Embassy in Vilnius")]


def test_tut_by_is_named_and_described_in_the_articles_words(belarus_store: EmbeddedStore) -> None:
    """ "the chief editor of the largest news outlet TUT.by" """
    tut = f"<{ID}org/tut-by>"
    rows = select(belarus_store, f"""SELECT ?p ?v WHERE {{ VALUES ?p {{ skos:prefLabel skos:altLabel schema:description schema:location }}
        {tut} ?p ?v }} ORDER BY ?p""")
    assert rows == [("http://www.w3.org/2004/02/skos/core#prefLabel", "TUT.by"),
                    ("https://schema.org/description", "the largest news outlet")]
    assert select(belarus_store, 'SELECT ?x WHERE { ?x ?p "TUT.BY"@en }') == []


def test_roles_and_organizations(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?name ?org ?role WHERE { ?m a org:Membership ; org:member/skos:prefLabel ?name ;
            org:organization/skos:prefLabel ?org ; org:role/skos:prefLabel ?role } ORDER BY ?name ?role""")
    assert rows == [
        ("Ales Bialiatski", "Viasna", "founder"),
        ("Marfa Rabkova", "Viasna", "activist"),
        ("Marfa Rabkova", "Viasna", "volunteers' coordinator"),
        ("Maryna Zolatava", "TUT.by", "editor-in-chief"),
        ("Uladzimir Labkovich", "Viasna", "activist"),
        ("Valiantsin Stefanovic", "Viasna", "board member"),
    ]


def test_occupations_are_concepts_not_classes(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?name ?occ WHERE { ?p a schema:Person ; skos:prefLabel ?name ; schema:hasOccupation/skos:prefLabel ?occ }
        ORDER BY ?name""")
    assert rows == [
        ("Ales Bialiatski", "human rights defender"),
        ("Maksim Znak", "opposition figure"),
        ("Marfa Rabkova", "human rights defender"),
        ("Maria Kalesnikava", "opposition figure"),
        ("Maryna Zolatava", "editor"),
        ("Mikalai Statkevich", "opposition politician"),
        ("Nasta Loika", "human rights defender"),
        ("Valiantsin Stefanovic", "human rights defender"),
        ("Viktar Babaryka", "opposition figure"),
    ]
    assert not select(belarus_store, "SELECT ?c WHERE { ?p a schema:Person , ?c FILTER(?c != schema:Person) }")


def test_opposition_figures_are_not_called_politicians(belarus_store: EmbeddedStore) -> None:
    """ "the prominent opposition figures Maria Kalesnikava, Maksim Znak, and Viktar Babaryka"; "The opposition politician Mikalai Statkevich" """
    rows = select(belarus_store, """
        SELECT ?name ?occ WHERE { ?p schema:hasOccupation ?o ; skos:prefLabel ?name . ?o skos:prefLabel ?occ
          FILTER(?o IN (rpnc:occupation\\/opposition-figure, rpnc:occupation\\/opposition-politician)) } ORDER BY ?occ ?name""")
    assert rows == [("Maksim Znak", "opposition figure"), ("Maria Kalesnikava", "opposition figure"),
                    ("Viktar Babaryka", "opposition figure"), ("Mikalai Statkevich", "opposition politician")]
    broader = select(belarus_store, "SELECT ?b WHERE { rpnc:occupation\\/opposition-figure skos:broader ?b }")
    assert broader == []


def test_bialiatski_as_human_rights_defender_is_marked_inferred_with_its_reason(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?g ?occ ?prop ?why WHERE {{ GRAPH ?g {{ {person('ales-bialiatski')} schema:hasOccupation ?o ; rpn:hasInference ?i .
          ?i a rpn:Inference ; rpn:inferredProperty ?prop ; rpn:inferenceReason ?why }} ?o skos:prefLabel ?occ }}""")
    assert rows == [(HRW, "human rights defender", "https://schema.org/hasOccupation",
                     "the article calls him the founder of the Belarusian rights group Viasna and a 2022 Nobel Peace Prize "
                     "co-laureate, not a human rights defender")]
    # the other inferences in the article's data: the year of "On December 24"
    rows = select(belarus_store, """SELECT ?record ?prop WHERE { ?record rpn:hasInference ?i . ?i rpn:inferredProperty ?prop
        FILTER(?prop IN (schema:startDate, rpn:ongoingAsOf)) } ORDER BY ?record""")
    assert rows == [(f"{ID}charge/loika-2022-12-24", "https://schema.org/startDate"),
                    (f"{ID}detention/loika-2022-administrative", "https://w3id.org/repnet/ontology#ongoingAsOf")]
    assert select(belarus_store, "SELECT (COUNT(*) AS ?n) WHERE { ?i a rpn:Inference }") == [(3,)]


def test_bialiatski_is_a_2022_nobel_co_laureate(belarus_store: EmbeddedStore) -> None:
    assert select(belarus_store, f"SELECT ?a WHERE {{ {person('ales-bialiatski')} schema:award ?a }}") == [
        ("Nobel Peace Prize 2022 (co-laureate)",)]


def test_more_than_1100_remain_behind_bars(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT DISTINCT ?n ?q ?asof ?country WHERE { ?c a rpn:StatedCount ; rpn:countValue ?n ; rpn:countQualifier ?q ;
            rpn:asOf ?asof ; rpn:countCountry/skos:prefLabel ?country ; rpn:countedStatus rpnc:status\\/imprisoned }""")
    assert rows == [(1100, "https://w3id.org/repnet/concept/count-qualifier/more-than", dt.date(2025, 12, 15), "Belarus")]


def test_three_named_persons_were_still_imprisoned_on_2025_12_15(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?name WHERE { ?o a rpn:StatusObservation ; rpn:observedStatus rpnc:status\\/imprisoned ;
            rpn:asOf "2025-12-15"^^xsd:date ; rpn:observedPerson/skos:prefLabel ?name } ORDER BY ?name""")
    assert rows == [("Marfa Rabkova",), ("Nasta Loika",), ("Valiantsin Stefanovic",)]


@pytest.mark.parametrize("variant", ["Nasta Loika", "Nasta Lojka", "Anastasia Loika", "Anastasia Lojka"])
def test_loika_name_variants_are_labels_of_one_person(belarus_store: EmbeddedStore, variant: str) -> None:
    rows = select(belarus_store, f"""SELECT DISTINCT ?p WHERE {{
        {{ ?p skos:prefLabel "{variant}"@en }} UNION {{ ?p skos:altLabel "{variant}"@en }} }}""")
    assert rows == [(f"{ID}person/nasta-loika",)]


def test_stefanovich_is_a_variant_of_stefanovic(belarus_store: EmbeddedStore) -> None:
    assert select(belarus_store, 'SELECT ?p WHERE { ?p skos:altLabel "Valiantsin Stefanovich"@en }') == [
        (f"{ID}person/valiantsin-stefanovic",)]


def test_loika_six_15_day_administrative_arrests_sept_dec_2022(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?terms ?dur ?start ?end ?lo ?hi ?offence WHERE {{ ?d a rpn:AdministrativeDetention ;
            rpn:detainedPerson {person('nasta-loika')} ; rpn:termCount ?terms ; rpn:termDuration ?dur ;
            schema:startDate ?start ; schema:endDate ?end ; rpn:earliestStart ?lo ; rpn:latestEnd ?hi ;
            rpn:offence/skos:prefLabel ?offence ; rpn:detentionType rpnc:detention-type\\/administrative }}""")
    assert rows == [(6, "P15D", "2022-09", "2022-12", dt.date(2022, 9, 1), dt.date(2022, 12, 31), "petty hooliganism")]


def test_loika_six_arrests_are_terms_within_sept_dec_2022_not_one_continuous_detention(belarus_store: EmbeddedStore) -> None:
    """ "In September-December 2022, Lojka had served a total of six 15-day administrative arrest sentences";
    "On December 24, while still in administrative detention, she was charged" """
    rows = select(belarus_store, f"""
        SELECT ?terms ?continuous ?ongoing ?reported WHERE {{ ?d a rpn:AdministrativeDetention ;
            rpn:detainedPerson {person('nasta-loika')} ; rpn:termCount ?terms ; rpn:ongoingAsOf ?ongoing ; rpn:dateAsReported ?reported .
            OPTIONAL {{ ?d rpn:continuous ?continuous }} }}""")
    assert rows == [(6, None, dt.date(2022, 12, 24),
                     "In September-December 2022, a total of six 15-day administrative arrest sentences; "
                     "on December 24 still in administrative detention")]
    # the charge of that day is the one brought "while still in administrative detention"
    rows = select(belarus_store, f"""SELECT ?c WHERE {{ ?c a rpn:Charge ; rpn:chargedPerson {person('nasta-loika')} ;
        schema:startDate ?d . ?a a rpn:AdministrativeDetention ; rpn:detainedPerson {person('nasta-loika')} ; rpn:ongoingAsOf ?d }}""")
    assert rows == [(f"{ID}charge/loika-2022-12-24",)]


def test_loika_charged_on_2022_12_24_with_two_offences(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?date ?offence WHERE {{ ?c a rpn:Charge ; rpn:chargedPerson {person('nasta-loika')} ;
            schema:startDate ?date ; rpn:offence/skos:prefLabel ?offence }} ORDER BY ?offence""")
    assert rows == [
        (dt.date(2022, 12, 24), "incitement of racial, national, religious or other social enmity or discord"),
        (dt.date(2022, 12, 24), "organizing group actions grossly violating public order"),
    ]


def test_loika_sentenced_to_7_years_by_minsk_city_court_in_june_2023(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?date ?years ?months ?dur ?court ?evidence WHERE {{ ?s a rpn:Sentence ; rpn:sentencedPerson {person('nasta-loika')} ;
            schema:startDate ?date ; rpn:termYears ?years ; rpn:termMonths ?months ; rpn:termDuration ?dur ;
            rpn:court/skos:prefLabel ?court ; rpn:penaltyType rpnc:penalty\\/imprisonment ;
            rpn:evidenceUsed ?w . ?w schema:description ?evidence ; schema:author {person('nasta-loika')} }}""")
    assert rows == [("2023-06", Decimal("7.00"), 84, "P7Y", "Minsk City Court",
                     "report on human rights abuses by Belarusian police")]


def test_loika_report_has_no_title_only_what_the_article_says_of_it(belarus_store: EmbeddedStore) -> None:
    """ "A report by Loika on human rights abuses by Belarusian police": the article gives no title."""
    w = f"<{ID}work/loika-report-on-police-abuses>"
    assert select(belarus_store, f"SELECT ?p ?t WHERE {{ VALUES ?p {{ skos:prefLabel schema:name dcterms:title }} {w} ?p ?t }}") == []
    rows = select(belarus_store, f"SELECT ?d ?about ?author WHERE {{ {w} a schema:CreativeWork ; schema:description ?d ; "
                                 "schema:about ?about ; schema:author/skos:prefLabel ?author }")
    assert rows == [("report on human rights abuses by Belarusian police", "human rights abuses by Belarusian police", "Nasta Loika")]


def test_the_june_2023_date_keeps_month_precision_and_stays_comparable(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT (DATATYPE(?d) AS ?dt) ?lo ?hi WHERE {{ ?s rpn:sentencedPerson {person('nasta-loika')} ;
            schema:startDate ?d ; rpn:earliestStart ?lo ; rpn:latestStart ?hi }}""")
    assert rows == [("http://www.w3.org/2001/XMLSchema#gYearMonth", dt.date(2023, 6, 1), dt.date(2023, 6, 30))]
    sentenced_before_july = select(belarus_store, """
        SELECT ?p WHERE { ?s a rpn:Sentence ; rpn:sentencedPerson ?p ; rpn:latestStart ?hi FILTER(?hi < "2023-07-01"^^xsd:date) }
        ORDER BY ?p""")
    assert [r[0].rsplit("/", 1)[1] for r in sentenced_before_july] == ["marfa-rabkova", "nasta-loika", "valiantsin-stefanovic"]


def test_rabkova_home_raided_and_detained_on_2020_09_17(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?kind ?date WHERE {{ VALUES ?kind {{ rpn:HouseSearch rpn:Arrest }}
            ?e a ?kind ; schema:startDate ?date .
            {{ ?e rpn:targetPerson {person('marfa-rabkova')} }} UNION {{ ?e rpn:arrestedPerson {person('marfa-rabkova')} }} }}
        ORDER BY ?kind""")
    assert rows == [("https://w3id.org/repnet/ontology#Arrest", dt.date(2020, 9, 17)),
                    ("https://w3id.org/repnet/ontology#HouseSearch", dt.date(2020, 9, 17))]


def test_rabkova_charges(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?offence WHERE {{ ?c rpn:chargedPerson {person('marfa-rabkova')} ; rpn:offence ?o .
            ?o skos:prefLabel ?offence }} ORDER BY ?offence""")
    assert [r[0] for r in rows] == [
        "incitement of racial, national, religious or other social enmity or discord",
        "involvement in a criminal group",
        "training or other preparation of persons to participate in riots or funding such activities",
    ]
    # the article words the enmity charge two ways; both are labels of one offence
    assert select(belarus_store, 'SELECT ?o WHERE { ?o skos:altLabel "inciting social enmity"@en }') == [
        (f"{ID}offence/incitement-to-enmity",)]


WORDING = """
    SELECT ?name ?offence ?words WHERE {
      GRAPH ?g { ?c rpn:chargedPerson ?p ; rpn:offence ?offence .
                 OPTIONAL { ?c rpn:reportedOffence ?w . ?w rpn:offence ?offence ; rpn:wordingAsReported ?words } }
      ?p skos:prefLabel ?name } ORDER BY ?name ?words"""


def test_each_charge_keeps_the_articles_wording_for_that_person(belarus_store: EmbeddedStore) -> None:
    rows = [(n, o.rsplit("/", 1)[1], w) for n, o, w in select(belarus_store, WORDING)]
    assert rows == [
        ("Ales Bialiatski", "tax-evasion", "tax evasion"),
        ("Marfa Rabkova", "incitement-to-enmity", "inciting social enmity"),
        ("Marfa Rabkova", "criminal-group-involvement", "involvement in a criminal group"),
        ("Marfa Rabkova", "riot-training-or-funding",
         "training or other preparation of persons to participate in riots or funding such activities"),
        ("Nasta Loika", "incitement-to-enmity", "incitement of racial, national, religious or other social enmity or discord"),
        ("Nasta Loika", "organizing-group-actions-violating-public-order", "organizing group actions grossly violating public order"),
        ("Valiantsin Stefanovic", "tax-evasion", "tax evasion"),
    ]


def test_two_wordings_of_one_offence_share_the_offence_entity_and_no_provision(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?name ?words WHERE { ?c rpn:chargedPerson/skos:prefLabel ?name ; rpn:reportedOffence ?w .
          ?w rpn:offence <https://w3id.org/repnet/id/offence/incitement-to-enmity> ; rpn:wordingAsReported ?words } ORDER BY ?name""")
    assert rows == [("Marfa Rabkova", "inciting social enmity"),
                    ("Nasta Loika", "incitement of racial, national, religious or other social enmity or discord")]
    assert select(belarus_store, "SELECT ?o ?p WHERE { ?o rpn:definedBy ?p }") == []
    assert select(belarus_store, "SELECT ?c ?p WHERE { ?c rpn:underProvision|rpn:convictedUnder ?p }") == []


def test_stefanovic_conviction_keeps_the_articles_wording(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?offence ?words WHERE {{ ?s rpn:sentencedPerson {person('valiantsin-stefanovic')} ; rpn:convictedOf ?offence ;
            rpn:reportedOffence ?w . ?w rpn:offence ?offence ; rpn:wordingAsReported ?words }} ORDER BY ?words""")
    assert [(o.rsplit("/", 1)[1], w) for o, w in rows] == [
        ("organized-cash-smuggling", "cash smuggling by an organized group"),
        ("financing-group-actions-violating-public-order", "financing activities, grossly violating public order")]


def test_rabkova_15_years_by_a_court_in_minsk_serving_in_homiel_colony_4(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT DISTINCT ?date ?months ?court ?place WHERE {{ ?s rpn:sentencedPerson {person('marfa-rabkova')} ; schema:startDate ?date ;
            rpn:termMonths ?months ; rpn:courtAsReported ?court ; schema:location/skos:prefLabel ?place .
            FILTER NOT EXISTS {{ ?s rpn:court ?any }} }}""")
    assert rows == [("2022-09", 180, "a court in Minsk", "Minsk")]
    rows = select(belarus_store, f"""
        SELECT ?facility ?type ?asof WHERE {{ ?d rpn:detainedPerson {person('marfa-rabkova')} ; rpn:heldAt ?f ;
            rpn:ongoingAsOf ?asof . ?f skos:prefLabel ?facility ; rpn:facilityType/skos:prefLabel ?type }}""")
    assert rows == [("Homiel penal colony No. 4", "penal colony", dt.date(2025, 12, 15))]


def test_stefanovic_house_search_interrogation_and_detention_after_july_2021(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?kind ?date WHERE {{ ?e rpn:targetPerson {person('valiantsin-stefanovic')} ; a ?kind ; schema:startDate ?date }}
        ORDER BY ?kind""")
    assert rows == [("https://w3id.org/repnet/ontology#HouseSearch", "2021-07"),
                    ("https://w3id.org/repnet/ontology#Interrogation", "2021-07")]
    rows = select(belarus_store, f"""
        SELECT ?lo ?hi ?offence WHERE {{ ?a a rpn:Arrest ; rpn:arrestedPerson {person('valiantsin-stefanovic')} ;
            rpn:earliestStart ?lo ; rpn:relatedCharge/rpn:offence/skos:prefLabel ?offence .
            OPTIONAL {{ ?a rpn:latestStart ?hi }} OPTIONAL {{ ?a schema:startDate ?exact }} FILTER(!BOUND(?exact)) }}""")
    assert rows == [(dt.date(2021, 7, 1), None, "tax evasion")]


def test_stefanovic_held_on_the_same_tax_evasion_charge_as_bialiatski(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?name WHERE { ?c a rpn:Charge ; rpn:offence <https://w3id.org/repnet/id/offence/tax-evasion> ;
            rpn:chargedPerson/skos:prefLabel ?name } ORDER BY ?name""")
    assert rows == [("Ales Bialiatski",), ("Valiantsin Stefanovic",)]


def test_stefanovic_9_years_in_march_2023_for_two_offences(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?date ?months ?court ?offence WHERE {{ ?s rpn:sentencedPerson {person('valiantsin-stefanovic')} ;
            schema:startDate ?date ; rpn:termMonths ?months ; rpn:courtAsReported ?court ; rpn:convictedOf/skos:prefLabel ?offence }}
        ORDER BY ?offence""")
    assert rows == [("2023-03", 108, "a court in Minsk", "cash smuggling by an organized group"),
                    ("2023-03", 108, "a court in Minsk", "financing activities grossly violating public order")]


def test_statkevich_refused_to_leave_after_the_september_pardon_and_was_returned(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT DISTINCT ?pardonDate ?by ?negotiatedWith ?refusalDate ?returnAfter WHERE {{
          ?p a rpn:Pardon ; rpn:releasedPerson {person('mikalai-statkevich')} ; schema:startDate ?pardonDate ;
             rpn:grantedBy/skos:prefLabel ?by ; schema:superEvent ?round .
          ?round rpn:resultOf/rpn:party/schema:areaServed/skos:prefLabel ?negotiatedWith .
          FILTER(?negotiatedWith = "United States"@en)
          ?refusal a rpn:RefusalToLeave ; rpn:refusingPerson {person('mikalai-statkevich')} ; rpn:refused ?round ;
             schema:startDate ?refusalDate .
          ?ret a rpn:ReturnToCustody ; rpn:returnedPerson {person('mikalai-statkevich')} ; rpn:cause ?refusal ;
             rpn:earliestStart ?returnAfter . }}""")
    assert rows == [("2025-09", "Aliaksander Lukashenka", "United States", "2025-09", dt.date(2025, 9, 1))]


def test_lukashenka_is_linked_to_his_verified_wikidata_item(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"SELECT ?w WHERE {{ {person('aliaksandr-lukashenka')} owl:sameAs ?w }}")
    assert rows == [("http://www.wikidata.org/entity/Q2866",)]


def test_ill_treatment_and_health_are_in_the_restricted_graph_only(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, """
        SELECT ?g ?kind ?name WHERE { GRAPH ?g { ?x a ?kind } VALUES ?kind { rpn:IllTreatmentAllegation rpn:HealthReport }
          { ?x rpn:allegedVictim ?p } UNION { ?x rpn:subjectPerson ?p } ?p skos:prefLabel ?name } ORDER BY ?kind ?name""")
    assert rows == [
        (HRW_RESTRICTED, "https://w3id.org/repnet/ontology#HealthReport", "Marfa Rabkova"),
        (HRW_RESTRICTED, "https://w3id.org/repnet/ontology#IllTreatmentAllegation", "Marfa Rabkova"),
        (HRW_RESTRICTED, "https://w3id.org/repnet/ontology#IllTreatmentAllegation", "Nasta Loika"),
    ]
    access = select(belarus_store, f"SELECT ?a WHERE {{ <{HRW_RESTRICTED}> dcterms:accessRights ?a }}")
    assert access == [("http://publications.europa.eu/resource/authority/access-right/RESTRICTED",)]


def test_loika_alleged_torture_in_administrative_and_pre_trial_detention(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""
        SELECT ?treatment ?dtype WHERE {{ ?a rpn:allegedVictim {person('nasta-loika')} ; rpn:treatmentType/skos:prefLabel ?treatment ;
            rpn:duringDetention/rpn:detentionType/skos:prefLabel ?dtype }} ORDER BY ?treatment ?dtype""")
    assert rows == [("ill-treatment", "administrative detention"), ("ill-treatment", "pre-trial detention"),
                    ("torture", "administrative detention"), ("torture", "pre-trial detention")]


def test_rabkova_health_deteriorated(belarus_store: EmbeddedStore) -> None:
    rows = select(belarus_store, f"""SELECT ?c ?cause WHERE {{ ?h rpn:subjectPerson {person('marfa-rabkova')} ;
        rpn:condition ?c ; rpn:attributedTo ?cause }}""")
    assert rows == [("health significantly deteriorated", "dire conditions and ill-treatment in prison")]


def test_every_fact_graph_is_derived_from_a_source(belarus_store: EmbeddedStore) -> None:
    graphs = set(belarus_store.named_graphs())
    described = {r[0] for r in select(belarus_store, "SELECT ?g WHERE { ?g prov:wasDerivedFrom ?src ; dcterms:accessRights ?a }")}
    computed = {r[0] for r in select(belarus_store, "SELECT ?g WHERE { ?g a rpn:DerivedGraph ; rpn:computedFrom ?src ; dcterms:accessRights ?a }")}
    assert computed == {"https://w3id.org/repnet/graph/derived", "https://w3id.org/repnet/graph/hrw-2025-12-15-belarus/derived"}
    assert graphs - described - computed == {"https://w3id.org/repnet/graph/meta"}
