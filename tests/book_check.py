"""What a reader meets on a built page, checked in headless Chromium with the network blocked.

:func:`check_page` opens one page in a window ``width`` px wide (below 600 px as a phone:
Chromium's device emulation, which honours the page's viewport tag) and returns the
problems it finds (an empty list: none):

* the page scrolls sideways (the document is wider than the window);
* the console reports an error: an uncaught exception, ``console.error``, or a script,
  style sheet, image or font that failed to load (with the network blocked, anything the
  page fetches from the network fails);
* a chart is not drawn, is wider than the text column, or is not in a numbered figure;
  a figure has no "Figure N: caption";
* a table has a NaN cell or an index column (a raw data frame), or "NaN" stands in the text;
* maths is left as TeX (MathJax did not render it);
* a cell's output shows a stderr stream, a library notice (``humanalign: ...``) or a path
  of the folder the book was built in;
* a table is wider than its column (it scrolls inside its box) and nothing visible says
  so (an element of class ``ha-scroll-cue``, or a line about scrolling, beside it), or
  its caption's text runs beyond the column (the reader would have to scroll to read it);
* a chart's text is cut at the chart's edge, the labels of one of its axes run into each
  other, or a mark crosses the edge of its plot;
* a chart draws kinds of marks (shapes, colours) that no legend shows, or its legend is
  cut at the chart's edge or shortens an entry with "…" (at 390 px above all);
* text can hardly be read in the theme's dark mode (``data-theme="dark"`` on ``<html>``,
  as pydata-sphinx-theme sets it): contrast below 3 against what lies behind it;
* an image has no licence line beside it (in its figure's caption or the text next to it);
* a table's header or a chart's text shows an identifier (``zero_shot``, ``human/vice_42d``)
  where a reader expects words.

Chromium is driven through the DevTools protocol over a pipe (``--remote-debugging-pipe``):
the window size is emulated exactly (a headless window is at least 500 px wide), every
console message and failed load arrives as an event, and the page itself is not changed.
:func:`check_book` runs the check on every page of a built book at each width. From a shell::

    python tests/book_check.py book/_build/html          # 1280 px and 390 px
    python tests/book_check.py book/_build/html --screenshots shots/   # and PNGs to look at
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
WIDTHS = (1280, 390)
PHONE_BELOW = 600
_REPORT_JS = Path(__file__).with_name("book_check.js")
# Built files that are not pages a reader opens.
_NOT_PAGES = ("_static", "_sources", "_images", "_downloads")
# Every host unresolvable, every proxy unreachable: the page gets nothing from the network.
_OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost", "--proxy-server=http://127.0.0.1:9"]
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-extensions",
          "--no-first-run", "--allow-file-access-from-files", "--hide-scrollbars", *_OFFLINE]


def dump_dom(page: Path, tmp: Path, width: int | None = None) -> str:
    """The page's DOM after its scripts ran, with the network blocked (``chromium --dump-dom``).

    ``width``: the window's width in pixels (at least 500; a 2000 px tall window).
    """
    if CHROMIUM is None:
        raise RuntimeError("headless Chromium is not installed (apt-get install chromium)")
    command = [CHROMIUM, *_FLAGS, *([f"--window-size={width},2000"] if width else []),
               f"--user-data-dir={Path(tmp) / 'chromium-profile'}", "--virtual-time-budget=20000",
               "--dump-dom", Path(page).resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed on {page}: {done.stderr[-2000:]}")
    return done.stdout


class Browser:
    """A headless Chromium driven through the DevTools protocol over a pipe."""

    def __init__(self, tmp: str | Path):
        if CHROMIUM is None:
            raise RuntimeError("headless Chromium is not installed (apt-get install chromium)")
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()

        def plumb() -> None:  # the browser reads commands on fd 3 and answers on fd 4
            import fcntl

            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self._proc = subprocess.Popen(
            [CHROMIUM, *_FLAGS, "--remote-debugging-pipe", f"--user-data-dir={Path(tmp) / 'chromium-cdp'}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=plumb)
        os.close(to_browser)
        os.close(from_browser)
        self._next = 0
        self._replies: dict[int, dict] = {}
        self._events: queue.Queue = queue.Queue()
        self._lock = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._in, 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        self._replies[message["id"]] = message
                        self._lock.notify_all()
                else:
                    self._events.put(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        """Send one command and wait for its result."""
        self._next += 1
        ident = self._next
        message = {"id": ident, "method": method, "params": params or {}, **({"sessionId": session} if session else {})}
        os.write(self._out, json.dumps(message).encode() + b"\0")
        with self._lock:
            if not self._lock.wait_for(lambda: ident in self._replies, timeout):
                raise TimeoutError(f"chromium did not answer {method} within {timeout} s")
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def events(self) -> list[dict]:
        """The events received since the last call."""
        found = []
        while not self._events.empty():
            found.append(self._events.get_nowait())
        return found

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (OSError, TimeoutError, RuntimeError):
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._out)
        self._reader.join(timeout=10)  # the browser's end of the pipe is closed: the reader stops
        os.close(self._in)


def _console_errors(events: list[dict], session: str) -> list[str]:
    """The errors among a page's protocol events: exceptions, console.error, failed loads."""
    found = []
    for event in events:
        if event.get("sessionId") != session:
            continue
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            found.append("uncaught " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append("console.error: " + " ".join(str(a.get("value", a.get("description", "")))
                                                      for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            found.append(f"{entry.get('text', '')} {entry.get('url', '')}".strip())
    return [line.splitlines()[0][:300] for line in dict.fromkeys(found)]


def _book_root(page: Path) -> Path | None:
    """The book's source folder (the parent of ``_build``), when the page lies in one."""
    for parent in page.resolve().parents:
        if parent.name == "_build":
            return parent.parent
    return None


def _source_problems(page: Path) -> list[str]:
    """Problems in the page's HTML itself, hidden parts included: build paths, stderr outputs."""
    source = page.read_text(encoding="utf-8")
    problems = []
    root = _book_root(page)
    for path in filter(None, [str(root) if root else None, "site-packages/"]):
        if path in source:
            problems.append(f"the page shows a path of the build machine ({path!r})")
    if re.search(r'class="[^"]*\boutput stderr\b', source):
        problems.append("a cell's stderr output is shown")
    return problems


def _screenshot(browser: Browser, session: str, width: int, path: Path) -> None:
    """A PNG of the whole page: the window is made as tall as the page, then captured."""
    height = browser.send("Runtime.evaluate", {"expression": "document.documentElement.scrollHeight",
                                               "returnByValue": True}, session=session)["result"]["value"]
    browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": int(height), "deviceScaleFactor": 1,
                                                        "mobile": width < PHONE_BELOW}, session=session)
    time.sleep(0.5)  # charts that follow their container redraw
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    path.write_bytes(base64.b64decode(shot["data"]))


def _open(browser: Browser, page: Path, width: int, timeout: float = 60,
          screenshot: Path | None = None) -> tuple[dict, list[str]]:
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Runtime", "Log", "Page"):
            browser.send(f"{domain}.enable", session=session)
        phone = width < PHONE_BELOW
        browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 844 if phone else 900,
                                                            "deviceScaleFactor": 1, "mobile": phone}, session=session)
        seen: list[dict] = []
        browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session for e in seen):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{page} did not finish loading within {timeout} s")
            time.sleep(0.05)
            seen += browser.events()
        # The report script waits for the charts and MathJax itself.
        result = browser.send("Runtime.evaluate", {"expression": _REPORT_JS.read_text(), "awaitPromise": True,
                                                   "returnByValue": True}, session=session, timeout=timeout)
        time.sleep(0.1)  # let the last console events arrive
        seen += browser.events()
        if "exceptionDetails" in result:
            raise RuntimeError(f"the check script failed on {page}: {result['exceptionDetails']}")
        if screenshot is not None:
            _screenshot(browser, session, width, screenshot)
        return json.loads(result["result"]["value"]), _console_errors(seen, session)
    finally:
        browser.send("Target.closeTarget", {"targetId": target})


