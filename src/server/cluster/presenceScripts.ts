/**
 * Zone presence operations as Lua scripts: each runs atomically in Redis, so two nodes can never
 * both seat a camera in one zone, and a peer is opened or closed together with its viewer entry.
 * Keys (prefix `p`): zone:<Z> {cam, tok, node} · viewers:<Z> {viewerSid → peerId | ""} ·
 * peer:<P> {zone, cam, viewer} · pub:<sid> → Z · watch:<sid> {Z…} · dir {Z → "cameraOnline|viewers"} ·
 * node:<N> {sid…}. Peer ids are `<nonce>-<n>`, the nonce 96 random bits chosen by the caller.
 */

/** Keeps dir:<Z> in step with the zone, or drops the zone when nothing is left in it. */
const SYNC_DIRECTORY = `
local function sync(p, zone)
  local online = redis.call('HEXISTS', p..'zone:'..zone, 'cam')
  local viewers = redis.call('HLEN', p..'viewers:'..zone)
  if online == 0 and viewers == 0 then
    redis.call('DEL', p..'zone:'..zone)
    redis.call('HDEL', p..'dir', zone)
  else
    redis.call('HSET', p..'dir', zone, online..'|'..viewers)
  end
end
`;

/** ARGV: p, zone, sid, node, tokenHash, nonce → {'already'} | {'already_publishing', Z} | {'busy'} | {'ok', staleSid, viewer1, peer1, …} */
export const PUBLISH = `${SYNC_DIRECTORY}
local p, zone, sid, node, tok, nonce = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local current = redis.call('GET', p..'pub:'..sid)
if current then
  if current == zone then return {'already'} end
  return {'already_publishing', current}
end
local zkey = p..'zone:'..zone
local vkey = p..'viewers:'..zone
local holder = redis.call('HGET', zkey, 'cam')
local stale = ''
if holder then
  if redis.call('HGET', zkey, 'tok') ~= tok then return {'busy'} end
  stale = holder
  redis.call('DEL', p..'pub:'..holder)
  local v = redis.call('HGETALL', vkey)
  for i = 1, #v, 2 do
    if v[i + 1] ~= '' then redis.call('DEL', p..'peer:'..v[i + 1]) end
  end
end
redis.call('HSET', zkey, 'cam', sid, 'tok', tok, 'node', node)
redis.call('SET', p..'pub:'..sid, zone)
redis.call('SADD', p..'node:'..node, sid)
local out = {'ok', stale}
local v = redis.call('HGETALL', vkey)
for i = 1, #v, 2 do
  local peer = nonce..'-'..((i + 1) / 2)
  redis.call('HSET', vkey, v[i], peer)
  redis.call('HSET', p..'peer:'..peer, 'zone', zone, 'cam', sid, 'viewer', v[i])
  out[#out + 1] = v[i]
  out[#out + 1] = peer
end
sync(p, zone)
return out
`;

/** ARGV: p, zone, sid → {'not'} | {'ok', viewer1, viewer2, …} (the viewers that lost their peer) */
export const UNPUBLISH = `${SYNC_DIRECTORY}
local p, zone, sid = ARGV[1], ARGV[2], ARGV[3]
local zkey = p..'zone:'..zone
if redis.call('HGET', zkey, 'cam') ~= sid then return {'not'} end
redis.call('DEL', p..'pub:'..sid)
redis.call('HDEL', zkey, 'cam', 'tok', 'node')
local out = {'ok'}
local vkey = p..'viewers:'..zone
local v = redis.call('HGETALL', vkey)
for i = 1, #v, 2 do
  if v[i + 1] ~= '' then
    redis.call('DEL', p..'peer:'..v[i + 1])
    redis.call('HSET', vkey, v[i], '')
  end
  out[#out + 1] = v[i]
end
sync(p, zone)
return out
`;

/** ARGV: p, zone, sid, node, nonce, maxWatched → {'already', state} | {'limit'} | {'ok', 'waiting'} | {'ok', 'live', cameraSid, peer} */
export const WATCH = `${SYNC_DIRECTORY}
local p, zone, sid, node, nonce, max = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local wkey = p..'watch:'..sid
local zkey = p..'zone:'..zone
if redis.call('SISMEMBER', wkey, zone) == 1 then
  if redis.call('HEXISTS', zkey, 'cam') == 1 then return {'already', 'live'} end
  return {'already', 'waiting'}
end
if redis.call('SCARD', wkey) >= max then return {'limit'} end
redis.call('SADD', wkey, zone)
redis.call('SADD', p..'node:'..node, sid)
local cam = redis.call('HGET', zkey, 'cam')
local out
if cam then
  local peer = nonce..'-1'
  redis.call('HSET', p..'viewers:'..zone, sid, peer)
  redis.call('HSET', p..'peer:'..peer, 'zone', zone, 'cam', cam, 'viewer', sid)
  out = {'ok', 'live', cam, peer}
else
  redis.call('HSET', p..'viewers:'..zone, sid, '')
  out = {'ok', 'waiting'}
end
sync(p, zone)
return out
`;

/** ARGV: p, zone, sid → {'not'} | {'ok'} | {'ok', cameraSid, peer} (the camera whose peer closed) */
export const UNWATCH = `${SYNC_DIRECTORY}
local p, zone, sid = ARGV[1], ARGV[2], ARGV[3]
if redis.call('SREM', p..'watch:'..sid, zone) == 0 then return {'not'} end
local vkey = p..'viewers:'..zone
local peer = redis.call('HGET', vkey, sid)
redis.call('HDEL', vkey, sid)
local out = {'ok'}
if peer and peer ~= '' then
  local cam = redis.call('HGET', p..'peer:'..peer, 'cam')
  redis.call('DEL', p..'peer:'..peer)
  if cam then
    out[2] = cam
    out[3] = peer
  end
end
sync(p, zone)
return out
`;
