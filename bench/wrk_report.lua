-- wrk script for bench/serverful.py: the request comes from the environment
-- (WRK_METHOD, WRK_BODY, WRK_AUTHORIZATION, and WRK_HEADERS: "Name: value" lines);
-- "{n}" in the body becomes a value no other request of the run has. The summary is
-- one JSON line.
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY") or ""
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local authorization = os.getenv("WRK_AUTHORIZATION") or ""
if authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end
for name, value in string.gmatch(os.getenv("WRK_HEADERS") or "", "([^:\n]+): ([^\n]*)") do
  wrk.headers[name] = value
end

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local sent = 0
if string.find(body, "{n}", 1, true) then
  request = function()
    sent = sent + 1
    local unique = string.format("%d-%d-%d", os.time(), thread_number, sent)
    return wrk.format(nil, nil, nil, (string.gsub(body, "{n}", unique)))
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_SUMMARY {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
