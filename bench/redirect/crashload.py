"""Load for the crash run of the redirect benchmark: every request carries its own tag, so lost clicks are exact.

wrk counts 302s but cannot say which requests they answered, and requests still in flight when a run
ends (or when the server is killed) are stored without being counted, which hides lost clicks. Here each
request sends ``Referer: http://c<n>.kill.bench/``; the click keeps the referrer's host, so after the
ingest has drained, ``lost`` is the number of tags answered with a 302 that are not in the database.

Usage: ``python crashload.py <port> <codes file> <seconds> <connections> <answered file> [<first tag>]``
(several loads at once, e.g. one per web node in ``bench/scale``, use disjoint tags). Keeps
connecting while the server is down (connection refused), as browsers would retry. Runs at least
``seconds``, and until ``<answered file>.restarted`` exists (the benchmark writes it a while after the
restarted server answers), so the new server is under load too. Prints one line:
``CRASHLOAD sent=<n> answered=<n> errors=<n> rps=<n>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
import time
from pathlib import Path

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


async def connection(
    port: int,
    codes: list[str],
    counter: itertools.count[int],
    running: list[bool],
    answered: list[int],
    stats: dict[str, int],
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while running[0]:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                stats["errors"] += 1
                await asyncio.sleep(0.01)
                continue
        assert reader is not None
        n = next(counter)
        request = (
            f"GET /{codes[n % len(codes)]} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {BROWSER}\r\n"
            f"Referer: http://c{n}.kill.bench/\r\n\r\n"
        ).encode()
        stats["sent"] += 1
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            stats["errors"] += 1
            with contextlib.suppress(Exception):
                writer.close()
            reader = writer = None
            continue
        if status == 302:
            answered.append(n)
    if writer is not None:
        writer.close()


async def clock(running: list[bool], seconds: float, flag: Path) -> None:
    until = time.monotonic() + seconds
    give_up = until + 120
    while time.monotonic() < give_up and (time.monotonic() < until or not flag.exists()):
        await asyncio.sleep(0.05)
    running[0] = False


async def main(
    port: int, codes: list[str], seconds: float, connections: int, flag: Path, first_tag: int = 0
) -> tuple[list[int], dict[str, int]]:
    counter = itertools.count(first_tag)
    answered: list[int] = []
    stats = {"sent": 0, "errors": 0}
    running = [True]
    await asyncio.gather(
        clock(running, seconds, flag),
        *(connection(port, codes, counter, running, answered, stats) for _ in range(connections)),
    )
    return answered, stats


if __name__ == "__main__":
    port, codes_file, seconds, connections, out = sys.argv[1:6]
    first_tag = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    codes = [line for line in Path(codes_file).read_text().split() if line]
    # Bots are left out: every tag here is a human click, the kind the product counts.
    started = time.monotonic()
    flag = Path(out + ".restarted")
    answered, stats = asyncio.run(main(int(port), codes, float(seconds), int(connections), flag, first_tag))
    elapsed = time.monotonic() - started
    Path(out).write_text("".join(f"{n}\n" for n in answered))
    print(
        f"CRASHLOAD sent={stats['sent']} answered={len(answered)} errors={stats['errors']} "
        f"rps={round(len(answered) / elapsed)}",
        flush=True,
    )
