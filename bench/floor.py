"""The floor: the least work that turns a report document into one JSON line per row.

    python -m bench.floor URL CHARSET

Downloads the document, gunzips it, decodes it, splits it into rows and writes each row as a
JSON object of header -> text. No typing, no Singer envelope: what any extractor must at least do.
"""

from __future__ import annotations

import codecs
import json
import sys
import zlib

import requests


def main(url: str, charset: str) -> int:
    # Buffered whatever PYTHONUNBUFFERED says: one write per line would measure the kernel, not the work.
    out = open(sys.stdout.fileno(), "w", encoding="utf-8", buffering=1 << 16, closefd=False)  # noqa: SIM115
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    decoder = codecs.getincrementaldecoder(charset)()
    header: list[str] | None = None
    rest = ""
    with requests.get(url, stream=True, timeout=120) as response:
        response.raise_for_status()
        for chunk in response.iter_content(256 * 1024):
            text = rest + decoder.decode(decompressor.decompress(chunk))
            rows = text.split("\n")
            rest = rows.pop()
            for row in rows:
                values = row.rstrip("\r").split("\t")
                if header is None:
                    header = values
                    continue
                out.write(json.dumps(dict(zip(header, values, strict=False))) + "\n")
    if rest and header is not None:
        out.write(json.dumps(dict(zip(header, rest.split("\t"), strict=False))) + "\n")
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
