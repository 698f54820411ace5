"""The divergence map's row groups: chosen from the data, or as many as the coordinator asks for."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Flask

from tests.registry.divergence.world import client_as

MAP = "/samarbeid/digi-trondelag/avvik/byggesak"


def groups_shown(html: str) -> list[int]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [int(g) for g in re.findall(r'</th>\s*<td class="number">(\d+)</td>', body)]


def test_the_map_says_how_many_groups_it_chose_and_why(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MAP).get_data(as_text=True)
    sentence = re.search(r'<p class="hint" id="grouping">([^<]*)</p>', html)
    assert sentence and "chosen automatically" in sentence.group(1)
    assert re.search(r"silhouette \d\.\d\d of 1", sentence.group(1))
    assert re.search(r'<select[^>]* id="grupper" name="grupper"', html)
    assert '<option selected value="">Automatic</option>' in html


def test_the_coordinator_can_ask_for_a_number_of_groups(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    two = client.get(MAP + "?grupper=2").get_data(as_text=True)
    assert "2 groups, as chosen in the filter." in two
    assert sorted(set(groups_shown(two))) == [1, 2]
    assert '<option selected value="2">2</option>' in two
    one = client.get(MAP + "?grupper=1").get_data(as_text=True)
    assert "1 group, as chosen in the filter." in one
    assert set(groups_shown(one)) == {1}


def export_groups(app: Flask, query: str) -> set[str]:
    data = client_as(app, "coordinator").get(MAP + "/eksport.csv" + query).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][2] == "Group"
    return {row[2] for row in rows[1:-1]}  # the last row is the shares


def test_the_export_follows_the_groups_asked_for(app: Flask, world: dict[str, Any]) -> None:
    assert export_groups(app, "?grupper=1") == {"1"}
    assert export_groups(app, "?grupper=2") == {"1", "2"}


def test_a_bad_number_of_groups_is_a_form_error_and_the_choice_automatic(app: Flask, world: dict[str, Any]) -> None:
    for bad in ("0", "abc", "999", "-2"):
        response = client_as(app, "coordinator").get(MAP + "?grupper=" + bad)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Not a valid choice" in html, bad
        assert "chosen automatically" in html, bad


def test_the_grouping_is_worded_in_bokmal(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator", lang="nb").get(MAP).get_data(as_text=True)
    assert "valgt automatisk" in html
    assert ">Automatisk</option>" in html
    asked = client_as(app, "coordinator", lang="nb").get(MAP + "?grupper=2").get_data(as_text=True)
    assert "2 grupper, slik filteret sier." in asked
