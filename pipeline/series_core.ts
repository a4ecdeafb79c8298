/**
 * The series store on core Redis (no TimeSeries module), same contract as `series_ts.ts`.
 *
 * Structure: one sorted set per (resolution, store, category), key `agg:{S1}minute|S1|*` (the
 * store is the hash tag, so one store's series share a Cluster slot). Each member is one bucket,
 * `"<bucket ms>:<sales_cents>,<transactions>,<units>,<refunds>,<refund_cents>,<discount_cents>,
 * <revised>"`, scored by the bucket start. A range read is one ZRANGE BYSCORE that already holds
 * the values. A write replaces a bucket's member (ZREM of the old one + ZADD) inside a Lua
 * script, keeping per counter the larger of the stored and the written value (every counter
 * only grows, so a write that arrives after a newer one — two workers committing the same
 * bucket — cannot take the bucket back), so readers never see a bucket twice or missing, and
 * the script trims buckets older
 * than the newest minus the retention, as RedisTimeSeries retention does. One script call per
 * store writes all of that store's series, and a batch's calls are pipelined in one round trip.
 */
import type { Redis } from "../lib/redis.ts";
import type { Keys } from "../lib/keys.ts";
import {
  BUCKETS_PER_CALL,
  type BucketValue,
  METRICS,
  type RangeQuery,
  type Resolution,
  RETENTION_MS,
  seriesId,
  type SeriesStore,
} from "./series.ts";

// KEYS: the series of one store; ARGV[1]: "1" to keep existing buckets (fill), "0" to merge
// into them (write: per-counter maximum, like DUPLICATE_POLICY MAX on each RedisTimeSeries
// metric); then per key in KEYS order: retention ms (0 = forever), the number of buckets n, and
// n bucket, member pairs. Counters are compared as numbers but kept as their original text, so
// large integers are never reformatted.
const WRITE_LUA = `
local P = ':(%-?%d+),(%-?%d+),(%-?%d+),(%-?%d+),(%-?%d+),(%-?%d+),(%-?%d+)$'
local function merge(old, new)
  -- Fast path: seven integer counters, one match each; the newer write usually wins outright.
  local o = {string.match(old, P)}
  local n = {string.match(new, P)}
  if #o == 7 and #n == 7 then
    local out = nil
    for i = 1, 7 do
      if tonumber(o[i]) > tonumber(n[i]) then
        out = out or n
        out[i] = o[i]
      end
    end
    if out == nil then return new end
    return string.sub(new, 1, string.find(new, ':', 1, true)) .. table.concat(out, ',')
  end
  local oc = string.find(old, ':', 1, true)
  local nc = string.find(new, ':', 1, true)
  local ov = {}
  for v in string.gmatch(string.sub(old, oc + 1), '[^,]+') do ov[#ov + 1] = v end
  local res = {}
  for v in string.gmatch(string.sub(new, nc + 1), '[^,]+') do
    local x = ov[#res + 1]
    if x ~= nil and tonumber(x) > tonumber(v) then res[#res + 1] = x else res[#res + 1] = v end
  end
  return string.sub(new, 1, nc) .. table.concat(res, ',')
end
local keep = ARGV[1] == '1'
local kept = 0
local a = 2
for k = 1, #KEYS do
  local key = KEYS[k]
  local ret = tonumber(ARGV[a])
  local last = a + 1 + 2 * tonumber(ARGV[a + 1])
  a = a + 2
  if last == a + 1 and not keep then
    -- One bucket (the usual write: a batch moves each series by one bucket). One read finds
    -- the stored bucket and whether a newer one exists; the newest is fetched only then.
    local b = tonumber(ARGV[a])
    local near = redis.call('ZRANGEBYSCORE', key, ARGV[a], '+inf', 'WITHSCORES', 'LIMIT', 0, 2)
    local cur, newer = nil, nil
    if near[2] and tonumber(near[2]) == b then
      cur = near[1]
      if near[4] then newer = true end
    elseif near[2] then
      newer = true
    end
    local write = true
    if newer and ret > 0 then
      local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
      write = b >= tonumber(top[2]) - ret
    end
    if write then
      local member = ARGV[a + 1]
      if cur then member = merge(cur, member) end
      if cur ~= member then
        if cur then redis.call('ZREM', key, cur) end
        redis.call('ZADD', key, ARGV[a], member)
      end
      kept = kept + 1
      -- A bucket newer than every stored one moves the retention window: trim then.
      if not newer and not cur and ret > 0 then
        redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. string.format('%d', b - ret))
      end
    end
    a = last + 1
  else
    local newest = nil
    local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    if top[2] then newest = tonumber(top[2]) end
    -- The retention window moves only when a bucket newer than the newest arrives: trim then.
    local moved = false
    for i = a, last, 2 do
      local b = tonumber(ARGV[i])
      if newest == nil or b > newest then
        newest = b
        moved = true
      end
    end
    local cutoff = nil
    if ret > 0 then cutoff = newest - ret end
    for i = a, last, 2 do
      local b = tonumber(ARGV[i])
      if cutoff == nil or b >= cutoff then
        if not keep then
          local member = ARGV[i + 1]
          local cur = redis.call('ZRANGEBYSCORE', key, ARGV[i], ARGV[i])
          if cur[1] then member = merge(cur[1], member) end
          if cur[1] ~= member then
            if cur[1] then redis.call('ZREM', key, cur[1]) end
            redis.call('ZADD', key, ARGV[i], member)
          end
          kept = kept + 1
        elseif redis.call('ZCOUNT', key, ARGV[i], ARGV[i]) == 0 then
          redis.call('ZADD', key, ARGV[i], ARGV[i + 1])
          kept = kept + 1
        end
      end
    end
    if cutoff ~= nil and moved then
      redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. string.format('%d', cutoff))
    end
    a = last + 1
  end
end
return kept
`;

