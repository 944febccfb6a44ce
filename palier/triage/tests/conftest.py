from __future__ import annotations

import pytest

from palier.triage.corpus import coldstart_examples
from palier.triage.model import save, train
from palier.triage.suggest import forget_model


@pytest.fixture(scope="session")
def coldstart_model():
    """The model the shipped cold-start requests alone give (learnt once per test run)."""
    return train(coldstart_examples())


@pytest.fixture
def own_model_file(settings, tmp_path, coldstart_model):
    """A model file of this test's own (the cold-start model to begin with), so that a
    retraining touches no other test."""
    settings.PALIER_TRIAGE_MODEL = tmp_path / "model.joblib"
    save(coldstart_model, settings.PALIER_TRIAGE_MODEL)
    forget_model()
    yield settings.PALIER_TRIAGE_MODEL
    forget_model()
