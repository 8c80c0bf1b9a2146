"""limner.testing's standard tests, run against every built-in plugin and the test doubles of
the core tests, as a third-party plugin runs them against itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.oauth2.credentials import Credentials

import limner_google
import limner_nova_canvas
import limner_openai
import limner_stability
from limner import ModelInfo, Operation, Provider
from limner.testing import ProviderTests
from limner_google.models import VERTEX_ONLY

from ..core.fakeprovider import API_KEY, FakePlugin
from ..core.jobsprovider import KEY as JOBS_KEY, JobsPlugin


class TestOpenAIStandard(ProviderTests):
    plugin = limner_openai

    @property
    def settings(self) -> dict[str, Any]:
        return {"api_key": "sk-standard-tests-0123456789abcdef"}


class TestGoogleStandard(ProviderTests):
    plugin = limner_google

    @property
    def settings(self) -> dict[str, Any]:
        return {"api_key": "AIza-standard-tests-0123456789"}

    def settings_for(self, provider: Provider, model: ModelInfo | None = None) -> dict[str, Any]:
        if model is not None and model.name in VERTEX_ONLY:  # served through Vertex AI only
            token = Credentials(  # type: ignore[no-untyped-call]  # a token: no ADC lookup
                token="ya29.standard-tests-token-0123456789"
            )
            return {
                "vertexai": True,
                "project": "standard-tests",
                "location": "us-central1",
                "credentials": token,
            }
        return super().settings_for(provider, model)

    def request_fields(self, model: ModelInfo, operation: Operation) -> dict[str, Any]:
        fields = super().request_fields(model, operation)
        if operation == "edit" and model.name.startswith("imagen-"):  # Imagen edits need one
            fields["mask"] = self.png(mask=True)
        return fields


class TestStabilityStandard(ProviderTests):
    plugin = limner_stability

    @property
    def settings(self) -> dict[str, Any]:
        return {"api_key": "sk-standard-tests-0123456789abcdef"}


class TestNovaCanvasStandard(ProviderTests):
    plugin = limner_nova_canvas

    @pytest.fixture(autouse=True)
    def _no_instance_metadata(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """botocore's credential chain asks the EC2 instance metadata service last, as boto3
        does, and reads the machine's AWS files: the standard tests run offline, and pass on a
        machine with AWS credentials (the process's variables are set here to show it)."""
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMACHINEKEY000000")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "machine/secret/0123456789abcdefghijklmn")

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "aws_access_key_id": "AKIASTANDARDTESTS012",
            "aws_secret_access_key": "standard/tests/secret/0123456789abcdefghij",
            "region": "us-east-1",
        }


class TestFakeStandard(ProviderTests):
    plugin = FakePlugin()

    @property
    def settings(self) -> dict[str, Any]:
        return {"api_key": API_KEY}


class TestJobsStandard(ProviderTests):
    plugin = JobsPlugin()

    @property
    def settings(self) -> dict[str, Any]:
        return {"api_key": JOBS_KEY}
