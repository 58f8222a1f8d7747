"""A journey through the site in one browser tab, auditing every page it checks."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from nmt_course.config import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "tests" / "_artifacts"
VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                          "wcag22aa", "best-practice"]},
}
BLOCKING_IMPACTS = ("serious", "critical")
_axe = Axe()


class Journey:
    """`goto(path, name)` or `check(name)` after an action: screenshot, axe, keep the HTML.

    Problems are collected and reported together by `finish()`, so one run shows them all.
    """

    def __init__(self, page, server, *, name: str, viewport: str):
        self.server = server
        self.name = name
        self.viewport = viewport
        self.steps = 0
        self.html_files: list[Path] = []
        self.problems: list[str] = []
        self._document = None
        self.folder = Path(viewport) / name
        self.use(page)

    def use(self, page) -> None:
        """Carry on the journey in `page` (another tab, or another person's browser)."""
        self.page = page
        page.on("response", self._remember_document)

    def _remember_document(self, response) -> None:
        if response.request.resource_type == "document" and response.frame == self.page.main_frame:
            self._document = response

    def goto(self, path: str, name: str):
        response = self.page.goto(path)
        self.check(name)
        return response

    def follow(self, target, name: str) -> None:
        """Click a link or a form's button, then audit the page it leads to."""
        click_through(target)
        self.check(name)

    def check(self, name: str) -> None:
        """Audit the page the tab shows now."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        stem = f"{self.steps:02d}-{name}"
        shot = ARTIFACTS / "screenshots" / self.folder / f"{stem}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(shot), full_page=True)

        html = ARTIFACTS / "html" / self.folder / f"{stem}.html"
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(self._document.text(), encoding="utf-8")
        self.html_files.append(html)

        results = _axe.run(self.page, options=AXE_OPTIONS).response
        for violation in results["violations"]:
            if violation["impact"] in BLOCKING_IMPACTS:
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.problems.append(f"axe {violation['impact']} on {stem} ({self.page.url}): "
                                     f"{violation['id']}: {violation['help']} {targets}")

    def finish(self) -> None:
        """Validate every page's HTML, then fail with every problem found on the way."""
        self.problems.extend(validate_html(self.html_files))
        assert not self.problems, "\n".join(self.problems)


def click_through(target) -> None:
    """Click a link or a form's button and wait for the page it loads. A click returns
    before the next page has arrived: reading or auditing at once would meet (or fail to
    take a screenshot of) the page being left."""
    page = target.page
    with page.expect_event("framenavigated", lambda frame: frame == page.main_frame):
        target.click()
    page.wait_for_load_state("load")


def validate_html(files: list[Path]) -> list[str]:
    """Run the Nu HTML Checker over `files`; return its errors."""
    if not files:
        return []
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        from tests.conftest import missing_service
        missing_service("the Nu HTML Checker needs Java and node_modules/vnu-jar (npm ci)")
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                             *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"HTML {Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
            for m in messages if m.get("type") == "error"]
