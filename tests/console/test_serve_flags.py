"""eventsim serve's console and safety flags."""

from __future__ import annotations

import pytest

from eventsim.cli import _parser


def test_serve_takes_clock_token_and_allowed_hosts() -> None:
    args = _parser().parse_args(["serve", "--clock", "virtual", "--token", "T",
                                 "--allow-host", "devbox", "--allow-host", "devbox.lan"])
    assert (args.clock, args.token, args.allow_host) == ("virtual", "T", ["devbox",
                                                                          "devbox.lan"])
    plain = _parser().parse_args(["serve"])
    assert (plain.clock, plain.host, plain.allow_host) == ("real", "127.0.0.1", [])


def test_serve_token_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENTSIM_TOKEN", raising=False)
    assert _parser().parse_args(["serve"]).token is None
    monkeypatch.setenv("EVENTSIM_TOKEN", "from-env")
    assert _parser().parse_args(["serve"]).token == "from-env"
