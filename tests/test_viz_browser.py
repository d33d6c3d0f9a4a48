"""The network page in a real browser: Debian's headless Chromium driven by Selenium
through Debian's chromedriver. The page is opened from a file:// URL with background
networking off, so it must work offline. It draws on a canvas (Cytoscape.js), so the tests
read what it shows through the page's ``window.kgNetwork`` and act with a real mouse.
Screenshots are saved under the test's output folder (pytest's tmp_path). A missing
browser fails the test: .ci/run installs it."""
from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import REPO
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kg.network import load_network
from kg.results import run_query
from kg.viz import write_picture

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
INSTALL_HINT = "install Debian's chromium and chromium-driver (.ci/run does)"


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, dict]:
    from kg.pipeline import build_dataset

    store = build_dataset([REPO / "corpus"]).store
    network = load_network(lambda saved, params: run_query(store, saved, params))
    out = write_picture(network, tmp_path_factory.mktemp("viz") / "network.html")
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', out.read_text(encoding="utf-8"), re.S).group(1))
    return out, data


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not Path(binary).exists():
            pytest.fail(f"{binary} not found: {INSTALL_HINT}")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                 "--window-size=1400,1100", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except WebDriverException as exc:
        pytest.fail(f"headless Chromium did not start ({exc.msg}); {INSTALL_HINT}")
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def opened(browser, page):
    path, data = page
    browser.get(path.as_uri())
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    return browser, data


EDGE_JS = """
const [relation, a, b] = arguments, cy = window.kgNetwork.cy;
const label = (id) => cy.getElementById(id).data('label');
const found = cy.edges().filter((e) => e.data('relation') === relation && (
  (label(e.data('source')) === a && label(e.data('target')) === b) ||
  (relation !== 'demanded' && label(e.data('source')) === b && label(e.data('target')) === a)));
if (!found.length) return null;
const e = found[0];
return {id: e.id(), shown: !e.hasClass('hidden'), count: e.data('count')};
"""


def edge(browser, relation: str, a: str, b: str) -> dict:
    found = browser.execute_script(EDGE_JS, relation, a, b)
    assert found, f"no {relation} line between {a} and {b}"
    return found


def visible_edges(browser, relation: str | None = None) -> int:
    return browser.execute_script(
        "return window.kgNetwork.cy.edges().filter((e) => !e.hasClass('hidden') && (!arguments[0] || e.data('relation') === arguments[0])).length",
        relation)


def page_point(browser, rendered: dict) -> tuple[int, int]:
    """A point of the canvas (Cytoscape's rendered coordinates) in viewport pixels."""
    box = browser.execute_script("const r = document.getElementById('network').getBoundingClientRect(); return [r.left, r.top];")
    return int(box[0] + rendered["x"]), int(box[1] + rendered["y"])


def move_mouse(browser, x: int, y: int) -> None:
    actions = ActionChains(browser)
    actions.w3c_actions.pointer_action.move_to_location(x, y)
    actions.perform()


def test_network_renders_the_expected_actors_and_links(opened, tmp_path):
    browser, data = opened
    labels = set(browser.execute_script("return window.kgNetwork.cy.nodes().map((n) => n.data('label'))"))
    assert labels == {n["label"] for n in data["nodes"]}
    assert {"Marco Rubio", "Sergej Lawrow", "USA", "Russland", "Wladimir Putin"} <= labels
    assert browser.execute_script("return window.kgNetwork.cy.edges().length") == len(data["edges"])
    rubio_lawrow = edge(browser, "met-with", "Marco Rubio", "Sergej Lawrow")
    assert rubio_lawrow["shown"] and rubio_lawrow["count"] >= 1
    assert edge(browser, "agreed-to", "USA", "Russland")["shown"]
    assert visible_edges(browser, "demanded")
    # the layout put every actor inside the canvas, no two on one spot
    boxes = browser.execute_script("return window.kgNetwork.cy.nodes().map((n) => n.renderedBoundingBox())")
    width, height = browser.execute_script("const c = document.getElementById('network'); return [c.clientWidth, c.clientHeight];")
    assert all(b["w"] > 5 and b["h"] > 5 and -1 <= b["x1"] and b["x2"] <= width + 1 and -1 <= b["y1"] and b["y2"] <= height + 1
               for b in boxes)
    assert len({(round(b["x1"]), round(b["y1"])) for b in boxes}) == len(boxes)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline li")) == len(data["events"])
    # nothing was fetched: no scripts, styles or fonts from anywhere
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    shot = tmp_path / "network.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 20_000


