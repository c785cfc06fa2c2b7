/**
 * Zone presence operations as Lua scripts: each runs atomically in Redis, so two nodes can never
 * both seat a camera in one zone, and a peer is opened or closed together with its viewer entry.
 * Keys (prefix `p`): zone:<Z> {cam, tok, node} · viewers:<Z> {viewerSid → peerId | ""} ·
 * peer:<P> {zone, cam, viewer} · pub:<sid> → Z · watch:<sid> {Z…} · dir {Z → "cameraOnline|viewers"} ·
 * node:<N> {sid…} · claims:<Z> {viewerSid → peerId it still plays, for the camera's return} ·
 * held:<Z> {peerId → expiry ms: a pairing the camera kept, for its viewer's return}.
 * Peer ids are `<nonce>-<n>`, the nonce 96 random bits chosen by the caller. A resumed pairing
 * keeps the peer id both ends still have a connection for (see ZoneRegistry.publish and watch).
 */

/** Keeps dir:<Z> in step with the zone, or drops the zone when nothing is left in it. */
const SYNC_DIRECTORY = `
local function sync(p, zone)
  local online = redis.call('HEXISTS', p..'zone:'..zone, 'cam')
  local viewers = redis.call('HLEN', p..'viewers:'..zone)
  if online == 0 and viewers == 0 then
    redis.call('DEL', p..'zone:'..zone, p..'claims:'..zone, p..'held:'..zone)
    redis.call('HDEL', p..'dir', zone)
  else
    redis.call('HSET', p..'dir', zone, online..'|'..viewers)
  end
end
`;

/**
 * ARGV: p, zone, sid, node, tokenHash, nonce, now, grace, resumePeer… →
 * {'already'} | {'already_publishing', Z} | {'busy'} | {'ok', staleSid, keptCount, kept…, viewer1, peer1, resumed1, …}
 * A viewer whose claim is among the resume peers is paired with it again (resumed '1', no offer);
 * the other resume peers are held for their viewers until now + grace.
 */
export const PUBLISH = `${SYNC_DIRECTORY}
local p, zone, sid, node, tok, nonce = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local now, grace = tonumber(ARGV[7]), tonumber(ARGV[8])
local current = redis.call('GET', p..'pub:'..sid)
if current then
  if current == zone then return {'already'} end
  return {'already_publishing', current}
end
local zkey = p..'zone:'..zone
local vkey = p..'viewers:'..zone
local ckey = p..'claims:'..zone
local hkey = p..'held:'..zone
local holder = redis.call('HGET', zkey, 'cam')
local stale = ''
if holder then
  if redis.call('HGET', zkey, 'tok') ~= tok then return {'busy'} end
  stale = holder
  redis.call('DEL', p..'pub:'..holder)
  local v = redis.call('HGETALL', vkey)
  for i = 1, #v, 2 do
    if v[i + 1] ~= '' then
      redis.call('DEL', p..'peer:'..v[i + 1])
      redis.call('HSET', ckey, v[i], v[i + 1])
    end
  end
end
redis.call('DEL', hkey)
local kept, claimable = {}, {}
for i = 9, #ARGV do
  local peer = ARGV[i]
  if not claimable[peer] and redis.call('EXISTS', p..'peer:'..peer) == 0 then
    claimable[peer] = true
    kept[#kept + 1] = peer
  end
end
redis.call('HSET', zkey, 'cam', sid, 'tok', tok, 'node', node)
redis.call('SET', p..'pub:'..sid, zone)
redis.call('SADD', p..'node:'..node, sid)
local out = {'ok', stale, tostring(#kept)}
for _, peer in ipairs(kept) do out[#out + 1] = peer end
local v = redis.call('HGETALL', vkey)
for i = 1, #v, 2 do
  local claim = redis.call('HGET', ckey, v[i])
  local peer, resumed = nonce..'-'..((i + 1) / 2), '0'
  if claim and claimable[claim] then
    peer, resumed = claim, '1'
    claimable[claim] = nil
  end
  redis.call('HSET', vkey, v[i], peer)
  redis.call('HSET', p..'peer:'..peer, 'zone', zone, 'cam', sid, 'viewer', v[i])
  out[#out + 1] = v[i]
  out[#out + 1] = peer
  out[#out + 1] = resumed
end
redis.call('DEL', ckey)
for _, peer in ipairs(kept) do
  if claimable[peer] then redis.call('HSET', hkey, peer, now + grace) end
end
sync(p, zone)
return out
`;

