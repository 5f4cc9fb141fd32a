"""Drives Axon's MCP server with the official MCP Python SDK (PyPI `mcp`), as an assistant would.

usage: client.py http BASE_URL ADMIN_KEY VIEWER_KEY
       client.py stdio AXON_BIN DATA_DIR ADMIN_KEY
Prints one line per check ("ok NAME" / "FAIL NAME detail") and exits 1 on any failure.
"""
import asyncio
import json
import sys
import urllib.error
import urllib.request

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

failures = []

def check(name, ok, detail=""):
    print(("ok " if ok else "FAIL ") + name + ("" if ok else " " + str(detail)[:600]), flush=True)
    if not ok:
        failures.append(name)

def rest(base, key, path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(req) as r:
        return json.load(r)

def structured(result):
    if getattr(result, "structured_content", None) is not None:
        return result.structured_content
    return json.loads(result.content[-1].text)

TOOLS = {"ask", "get_dashboard", "list_campaigns", "find_activities", "get_cohort", "get_stock", "get_dropoff"}

async def session_checks(session, label, expect=None):
    await session.initialize()
    tools = {t.name for t in (await session.list_tools()).tools}
    check(f"{label}: every tool is listed", TOOLS <= tools, tools)
    campaigns = structured(await session.call_tool("list_campaigns", {}))
    check(f"{label}: list_campaigns", len(campaigns["campaigns"]) >= 1, campaigns)
    found = structured(await session.call_tool("find_activities", {"name": "mcp"}))
    acts = found["activities"]
    check(f"{label}: find_activities by part of the name", len(acts) == 1 and acts[0]["name"] == "MCP deal", acts)
    a = acts[0]["id"]
    dash = structured(await session.call_tool("get_dashboard", {"scope": "activity", "id": a, "widgets": "overview,funnel", "period": "7d"}))
    ov = dash["data"]["overview"]
    check(f"{label}: the dashboard counts the visits", ov["totalVisits"] == 3, ov)
    check(f"{label}: the dashboard carries the funnel's definition", "definition" in dash["data"]["funnel"], dash["data"]["funnel"].keys())
    if expect is not None:
        check(f"{label}: the same numbers as the REST API", ov == expect["overview"], {"mcp": ov, "api": expect["overview"]})
    ask = await session.call_tool("ask", {"question": "지난 7일간 방문은 몇 건이야?", "scope": "activity", "id": a, "language": "ko"})
    text = ask.content[0].text
    check(f"{label}: ask answers in Korean with the number", "3" in text and not ask.is_error, text)
    stock = structured(await session.call_tool("get_stock", {"activityId": a}))
    check(f"{label}: get_stock", stock.get("remaining") == 50, stock)
    bad = await session.call_tool("get_dashboard", {"scope": "activity", "id": 999999})
    check(f"{label}: an unknown activity is the API's 404 as a tool error", bad.is_error and "404" in bad.content[0].text, bad.content)
    resources = (await session.list_resources()).resources
    uris = {str(r.uri) for r in resources}
    check(f"{label}: campaigns and activities are resources", f"axon://activity/{a}" in uris, uris)
    read = await session.read_resource(f"axon://activity/{a}")
    body = json.loads(read.contents[0].text)
    check(f"{label}: a resource is the activity's summary", body["activity"]["name"] == "MCP deal" and body["dashboard"]["data"]["overview"]["totalVisits"] == 3, body.keys())

async def http(base, admin, viewer):
    # No key: refused before any MCP processing, with Axon's JSON error.
    req = urllib.request.Request(base + "/mcp", data=b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}',
                                 headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
    try:
        urllib.request.urlopen(req)
        check("http: an unauthenticated request is refused", False, "answered 2xx")
    except urllib.error.HTTPError as e:
        check("http: an unauthenticated request is refused", e.code == 401 and json.load(e)["error"] == "UNAUTHORIZED", e.code)
    try:
        async with streamable_http_client(base + "/mcp") as streams:
            async with ClientSession(streams[0], streams[1]) as s:
                await asyncio.wait_for(s.initialize(), 10)
        check("http: the SDK without a key cannot connect", False, "initialized")
    except BaseException as e:  # the SDK raises an exception group on a 401
        check("http: the SDK without a key cannot connect", True, e)
    api = rest(base, admin, "/api/v1/activities")
    a = next(x["id"] for x in api["activities"] if x["name"] == "MCP deal")
    expect = rest(base, admin, f"/api/v1/dashboard/activity/{a}?widgets=overview&period=7d")["data"]
    for label, key in (("http admin", admin), ("http viewer", viewer)):
        http_client = create_mcp_http_client(headers={"Authorization": "Bearer " + key})
        async with http_client, streamable_http_client(base + "/mcp", http_client=http_client) as streams:
            async with ClientSession(streams[0], streams[1]) as s:
                await session_checks(s, label, expect)

async def stdio(axon, data_dir, key):
    params = StdioServerParameters(command=axon, args=["--data-dir", data_dir, "mcp"],
                                   env={"AXON_API_KEY": key, "AXON_ADMIN_KEY": key, "AXON_LOG": "warn"})
    async with stdio_client(params) as (r, w):
        async with ClientSession(r, w) as s:
            await session_checks(s, "stdio")

if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "http":
        asyncio.run(http(sys.argv[2], sys.argv[3], sys.argv[4]))
    else:
        asyncio.run(stdio(sys.argv[2], sys.argv[3], sys.argv[4]))
    print(f"mcp {mode}: {len(failures)} failed", flush=True)
    sys.exit(1 if failures else 0)
