"""The network page in a real browser: Debian's headless Chromium driven by Selenium
through Debian's chromedriver. The page is opened from a file:// URL with background
networking off, so it must work offline. Screenshots are saved under the test's output
folder (pytest's tmp_path). A missing browser fails the test: .ci/run installs it."""
from __future__ import annotations

import json
import re
import shutil
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


def edge(browser, relation: str, a: str, b: str):
    for path in browser.find_elements(By.CSS_SELECTOR, f"path.edge[data-relation='{relation}']"):
        ends = (path.get_attribute("data-source-label"), path.get_attribute("data-target-label"))
        if ends == (a, b) or (relation != "demanded" and ends == (b, a)):  # demands have a direction
            return path
    raise AssertionError(f"no {relation} line between {a} and {b}")


def visible_edges(browser, relation: str | None = None) -> list:
    selector = "path.edge" + (f"[data-relation='{relation}']" if relation else "")
    return [p for p in browser.find_elements(By.CSS_SELECTOR, selector) if "hidden" not in p.get_attribute("class")]


def test_network_renders_the_expected_actors_and_links(opened, tmp_path):
    browser, data = opened
    labels = {n.get_attribute("data-label") for n in browser.find_elements(By.CSS_SELECTOR, ".node")}
    assert labels == {n["label"] for n in data["nodes"]}
    assert {"Marco Rubio", "Sergej Lawrow", "USA", "Russland", "Wladimir Putin"} <= labels
    assert len(browser.find_elements(By.CSS_SELECTOR, "path.edge")) == len(data["edges"])
    rubio_lawrow = edge(browser, "met-with", "Marco Rubio", "Sergej Lawrow")
    assert rubio_lawrow.is_displayed() and int(rubio_lawrow.get_attribute("data-count")) >= 1
    assert edge(browser, "agreed-to", "USA", "Russland").is_displayed()
    assert visible_edges(browser, "demanded")
    # the shapes were drawn where the layout put them
    box = browser.find_element(By.CSS_SELECTOR, ".node[data-label='Sergej Lawrow']").rect
    assert box["width"] > 5 and box["height"] > 5
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline li")) == len(data["events"])
    # nothing was fetched: no scripts, styles or fonts from anywhere
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    shot = tmp_path / "network.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 20_000


def test_hovering_a_line_shows_its_evidence_and_source(opened):
    browser, data = opened
    line = edge(browser, "met-with", "Marco Rubio", "Sergej Lawrow")
    # a point of the line that no actor or other line covers, in viewport pixels
    point = browser.execute_script(
        "const path = arguments[0], svg = path.ownerSVGElement, total = path.getTotalLength();"
        "for (let step = 0; step < 40; step++) {"  # from the middle outwards
        "  const i = 20 + (step % 2 ? -1 : 1) * Math.ceil(step / 2);"
        "  const p = path.getPointAtLength(total * i / 40), m = path.getScreenCTM();"
        "  const x = Math.round(m.a * p.x + m.c * p.y + m.e), y = Math.round(m.b * p.x + m.d * p.y + m.f);"
        "  if (document.elementFromPoint(x, y) === path) return [x, y]; }"
        "return null;", line)
    assert point, "the Rubio–Lawrow line is covered everywhere"
    actions = ActionChains(browser)
    actions.w3c_actions.pointer_action.move_to_location(int(point[0]), int(point[1]))
    actions.perform()
    tooltip = browser.find_element(By.ID, "tooltip")
    WebDriverWait(browser, 5).until(lambda d: tooltip.is_displayed())
    text = tooltip.text
    assert "Marco Rubio" in text and "Sergej Lawrow" in text
    events = [data["events"][i] for e in data["edges"] for i in e["events"]
              if e["relation"] == "met-with" and {n["label"] for n in data["nodes"] if n["id"] in (e["source"], e["target"])}
              == {"Marco Rubio", "Sergej Lawrow"}]
    assert any(ev["doc"] in text and ev["evidence"][:40] in text for ev in events)


def test_relation_filter_hides_and_restores_lines(opened, tmp_path):
    browser, data = opened
    before = len(visible_edges(browser))
    browser.find_element(By.ID, "relation-met-with").click()
    assert not visible_edges(browser, "met-with")
    assert not edge(browser, "met-with", "Marco Rubio", "Sergej Lawrow").is_displayed()
    assert visible_edges(browser, "agreed-to") and visible_edges(browser, "demanded")
    relations = {li.get_attribute("data-relation") for li in browser.find_elements(By.CSS_SELECTOR, "#timeline li")}
    assert relations and "met-with" not in relations
    browser.save_screenshot(str(tmp_path / "network-without-meetings.png"))
    browser.find_element(By.ID, "relation-met-with").click()
    assert len(visible_edges(browser)) == before


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
    assert edge(browser, "met-with", "Marco Rubio", "Sergej Lawrow").is_displayed()  # Riad, 18 February
    # lines whose every event lies outside 18 February are hidden, the others shown
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    outside = [e for e in data["edges"] if all(data["events"][i]["date"] != "2025-02-18" for i in e["events"])]
    inside = [e for e in data["edges"] if any(data["events"][i]["date"] == "2025-02-18" for i in e["events"])]
    assert outside and inside
    for e in outside:
        assert not edge(browser, e["relation"], labels[e["source"]], labels[e["target"]]).is_displayed()
    for e in inside:
        assert edge(browser, e["relation"], labels[e["source"]], labels[e["target"]]).is_displayed()
    summary = browser.find_element(By.ID, "summary").text
    assert re.fullmatch(r"\d+ actors, \d+ links, \d+ events shown", summary)
