"""The explorer of kg serve in a real browser (Debian's headless Chromium through Selenium):
a saved query run through its form, an actor page reached by a link, and the bundled
SPARQL editor running a query against the server. No request may leave the server."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from conftest import REPO
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from test_serve import start, stop
from test_viz_browser import browser  # noqa: F401 - the module's headless Chromium

from kg.pipeline import build_dataset


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-browser")
    path = folder / "seeds.nq"
    build_dataset([REPO / "corpus"]).store.dump(path, pyoxigraph.RdfFormat.N_QUADS)
    process, url = start(["--data", str(path)], folder)
    yield url
    stop(process)


def only_local_requests(driver, url: str) -> None:
    names = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(name.startswith(url) for name in names), names


def test_a_saved_query_through_its_form_then_an_actor_page(browser, server, tmp_path: Path):  # noqa: F811
    browser.get(server + "/")
    form = browser.find_element(By.ID, "query-meetings-by-place")
    form.find_element(By.NAME, "place").send_keys("Riad")
    form.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table tbody tr"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) >= 10 and all("Riad" in row.text for row in rows)
    browser.find_element(By.LINK_TEXT, "Sergej Lawrow").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "Sergej Lawrow")
    events = browser.find_elements(By.CSS_SELECTOR, "#events li")
    assert len(events) >= 5 and any("Marco Rubio" in e.text for e in events)
    browser.save_screenshot(str(tmp_path / "actor.png"))
    only_local_requests(browser, server)


def test_the_sparql_editor_runs_a_query_on_this_server(browser, server, tmp_path: Path):  # noqa: F811
    browser.get(server + "/editor")
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    browser.execute_script(
        "const tab = window.kgYasgui.getTab();"
        "tab.setQuery('SELECT ?label WHERE { ?a a <https://kg.example.org/ontology#State> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?label');"
        "tab.query();")
    WebDriverWait(browser, 30).until(lambda d: "Russland" in d.find_element(By.CLASS_NAME, "yasr").text)
    assert "Saudi-Arabien" in browser.find_element(By.CLASS_NAME, "yasr").text
    browser.save_screenshot(str(tmp_path / "editor.png"))
    only_local_requests(browser, server)


def test_the_network_page_of_the_server_lets_an_actor_be_dragged(browser, server, tmp_path: Path):  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains

    browser.get(server + "/network")
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    labels = browser.execute_script("return window.kgNetwork.cy.nodes().map((n) => n.data('label'))")
    assert {"Sergej Lawrow", "Marco Rubio", "Russland"} <= set(labels)
    where = "return window.kgNetwork.cy.nodes().filter((n) => n.data('label') === 'Türkei')[0].renderedPosition();"
    start = browser.execute_script(where)
    left, top = browser.execute_script("const r = document.getElementById('network').getBoundingClientRect(); return [r.left, r.top];")
    x, y = int(left + start["x"]), int(top + start["y"])
    actions = ActionChains(browser)
    actions.w3c_actions.pointer_action.move_to_location(x, y).pointer_down()
    for step in range(1, 11):
        actions.w3c_actions.pointer_action.move_to_location(x - 6 * step, y + 4 * step)
    actions.w3c_actions.pointer_action.pointer_up()
    actions.perform()
    end = browser.execute_script(where)
    assert abs(end["x"] - start["x"] + 60) < 6 and abs(end["y"] - start["y"] - 40) < 6, (start, end)
    browser.save_screenshot(str(tmp_path / "network.png"))
    only_local_requests(browser, server)
