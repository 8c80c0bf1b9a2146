"""Unknown names in a plugin's ``provider_options`` are refused at every depth, where
pydantic's default would drop them without a word; a plugin that takes unknown names
(``extra="allow"``) anywhere in its options keeps its own rules."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

import limner

from .fakeprovider import FakePlugin, FakeProvider
from .support import FakeServer, MakeClient


class Sampler(BaseModel):  # pydantic's default: unknown names ignored
    name: str = "euler"


class Options(BaseModel):
    sampler: Sampler | None = None
    stages: list[Sampler] = []


class Passthrough(BaseModel):
    model_config = ConfigDict(extra="allow")


class Open(BaseModel):
    sampler: Sampler | None = None
    raw: Passthrough | None = None


class Nested(FakeProvider):
    options_model: ClassVar[type[BaseModel] | None] = Options


class Opened(FakeProvider):
    options_model: ClassVar[type[BaseModel] | None] = Open


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"bogus": 1}, "provider_options.fake.bogus"),
        ({"sampler": {"name": "dpm", "bogus": 1}}, "provider_options.fake.sampler.bogus"),
        ({"stages": [{}, {"steps": 3}]}, "provider_options.fake.stages[1].steps"),
    ],
)
async def test_an_unknown_name_at_any_depth_is_refused_naming_it(
    make_client: MakeClient, server: FakeServer, options: dict[str, Any], param: str
) -> None:
    client = make_client(plugins=[FakePlugin(Nested)])
    with pytest.raises(limner.InvalidRequestError) as caught:
        await client.images.generate(
            model="alpha", prompt="x", provider_options={"fake": options}, dry_run=True
        )
    assert caught.value.param == param
    assert server.api_calls == []


async def test_known_names_pass_and_a_plugin_that_allows_extras_keeps_its_rules(
    make_client: MakeClient,
) -> None:
    nested = make_client(plugins=[FakePlugin(Nested)])
    await nested.images.generate(
        model="alpha",
        prompt="x",
        provider_options={"fake": {"sampler": {"name": "dpm"}, "stages": [{"name": "a"}]}},
        dry_run=True,
    )
    opened = make_client(plugins=[FakePlugin(Opened)])
    await opened.images.generate(  # its passthrough object takes any name
        model="alpha", prompt="x", provider_options={"fake": {"raw": {"cfg": 7}}}, dry_run=True
    )
    with pytest.raises(limner.InvalidRequestError) as caught:  # its top level still refuses
        await opened.images.generate(
            model="alpha", prompt="x", provider_options={"fake": {"bogus": 1}}, dry_run=True
        )
    assert caught.value.param == "provider_options.fake.bogus"


def test_the_published_schema_refuses_what_validation_refuses(make_client: MakeClient) -> None:
    """``additionalProperties: false`` on each object validation closes, so that a tool reading
    the schema knows; not below the top where the plugin takes unknown names."""
    nested = make_client(plugins=[FakePlugin(Nested)]).models.schema("fake/alpha-1")
    own = nested["properties"]["provider_options"]["properties"]["fake"]
    assert own["additionalProperties"] is False
    assert nested["$defs"]["Sampler"]["additionalProperties"] is False
    opened = make_client(plugins=[FakePlugin(Opened)]).models.schema("fake/alpha-1")
    own = opened["properties"]["provider_options"]["properties"]["fake"]
    assert own["additionalProperties"] is False
    assert "additionalProperties" not in opened["$defs"]["Sampler"]
    assert opened["$defs"]["Passthrough"]["additionalProperties"] is True


class Loose(TypedDict):
    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]
    name: str


class WithLoose(BaseModel):
    loose: Loose | None = None


class Aliased(BaseModel):
    steps: int | None = Field(None, validation_alias=AliasChoices("steps", "num_steps"))


class WithAliased(BaseModel):
    sampler: Aliased | None = None


def _options_provider(options: type[BaseModel]) -> type[FakeProvider]:
    return type("Provider", (FakeProvider,), {"options_model": options})


async def test_a_typeddict_that_allows_extras_keeps_its_rules(make_client: MakeClient) -> None:
    client = make_client(plugins=[FakePlugin(_options_provider(WithLoose))])
    await client.images.generate(
        model="alpha",
        prompt="x",
        provider_options={"fake": {"loose": {"name": "a", "more": 1}}},
        dry_run=True,
    )


@pytest.mark.parametrize("options", [Aliased, WithAliased])
def test_a_schema_stays_open_where_a_model_takes_names_it_does_not_list(
    make_client: MakeClient, options: type[BaseModel]
) -> None:
    """``AliasChoices`` names are not in the schema's properties: closing it would refuse them,
    while validation takes them. Unknown names are still refused by validation."""
    client = make_client(plugins=[FakePlugin(_options_provider(options))])
    schema = client.models.schema("fake/alpha-1")
    own = schema["properties"]["provider_options"]["properties"]["fake"]
    assert "additionalProperties" not in own
    assert all("additionalProperties" not in d for d in schema.get("$defs", {}).values())
