"""The eSMS imitation's Zalo calls spoken to directly: checks, reports per leg, prices, lookups."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
import pytest

from sandbox import Account, Fault, Sandbox
from sandbox.state import ZaloOA, ZaloParamSpec, ZaloTemplateSpec, default_zalo_oas

FIXTURES = Path(__file__).parent.parent / "fixtures" / "esms"
BASE = "/MainService.svc/json"
KEYS = {"ApiKey": "ESMS-API-KEY", "SecretKey": "ESMS-SECRET-KEY"}
OA = "4097311281936189049"
ORDER = {"customer_name": "Lan", "order_code": "HD00001", "order_date": "24/04/2024"}
ORDER_VALUES = ["Lan", "HD00001", "24/04/2024"]


def zns(**fields: Any) -> dict[str, Any]:
    """A valid V6 ZNS body for the built-in account's order template, fields overriding."""
    body: dict[str, Any] = {
        **KEYS,
        "Phone": "0901234567",
        "OAID": OA,
        "TempID": "200607",
        "TempData": dict(ORDER),
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def multichannel(
    zalo: dict[str, Any] | None = None, sms: dict[str, Any] | None = None, **top: Any
) -> dict[str, Any]:
    """A valid MultiChannelMessage body, each leg's fields overriding."""
    zns_leg = {"OAID": OA, "TempID": "200607", "Params": list(ORDER_VALUES), "RequestId": "m-z"}
    sms_leg = {
        "Content": "Don HD00001 da xac nhan",
        "IsUnicode": "0",
        "SmsType": "2",
        "Brandname": "SMSBRIDGE",
        "RequestId": "m-s",
    }
    zns_leg.update(zalo or {})
    sms_leg.update(sms or {})
    body: dict[str, Any] = {
        **KEYS,
        "Phone": "0901234567",
        "Channels": ["zalo", "sms"],
        "Data": [zns_leg, sms_leg],
    }
    body.update(top)
    return body


async def post(sandbox: Sandbox, session: aiohttp.ClientSession, path: str, body: Any) -> Any:
    """POST a JSON body (or raw bytes) and read the JSON answer."""
    kwargs: dict[str, Any] = {"data": body} if isinstance(body, bytes) else {"json": body}
    async with session.post(f"{sandbox.url}{BASE}/{path}", **kwargs) as response:
        assert response.status == 200
        return await response.json()


@dataclass
class Hook:
    """A callback receiver: what each path got, as raw query strings, in order."""

    url: str = ""
    got: list[tuple[str, str]] = field(default_factory=list)

    def queries(self, path: str) -> list[dict[str, str]]:
        """The parameters of each report to `path`, as a web framework reads them."""
        return [dict(parse_qsl(raw, keep_blank_values=True)) for p, raw in self.got if p == path]


@pytest.fixture
async def hook(socket_enabled: None) -> AsyncIterator[Hook]:
    """A receiver answering OK on any path."""
    state = Hook()

    async def handle(request: web.Request) -> web.Response:
        state.got.append((request.path, request.rel_url.raw_query_string))
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield state
    finally:
        await runner.cleanup()


def seed_keys(name: str) -> list[str]:
    """The parameter names of a seed callback sample, in order."""
    raw = (FIXTURES / f"{name}.query").read_text()
    return [key for key, _ in parse_qsl(raw, keep_blank_values=True)]


def seed_value(name: str, key: str) -> str:
    """One parameter of a seed callback sample, decoded once."""
    raw = (FIXTURES / f"{name}.query").read_text()
    return dict(parse_qsl(raw, keep_blank_values=True))[key]


# --- lookups -------------------------------------------------------------------------------------


async def test_official_accounts(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """GetListZOA lists the account's OA; wrong keys are 101."""
    answer = await post(sandbox, session, "ZNS/GetListZOA/", KEYS)
    assert answer == {
        "CodeResult": "100",
        "ErrorMessage": "success",
        "ZOAList": [{"OAID": OA, "OAName": "SMS Bridge Demo"}],
    }
    wrong = await post(sandbox, session, "ZNS/GetListZOA/", {**KEYS, "SecretKey": "x"})
    assert wrong["CodeResult"] == "101"


async def test_templates_by_type(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """GetTemplate lists an OA's templates of the SmsType asked, TempId a number."""
    normal = await post(sandbox, session, "GetTemplate/", {**KEYS, "OAId": OA, "SmsType": "25"})
    [order] = normal["ZNSTemplates"]
    assert order["TempId"] == 200607
    assert order["TempName"] == "Order confirmation"
    assert order["ZNSTempDetail"] == [
        {"Limit": 30, "Param": "customer_name", "ParamLevel": 1, "RequireType": "type_text"},
        {"Limit": 20, "Param": "order_code", "ParamLevel": 2, "RequireType": "type_text"},
        {"Limit": 10, "Param": "order_date", "ParamLevel": 3, "RequireType": "type_date"},
    ]
    otp = await post(sandbox, session, "GetTemplate/", {**KEYS, "OAId": OA, "SmsType": "24"})
    assert [t["TempId"] for t in otp["ZNSTemplates"]] == [2056446]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"OAID": OA, "SmsType": "25"}, "791"),  # the send's spelling: GetTemplate wants OAId
        ({"OAId": "123", "SmsType": "25"}, "204"),
        ({"OAId": OA, "SmsType": "2"}, "118"),
        ({"OAId": OA}, "300"),
        ({"OAId": OA, "SmsType": "25", "ApiKey": "x"}, "101"),
    ],
)
async def test_template_checks(
    sandbox: Sandbox, session: aiohttp.ClientSession, fields: dict[str, str], code: str
) -> None:
    """GetTemplate refuses the send's OAID spelling, an unknown OA, a type that is not ZNS."""
    answer = await post(sandbox, session, "GetTemplate/", {**KEYS, **fields})
    assert answer["CodeResult"] == code


