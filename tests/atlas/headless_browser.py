"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: the
browser reads commands on fd 3 and answers on fd 4), so the atlas is tested in a real browser
without Playwright or a WebSocket client. Records console errors, uncaught exceptions, log
errors and every URL the page requests."""

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field


def chromium_executable() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageVisit:
    url: str
    console_errors: list[str] = field(default_factory=list)
    requested_urls: list[str] = field(default_factory=list)
    screenshot_png: bytes = b""
    evaluated: dict = field(default_factory=dict)


class Chromium:
    def __init__(self, executable: str, width: int = 1200, height: int = 1400,
                 extra_args: tuple[str, ...] = ()):
        self.width, self.height = width, height
        self.profile = tempfile.mkdtemp(prefix="atlas-chromium-")
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()
        # the child's ends go above fd 9 first, or `3<&4 4>&3` below would clobber one
        commands_read, answers_write = (_above_9(fd) for fd in (commands_read, answers_write))
        # the browser wants the two pipe ends on fds 3 and 4 exactly: bash moves them there
        # (dash, Debian's sh, cannot name a descriptor above 9)
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{commands_read} 4>&{answers_write}', executable,
             "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
             f"--user-data-dir={self.profile}", "--remote-debugging-pipe", *extra_args,
             "about:blank"],
            pass_fds=(commands_read, answers_write),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []

    def close(self) -> None:
        try:
            self._send("Browser.close")
        except (OSError, TimeoutError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._commands)
        os.close(self._answers)
        shutil.rmtree(self.profile, ignore_errors=True)

    def visit(self, url: str, ready_js: str, evaluate: dict[str, str] | None = None,
              timeout: float = 60) -> PageVisit:
        """Open `url` in a new tab, wait until `ready_js` is true, evaluate expressions,
        take a screenshot of the viewport."""
        target = self._send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self._send(f"{domain}.enable", session=session)
        self._send("Emulation.setDeviceMetricsOverride",
                   {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                    "mobile": False}, session=session)
        self._events.clear()
        self._send("Page.navigate", {"url": url}, session=session)
        deadline = time.monotonic() + timeout
        # the new document, loaded, and ready by the page's own measure (before the navigation
        # commits, the tab still shows about:blank, where a count of charts can match too)
        ready = (f"location.href === {json.dumps(url)} && document.readyState === 'complete'"
                 f" && ({ready_js})")
        while not self._evaluate(ready, session):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url}: not ready after {timeout} s ({ready_js})")
            time.sleep(0.2)
        time.sleep(0.5)  # let the last animation frame paint
        visit = PageVisit(url)
        for name, expression in (evaluate or {}).items():
            visit.evaluated[name] = self._evaluate(expression, session)
        visit.screenshot_png = base64.b64decode(
            self._send("Page.captureScreenshot", {"format": "png"}, session=session)["data"])
        self._drain()
        for event in self._events:
            if event.get("sessionId") != session:
                continue
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error",
                                                                              "assert"):
                text = " ".join(str(a.get("value", a.get("description", "")))
                                for a in params.get("args", []))
                visit.console_errors.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                visit.console_errors.append(
                    "exception: " + details.get("exception", {}).get("description",
                                                                     details.get("text", "")))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                visit.console_errors.append(f"log: {params['entry'].get('text')}"
                                            f" {params['entry'].get('url', '')}")
            elif method == "Network.requestWillBeSent":
                visit.requested_urls.append(params["request"]["url"])
        self._send("Target.closeTarget", {"targetId": target})
        return visit

    # ---- protocol -----------------------------------------------------------------------------

    def _evaluate(self, expression: str, session: str):
        result = self._send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                            session=session)
        if "exceptionDetails" in result:
            return None
        return result["result"].get("value")

    def _send(self, method: str, params: dict | None = None, session: str | None = None,
              timeout: float = 60) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            for answer in self._read_messages(deadline):
                if answer.get("id") == self._next_id:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    return answer.get("result", {})
                self._events.append(answer)

    def _drain(self) -> None:
        """Collect the events already sent (a short wait, nothing expected)."""
        try:
            self._events.extend(self._read_messages(time.monotonic() + 0.3))
        except TimeoutError:
            pass

    def _read_messages(self, deadline: float) -> list[dict]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._answers], [], [], remaining)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                raise OSError("chromium closed the DevTools pipe")
            self._buffer += chunk
        *complete, self._buffer = self._buffer.split(b"\0")
        return [json.loads(message) for message in complete]


def _above_9(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved
