-- wrk reporter: latency percentiles and throughput on one line each, then the same as a row for
-- the performance table in README.md, named after the page in BENCH_NAME.
local function thousands(n)
  local s = string.format("%.0f", n)
  return (s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local rate = summary.requests / seconds
  io.write(string.format("requests/s %.0f\n", rate))
  local ms = {}
  for _, p in ipairs({50, 95, 99}) do
    ms[p] = latency:percentile(p) / 1000
    io.write(string.format("p%d %.2f ms\n", p, ms[p]))
  end
  io.write(string.format("errors %d\n", summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
  io.write(string.format("| %s | %s | %.1f ms | %.1f ms | %.1f ms |\n",
    os.getenv("BENCH_NAME") or "?", thousands(rate), ms[50], ms[95], ms[99]))
end