# --- ZNS send ------------------------------------------------------------------------------------


def other_account(sandbox: Sandbox) -> Account:
    """A second eSMS account with an OA of its own."""
    account = Account(
        "esms",
        {"ApiKey": "OTHER", "SecretKey": "OTHER"},
        balance=1000,
        brandnames={"OTHER"},
        zalo_oas={"555": ZaloOA("555", "Other OA")},
    )
    sandbox.state.accounts.append(account)
    return account


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (zns(), "100"),
        (b"not json", "99"),
        (zns(ApiKey="x"), "101"),
        (zns(OAID=None), "791"),
        (zns(TempID=""), "791"),
        (zns(OAID="999"), "204"),
        (zns(OAID="555"), "799"),
        (zns(TempID="1"), "789"),
        (zns(TempData={**ORDER, "extra": "x"}), "790"),
        (zns(TempData={"customer_name": "Lan", "order_code": "HD1"}), "790"),
        (zns(TempData={**ORDER, "customer_name": "x" * 31}), "790"),
        (zns(TempData={**ORDER, "order_date": "2024-04-24"}), "790"),
        (zns(TempData=ORDER_VALUES), "790"),
        (zns(TempID="2056446", TempData={"otp": "12a4"}), "790"),
        (zns(TempID="2056446", TempData={"otp": 123456}), "100"),
        (zns(Phone="12ab"), "108"),
        (zns(Phone="0901234563"), "99"),
    ],
)
async def test_zns_checks(
    sandbox: Sandbox, session: aiohttp.ClientSession, body: Any, code: str
) -> None:
    """Each check of a ZNS send answers its code; template errors are 789, 790, 791."""
    other_account(sandbox)
    answer = await post(sandbox, session, "SendZaloMessage_V6/", body)
    assert answer["CodeResult"] == code
    if code != "100":
        assert "SMSID" not in answer
        assert answer["ErrorMessage"]


