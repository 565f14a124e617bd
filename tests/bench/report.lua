-- wrk script for tools/bench: after the run, print one machine-readable
-- line with the throughput, latency percentiles and error counts.
--
--   GONGKAI_BENCH rps=<req/s> p50=<ms> p99=<ms> requests=<n> bytes=<n>
--                 non2xx=<n> socket_errors=<n>
--
-- Status errors count responses outside 200-399 (wrk's own definition).

function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "GONGKAI_BENCH rps=%.1f p50=%.3f p99=%.3f requests=%d bytes=%d "
        .. "non2xx=%d socket_errors=%d\n",
        summary.requests / seconds,
        latency:percentile(50) / 1000,
        latency:percentile(99) / 1000,
        summary.requests, summary.bytes, e.status,
        e.connect + e.read + e.write + e.timeout))
end
