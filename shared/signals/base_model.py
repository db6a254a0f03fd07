"""``SignalsModel``: the base of every Signals pydantic model.

Its validator and serializer are built the first time the model is used, not when its module is
imported (pydantic's ``defer_build``). A Lambda cold start then builds only the models its first
request needs: the API imports ~50 models for its routes and one request uses a handful. Models
behave the same; ``tests/unit/test_base_model.py`` checks that every model in the package derives
from this base.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SignalsModel(BaseModel):
    model_config = ConfigDict(defer_build=True)