def test_hovering_a_line_shows_its_evidence_and_source(opened):
    browser, data = opened
    # the two actors apart from the rest, so that the mouse finds their line and nothing else
    midpoint = browser.execute_script(
        "const cy = window.kgNetwork.cy, ext = cy.extent();"
        "const node = (label) => cy.nodes().filter((n) => n.data('label') === label)[0];"
        "const y = ext.y2 - ext.h * 0.06;"
        "node('Marco Rubio').position({x: ext.x1 + ext.w * 0.15, y: y});"
        "node('Sergej Lawrow').position({x: ext.x1 + ext.w * 0.45, y: y});"
        "const e = cy.edges().filter((e) => e.data('relation') === 'met-with' && e.connectedNodes().contains(node('Marco Rubio'))"
        "  && e.connectedNodes().contains(node('Sergej Lawrow')))[0];"
        "return e.renderedMidpoint();")
    move_mouse(browser, *page_point(browser, midpoint))
    tooltip = browser.find_element(By.ID, "tooltip")
    WebDriverWait(browser, 5).until(lambda d: tooltip.is_displayed())
    text = tooltip.text
    assert "Marco Rubio" in text and "Sergej Lawrow" in text
    ids = {n["label"]: n["id"] for n in data["nodes"]}
    events = [data["events"][i] for e in data["edges"] for i in e["events"]
              if {e["source"], e["target"]} == {ids["Marco Rubio"], ids["Sergej Lawrow"]}]
    assert any(ev["doc"] in text and ev["evidence"][:40] in text for ev in events)


def test_an_actor_can_be_dragged(opened, tmp_path):
    browser, _ = opened
    start = browser.execute_script(
        "const n = window.kgNetwork.cy.nodes().filter((n) => n.data('label') === 'Türkei')[0]; return n.renderedPosition();")
    x, y = page_point(browser, start)
    actions = ActionChains(browser)
    actions.w3c_actions.pointer_action.move_to_location(x, y).pointer_down()
    for step in range(1, 11):
        actions.w3c_actions.pointer_action.move_to_location(x + 8 * step, y + 5 * step)
    actions.w3c_actions.pointer_action.pointer_up()
    actions.perform()
    time.sleep(0.2)
    end = browser.execute_script(
        "const n = window.kgNetwork.cy.nodes().filter((n) => n.data('label') === 'Türkei')[0]; return n.renderedPosition();")
    assert abs(end["x"] - start["x"] - 80) < 6 and abs(end["y"] - start["y"] - 50) < 6, (start, end)
    browser.save_screenshot(str(tmp_path / "dragged.png"))


def test_relation_filter_hides_and_restores_lines(opened, tmp_path):
    browser, data = opened
    before = visible_edges(browser)
    browser.find_element(By.ID, "relation-met-with").click()
    assert not visible_edges(browser, "met-with")
    assert not edge(browser, "met-with", "Marco Rubio", "Sergej Lawrow")["shown"]
    assert visible_edges(browser, "agreed-to") and visible_edges(browser, "demanded")
    relations = {li.get_attribute("data-relation") for li in browser.find_elements(By.CSS_SELECTOR, "#timeline li")}
    assert relations and "met-with" not in relations
    browser.save_screenshot(str(tmp_path / "network-without-meetings.png"))
    browser.find_element(By.ID, "relation-met-with").click()
    assert visible_edges(browser) == before


def test_date_filter_keeps_only_events_in_range(opened):
    browser, data = opened
    browser.find_element(By.ID, "show-undated").click()
    browser.execute_script(
        "for (const id of ['date-from', 'date-to']) {"
        "  const input = document.getElementById(id); input.value = '2025-02-18';"
        "  input.dispatchEvent(new Event('change')); }"
    )
    dates = {li.text.split(" ", 1)[0] for li in browser.find_elements(By.CSS_SELECTOR, "#timeline li")}
    assert dates == {"2025-02-18"}
    assert edge(browser, "met-with", "Marco Rubio", "Sergej Lawrow")["shown"]  # Riad, 18 February
    # lines whose every event lies outside 18 February are hidden, the others shown
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    outside = [e for e in data["edges"] if all(data["events"][i]["date"] != "2025-02-18" for i in e["events"])]
    inside = [e for e in data["edges"] if any(data["events"][i]["date"] == "2025-02-18" for i in e["events"])]
    assert outside and inside
    for e in outside:
        assert not edge(browser, e["relation"], labels[e["source"]], labels[e["target"]])["shown"]
    for e in inside:
        assert edge(browser, e["relation"], labels[e["source"]], labels[e["target"]])["shown"]
    summary = browser.find_element(By.ID, "summary").text
    assert re.fullmatch(r"\d+ actors, \d+ links, \d+ events shown", summary)
