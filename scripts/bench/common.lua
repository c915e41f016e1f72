-- Shared by webhook.lua and collect.lua (wrk 4.x, LuaJIT). Loaded once in wrk's main Lua state and once
-- in each thread's state.
--
--   * unique ids: setup() numbers the threads and hands them a tag of this wrk run, request() counts,
--     so "<tag>-<thread>-<n>" never repeats within a run nor across the runs of one server process;
--   * pacing: with BENCH_RATE=<requests/s> (and BENCH_THREADS=<the -t of the run>) in the environment,
--     delay() holds about that rate. wrk2 is not packaged in Debian, so each thread keeps a schedule of
--     send slots, 1000 * threads / rate ms apart, and every connection that is free takes the next slot.
--     A late schedule does not catch up (no bursts): when the server is slower than the target the
--     achieved rate drops, and the script that runs wrk reports the achieved rate next to the target.
--     wrk starts a request's latency when it writes it, after the delay, so the latencies are those of
--     the requests actually sent (what wrk2 would correct for coordinated omission is not corrected);
--   * done() prints one "BENCH key=value ..." line that scripts/bench/ingest.sh reads.
local common = {}

-- The tag of this run: BENCH_RUN_TAG if given (ingest.sh gives one per wrk run), else the time in seconds.
local thread_count = 0
local this_run = os.getenv("BENCH_RUN_TAG") or string.format("%x", os.time())

function common.setup(thread)
   thread_count = thread_count + 1
   thread:set("bench_thread", thread_count)
   thread:set("bench_run", this_run)
end

-- "bench-<run>-<thread>-<n>": setup() set the two globals in this thread's state. wrk also calls
-- request() once in its main state, to check the request, where they are unset: thread 0.
local counter = 0
function common.next_id()
   counter = counter + 1
   return string.format("bench-%s-%d-%d", bench_run or this_run, bench_thread or 0, counter)
end

function common.read_file(path)
   local file = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
   local text = file:read("*a")
   file:close()
   return text
end

-- ISO 8601 UTC with microseconds, as Shopify writes X-Shopify-Triggered-At; taken once per thread, so
-- it stays within seconds of "now" for a run of seconds.
function common.utc_now()
   return os.date("!%Y-%m-%dT%H:%M:%S.000000Z")
end

local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate and rate > 0 then
   local ffi = require("ffi")
   ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
      int clock_gettime(int clock_id, bench_timespec *tp);
   ]]
   local ts = ffi.new("bench_timespec")
   local CLOCK_MONOTONIC = 1
   local function now_ms()
      ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
      return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
   end
   local threads = tonumber(os.getenv("BENCH_THREADS") or "") or 2
   local interval_ms = 1000 * threads / rate
   local next_slot = 0
   common.delay = function()
      local now = now_ms()
      local slot = math.max(next_slot, now)
      next_slot = slot + interval_ms
      return math.floor(slot - now)
   end
end

function common.done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max))
end

return common