def check_page(html_path: str | Path, width: int, browser: Browser | None = None,
               screenshot: str | Path | None = None) -> list[str]:
    """The problems a reader with a ``width`` px wide window meets on a built page.

    Args:
        html_path: A built page (``.html``) of a book.
        width: The window's width in pixels (1280: a desktop; 390: a phone).
        browser: A running :class:`Browser` to reuse (default: one is started and closed).
        screenshot: Where to save a PNG of the whole page as checked (none by default).

    Returns:
        One line per problem, each starting with the page's name and the width; empty
        when the page passes.
    """
    page = Path(html_path)
    if browser is None:
        with tempfile.TemporaryDirectory() as tmp:
            own = Browser(tmp)
            try:
                return check_page(page, width, own, screenshot)
            finally:
                own.close()
    report, errors = _open(browser, page, width, screenshot=Path(screenshot) if screenshot else None)
    found = _source_problems(page) + report["problems"] + [f"console: {e}" for e in errors]
    return [f"{page.name} at {width} px: {problem}" for problem in found]


def is_redirect(page: Path) -> bool:
    """A page that only sends the browser elsewhere (Jupyter Book's root index.html)."""
    return 'http-equiv="refresh"' in page.read_text(encoding="utf-8")[:2000].lower()


def book_pages(folder: str | Path) -> list[Path]:
    """The pages of a built book folder (``_build/html``), redirects and assets left out."""
    folder = Path(folder)
    pages = [p for p in sorted(folder.rglob("*.html")) if not set(p.relative_to(folder).parts) & set(_NOT_PAGES)]
    return [p for p in pages if not is_redirect(p)]


def check_book(folder: str | Path, widths: tuple[int, ...] = WIDTHS, screenshots: str | Path | None = None) -> list[str]:
    """:func:`check_page` on every page of a built book at every width (one browser);
    ``screenshots``: a folder to save each page as checked (``<page>-<width>.png``)."""
    pages = book_pages(folder)
    if not pages:
        return [f"no built pages in {folder}"]
    shots = Path(screenshots) if screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        browser = Browser(tmp)
        try:
            return [problem for page in pages for width in widths
                    for problem in check_page(page, width, browser, shots / f"{page.stem}-{width}.png" if shots else None)]
        finally:
            browser.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Check the pages of a built book as a reader meets them.")
    parser.add_argument("target", nargs="?", default="book/_build/html", help="a built book folder or one page")
    parser.add_argument("--screenshots", metavar="DIR", help="save each page as checked, as PNG")
    args = parser.parse_args()
    target = Path(args.target)
    problems = (check_book(target, screenshots=args.screenshots) if target.is_dir()
                else [p for w in WIDTHS for p in check_page(target, w)])
    print("\n".join(problems) or f"{target}: no problems at {' and '.join(map(str, WIDTHS))} px")
    sys.exit(1 if problems else 0)
