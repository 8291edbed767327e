"""The generator and the runtime on a spec that is not persona's (test/fixtures/shop.yaml:
two tags; GET, POST, PUT, PATCH, DELETE; path, query and header parameters; nested
models, arrays of models, enums, integer / number / boolean / date / date-time,
nullable, maps; a 204).

A package is generated from it into a temporary folder; it must pass mypy --strict and
ruff, and every operation is called through MockTransport: the request on the wire
(method, encoded URL and query, headers, body) and the parsed answer are checked.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("yaml")

import persona
from codegen.generate import Options, write
from persona.core.request import Request
from persona.rest import RESTResponse
from persona.testing import MockTransport

# Its module-scoped fixture is costly: run the module on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("fixture-spec")

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "shop.yaml"
HOST = "http://shop.test/api"

PET = {
    "id": 7,
    "name": "Rex",
    "category": {"id": 1, "name": "Dogs"},
    "tags": [{"id": 1, "name": "good"}, {"name": "loud"}],
    "status": "available",
    "birthday": "2020-02-29",
    "weight": 12,
    "vaccinated": True,
    "nickname": None,
    "attributes": {"colour": "brown"},
    "createdAt": "2026-12-04T10:00:00Z",
}
PROBLEM = {"code": "not_found", "message": "no such pet"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    root = tmp_path_factory.mktemp("shop")
    (root / "spec.yaml").write_text(FIXTURE.read_text())
    (root / "shopsdk" / "api").mkdir(parents=True)
    (root / "shopsdk" / "api" / "__init__.py").write_text("")
    (root / "shopsdk" / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\n\n"
        "# codegen:begin public-names\n# codegen:end public-names\n"
    )
    changed = write(Options(root, "spec.yaml", "shopsdk", readme=None, docs=None))
    assert "shopsdk/api/pets_api.py: written" in changed
    sys.path.insert(0, str(root))
    try:
        pets = importlib.import_module("shopsdk.api.pets_api")
        store = importlib.import_module("shopsdk.api.store_api")
        models = importlib.import_module("shopsdk.models")
        yield SimpleNamespace(root=root, pets=pets, store=store, m=models)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == "shopsdk" or n.startswith("shopsdk.")]:
            del sys.modules[name]


class Server:
    """A MockTransport handler answering from a table, recording what it was sent."""

    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers

    def __call__(self, request: Request) -> RESTResponse:
        path = request.url[len(HOST) :].split("?", 1)[0]
        answer = self.answers[(request.method, path)]
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, list):
            answer = answer.pop(0)
        return answer


def client(answers: dict[tuple[str, str], Any], **kwargs: Any) -> tuple[Any, MockTransport]:
    transport = MockTransport(Server(answers), **kwargs)
    config = persona.Configuration(host=HOST, backoff_base=0.001)
    return persona.ApiClient(config, transport=transport), transport


def only(transport: MockTransport) -> Request:
    (request,) = transport.requests
    return request


# -- the generated package is clean ---------------------------------------------------------

USER_CODE = textwrap.dedent(
    """\
    from datetime import date

    import persona
    from shopsdk.api.pets_api import AsyncPetsApi, PetsApi
    from shopsdk.models import NewPet


    def use(api: PetsApi) -> None:
        page = api.list_pets(limit=5, tags=["a"], status=["sold"], born_after=date(2020, 1, 1))
        reveal_type(page.items)
        reveal_type(api.get_pet(1))
        reveal_type(api.delete_pet(1))
        reveal_type(api.get_pet(1, async_req=True))
        reveal_type(api.delete_pet_with_http_info(1))
        api.create_pet(NewPet(name="Rex"), x_shop_clerk="ann", _idempotency_key="k1")
        api.get_pet("1")
        api.list_pets(limt=5)
        api.get_pet(1, _idempotency_key="k")


    async def use_async(api: AsyncPetsApi) -> None:
        reveal_type(await api.update_pet(1, dry_run=True))
    """
)


@pytest.mark.slow
def test_the_generated_package_passes_mypy_strict_ruff_and_types_user_code(shop: Any) -> None:
    (shop.root / "user_code.py").write_text(USER_CODE)
    env = {"PYTHONPATH": f"{REPO}:{shop.root}", "MYPYPATH": f"{REPO}:{shop.root}"}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(shop.root / ".mypy"), "-p", "shopsdk", "-m", "user_code"],
        capture_output=True, text=True, timeout=240, check=False, cwd=shop.root,
        env={**__import__("os").environ, **env},
    )  # fmt: skip
    lines = done.stdout.splitlines()
    errors = [line for line in lines if ": error:" in line]
    revealed = [line.split("Revealed type is ", 1)[1] for line in lines if "Revealed type" in line]
    # The package itself is clean: every error is in the user's module, where it belongs.
    assert all(line.startswith("user_code.py:") for line in errors), done.stdout
    assert sorted({int(line.split(":")[1]) for line in errors}) == [16, 17, 18], done.stdout
    by_line = {
        n: " ".join(e for e in errors if e.startswith(f"user_code.py:{n}:")) for n in (16, 17, 18)
    }
    # A method is a callable with overloads (the plain call last, with the method's own
    # parameters): mypy says no overload matches, naming the argument type it refused.
    assert 'No overload variant of "__call__"' in by_line[16], by_line[16]
    assert 'matches argument type "str"' in by_line[16]
    assert "pet_id: int" in done.stdout  # the plain call's real signature is listed
    # A misspelt option, and an Idempotency-Key on a GET, are errors on their lines.
    assert 'Unexpected keyword argument "limt"' in by_line[17] or "No overload" in by_line[17]
    assert (
        'Unexpected keyword argument "_idempotency_key"' in by_line[18]
        or "No overload" in by_line[18]
    )
    shown = [t.strip('"').replace("builtins.", "") for t in revealed]
    # ApiResponse is a tuple type: mypy reveals "tuple[..., fallback=ApiResponse[T]]".
    shown = [re.sub(r"^tuple\[.*, fallback=(.+)\]$", r"\1", t) for t in shown]
    # PetPage is only ever received and `items` is required: never None.
    assert shown[0] == "list[shopsdk.models.pet.Pet]", revealed
    assert shown[1:] == [
        "shopsdk.models.pet.Pet",
        "None",
        "multiprocessing.pool.ApplyResult[shopsdk.models.pet.Pet]",
        "persona.core.response.ApiResponse[None]",
        "shopsdk.models.pet.Pet",
    ], revealed
    for command in (["check"], ["format", "--check"]):
        linted = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--config", str(REPO / "pyproject.toml"),
             "shopsdk"],
            capture_output=True, text=True, timeout=60, check=False, cwd=shop.root,
        )  # fmt: skip
        assert linted.returncode == 0, linted.stdout + linted.stderr


def test_generated_methods_show_their_parameters(shop: Any) -> None:
    signature = inspect.signature(shop.pets.PetsApi.list_pets)
    assert list(signature.parameters)[:6] == [
        "self",
        "limit",
        "tags",
        "status",
        "born_after",
        "x_trace_id",
    ]
    # GET: nothing to dedupe, so its options are SafeCallOptions (no Idempotency-Key)
    assert "SafeCallOptions" in str(signature.parameters["options"].annotation)
    create = inspect.signature(shop.pets.PetsApi.create_pet)
    assert list(create.parameters)[:3] == ["self", "body", "x_shop_clerk"]
    assert create.parameters["x_shop_clerk"].kind is inspect.Parameter.KEYWORD_ONLY
    order = inspect.signature(shop.store.StoreApi.get_order).parameters
    assert order["order_code"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert str(create.parameters["options"].annotation) == "Unpack[CallOptions]"
    doc = shop.pets.PetsApi.get_pet.__doc__
    assert ":param pet_id: The pet's id; ``petId`` in the path (at least 1)." in doc
    assert ":raises NotFoundException: 404" in doc


# -- every operation on the wire ------------------------------------------------------------


def test_list_pets_sends_its_query_arrays_encoded_and_its_header(shop: Any) -> None:
    page = {"items": [PET, {**PET, "id": 8, "tags": []}], "total": 2, "next": None}
    api_client, transport = client({("GET", "/pets"): RESTResponse(200, json=page)})
    got = shop.pets.PetsApi(api_client).list_pets(
        limit=10,
        tags=["a b", "c/d&e=f"],
        status=["available", "sold"],
        born_after=date(2020, 1, 2),
        x_trace_id="trace-1",
    )
    request = only(transport)
    assert request.method == "GET"
    assert request.url == (
        f"{HOST}/pets?limit=10&tags=a%20b&tags=c%2Fd%26e%3Df"
        "&status=available&status=sold&bornAfter=2020-01-02"
    )
    assert request.header("X-Trace-Id") == "trace-1"
    assert request.header("Idempotency-Key") is None
    assert request.header("Content-Type") is None
    assert request.body is None
    assert isinstance(got, shop.m.PetPage)
    assert got.total == 2
    assert got.next is None
    rex = got.items[0]
    assert isinstance(rex, shop.m.Pet)
    assert rex.category == shop.m.Category(id=1, name="Dogs")
    assert [t.name for t in rex.tags] == ["good", "loud"]
    assert rex.birthday == date(2020, 2, 29)
    assert rex.weight == 12.0
    assert isinstance(rex.weight, float)
    assert rex.created_at == datetime(2026, 12, 4, 10, tzinfo=timezone.utc)
    assert rex.attributes == {"colour": "brown"}
    assert rex.nickname is None
    assert rex.to_dict() == PET | {"weight": 12.0}  # null kept: nickname is nullable


def test_optional_query_parameters_left_out_are_not_sent(shop: Any) -> None:
    api_client, transport = client(
        {("GET", "/pets"): RESTResponse(200, json={"items": [], "total": 0})}
    )
    shop.pets.PetsApi(api_client).list_pets()
    assert only(transport).url == f"{HOST}/pets"


def test_create_pet_posts_nested_json_with_its_header_and_a_key(shop: Any) -> None:
    m = shop.m
    api_client, transport = client({("POST", "/pets"): RESTResponse(201, json=PET)})
    body = m.NewPet(
        name="Rex",
        category=m.Category(id=1, name="Dogs"),
        tags=[m.Tag(name="good")],
        status="available",
        birthday=date(2020, 2, 29),
        weight=12.5,
        vaccinated=False,
        nickname=None,
        attributes={"colour": "brown"},
        microchip="chip-123456",
    )
    reply = shop.pets.PetsApi(api_client).create_pet_with_http_info(body, x_shop_clerk="ann")
    request = only(transport)
    assert (request.method, request.url) == ("POST", f"{HOST}/pets")
    assert request.json() == {
        "name": "Rex",
        "category": {"id": 1, "name": "Dogs"},
        "tags": [{"name": "good"}],
        "status": "available",
        "birthday": "2020-02-29",
        "weight": 12.5,
        "vaccinated": False,
        "nickname": None,
        "attributes": {"colour": "brown"},
        "microchip": "chip-123456",
    }
    assert request.header("X-Shop-Clerk") == "ann"
    assert request.header("Content-Type") == "application/json;charset=utf-8"
    assert len(request.header("Idempotency-Key") or "") == 32
    assert reply.status == 201
    assert reply.data.id == 7
    assert "chip-123456" not in repr(body)
    assert "chip-123456" not in repr(request)


def test_put_patch_and_get_fill_the_path(shop: Any) -> None:
    m = shop.m
    api_client, transport = client(
        {
            ("GET", "/pets/7"): RESTResponse(200, json=PET),
            ("PUT", "/pets/7"): RESTResponse(200, json=PET),
            ("PATCH", "/pets/7"): RESTResponse(200, json=PET),
        }
    )
    api = shop.pets.PetsApi(api_client)
    assert api.get_pet(7).name == "Rex"
    assert api.replace_pet(7, m.NewPet(name="Rex")).id == 7
    assert api.update_pet(7, m.PetPatch(nickname=None), dry_run=True).id == 7
    api.update_pet(7)  # the body is optional
    get, put, patch, bare = transport.requests
    assert (get.method, get.url, get.body) == ("GET", f"{HOST}/pets/7", None)
    assert (put.method, put.json()) == ("PUT", {"name": "Rex"})
    assert put.header("Idempotency-Key")
    assert (patch.method, patch.url) == ("PATCH", f"{HOST}/pets/7?dryRun=true")
    assert patch.json() == {"nickname": None}
    assert patch.header("Idempotency-Key")
    assert (bare.method, bare.body, bare.header("Content-Type")) == ("PATCH", None, None)


def test_delete_answers_204_with_nothing(shop: Any) -> None:
    api_client, transport = client({("DELETE", "/pets/7"): RESTResponse(204)})
    api = shop.pets.PetsApi(api_client)
    assert api.delete_pet(7) is None
    info = api.delete_pet_with_http_info(7)
    assert (info.data, info.status) == (None, 204)
    assert all(r.method == "DELETE" and r.header("Idempotency-Key") for r in transport.requests)


def test_store_operations_read_maps_and_encode_path_text(shop: Any) -> None:
    order = {
        "code": "a/b c?",
        "lines": [{"petId": 7, "quantity": 2, "weight": 1.5}],
        "shipDate": "2026-12-24",
        "complete": False,
        "meta": {"gift": True, "note": ["wrap", 1]},
    }
    api_client, transport = client(
        {
            ("GET", "/store/inventory"): RESTResponse(
                200, json={"counts": {"available": 3, "sold": 0}, "takenAt": "2026-12-04T10:00:00Z"}
            ),
            ("GET", "/store/orders/a%2Fb%20c%3F"): RESTResponse(200, json=order),
        }
    )
    store = shop.store.StoreApi(api_client)
    inventory = store.get_inventory()
    assert inventory.counts == {"available": 3, "sold": 0}
    got = store.get_order("a/b c?", weight_above=0.5)
    assert transport.requests[1].url == f"{HOST}/store/orders/a%2Fb%20c%3F?weightAbove=0.5"
    assert got.lines[0] == shop.m.OrderLine(pet_id=7, quantity=2, weight=1.5)
    assert got.ship_date == date(2026, 12, 24)
    assert got.meta == {"gift": True, "note": ["wrap", 1]}
    assert got.to_dict() == order


# -- bad input: named, refused before sending --------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda api, m: api.get_pet(0),
            persona.ApiValueError,
            "get_pet.pet_id: must be at least 1",
        ),
        (lambda api, m: api.get_pet("7"), persona.ApiTypeError, "get_pet.pet_id: must be int"),
        (lambda api, m: api.get_pet(True), persona.ApiTypeError, "get_pet.pet_id: must be int"),
        (lambda api, m: api.get_pet(None), persona.ApiValueError, "required parameter `pet_id`"),
        (lambda api, m: api.get_pet(), TypeError, "required positional argument: 'pet_id'"),
        (
            lambda api, m: api.list_pets(status=["lost"]),
            persona.ApiValueError,
            "list_pets.status: [0]: must be one of 'available', 'pending', 'sold'",
        ),
        (
            lambda api, m: api.list_pets(tags=["x"] * 6),
            persona.ApiValueError,
            "list_pets.tags: must have at most 5 items",
        ),
        (
            lambda api, m: api.list_pets(tags=["x", 1]),
            persona.ApiTypeError,
            "list_pets.tags[1]: must be list[str]",
        ),
        (
            lambda api, m: api.list_pets(x_trace_id="a\r\nX-Evil: 1"),
            persona.ApiValueError,
            "header X-Trace-Id: value must not contain CR, LF or NUL",
        ),
        (
            lambda api, m: api.create_pet(m.NewPet(name="Rex"), x_shop_clerk=None),
            persona.ApiValueError,
            "required parameter `x_shop_clerk`",
        ),
        (
            lambda api, m: api.create_pet(m.NewPet(name="Rex")),
            TypeError,
            "required keyword-only argument: 'x_shop_clerk'",
        ),
        (
            lambda api, m: api.create_pet(m.NewPet(name="Rex", weight=501), x_shop_clerk="a"),
            persona.ApiValueError,
            "NewPet.weight: must be at most 500, got 501",
        ),
        (
            lambda api, m: api.create_pet(m.NewPet(name="Rex", tags=[m.Tag()]), x_shop_clerk="a"),
            persona.ApiValueError,
            "NewPet.tags: [0]: Tag.name: is required",
        ),
        (lambda api, m: api.get_pet(7, _idempotency_key="k"), persona.ApiTypeError, "unexpected"),
        (lambda api, m: api.list_pets(limt=5), persona.ApiTypeError, "'limt'"),
        (lambda api, m: api.delete_pet(7, m.NewPet()), TypeError, "positional"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter_and_nothing_is_sent(
    shop: Any, call: Callable[[Any, Any], Any], error: type[Exception], words: str
) -> None:
    api_client, transport = client({})
    with pytest.raises(error) as caught:
        call(shop.pets.PetsApi(api_client), shop.m)
    assert words in str(caught.value)
    assert transport.requests == []


def test_assigning_a_wrong_kind_to_a_field_names_the_place(shop: Any) -> None:
    m = shop.m
    with pytest.raises(persona.ApiTypeError, match=r"NewPet\.tags\[1\]: must be list\[Tag\]"):
        m.NewPet(tags=[m.Tag(name="a"), {"name": "b"}])
    with pytest.raises(persona.ApiTypeError, match=r"NewPet\.birthday: must be date, got datetime"):
        m.NewPet(birthday=datetime(2020, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(persona.ApiTypeError, match=r"Pet: 'tags'\[0\]: Tag: 'name' must be"):
        m.Pet.from_dict({**PET, "tags": [{"name": 5}]})
    with pytest.raises(
        persona.ApiValueError, match=r"Pet: 'birthday' is not an RFC 3339 full-date"
    ):
        m.Pet.from_dict({**PET, "birthday": "29/02/2020"})
    assert m.NewPet(weight=3).weight == 3  # an int is a number


# -- answers: by status, retried by method, held to the contract --------------------------------


def test_a_declared_error_status_raises_with_its_body(shop: Any) -> None:
    api_client, _ = client({("GET", "/pets/9"): RESTResponse(404, json=PROBLEM)})
    with pytest.raises(persona.NotFoundException) as caught:
        shop.pets.PetsApi(api_client).get_pet(9)
    assert caught.value.status == 404
    assert "no such pet" in caught.value.body


def test_a_get_is_retried_without_a_key_and_a_put_with_one_key(shop: Any) -> None:
    busy = RESTResponse(503, headers={"Retry-After": "0"})
    api_client, transport = client(
        {
            ("GET", "/pets/7"): [busy, RESTResponse(200, json=PET)],
            ("PUT", "/pets/7"): [busy, RESTResponse(200, json=PET)],
        }
    )
    api = shop.pets.PetsApi(api_client)
    api.get_pet(7)
    api.replace_pet(7, shop.m.NewPet(name="Rex"))
    first, second, third, fourth = transport.requests
    assert first.header("Idempotency-Key") is None
    assert second.header("Idempotency-Key") is None
    assert third.header("Idempotency-Key") == fourth.header("Idempotency-Key") is not None


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (RESTResponse(500, json=PROBLEM), "a 500, a status its contract never gives"),
        (RESTResponse(200, json={"id": 7}), "does not fit Pet: Pet: required property 'name'"),
        (RESTResponse(200, json={**PET, "status": "lost"}), "Pet.status: must be one of"),
        (RESTResponse(404, json={"code": "x"}), "does not fit Problem"),
        (RESTResponse(201, json=PET), "a 201, a status its contract never gives"),
    ],
)
def test_a_strict_mock_refuses_an_answer_off_the_contract(
    shop: Any, answer: RESTResponse, words: str
) -> None:
    api_client, _ = client({("GET", "/pets/7"): answer})
    with pytest.raises(persona.ApiTypeError) as caught:
        shop.pets.PetsApi(api_client).get_pet(7)
    assert "MockTransport handler Server answered get_pet with" in str(caught.value)
    assert words in str(caught.value)
    assert "strict=False" in str(caught.value)


def test_a_strict_mock_lets_proxy_statuses_through_and_strict_false_anything(shop: Any) -> None:
    api_client, _ = client({("GET", "/pets/7"): RESTResponse(502, data=b"bad gateway")})
    with pytest.raises(persona.ApiException) as caught:
        shop.pets.PetsApi(api_client).get_pet(7)
    assert caught.value.status == 502
    lenient, _ = client({("GET", "/pets/7"): RESTResponse(500, json=PROBLEM)}, strict=False)
    with pytest.raises(persona.ServiceException):
        shop.pets.PetsApi(lenient).get_pet(7)
    body_on_204, _ = client({("DELETE", "/pets/7"): RESTResponse(204, json={})})
    with pytest.raises(persona.ApiTypeError, match="a 204 with a body"):
        shop.pets.PetsApi(body_on_204).delete_pet(7)


def test_the_async_class_sends_the_same_requests(shop: Any) -> None:
    async def handler(request: Request) -> RESTResponse:
        if request.method == "DELETE":
            return RESTResponse(204)
        return RESTResponse(200, json=PET)

    async def main() -> tuple[Any, Any, list[Request]]:
        transport = MockTransport(handler)
        config = persona.Configuration(host=HOST)
        async with persona.AsyncApiClient(config, transport=transport) as api_client:
            api = shop.pets.AsyncPetsApi(api_client)
            pet = await api.get_pet(7)
            gone = await api.delete_pet(7)
        return pet, gone, transport.requests

    loop = asyncio.new_event_loop()
    try:
        pet, gone, requests = loop.run_until_complete(main())
    finally:
        loop.close()
    assert pet.name == "Rex"
    assert gone is None
    assert [(r.method, r.url) for r in requests] == [
        ("GET", f"{HOST}/pets/7"),
        ("DELETE", f"{HOST}/pets/7"),
    ]


def test_the_parsed_answer_round_trips_through_json(shop: Any) -> None:
    pet = shop.m.Pet.from_json(json.dumps(PET))
    assert json.loads(pet.to_json()) == PET | {"weight": 12.0}
