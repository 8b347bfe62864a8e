"""The companion as a website, checked in a real browser.

tools/book.sh builds the site (build/site) once for this module; headless Chromium, driven
through Selenium and Debian's chromedriver, reads it from a local HTTP server, with every
host name but the server's made unresolvable, so a page that needed the network would show
it here. The landing page's claims table and the claims ledger must show the numbers of
tables/91_claims_vs_reproduced.csv, a link from the claims table must lead to its notebook's
page, and the figures on both pages must load. Screenshots go to build/site-screenshots/.
"""
from __future__ import annotations

import functools
import http.server
import json
import math
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "build" / "site"
SHOTS = REPO / "build" / "site-screenshots"
CLAIMS = REPO / "tables" / "91_claims_vs_reproduced.csv"
INSTALL = ("install Chromium and its WebDriver with `apt-get update && apt-get install -y "
           "chromium chromium-driver` (Debian; .ci/run does this before the tests)")
NUMBER = re.compile(r"[-−+]?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def site() -> Path:
    """Builds the site from the working tree, as `bash tools/book.sh` does."""
    done = subprocess.run(["bash", "tools/book.sh"], cwd=REPO, capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, f"tools/book.sh failed:\n{done.stdout}\n{done.stderr}"
    assert (SITE / "index.html").is_file()
    return SITE


@pytest.fixture(scope="module")
def base_url(site):
    """A local HTTP server over build/site, on a free port."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's package) through Debian's chromedriver: the two always
    come in matching versions, and nothing is downloaded. Fails, never skips, without them."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        missing = " and ".join(n for n, p in (("chromium", chromium), ("chromedriver", driver_path))
                               if not p)
        pytest.fail(f"{missing} not found on PATH: {INSTALL}", pytrace=False)
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is not installed: pip install -c tools/constraints.txt -e '.[book]'",
                    pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--hide-scrollbars",
                # every host but the local server is unresolvable: the site must work offline
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        options.add_argument(arg)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except WebDriverException as error:
        pytest.fail(f"headless Chromium ({chromium}) did not start through {driver_path}: "
                    f"{error.msg}\n{INSTALL}", pytrace=False)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _table_rows(driver, header: str) -> tuple[list[str], list[list[str]]]:
    """The header and body cells (as shown) of the first table whose header has `header`."""
    found = driver.execute_script("""
        for (const t of document.querySelectorAll('article table')) {
            const head = Array.from(t.querySelectorAll('thead th')).map(c => c.innerText.trim());
            if (!head.includes(arguments[0])) continue;
            const rows = Array.from(t.querySelectorAll('tbody tr'))
                .map(r => Array.from(r.cells).map(c => c.innerText.trim()));
            t.scrollIntoView();
            return [head, rows];
        }
        return null;""", header)
    assert found, f"no table with a column {header!r} on {driver.current_url}"
    return found


def _images(driver) -> list[dict]:
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('article img')).map(i => ({
            src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth}));""")


def _assert_loaded_locally(driver, base_url):
    """Every image on the page loaded, and every resource came from the local server."""
    broken = [i["src"] for i in _images(driver) if not (i["complete"] and i["width"] > 0)]
    assert not broken, f"images that did not load on {driver.current_url}: {broken}"
    fetched = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name);")
    remote = [u for u in fetched if not u.startswith(base_url) and not u.startswith("data:")]
    assert not remote, f"{driver.current_url} asked the network for {remote}"


