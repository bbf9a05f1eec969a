"""The public deployment settings in .streamlit/config.toml, as the hosting issue lists them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit import config as streamlit_config

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"

EXPECTED = {
    ("server", "maxUploadSize"): 10,  # MB: a phone photo; the working image is at most 2048 px
    ("runner", "postScriptGC"): False,  # a full collection after every run: half the CPU
    ("server", "enableXsrfProtection"): True,
    ("server", "fileWatcherType"): "none",
    ("server", "runOnSave"): False,
    ("server", "enableAgentApi"): False,
    ("client", "toolbarMode"): "viewer",
    ("client", "showErrorDetails"): "none",
    ("browser", "gatherUsageStats"): False,
}


@pytest.fixture(scope="module")
def settings() -> dict:
    return tomllib.loads(CONFIG.read_text())


@pytest.mark.parametrize("section, name", list(EXPECTED))
def test_public_setting(settings, section, name):
    assert settings[section][name] == EXPECTED[section, name]


def test_every_setting_is_one_streamlit_knows(settings):
    known = streamlit_config.get_config_options()
    for section, values in settings.items():
        for name in values:
            assert f"{section}.{name}" in known, f"{section}.{name} is not a Streamlit option"


def test_cache_budget_is_set_and_bounded(settings):
    text = settings["server"]["maxCacheDataSize"].lower()
    number, unit = float(text.rstrip("kmgb")), text.lstrip("0123456789.")
    mib = number * {"kb": 1 / 1024, "mb": 1, "gb": 1024}[unit]
    assert 128 <= mib <= 2048, text  # bounded, yet room for a few 2048 px working images
