"""A real browser for the client display's tests: Debian's chromium, headless, driven by Selenium
through chromium-driver. Screenshots come back as RGB arrays to look at pixel by pixel."""

from __future__ import annotations

import io
import shutil
from typing import Any

import numpy as np
import pytest
from PIL import Image

WIDTH, HEIGHT = 800, 600


def chromium() -> Any:
    """A headless chromium at 800 x 600 CSS pixels, one device pixel each."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.fail("the display tests need a browser: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        f"--window-size={WIDTH},{HEIGHT}", "--force-device-scale-factor=1",
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows", "--no-first-run",
    ):  # fmt: skip
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(driver), options=options)


def pixels(browser: Any) -> np.ndarray:
    """The page as the client sees it: (height, width, 3) RGB."""
    png = browser.get_screenshot_as_png()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def near(image: np.ndarray, colour: str, tolerance: int = 24) -> np.ndarray:
    """Where `image` has `colour` (#rrggbb), within `tolerance` per channel."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    found: np.ndarray = np.all(np.abs(image - rgb) <= tolerance, axis=2)
    return found