/**
 * ARGV: p, zone, sid, quietly → {'not'} | {'ok', viewer1, viewer2, …} (the viewers that lost their peer).
 * quietly '1' (the camera's node is shutting down): each viewer claims its peer for the camera's return.
 */
export const UNPUBLISH = `${SYNC_DIRECTORY}
local p, zone, sid, quietly = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1'
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
    if quietly then redis.call('HSET', p..'claims:'..zone, v[i], v[i + 1]) end
  end
  out[#out + 1] = v[i]
end
redis.call('DEL', p..'held:'..zone)
sync(p, zone)
return out
`;

/**
 * ARGV: p, zone, sid, node, nonce, maxWatched, resumePeer ('' for none), now →
 * {'already', state} | {'limit'} | {'ok', 'waiting'} | {'ok', 'live', cameraSid, peer, resumed}
 * A resume peer the camera holds is paired again (resumed '1'); with no camera it is claimed.
 */
export const WATCH = `${SYNC_DIRECTORY}
local p, zone, sid, node, nonce, max = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local resume, now = ARGV[7], tonumber(ARGV[8])
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
  local peer, resumed = nonce..'-1', '0'
  local until_ = resume ~= '' and tonumber(redis.call('HGET', p..'held:'..zone, resume))
  if until_ and until_ >= now then
    redis.call('HDEL', p..'held:'..zone, resume)
    peer, resumed = resume, '1'
  end
  redis.call('HSET', p..'viewers:'..zone, sid, peer)
  redis.call('HSET', p..'peer:'..peer, 'zone', zone, 'cam', cam, 'viewer', sid)
  out = {'ok', 'live', cam, peer, resumed}
else
  redis.call('HSET', p..'viewers:'..zone, sid, '')
  if resume ~= '' and redis.call('EXISTS', p..'peer:'..resume) == 0 then redis.call('HSET', p..'claims:'..zone, sid, resume) end
  out = {'ok', 'waiting'}
end
sync(p, zone)
return out
`;

/**
 * ARGV: p, zone, sid, quietly, expiry → {'not'} | {'ok'} | {'ok', cameraSid, peer} (the camera whose peer closed).
 * quietly '1' (the viewer's node is shutting down): the camera is not told; its peer is held until expiry.
 */
export const UNWATCH = `${SYNC_DIRECTORY}
local p, zone, sid, quietly, expiry = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1', ARGV[5]
if redis.call('SREM', p..'watch:'..sid, zone) == 0 then return {'not'} end
local vkey = p..'viewers:'..zone
local peer = redis.call('HGET', vkey, sid)
redis.call('HDEL', vkey, sid)
redis.call('HDEL', p..'claims:'..zone, sid)
local out = {'ok'}
if peer and peer ~= '' then
  local cam = redis.call('HGET', p..'peer:'..peer, 'cam')
  redis.call('DEL', p..'peer:'..peer)
  if cam and quietly then
    redis.call('HSET', p..'held:'..zone, peer, expiry)
  elseif cam then
    out[2] = cam
    out[3] = peer
  end
end
sync(p, zone)
return out
`;

/**
 * ARGV: p, zone, cameraSid, now → {nextExpiry, expiredPeer…}: held pairings past their expiry are
 * dropped (their viewer did not come back; the caller tells the camera). nextExpiry is '' when none are left.
 */
export const EXPIRE_HELD = `
local p, zone, sid, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local hkey = p..'held:'..zone
if redis.call('HGET', p..'zone:'..zone, 'cam') ~= sid then return {''} end
local out, nextExpiry = {''}, nil
local h = redis.call('HGETALL', hkey)
for i = 1, #h, 2 do
  local expiry = tonumber(h[i + 1])
  if expiry <= now then
    redis.call('HDEL', hkey, h[i])
    out[#out + 1] = h[i]
  elseif not nextExpiry or expiry < nextExpiry then
    nextExpiry = expiry
  end
end
if nextExpiry then out[1] = tostring(nextExpiry) end
return out
`;