def _expected(value, shown: str) -> list[str]:
    """`value` written with as many decimals as the page shows; [] for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return [f"{float(value):.{decimals}f}"]


def _numbers(cell: str) -> list[str]:
    return [n.replace("−", "-").lstrip("+") for n in NUMBER.findall(cell)]


def test_landing_page_claims_table_matches_the_committed_table(browser, base_url):
    claims = pd.read_csv(CLAIMS)
    browser.get(base_url + "index.html")
    head, rows = _table_rows(browser, "the paper reports")
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0);")
    browser.save_screenshot(str(SHOTS / "landing.png"))
    _assert_loaded_locally(browser, base_url)
    assert any(i["width"] > 0 and "91_claims_vs_reproduced" in i["src"] for i in _images(browser)), \
        "the claims figure is not on the landing page"

    assert len(rows) == len(claims), (len(rows), len(claims))
    columns = ["the paper reports", "ours, paper-style", "ours, subject-independent"]
    for row, (_, claim) in zip(rows, claims.iterrows()):
        cells = dict(zip(head, row))
        assert row[0].startswith(f"{claim['claim']} "), (row[0], claim["claim"])
        for column in columns:
            shown = _numbers(cells[column])
            value = claim[column]
            if pd.isna(value) and column == "ours, paper-style":
                value = claim["ours (any protocol)"]   # shown as "… (any)": one protocol only
            assert shown == _expected(value, shown[0] if shown else ""), \
                f"{claim['claim']}, {column}: the page shows {cells[column]!r}, the table {value!r}"


def test_a_claim_links_to_its_notebook_page_with_its_figure(browser, base_url):
    browser.get(base_url + "index.html")
    _table_rows(browser, "the paper reports")
    links = browser.execute_script("""
        const t = Array.from(document.querySelectorAll('article table'))
            .find(t => t.innerText.includes('the paper reports'));
        return Array.from(t.querySelectorAll('a')).map(a => a.getAttribute('href'));""")
    stems = [Path(h).stem for h in links if h.startswith("notebooks/")]
    assert stems, "the claims table links to no notebook page"

    def has_figure(stem):
        cells = json.loads((REPO / "notebooks" / f"{stem}.ipynb").read_text())["cells"]
        return any("image/png" in o.get("data", {}) for c in cells for o in c.get("outputs", []))

    with_figure = [s for s in dict.fromkeys(stems) if has_figure(s)]
    assert with_figure, f"no notebook linked from the claims table has a figure: {stems}"
    stem = with_figure[0]
    from selenium.webdriver.common.by import By
    link = browser.find_element(By.CSS_SELECTOR, f"article table a[href='notebooks/{stem}.html']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
    link.click()
    assert browser.current_url == f"{base_url}notebooks/{stem}.html"
    title = browser.find_element(By.CSS_SELECTOR, "article h1").text
    assert title.startswith(stem[:2]), title

    figures = browser.execute_script("""
        return Array.from(document.querySelectorAll('article .cell_output img')).map(i => {
            i.scrollIntoView({block: 'center'});
            return {src: i.currentSrc || i.src, width: i.naturalWidth, complete: i.complete};
        });""")
    assert any(f["complete"] and f["width"] > 0 for f in figures), \
        f"no figure loaded on the page of {stem}: {figures}"
    _assert_loaded_locally(browser, base_url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "notebook.png"))


def test_claims_ledger_shows_the_committed_table_cell_by_cell(browser, base_url):
    claims = pd.read_csv(CLAIMS, keep_default_na=False, na_values=[""])
    browser.get(base_url + "index.html")
    from selenium.webdriver.common.by import By
    browser.find_element(By.CSS_SELECTOR, "article a[href='claims.html']").click()
    head, rows = _table_rows(browser, "the paper reports")
    _assert_loaded_locally(browser, base_url)
    assert head == list(claims.columns)
    assert len(rows) == len(claims)
    for row, (_, claim) in zip(rows, claims.iterrows()):
        for column, shown in zip(head, row):
            value = claim[column]
            if pd.api.types.is_float_dtype(claims[column]):
                numbers = _numbers(shown)
                if pd.isna(value):
                    assert shown in ("nan", ""), (claim["claim"], column, shown)
                else:
                    assert numbers == _expected(value, numbers[0] if numbers else ""), \
                        f"{claim['claim']}, {column}: the page shows {shown!r}, the table {value!r}"
            else:
                # the site sets quotes typographically
                shown = shown.translate(str.maketrans("‘’“”", "''\"\""))
                assert shown == ("" if pd.isna(value) else str(value)), (claim["claim"], column)


def test_every_notebook_and_the_api_have_a_page(browser, base_url):
    from selenium.webdriver.common.by import By
    browser.get(base_url + "notebooks.html")
    pages = {Path(a.get_attribute("href")).stem
             for a in browser.find_elements(By.CSS_SELECTOR, "article a[href*='notebooks/']")}
    committed = {p.stem for p in (REPO / "notebooks").glob("*.ipynb")}
    assert committed <= pages, f"notebooks without a page: {sorted(committed - pages)}"
    browser.get(base_url + "api.html")
    modules = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "article table a")]
    assert "harlib" in modules, modules
    browser.get(base_url + "api/harlib.html")
    submodules = browser.find_elements(By.CSS_SELECTOR, "article table a")
    assert len(submodules) > 5, "the API page lists too few harlib modules"
