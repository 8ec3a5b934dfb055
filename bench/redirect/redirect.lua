-- wrk script for the redirect benchmark.
-- Rotates over the share codes listed in $BENCH_CODES (one per line). Every 20th code is requested
-- by a bot user agent (~5 % bots), the others by rotating browser user agents. Responses are classified
-- by the code at the end of the Location header (utm_content is the last parameter), so the script
-- can count exactly how many human redirects were answered.

local human_agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
}
local bot_agents = {
  "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
  "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
  "Twitterbot/1.0",
  "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "WhatsApp/2.23.20.0 A",
}

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  requests_list = {}
  bot_code = {}
  human_302 = 0
  bot_302 = 0
  other = 0
  local path = os.getenv("BENCH_CODES")
  local i = 0
  for code in io.lines(path) do
    i = i + 1
    local bot = (i % 20 == 0)
    local agent
    if bot then
      agent = bot_agents[(i / 20) % #bot_agents + 1]
    else
      agent = human_agents[i % #human_agents + 1]
    end
    bot_code[code] = bot
    requests_list[i] = wrk.format("GET", "/" .. code, { ["User-Agent"] = agent })
  end
  count = i
  -- Each thread starts at a different place in the rotation.
  position = (thread_number or 0) * 97 % count
end

function request()
  position = position % count + 1
  return requests_list[position]
end

function response(status, headers, body)
  if status == 302 then
    local location = headers["location"] or headers["Location"] or ""
    if bot_code[string.sub(location, -7)] then
      bot_302 = bot_302 + 1
    else
      human_302 = human_302 + 1
    end
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local human, bot, rest = 0, 0, 0
  for _, thread in ipairs(threads) do
    human = human + thread:get("human_302")
    bot = bot + thread:get("bot_302")
    rest = rest + thread:get("other")
  end
  local errors = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d human_302=%d bot_302=%d other=%d p50_us=%d p99_us=%d max_us=%d " ..
    "errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.duration, human, bot, rest,
    latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