const COMMAND = "tillstreamSeriesWrite";
type WithWrite = {
  [COMMAND](numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<number>;
};

function ensureCommand(redis: Redis): void {
  // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (e.g. after a restart).
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: WRITE_LUA });
}

function pack(v: BucketValue): string {
  return `${v.bucket}:${METRICS.map((m) => v[m]).join(",")}`;
}

function unpack(member: string, q: RangeQuery): BucketValue {
  const colon = member.indexOf(":");
  const nums = member.slice(colon + 1).split(",").map(Number);
  const out = {
    resolution: q.resolution,
    store_id: q.store_id,
    category: q.category,
    bucket: Number(member.slice(0, colon)),
  } as BucketValue;
  METRICS.forEach((m, i) => out[m] = nums[i] ?? 0);
  return out;
}

/** The core-Redis series store (sorted set per series, Lua upsert with retention). */
export function createCoreSeriesStore(rt: { redis: Redis; keys: Keys }): SeriesStore {
  const { redis, keys } = rt;
  ensureCommand(redis);
  // The store is the hash tag: one store's series share a Cluster slot, so one script call
  // can write them all.
  const keyOf = (r: Resolution, store: string, category: string) =>
    keys.agg(`{${store}}${seriesId(r, store, category)}`);

  async function put(values: BucketValue[], keepExisting: boolean): Promise<void> {
    if (values.length === 0) return;
    // One script call per store (its series share the store's hash tag): a batch touches a few
    // hundred series of a few dozen stores.
    const byStore = new Map<string, Map<string, { resolution: Resolution; args: string[] }>>();
    for (const v of values) {
      let series = byStore.get(v.store_id);
      if (!series) byStore.set(v.store_id, series = new Map());
      const key = keyOf(v.resolution, v.store_id, v.category);
      let entry = series.get(key);
      if (!entry) series.set(key, entry = { resolution: v.resolution, args: [] });
      entry.args.push(String(v.bucket), pack(v));
    }
    const pipe = redis.pipeline() as unknown as ReturnType<Redis["pipeline"]> & WithWrite;
    const flag = keepExisting ? "1" : "0";
    for (const series of byStore.values()) {
      // A backlog of old receipts can give one store tens of thousands of buckets in a batch:
      // such a store is written in several calls of at most BUCKETS_PER_CALL buckets (a series
      // may be split; the script's retention cut comes out the same).
      let keys: string[] = [], args: (string | number)[] = [], buckets = 0;
      const queue = () => {
        if (keys.length) pipe[COMMAND](keys.length, ...keys, flag, ...args);
        keys = [];
        args = [];
        buckets = 0;
      };
      for (const [key, { resolution, args: pairs }] of series) {
        for (let i = 0; i < pairs.length;) {
          if (buckets === BUCKETS_PER_CALL) queue();
          const take = Math.min(pairs.length - i, 2 * (BUCKETS_PER_CALL - buckets));
          keys.push(key);
          args.push(RETENTION_MS[resolution] ?? 0, take / 2);
          for (const end = i + take; i < end; i++) args.push(pairs[i]);
          buckets += take / 2;
        }
      }
      queue();
    }
    const results = await pipe.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw new Error(`series write failed: ${failed[0]!.message}`);
  }

  return {
    kind: "core",
    write: (values) => put(values, false),
    fill: (values) => put(values, true),
    async range(q) {
      const members = await redis.zrangebyscore(
        keyOf(q.resolution, q.store_id, q.category),
        q.from,
        q.to,
      );
      return members.map((m) => unpack(m, q));
    },
    retentionMs: (resolution) => RETENTION_MS[resolution],
  };
}
