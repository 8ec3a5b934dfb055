from __future__ import annotations

import html
import re
from typing import Any


def idp_url(resp: Any) -> str:
    """The IdP URL of the "Signing in to …" page that starting a sign-in answers with (see views._begin)."""
    assert resp.status_code == 200, (resp.status_code, resp.content[:500])
    match = re.search(r'id="sso-continue" href="([^"]+)"', resp.content.decode())
    assert match, resp.content.decode()[:1000]
    url = html.unescape(match.group(1))
    assert f'content="0;url={match.group(1)}"' in resp.content.decode()  # it moves on by itself too
    return url
