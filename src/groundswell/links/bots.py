"""Is a request for a short link made by a person, or by a crawler / link-preview fetcher / script?

Bot clicks are stored (so operators can see them) but never counted: ``links.ingest.write_clicks``
keeps them out of the human and unique counters, points and rollups. A HEAD request is always a bot
(browsers never send HEAD when following a link), and so is a request without a user agent.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Lower-case substrings of user agents that are not people clicking. Checked with one regex.
BOT_MARKERS: tuple[str, ...] = (
    # Generic words used by well-behaved crawlers ("bot" is matched apart, see _BOT_RE).
    "crawler",
    "crawling",
    "spider",
    "scraper",
    "slurp",
    "preview",
    "fetcher",
    "monitor",
    "headless",
    "phantomjs",
    "lighthouse",
    "pagespeed",
    # Link-preview fetchers of the social networks and messengers.
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "twitterbot",
    "linkedinbot",
    "slackbot",
    "slack-imgproxy",
    "discordbot",
    "whatsapp",
    "telegrambot",
    "skypeuripreview",
    "pinterestbot",
    "embedly",
    "iframely",
    "quora link preview",
    "vkshare",
    "xing-contenttabreceiver",
    "mastodon",
    "akkoma",
    "pleroma",
    "misskey",
    "cardyb",
    "google-inspectiontool",
    "googleother",
    "apis-google",
    "mediapartners-google",
    "feedfetcher",
    "bingpreview",
    "semrush",
    "ahrefs",
    "mj12",
    "chatgpt-user",
    "perplexity",
    "microsoft office",
    "ms-office",
    # Command-line tools and HTTP libraries.
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "httpie",
    "go-http-client",
    "okhttp",
    "java/",
    "apache-httpclient",
    "libwww-perl",
    "lwp::",
    "node-fetch",
    "axios/",
    "undici",
    "ruby",
    "php/",
    "guzzlehttp",
    "postmanruntime",
    "insomnia",
    "wrk",
    "apachebench",
    "jmeter",
    "k6/",
    "locust",
    "scrapy",
    "nutch",
    "httpclient",
)

# "bot" anywhere (Googlebot, bingbot, Applebot, GPTBot…) except in the CUBOT phone brand.
_BOT_RE = re.compile("(?<!cu)bot|" + "|".join(re.escape(marker) for marker in BOT_MARKERS))


@lru_cache(maxsize=8192)
def is_bot_user_agent(user_agent: str) -> bool:
    """True for crawlers, preview fetchers, scripts and an empty user agent. Cached: agents repeat a lot."""
    if not user_agent.strip():
        return True
    return _BOT_RE.search(user_agent.lower()) is not None


def is_bot(user_agent: str, method: str = "GET") -> bool:
    return method == "HEAD" or is_bot_user_agent(user_agent)
