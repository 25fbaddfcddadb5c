"""Minimal fast fake Bot Connector for benchmarks (own process): answers every POST/PUT with {"id": ...}.

`python -m bench.connector_proc PORT`. GET /bench/count returns how many activities it received.
"""

from __future__ import annotations

import itertools
import sys

from aiohttp import web

_ids = itertools.count(1)
_count = 0


async def _activity(request: web.Request) -> web.Response:
    global _count
    await request.read()
    _count += 1
    return web.json_response({"id": f"r-{next(_ids)}"}, status=200 if request.method == "PUT" else 201)


async def _counter(request: web.Request) -> web.Response:
    return web.json_response({"count": _count})


def main() -> None:
    app = web.Application()
    app.router.add_get("/bench/count", _counter)
    app.router.add_route("POST", "/{tail:.*}", _activity)
    app.router.add_route("PUT", "/{tail:.*}", _activity)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
