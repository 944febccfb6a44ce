"""A real OpenID Connect provider on loopback for the single sign-on tests: panva's
oidc-provider (node), started from palier/accounts/tests/oidc_provider/ (scripts/test runs
`npm ci` there). Without node or its packages the tests are skipped, except in CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "accounts" / "tests" / "oidc_provider"
CLIENT_ID = "palier-desk"
CLIENT_SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123456789"


def _require_node() -> str:
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        message = "node and oidc-provider are needed (npm ci --prefix " + str(PROVIDER_DIR) + ")"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return node


@dataclass
class OidcProvider:
    issuer: str
    process: subprocess.Popen

    def sign_in_as(self, account: str) -> None:
        """Who is signed in at the provider when the desk sends someone there."""
        response = requests.post(f"{self.issuer}/test/sign-in-as", data=account, timeout=10)
        assert response.status_code == 204

    def settings(self, **overrides) -> dict:
        config = {
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "label": "Test ID",
            "for": "all",
            "scopes": "openid email profile",
            "verified_claim": "email_verified",
            "mfa": False,
        }
        return {**config, **overrides}


def start_provider(redirect_uris: list[str], accounts: dict[str, dict]) -> OidcProvider:
    node = _require_node()
    config = {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
            }
        ],
        "accounts": accounts,
    }
    process = subprocess.Popen(  # noqa: S603 (a fixed script of ours)
        [node, str(PROVIDER_DIR / "provider.mjs"), json.dumps(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline().strip()
    if not line.startswith("listening "):
        process.kill()
        raise RuntimeError(f"the OIDC provider did not start: {line!r}")
    return OidcProvider(issuer=line.removeprefix("listening "), process=process)


def stop_provider(provider: OidcProvider) -> None:
    provider.process.terminate()
    provider.process.wait(timeout=10)