async def test_zns_disabled_template(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """A template under review is refused with 790."""
    template = sandbox.state.first_account("esms").zalo_oas[OA].templates["200607"]
    template.status = "PENDING_REVIEW"
    answer = await post(sandbox, session, "SendZaloMessage_V6/", zns())
    assert answer["CodeResult"] == "790"


async def test_zns_older_versions(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """V5 takes TempData as key/value pairs, V4 the values by position."""
    pairs = [{"key": k, "value": v} for k, v in ORDER.items()]
    v5 = await post(sandbox, session, "SendZaloMessage_V5_post/", zns(TempData=pairs))
    v4 = await post(
        sandbox, session, "SendZaloMessage_V4_post_json/", zns(TempData=None, Params=ORDER_VALUES)
    )
    assert (v5["CodeResult"], v4["CodeResult"]) == ("100", "100")
    bad = await post(sandbox, session, "SendZaloMessage_V4_post_json/", zns(Params=["Lan"]))
    assert bad["CodeResult"] == "790"


async def test_zns_duplicate_request_id_and_balance(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """A RequestId is single use (124); a balance below the price is 103, not with Sandbox=1."""
    first = await post(sandbox, session, "SendZaloMessage_V6/", zns(RequestId="z-1"))
    again = await post(sandbox, session, "SendZaloMessage_V6/", zns(RequestId="z-1"))
    assert (first["CodeResult"], again["CodeResult"]) == ("100", "124")
    account = sandbox.state.first_account("esms")
    account.balance = 299
    assert (await post(sandbox, session, "SendZaloMessage_V6/", zns()))["CodeResult"] == "103"
    flagged = await post(sandbox, session, "SendZaloMessage_V6/", zns(Sandbox="1"))
    assert flagged["CodeResult"] == "100"
    assert account.balance == 299


@pytest.mark.parametrize(
    ("phone", "status", "counts", "price", "zalo_error"),
    [
        ("0901234567", "5", ("1", "0", "1"), "300.0000", 0),
        ("0901234566", "5", ("0", "1", "0"), "0.0000", -114),
        ("0901234564", "5", ("0", "1", "0"), "0.0000", 1001),
        ("0901234565", "2", ("0", "0", "0"), "0.0000", None),
    ],
    ids=["delivered", "not_on_zalo", "not_reached", "pending"],
)
async def test_zns_report(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    hook: Hook,
    *,
    phone: str,
    status: str,
    counts: tuple[str, str, str],
    price: str,
    zalo_error: int | None,
) -> None:
    """One report per ZNS, in the seed's Zalo sample's order; the outcome by the last digit."""
    account = sandbox.state.first_account("esms")
    before = account.balance
    body = zns(Phone=phone, CallbackUrl=f"{hook.url}/zns", RequestId="z-2")
    answer = await post(sandbox, session, "SendZaloMessage_V6/", body)
    await sandbox.idle()

    [query] = hook.queries("/zns")
    assert list(query) == seed_keys("zalo")
    assert query["SMSID"] == answer["SMSID"]
    assert query["SendStatus"] == status
    assert (query["SendSuccess"], query["SendFailed"], query["TotalSent"]) == counts
    assert query["TotalPrice"] == price
    assert query["RequestId"] == ""  # as in every sample
    assert (query["TypeId"], query["oaid"], query["tempid"]) == ("25", OA, "200607")
    assert query["telcoid"] == "2"
    assert query["phonenumber"] == phone
    assert bool(query["partnerids"]) is (zalo_error == 0)
    if zalo_error is None:
        assert query["error_info"] == ""
    else:
        assert (
            json.loads(json.loads(query["error_info"]) if zalo_error else query["error_info"])[
                "error"
            ]
            == zalo_error
        )
    assert account.balance == before - (300 if zalo_error == 0 else 0)


async def test_zns_failure_is_written_as_the_seed(
    sandbox: Sandbox, session: aiohttp.ClientSession, hook: Hook
) -> None:
    """A number not on Zalo fails with the seed's own error_info, character for character."""
    await post(
        sandbox, session, "SendZaloMessage_V6/", zns(Phone="0901888486", CallbackUrl=hook.url)
    )
    await sandbox.idle()
    [query] = hook.queries("/")
    assert query["error_info"] == seed_value("zalo", "error_info")


async def test_zns_otp_template_reports_type_24(
    sandbox: Sandbox, session: aiohttp.ClientSession, hook: Hook
) -> None:
    """The report's TypeId is the template's (24 for the OTP template), its price too."""
    sandbox.state.first_account("esms").zalo_oas[OA].templates["2056446"].price = 330
    body = zns(TempID="2056446", TempData={"otp": "123456"}, CallbackUrl=hook.url)
    await post(sandbox, session, "SendZaloMessage_V6/", body)
    await sandbox.idle()
    [query] = hook.queries("/")
    assert (query["TypeId"], query["TotalPrice"], query["tempid"]) == ("24", "330.0000", "2056446")


async def test_zns_send_status(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """GetSendStatus knows a delivered ZNS by its SMSID, at the template's price."""
    sandbox.state.dlr_delay = 0
    sms_id = (await post(sandbox, session, "SendZaloMessage_V6/", zns()))["SMSID"]
    query = f"RefId={sms_id}&ApiKey=ESMS-API-KEY&SecretKey=ESMS-SECRET-KEY"
    async with session.get(f"{sandbox.url}{BASE}/GetSendStatus?{query}") as response:
        answer = await response.json()
    assert (answer["SendStatus"], answer["SendSuccess"], answer["TotalPrice"]) == (5, 1, 300)


# --- Zalo, then SMS ------------------------------------------------------------------------------


def legs_to(hook: Hook) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each leg reporting to its own path of the hook."""
    return {"CallbackUrl": f"{hook.url}/zalo?leg=zalo"}, {"CallbackUrl": f"{hook.url}/sms?leg=sms"}


async def test_fallback_reports_both_legs_to_their_own_urls(
    sandbox: Sandbox, session: aiohttp.ClientSession, hook: Hook
) -> None:
    """Not on Zalo: the ZNS fails (free), the SMS goes out at once; each leg to its own URL.

    The SMS leg has its own SMSID and names the ZNS's in `switchsmsid`.
    """
    account = sandbox.state.first_account("esms")
    before = account.balance
    zalo, sms = legs_to(hook)
    answer = await post(
        sandbox, session, "MultiChannelMessage/", multichannel(zalo, sms, Phone="0901234566")
    )
    await sandbox.idle()

    [zns_report] = hook.queries("/zalo")
    assert zns_report["leg"] == "zalo"
    assert zns_report["SMSID"] == answer["SMSID"]
    assert (zns_report["TypeId"], zns_report["SendFailed"]) == ("25", "1")
    assert zns_report["TotalPrice"] == "0.0000"
    assert zns_report["error_info"] == seed_value("zalo", "error_info")
    sms_reports = hook.queries("/sms")
    assert [q["SendStatus"] for q in sms_reports] == ["7", "5"]
    final = sms_reports[-1]
    assert final["leg"] == "sms"
    assert final["SMSID"] != answer["SMSID"]
    assert final["switchsmsid"] == answer["SMSID"]
    assert (final["TypeId"], final["SendSuccess"], final["TotalPrice"]) == ("2", "1", "800.0000")
    assert final["RequestId"] == ""
    assert [path for path, _ in hook.got] == ["/zalo", "/sms", "/sms"]
    assert [d.message_id for d in sandbox.state.deliveries] == [
        answer["SMSID"],
        final["SMSID"],
        final["SMSID"],
    ]
    assert account.balance == before - 800


async def test_zalo_delivered_sends_no_sms(
    sandbox: Sandbox, session: aiohttp.ClientSession, hook: Hook
) -> None:
    """Zalo delivered: one report, the ZNS's price, no SMS."""
    account = sandbox.state.first_account("esms")
    before = account.balance
    zalo, sms = legs_to(hook)
    await post(sandbox, session, "MultiChannelMessage/", multichannel(zalo, sms))
    await sandbox.idle()
    [zns_report] = hook.queries("/zalo")
    assert (zns_report["SendSuccess"], zns_report["TotalPrice"]) == ("1", "300.0000")
    assert hook.queries("/sms") == []
    assert account.balance == before - 300


async def test_both_legs_fail(sandbox: Sandbox, session: aiohttp.ClientSession, hook: Hook) -> None:
    """Ending 4: Zalo does not reach the phone (1001), the SMS fails too; the SMS is charged."""
    account = sandbox.state.first_account("esms")
    before = account.balance
    zalo, sms = legs_to(hook)
    await post(
        sandbox, session, "MultiChannelMessage/", multichannel(zalo, sms, Phone="0901234564")
    )
    await sandbox.idle()
    [zns_report] = hook.queries("/zalo")
    assert json.loads(json.loads(zns_report["error_info"]))["error"] == 1001
    assert [q["SendFailed"] for q in hook.queries("/sms")] == ["0", "1"]
    assert account.balance == before - 800


async def test_pending_zalo_does_not_fall_back(
    sandbox: Sandbox, session: aiohttp.ClientSession, hook: Hook
) -> None:
    """Ending 5: the ZNS stays pending (SendStatus 2); no SMS."""
    zalo, sms = legs_to(hook)
    await post(
        sandbox, session, "MultiChannelMessage/", multichannel(zalo, sms, Phone="0901234565")
    )
    await sandbox.idle()
    assert [q["SendStatus"] for q in hook.queries("/zalo")] == ["2"]
    assert hook.queries("/sms") == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (multichannel(), "100"),
        (multichannel(Channels="zalo,sms"), "110"),
        (multichannel(Channels=["sms", "zalo"]), "110"),
        (multichannel(Channels=["zalo"]), "110"),
        (multichannel(Data=[]), "110"),
        (multichannel(zalo={"Params": ORDER_VALUES[:2]}), "790"),
        (multichannel(zalo={"TempData": ORDER, "Params": None}), "790"),
        (multichannel(zalo={"OAID": "999"}), "204"),
        (multichannel(zalo={"TempID": "1"}), "789"),
        (multichannel(sms={"SmsType": "1"}), "118"),
        (multichannel(sms={"SmsType": None}), "300"),
        (multichannel(sms={"Brandname": "OTHER"}), "104"),
        (multichannel(sms={"Content": ""}), "99"),
        (multichannel(Phone="0901234563"), "99"),
        (multichannel(Phone="x"), "108"),
        (multichannel(ApiKey="x"), "101"),
    ],
)
async def test_multichannel_checks(
    sandbox: Sandbox, session: aiohttp.ClientSession, body: dict[str, Any], code: str
) -> None:
    """Channels exactly ["zalo", "sms"], a valid ZNS leg and a customer-care SMS leg."""
    answer = await post(sandbox, session, "MultiChannelMessage/", body)
    assert answer["CodeResult"] == code


async def test_multichannel_request_ids_balance_sandbox(
    sandbox: Sandbox, session: aiohttp.ClientSession, hook: Hook
) -> None:
    """A leg's RequestId is single use; the dearer leg must be affordable; Sandbox=1 is free."""
    assert (await post(sandbox, session, "MultiChannelMessage/", multichannel()))[
        "CodeResult"
    ] == "100"
    again = await post(sandbox, session, "MultiChannelMessage/", multichannel())
    assert again["CodeResult"] == "124"
    account = sandbox.state.first_account("esms")
    account.balance = 799
    fresh = multichannel({"RequestId": "n-z"}, {"RequestId": "n-s"})
    assert (await post(sandbox, session, "MultiChannelMessage/", fresh))["CodeResult"] == "103"
    zalo, sms = legs_to(hook)
    flagged = multichannel(
        {**zalo, "Sandbox": "1", "RequestId": "f-z"},
        {**sms, "Sandbox": "1", "RequestId": "f-s"},
        Phone="0901234566",
    )
    assert (await post(sandbox, session, "MultiChannelMessage/", flagged))["CodeResult"] == "100"
    await sandbox.idle()
    assert account.balance == 799
    assert hook.got == []


# --- estimates -----------------------------------------------------------------------------------


async def test_sms_estimate(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """SummaryMultipleMessage_V4_get: 800 VND per segment; BrandName or Brandname."""
    path = f"{sandbox.url}{BASE}/SummaryMultipleMessage_V4_get"
    query = {**KEYS, "Phone": "0901234567", "SmsType": "2", "BrandName": "SMSBRIDGE"}
    async with session.get(path, params={**query, "Content": "x" * 161}) as response:
        assert await response.json() == {
            "CodeResult": "100",
            "ErrorMessage": "success",
            "TotalPrice": 1600,
            "TotalReceiver": 1,
        }
    table = {**query, "Brandname": "SMSBRIDGE", "Content": "Đ", "IsUnicode": "1"}
    del table["BrandName"]
    async with session.get(path, params=table) as response:
        assert (await response.json())["TotalPrice"] == 800
    for wrong, code in (({"ApiKey": "x"}, "101"), ({"BrandName": "NO"}, "104"), ({}, "99")):
        async with session.get(path, params={**query, **wrong}) as response:
            assert (await response.json())["CodeResult"] == code


async def test_zns_estimate(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """SummaryZaloMessage_V4_post_json: the template's price; the send's checks first."""
    body = {**KEYS, "Phone": "0901234567", "OAID": OA, "TempID": "200607", "Params": ORDER_VALUES}
    answer = await post(sandbox, session, "SummaryZaloMessage_V4_post_json/", body)
    assert answer == {
        "CodeResult": "100",
        "ErrorMessage": "success",
        "TotalPrice": 300.0,
        "TotalReceiver": 1,
    }
    for wrong, code in (
        ({"TempID": "1"}, "789"),
        ({"Params": ["Lan"]}, "790"),
        ({"Phone": "1"}, "108"),
        ({"SecretKey": ""}, "101"),
    ):
        answer = await post(sandbox, session, "SummaryZaloMessage_V4_post_json/", body | wrong)
        assert answer["CodeResult"] == code


async def test_refuse_fault_on_zalo_calls(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """The refuse fault answers its code on the Zalo calls too."""
    sandbox.state.faults.append(Fault("refuse", "esms", 799, count=2))
    assert (await post(sandbox, session, "MultiChannelMessage/", multichannel()))[
        "CodeResult"
    ] == "799"
    assert (await post(sandbox, session, "ZNS/GetListZOA/", KEYS))["CodeResult"] == "799"


# --- the control API and the callback join -------------------------------------------------------


async def test_callback_join_by_question_mark(
    sandbox: Sandbox, session: aiohttp.ClientSession, hook: Hook
) -> None:
    """With callback_join "?", the parameters follow a URL's own query after a second "?"."""
    sandbox.state.esms.callback_join = "?"
    zalo, _ = legs_to(hook)
    await post(sandbox, session, "SendZaloMessage_V6/", zns(CallbackUrl=zalo["CallbackUrl"]))
    await post(sandbox, session, "SendZaloMessage_V6/", zns(CallbackUrl=f"{hook.url}/plain"))
    await sandbox.idle()
    got = dict(hook.got)
    assert got["/zalo"].startswith("leg=zalo?SMSID=")
    assert got["/plain"].startswith("SMSID=")


async def test_control_api(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """GET shows the settings and OAs; POST changes them (400 for nonsense); reset restores."""
    url = f"{sandbox.url}/_sandbox/esms"
    async with session.get(url) as response:
        shown = await response.json()
    assert shown["callback_join"] == "&"
    assert [oa["oa_id"] for oa in shown["oas"]] == [OA]
    oas = [
        {
            "oa_id": "77",
            "name": "Shop",
            "templates": [
                {
                    "template_id": 9,
                    "name": "Hello",
                    "type_id": "24",
                    "price": 250,
                    "params": [{"name": "who", "order": 1, "limit": 5}],
                }
            ],
        }
    ]
    async with session.post(url, json={"callback_join": "?", "oas": oas}) as response:
        assert response.status == 200
    account = sandbox.state.first_account("esms")
    assert sandbox.state.esms.callback_join == "?"
    assert account.zalo_oas == {
        "77": ZaloOA(
            "77",
            "Shop",
            {"9": ZaloTemplateSpec(9, "Hello", [ZaloParamSpec("who", 1, 5)], "24", 250)},
        )
    }
    for bad in (
        {"callback_join": "#"},
        {"oas": [{"oa_id": "1"}]},
        {"oas": [1]},
        {
            "oas": [
                {
                    "oa_id": "1",
                    "name": "x",
                    "templates": [{"template_id": 1, "name": "y", "type_id": "1"}],
                }
            ]
        },
        [],
    ):
        async with session.post(url, json=bad) as response:
            assert response.status == 400
    async with session.post(f"{sandbox.url}/_sandbox/reset") as response:
        assert response.status == 200
    assert sandbox.state.first_account("esms").zalo_oas == default_zalo_oas()
    assert sandbox.state.esms.callback_join == "&"


async def test_state_names_the_channel(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """/_sandbox/state lists each message's channel."""
    await post(sandbox, session, "SendZaloMessage_V6/", zns())
    async with session.get(f"{sandbox.url}/_sandbox/state") as response:
        state = await response.json()
    assert [m["channel"] for m in state["messages"]] == ["zalo"]
