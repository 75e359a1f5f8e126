"""Vocabulary files as lookups: aliases resolve to canonical names whatever the spelling."""

from __future__ import annotations

from pathlib import Path

from sceptre_analysis.vocab import fold, load_vocabulary

FIXTURE = Path(__file__).parent / "fixtures" / "vocab"


def test_fold_ignores_case_spacing_ampersands_and_curly_apostrophes() -> None:
    assert fold("  Devon &  Cornwall POLICE ") == fold("devon and cornwall police")
    assert fold("National Police Chiefs\u2019 Council") == fold("National Police Chiefs' Council")


def test_agency_aliases_resolve_to_the_canonical_name(tmp_path: Path) -> None:
    (tmp_path / "agencies.csv").write_text(
        "agency,kind,area,aliases\n"
        "National (all forces),national,England and Wales,All forces|NPCC\n"
        "Metropolitan Police Service,force,London,Met|Met Police\n"
    )
    names = load_vocabulary(tmp_path).agency_names
    assert names.resolve("all FORCES") == "National (all forces)"
    assert names.resolve("npcc") == "National (all forces)"
    assert names.resolve("Met Police") == "Metropolitan Police Service"
    assert names.resolve("Kent Police") is None


def test_a_folder_without_vocabulary_files_uses_the_project_defaults(tmp_path: Path) -> None:
    vocabulary = load_vocabulary(tmp_path)
    assert vocabulary.units  # from the project's data/units.csv
    assert vocabulary.qualifier("") is not None and vocabulary.qualifier("").meaning == "exact"


def test_a_new_unit_is_a_data_change(tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text(
        "unit,kind,decimals,prefix,suffix,aliases,description\n"
        "tonnes,weight,3,, t,tonne|t,Weight in tonnes.\n"
    )
    vocabulary = load_vocabulary(tmp_path)
    assert vocabulary.unit_names.resolve("tonne") == "tonnes"
    assert vocabulary.units["tonnes"].kind == "weight"
    assert not vocabulary.units["tonnes"].whole


def test_measure_names_from_another_vocabulary_map_onto_ours(tmp_path: Path) -> None:
    (tmp_path / "measure_aliases.csv").write_text(
        "alias,measure,kind,note\nknives_recovered,knives,name,\nknives handed in,"
        "knives_surrendered,phrase,\n"
    )
    vocabulary = load_vocabulary(tmp_path)
    assert vocabulary.measure_for("knives_recovered", ["knives"]) == "knives"
    assert vocabulary.measure_for("knives", ["knives"]) == "knives"
    assert vocabulary.measure_for("knives handed in", ["knives"]) is None  # a phrase, not a name
    assert [a.measure for a in vocabulary.phrases()] == ["knives_surrendered"]
