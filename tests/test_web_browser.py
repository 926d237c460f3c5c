"""`bibkit serve`'s page in a real browser: Debian's Chromium, headless, driven by Selenium
through Debian's chromedriver. Paste the sample, see its entries and diagnostics, download
the BibTeX the CLI writes; a broken entry shows its line; markup in a title is text."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bibkit.web.server import BibkitServer
from conftest import ROOT, SAMPLE_LISTING, SAMPLES

AS_OF = "2026-11-27"
ARTIFACTS = ROOT / "tests" / "artifacts"


def _browser_or_skip() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    if os.environ.get("BIBKIT_REQUIRE_CLIENTS"):
        pytest.fail("chromium and chromedriver are required in CI")
    pytest.skip("Chromium or chromedriver is not installed (CI installs Debian's chromium and "
                "chromium-driver)")


@pytest.fixture(scope="module")
def server() -> Iterator[BibkitServer]:
    srv = BibkitServer("127.0.0.1", 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[tuple[object, Path]]:
    chromium, driver_path = _browser_or_skip()
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1600"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_script_timeout(30)
    yield driver, downloads
    driver.quit()


def _wait(condition, timeout: float = 30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the page did not get there in time")


def _convert(driver, srv: BibkitServer, text: str, to: str = "bibtex") -> str:
    """Open the page, paste `text` as a user would (the textarea's value and its input
    event), choose the output, press Convert; returns the summary line."""
    from selenium.webdriver.common.by import By

    driver.get(srv.url)
    _wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#to option")) > 5)
    driver.execute_script(
        "const t = document.getElementById('input'); t.value = arguments[0];"
        "t.dispatchEvent(new Event('input'));"
        "document.getElementById('as_of').value = arguments[1];"
        "document.getElementById('to').value = arguments[2];", text, AS_OF, to)
    driver.find_element(By.ID, "go").click()
    return _wait(lambda: driver.find_element(By.ID, "summary").text)


def test_paste_the_sample_see_entries_and_download_what_the_cli_writes(browser, server):
    from selenium.webdriver.common.by import By

    driver, downloads = browser
    summary = _convert(driver, server, SAMPLE_LISTING.read_text("utf-8"))
    assert summary.startswith("50 entries read as listing (profile: Bo Han)")
    entries = driver.find_elements(By.CSS_SELECTOR, "#entries > li")
    assert len(entries) == 50 and "Combating Exacerbated Heterogeneity" in entries[0].text
    driver.find_element(By.ID, "tab-diagnostics").click()
    notes = driver.find_elements(By.CSS_SELECTOR, "#diagnostics li")
    assert notes and all("[BK" in n.text for n in notes)
    driver.find_element(By.ID, "tab-output").click()
    link = _wait(lambda: driver.find_element(By.ID, "download").get_attribute("download"))
    assert link == "bibkit-bibtex.bib"
    driver.find_element(By.ID, "download").click()
    saved = downloads / "bibkit-bibtex.bib"
    _wait(lambda: saved.exists() and not list(downloads.glob("*.crdownload")))
    expected = (SAMPLES / "listing/profile-listing.expected/bibtex.bib").read_bytes()
    assert saved.read_bytes() == expected
    driver.find_element(By.ID, "tab-cv").click()
    driver.switch_to.frame("preview")
    _wait(lambda: "Publications of Bo Han" in driver.page_source)
    driver.switch_to.default_content()
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "serve.png"))


def test_a_broken_entry_shows_its_line(browser, server):
    from selenium.webdriver.common.by import By

    driver, _ = browser
    bib = ("@article{good, title={A Good Entry}, author={Doe, Jane}, journal={J}, year={2020}}\n"
           "\n@article{bad, title={Never closed, author={Roe, Rick},\n")
    assert _convert(driver, server, bib).startswith("1 entry read as bibtex; 1 error,")
    driver.find_element(By.ID, "tab-diagnostics").click()
    lines = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#diagnostics li")]
    assert any("line 3" in text and "error[BK501]" in text for text in lines), lines


def test_markup_in_a_title_is_shown_as_text_and_runs_nothing(browser, server):
    from selenium.webdriver.common.by import By

    driver, _ = browser
    evil = '<img src=x onerror="window.pwned=1">'
    bib = ("@article{x, title={Attack " + evil + "}, author={Doe, Jane}, journal={J}, "
           "year={2020}}\n")
    _convert(driver, server, bib, to="cv-html")
    title = driver.find_element(By.CSS_SELECTOR, "#entries .title").text
    assert evil in title
    assert not driver.find_elements(By.CSS_SELECTOR, "#entries img")
    driver.find_element(By.ID, "tab-cv").click()
    time.sleep(0.5)  # the preview frame's document loads; it is sandboxed: no script runs
    assert driver.execute_script("return window.pwned") is None
    frame = driver.find_element(By.ID, "preview")
    assert frame.get_attribute("sandbox") == ""
