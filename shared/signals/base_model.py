"""``SignalsModel``: the base of every Signals pydantic model.

Its validator and serializer are built the first time the model is used, not when its module is
imported (pydantic's ``defer_build``). A Lambda cold start then builds only the models its first
request needs: the API defines ~58 models for its routes and one request uses a handful. Models
behave the same. ``tests/unit/test_cold_imports.py`` checks that every model in the package derives
from this base and that no handler's import builds a model it does not instantiate.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SignalsModel(BaseModel):
    model_config = ConfigDict(defer_build=True)
