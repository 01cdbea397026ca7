#!/usr/bin/env python3
"""Drives the workbench in real headless Chromium through chromedriver (W3C WebDriver over
HTTP, with Python's standard library only): open retail_instant_discount, preview it, change
the discount rate, preview again and see the median NPV change; save two designs and compare
them; sweep the discount rate and see the curve; open a lesson and move its lever; download the
TOML and check that it validates; take screenshots 1400 and 390 px wide.

Usage: workbench.py LOYALTY_SIM_BINARY OUTPUT_DIR
"""

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Driver:
    """The few WebDriver commands the test needs."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": "/usr/bin/chromium",
                        "args": [
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--window-size=1400,1000",
                        ],
                    },
                }
            }
        }
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        url = self.base + path
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.read().decode()}") from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def get(self, url):
        self.s("POST", "/url", {"url": url})

    def find(self, css):
        return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def click(self, css):
        self.s("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css, text):
        element = self.find(css)
        self.s("POST", f"/element/{element}/clear", {})
        self.s("POST", f"/element/{element}/value", {"text": text})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script, *args):
        return self.s("POST", "/execute/async", {"script": script, "args": list(args)})

    def wait(self, script, what, timeout=240, *args):
        end = time.time() + timeout
        while time.time() < end:
            value = self.js(script, *args)
            if value:
                return value
            time.sleep(0.2)
        status = self.js("return document.getElementById('run-status').textContent + ' | ' + document.getElementById('problems').textContent")
        raise AssertionError(f"timed out waiting for {what} (page says: {status})")

    def resize(self, width, height):
        self.s("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)

    def quit(self):
        try:
            self.s("DELETE", "")
        except Exception:
            pass


def npv(driver):
    return float(driver.js("return document.getElementById('npv').dataset.value"))


def preview_and_wait(driver, previous):
    """Clicks Preview and waits for a result other than `previous` (the page's last)."""
    driver.js("document.getElementById('npv').dataset.value = ''")
    driver.click("#preview-btn")
    driver.wait("return document.getElementById('npv').dataset.value", "the preview's result")
    value = npv(driver)
    assert value != previous, f"the median NPV did not change: {value}"
    return value


def main():
    binary, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    server = subprocess.Popen(
        [binary, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    driver_port = free_port()
    chromedriver = subprocess.Popen(
        ["chromedriver", f"--port={driver_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    driver = None
    try:
        url = server.stdout.readline().strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:"), url
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{driver_port}/status", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        driver = Driver(driver_port)

        # Open retail_instant_discount and preview it.
        driver.get(url + "?scenario=retail_instant_discount")
        driver.wait("return document.body.dataset.ready === 'true'", "the page to load", 60)
        rate = 'input[data-path="program.instant_discount.rate"]'
        assert driver.js(f"return document.querySelector('{rate}').value") == "0.05"
        before = preview_and_wait(driver, None)
        verdict = driver.js("return document.querySelector('#tables .verdict').textContent")
        assert verdict.startswith("In short:") and "median NPV" in verdict, verdict
        tables = driver.js("return document.querySelectorAll('#tables table').length")
        charts = driver.js("return document.querySelectorAll('#charts svg').length")
        assert tables >= 2 and charts >= 3, (tables, charts)
        driver.type("#design-name", "discount 5%")
        driver.click("#save-btn")

        # Change the discount rate: the server edits the TOML, comments kept.
        driver.type(rate, "0.1")
        driver.js(f"document.querySelector('{rate}').dispatchEvent(new Event('change'))")
        driver.wait(
            "return document.getElementById('source').value.includes('rate = 0.1')",
            "the edit to reach the TOML",
        )
        after = preview_and_wait(driver, before)
        # Twice the discount on the same customers gives away more margin than it brings.
        assert after < before, (before, after)
        print(f"median NPV: {before:.0f} at 5%, {after:.0f} at 10%")
        driver.type("#design-name", "discount 10%")
        driver.click("#save-btn")

        # Compare the two saved designs with the compare engine.
        driver.click("#compare-btn")
        text = driver.wait("return document.getElementById('compare-out').textContent", "the comparison")
        assert "discount 5%" in text and "discount 10%" in text, text

        # Sweep the discount rate on the page: the sweep engine's curve and a table of its points.
        driver.js("const s = document.getElementById('sweep-field'); s.value = 'program.instant_discount.rate';"
                  "s.dispatchEvent(new Event('change'));")
        driver.type("#sweep-from", "0.02")
        driver.type("#sweep-to", "0.12")
        driver.type("#sweep-steps", "3")
        driver.click("#sweep-btn")
        driver.wait("return document.querySelectorAll('#sweep-table tr[data-npv]').length === 3", "the sweep's table")
        curve = driver.js("return document.querySelectorAll('#sweep-curve svg path, #sweep-curve svg polyline').length")
        assert curve > 0, "the sweep drew no curve"
        npvs = driver.js("return [...document.querySelectorAll('#sweep-table tr[data-npv]')].map(r => Number(r.dataset.npv))")
        # More discount on the same customers: a lower median NPV at every step.
        assert npvs[0] > npvs[1] > npvs[2], npvs
        mean = driver.js("return document.querySelector('#sweep-table tr[data-npv] td:nth-child(3)').textContent")
        assert " ± " in mean, mean
        print("sweep of the discount rate, median NPV:", [round(v) for v in npvs])

        # A lesson: move its lever and see the types respond.
        driver.js("const s = document.getElementById('lesson-select'); s.value = 'discount-trap';"
                  "s.dispatchEvent(new Event('change'));")
        driver.click("#lesson-btn")
        driver.wait("return document.getElementById('lesson').dataset.value === '0.1'", "the lesson")
        first = driver.js("return document.getElementById('lesson').textContent")
        driver.js("const l = document.getElementById('lever'); l.value = '0.2'; l.dispatchEvent(new Event('input'));"
                  "l.dispatchEvent(new Event('change'));")
        driver.wait("return document.getElementById('lesson').dataset.value === '0.2'", "the lesson at the new lever")
        second = driver.js("return document.getElementById('lesson').textContent")
        assert first != second, "the lesson did not change with its lever"
        assert driver.js("return document.querySelectorAll('#lesson table').length") >= 1
        assert driver.js("return document.querySelectorAll('#lesson svg').length") >= 1

        # Download the TOML and check it.
        driver.click("#download-btn")
        downloaded = driver.js_async(
            "const done = arguments[arguments.length - 1];"
            "fetch(document.getElementById('download').href).then(r => r.text()).then(done);"
        )
        name = driver.js("return document.getElementById('download').download")
        assert name == "retail_instant_discount.toml", name
        assert "rate = 0.1" in downloaded and "# Retail chain: a member discount at the till." in downloaded
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(downloaded)
            subprocess.run([binary, "validate", path], check=True, stdout=subprocess.DEVNULL)

        # Screenshots, wide and narrow: the form, the results, the comparison.
        for width in (1400, 390):
            driver.resize(width, 1000)
            # Wide tables scroll in their own box; the page itself must not.
            wide = driver.js("return document.documentElement.scrollWidth > window.innerWidth")
            for part, target in (
                ("form", "#design"),
                ("results", "#results-title"),
                ("sweep", "#sweep-title"),
                ("compare", "#compare-btn"),
                ("lesson", "#lessons-title"),
            ):
                driver.js(f"document.querySelector('{target}').scrollIntoView()")
                time.sleep(0.3)
                driver.screenshot(os.path.join(out_dir, f"workbench-{width}-{part}.png"))
            assert not wide, f"the page is wider than the window at {width} px"
        print(f"browser test passed; screenshots in {out_dir}")
    finally:
        if driver:
            driver.quit()
        chromedriver.terminate()
        server.terminate()
        chromedriver.wait()
        server.wait()


if __name__ == "__main__":
    main()
