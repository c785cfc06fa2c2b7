/**
 * Zone presence operations as Lua scripts: each runs atomically in Redis, so two nodes can never
 * both seat a camera in one zone, and a peer is opened or closed together with its viewer entry.
 * Keys (prefix `p`): zone:<Z> {cam, tok, node, relay?, ingest?, whip?} · viewers:<Z> {viewerSid → peerId | ""} ·
 * peer:<P> {zone, cam, viewer, rnode?} · pub:<sid> → Z · watch:<sid> {Z…} · dir {Z → "cameraOnline|viewers"} ·
 * node:<N> {sid…} · claims:<Z> {viewerSid → peerId it still plays, for the camera's return} ·
 * held:<Z> {peerId → expiry ms: a pairing the camera kept, for its viewer's return} ·
 * retiring:<Z> {viewerSid → "peerId|expiry ms": its peer-to-peer pairing, playing until its relay one does}.
 * Peer ids are `<nonce>-<n>`, the nonce 96 random bits chosen by the caller. A resumed pairing
 * keeps the peer id both ends still have a connection for (see ZoneRegistry.publish and watch).
 *
 * The media relay: while `zone:<Z>.relay` exists the zone's viewers are served by the relay
 * participant `relay:<Z>` (the camera's one viewer, every viewer's camera, as in ZoneRegistry).
 * Its value is the node whose relay worker holds the zone: always the camera's node (empty while
 * the zone has no camera), so the relay shares the fate of the camera's signalling and a node that
 * dies takes with it only relays whose camera it also held. `peer:<P>.rnode` names that node on a
 * pairing with the relay, so any node can route a message to it.
 *
 * Every script answers {head, effects}: `head` is its own reply, `effects` flat quintuples
 * (target, kind, peerId, reason, node) of what to tell whom: kind `joined` (viewer:joined), `left`
 * (viewer:left), `live` / `waiting` (zone:state), `released` (the relay no longer serves the zone
 * on `node`), `audience` (zone:audience to the camera: viewers in the reason slot, relayed '1'/'0' in
 * the node slot, after every change of the zone). A target `relay:<Z>` is reached on `node`.
 */

/** Effects; keeps dir:<Z> in step with the zone (and its camera told its audience), or drops the zone when nothing is left in it; pairings. */
const COMMON = `
local fx = {}
local function tell(target, kind, peer, reason, node)
  fx[#fx + 1] = target
  fx[#fx + 1] = kind
  fx[#fx + 1] = peer or ''
  fx[#fx + 1] = reason or ''
  fx[#fx + 1] = node or ''
end
local function sync(p, zone)
  local online = redis.call('HEXISTS', p..'zone:'..zone, 'cam')
  local viewers = redis.call('HLEN', p..'viewers:'..zone)
  if online == 0 and viewers == 0 then
    redis.call('DEL', p..'zone:'..zone, p..'claims:'..zone, p..'held:'..zone, p..'retiring:'..zone)
    redis.call('HDEL', p..'dir', zone)
  else
    redis.call('HSET', p..'dir', zone, online..'|'..viewers)
  end
  local cam = redis.call('HGET', p..'zone:'..zone, 'cam')
  if cam then tell(cam, 'audience', '', tostring(viewers), tostring(redis.call('HEXISTS', p..'zone:'..zone, 'relay'))) end
end
local function pair(p, zone, peer, cam, viewer, rnode)
  if rnode then
    redis.call('HSET', p..'peer:'..peer, 'zone', zone, 'cam', cam, 'viewer', viewer, 'rnode', rnode)
  else
    redis.call('HSET', p..'peer:'..peer, 'zone', zone, 'cam', cam, 'viewer', viewer)
  end
end
local function relayOf(zone) return 'relay:'..zone end
`;

/** The relay joining, serving and leaving a zone (needs COMMON). */
const RELAY = `
-- The camera's one connection to the relay on the camera's node.
local function openIngest(p, zone, cam, node, nonce)
  local peer = nonce..'-i'
  pair(p, zone, peer, cam, relayOf(zone), node)
  redis.call('HSET', p..'zone:'..zone, 'relay', node, 'ingest', peer)
  tell(cam, 'joined', peer)
end
-- Moves the zone to the relay, make before break: every viewer with a peer gets one from the
-- relay, and its peer-to-peer pairing retires (keeps routing) until it says the new one plays or
-- the switch time passes. Returns '1' when some pairing retires.
local function attachRelay(p, zone, nonce, now, switchMs)
  local zkey = p..'zone:'..zone
  local cn = redis.call('HMGET', zkey, 'cam', 'node')
  local cam, node = cn[1], cn[2]
  redis.call('HSET', zkey, 'relay', '')
  if not cam then return '0' end
  -- Connections the camera kept for viewers that have not come back: nobody will claim them now.
  for _, peer in ipairs(redis.call('HKEYS', p..'held:'..zone)) do tell(cam, 'left', peer, 'viewer_left') end
  redis.call('DEL', p..'held:'..zone)
  openIngest(p, zone, cam, node, nonce)
  local retiring = '0'
  local vkey = p..'viewers:'..zone
  local v = redis.call('HGETALL', vkey)
  for i = 1, #v, 2 do
    if v[i + 1] ~= '' then
      redis.call('HSET', p..'retiring:'..zone, v[i], v[i + 1]..'|'..(now + switchMs))
      local peer = nonce..'-r'..((i + 1) / 2)
      pair(p, zone, peer, relayOf(zone), v[i], node)
      redis.call('HSET', vkey, v[i], peer)
      tell(relayOf(zone), 'joined', peer, '', node)
      retiring = '1'
    end
  end
  return retiring
end
-- The camera leaves a relayed zone: every pairing with the relay ends at the relay, whose node
-- lets the zone go; the zone stays relayed for the camera's return (another node may host it).
local function unhostRelay(p, zone, reason)
  local zkey = p..'zone:'..zone
  local hi = redis.call('HMGET', zkey, 'relay', 'ingest')
  local host, ingest = hi[1], hi[2]
  if not host then return end
  if ingest then
    redis.call('DEL', p..'peer:'..ingest)
    tell(relayOf(zone), 'left', ingest, reason, host)
  end
  local vkey = p..'viewers:'..zone
  local v = redis.call('HGETALL', vkey)
  for i = 1, #v, 2 do
    if v[i + 1] ~= '' then
      redis.call('DEL', p..'peer:'..v[i + 1])
      redis.call('HSET', vkey, v[i], '')
      tell(relayOf(zone), 'left', v[i + 1], reason, host)
    end
  end
  local r = redis.call('HVALS', p..'retiring:'..zone)
  for _, entry in ipairs(r) do redis.call('DEL', p..'peer:'..string.match(entry, '^(.*)|')) end
  redis.call('DEL', p..'retiring:'..zone)
  redis.call('HSET', zkey, 'relay', '')
  redis.call('HDEL', zkey, 'ingest')
  if host ~= '' then tell(relayOf(zone), 'released', '', '', host) end
end
-- The zone's last viewer left: the relay lets it go, and the camera's connection to it closes.
local function detachRelay(p, zone)
  local zkey = p..'zone:'..zone
  local hic = redis.call('HMGET', zkey, 'relay', 'ingest', 'cam')
  local host, ingest, cam = hic[1], hic[2], hic[3]
  if ingest then
    redis.call('DEL', p..'peer:'..ingest)
    if cam then tell(cam, 'left', ingest, 'viewer_left') end
    tell(relayOf(zone), 'left', ingest, 'viewer_left', host)
  end
  redis.call('HDEL', zkey, 'relay', 'ingest')
  if host and host ~= '' then tell(relayOf(zone), 'released', '', '', host) end
end
`;

/**
 * ARGV: p, zone, sid, node, tokenHash, nonce, now, grace, whip, relayable, resumePeer… →
 * {{'already'} | {'already_publishing', Z} | {'busy'} | {'ok', staleSid, kept…}, effects}
 * A viewer whose claim is among the resume peers is paired with it again (no offer); the other
 * resume peers are held for their viewers until now + grace. `whip` '1': the camera made its own
 * offer (WHIP), so with `relayable` '1' the zone goes through the relay whatever its viewers.
 * In a relayed zone the camera's one new pairing is with the relay, hosted on this node.
 */
export const PUBLISH = `${COMMON}${RELAY}
local p, zone, sid, node, tok, nonce = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local now, grace = tonumber(ARGV[7]), tonumber(ARGV[8])
local whip, relayable = ARGV[9] == '1', ARGV[10] == '1'
local current = redis.call('GET', p..'pub:'..sid)
if current then
  if current == zone then return {{'already'}, fx} end
  return {{'already_publishing', current}, fx}
end
local zkey = p..'zone:'..zone
local vkey = p..'viewers:'..zone
local ckey = p..'claims:'..zone
local hkey = p..'held:'..zone
local holder = redis.call('HGET', zkey, 'cam')
local stale = ''
if holder then
  if redis.call('HGET', zkey, 'tok') ~= tok then return {{'busy'}, fx} end
  stale = holder
  redis.call('DEL', p..'pub:'..holder)
  unhostRelay(p, zone, 'camera_replaced')
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
for i = 11, #ARGV do
  local peer = ARGV[i]
  if not claimable[peer] and redis.call('EXISTS', p..'peer:'..peer) == 0 then
    claimable[peer] = true
    kept[#kept + 1] = peer
  end
end
redis.call('HSET', zkey, 'cam', sid, 'tok', tok, 'node', node)
if whip then redis.call('HSET', zkey, 'whip', '1') else redis.call('HDEL', zkey, 'whip') end
redis.call('SET', p..'pub:'..sid, zone)
redis.call('SADD', p..'node:'..node, sid)
local relayed = redis.call('HEXISTS', zkey, 'relay') == 1 or (whip and relayable)
if relayed then openIngest(p, zone, sid, node, nonce) end
local head = {'ok', stale}
for _, peer in ipairs(kept) do head[#head + 1] = peer end
local v = redis.call('HGETALL', vkey)
for i = 1, #v, 2 do
  local peer = nonce..'-'..((i + 1) / 2)
  if relayed then
    -- A relayed zone's viewers get the relay's connection: the camera's old ones are not theirs.
    pair(p, zone, peer, relayOf(zone), v[i], node)
    tell(relayOf(zone), 'joined', peer, '', node)
  else
    local claim = redis.call('HGET', ckey, v[i])
    if claim and claimable[claim] then
      peer = claim
      claimable[claim] = nil
    else
      tell(sid, 'joined', peer)
    end
    pair(p, zone, peer, sid, v[i])
  end
  redis.call('HSET', vkey, v[i], peer)
  tell(v[i], 'live')
end
redis.call('DEL', ckey)
for _, peer in ipairs(kept) do
  if claimable[peer] then redis.call('HSET', hkey, peer, now + grace) end
end
sync(p, zone)
return {head, fx}
`;

/**
 * ARGV: p, zone, sid, quietly → {{'not'} | {'ok'}, effects}: the viewers are told the zone waits
 * (unless quietly). quietly '1' (the camera's node is shutting down): each viewer claims its
 * peer-to-peer peer for the camera's return; pairings with the relay end at the relay regardless.
 */
export const UNPUBLISH = `${COMMON}${RELAY}
local p, zone, sid, quietly = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1'
local zkey = p..'zone:'..zone
if redis.call('HGET', zkey, 'cam') ~= sid then return {{'not'}, fx} end
redis.call('DEL', p..'pub:'..sid)
unhostRelay(p, zone, 'camera_left')
redis.call('HDEL', zkey, 'cam', 'tok', 'node', 'whip')
local vkey = p..'viewers:'..zone
local v = redis.call('HGETALL', vkey)
for i = 1, #v, 2 do
  if v[i + 1] ~= '' then
    redis.call('DEL', p..'peer:'..v[i + 1])
    redis.call('HSET', vkey, v[i], '')
    if quietly then redis.call('HSET', p..'claims:'..zone, v[i], v[i + 1]) end
  end
  if not quietly then tell(v[i], 'waiting', '', 'camera_left') end
end
redis.call('DEL', p..'held:'..zone)
if redis.call('HLEN', vkey) == 0 then redis.call('HDEL', zkey, 'relay') end
sync(p, zone)
return {{'ok'}, fx}
`;

/**
 * ARGV: p, zone, sid, node, nonce, maxWatched, resumePeer ('' for none), now, relayAbove, force, switchMs →
 * {{'already', state} | {'limit'} | {'ok', state, resumed, retiring}, effects}
 * A resume peer the camera holds is paired again (resumed '1'); with no camera it is claimed.
 * `relayAbove` ('' when this cluster does not relay): the zone moves to the relay once it has more
 * viewers than that, counted over the whole cluster; `force` '1' (a viewer that made its own
 * offer, WHEP) moves it now. `retiring` '1': peer-to-peer pairings retire within switchMs.
 */
export const WATCH = `${COMMON}${RELAY}
local p, zone, sid, node, nonce, max = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local resume, now = ARGV[7], tonumber(ARGV[8])
local above, force, switchMs = ARGV[9], ARGV[10] == '1', tonumber(ARGV[11])
local wkey = p..'watch:'..sid
local zkey = p..'zone:'..zone
local vkey = p..'viewers:'..zone
if redis.call('SISMEMBER', wkey, zone) == 1 then
  if redis.call('HEXISTS', zkey, 'cam') == 1 then return {{'already', 'live'}, fx} end
  return {{'already', 'waiting'}, fx}
end
if redis.call('SCARD', wkey) >= max then return {{'limit'}, fx} end
redis.call('SADD', wkey, zone)
redis.call('SADD', p..'node:'..node, sid)
redis.call('HSET', vkey, sid, '')
local retiring = '0'
if above ~= '' and redis.call('HEXISTS', zkey, 'relay') == 0 and (force or redis.call('HLEN', vkey) > tonumber(above)) then
  retiring = attachRelay(p, zone, nonce, now, switchMs)
end
local cam = redis.call('HGET', zkey, 'cam')
local head
if cam then
  local host = redis.call('HGET', zkey, 'relay')
  local peer, resumed = nonce..'-1', '0'
  if host then
    pair(p, zone, peer, relayOf(zone), sid, host)
    tell(relayOf(zone), 'joined', peer, '', host)
  else
    local until_ = resume ~= '' and tonumber(redis.call('HGET', p..'held:'..zone, resume))
    if until_ and until_ >= now then
      redis.call('HDEL', p..'held:'..zone, resume)
      peer, resumed = resume, '1'
    else
      tell(cam, 'joined', peer)
    end
    pair(p, zone, peer, cam, sid)
  end
  redis.call('HSET', vkey, sid, peer)
  head = {'ok', 'live', resumed, retiring}
else
  if resume ~= '' and redis.call('EXISTS', p..'peer:'..resume) == 0 then redis.call('HSET', p..'claims:'..zone, sid, resume) end
  head = {'ok', 'waiting', '0', retiring}
end
sync(p, zone)
return {head, fx}
`;

/**
 * ARGV: p, zone, sid, quietly, expiry, reason → {{'not'} | {'ok'}, effects}: the other end of the
 * viewer's pairing (camera or relay) and the camera of its retiring one are told, with `reason`.
 * quietly '1' (the viewer's node is shutting down): the camera is not told; its peer is held
 * until expiry. The last viewer out of a relayed zone releases the relay.
 */
export const UNWATCH = `${COMMON}${RELAY}
local p, zone, sid, quietly, expiry, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1', ARGV[5], ARGV[6]
if redis.call('SREM', p..'watch:'..sid, zone) == 0 then return {{'not'}, fx} end
local zkey = p..'zone:'..zone
local vkey = p..'viewers:'..zone
local peer = redis.call('HGET', vkey, sid)
redis.call('HDEL', vkey, sid)
redis.call('HDEL', p..'claims:'..zone, sid)
if peer and peer ~= '' then
  local cr = redis.call('HMGET', p..'peer:'..peer, 'cam', 'rnode')
  local cam, rnode = cr[1], cr[2]
  redis.call('DEL', p..'peer:'..peer)
  if cam and rnode then
    tell(cam, 'left', peer, reason, rnode)
  elseif cam and quietly then
    redis.call('HSET', p..'held:'..zone, peer, expiry)
  elseif cam then
    tell(cam, 'left', peer, reason)
  end
end
local r = redis.call('HGET', p..'retiring:'..zone, sid)
if r then
  redis.call('HDEL', p..'retiring:'..zone, sid)
  local old = string.match(r, '^(.*)|')
  local cam = redis.call('HGET', p..'peer:'..old, 'cam')
  redis.call('DEL', p..'peer:'..old)
  if cam then tell(cam, 'left', old, reason) end
end
if redis.call('HEXISTS', zkey, 'relay') == 1 and redis.call('HLEN', vkey) == 0 and redis.call('HGET', zkey, 'whip') ~= '1' then
  detachRelay(p, zone)
end
sync(p, zone)
return {{'ok'}, fx}
`;

/**
 * ARGV: p, sid, peer, zone… → {{'ok', zone} | {'unknown'}, effects}: the viewer stopped playing its
 * retiring pairing `peer` in one of `zone…` (`signal:close`); its camera is told.
 */
export const RETIRE = `${COMMON}
local p, sid, peer = ARGV[1], ARGV[2], ARGV[3]
for i = 4, #ARGV do
  local zone = ARGV[i]
  local r = redis.call('HGET', p..'retiring:'..zone, sid)
  if r and string.match(r, '^(.*)|') == peer then
    redis.call('HDEL', p..'retiring:'..zone, sid)
    local cam = redis.call('HGET', p..'peer:'..peer, 'cam')
    redis.call('DEL', p..'peer:'..peer)
    if cam then tell(cam, 'left', peer, 'viewer_left') end
    return {{'ok', zone}, fx}
  end
end
return {{'unknown'}, fx}
`;

/**
 * ARGV: p, zone, now → {{nextExpiry}, effects}: retiring pairings past their switch time close
 * at their camera. nextExpiry is '' when none are left.
 */
export const EXPIRE_RETIRING = `${COMMON}
local p, zone, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local rkey = p..'retiring:'..zone
local nextExpiry = nil
local r = redis.call('HGETALL', rkey)
for i = 1, #r, 2 do
  local old, expiry = string.match(r[i + 1], '^(.*)|(%d+)$')
  expiry = tonumber(expiry)
  if expiry <= now then
    redis.call('HDEL', rkey, r[i])
    local cam = redis.call('HGET', p..'peer:'..old, 'cam')
    redis.call('DEL', p..'peer:'..old)
    if cam then tell(cam, 'left', old, 'viewer_left') end
  elseif not nextExpiry or expiry < nextExpiry then
    nextExpiry = expiry
  end
end
return {{nextExpiry and tostring(nextExpiry) or ''}, fx}
`;

/**
 * ARGV: p, zone, node, nonce → {{'ok'} | {'not'}, effects}: the relay worker on `node` lost the
 * zone (it died and was restarted): the camera and every viewer are paired with the relay again.
 * Viewers keep playing their dead connection until the new one's offer replaces it.
 */
export const RESET_RELAY = `${COMMON}${RELAY}
local p, zone, node, nonce = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local zkey = p..'zone:'..zone
local hic = redis.call('HMGET', zkey, 'relay', 'ingest', 'cam')
local host, ingest, cam = hic[1], hic[2], hic[3]
if host ~= node or not cam then return {{'not'}, fx} end
-- Both ends of every old pairing are released: a restarted worker has none of them, but a relay
-- that lost only the camera's connection still serves the viewers' old ones.
if ingest then
  redis.call('DEL', p..'peer:'..ingest)
  tell(cam, 'left', ingest, 'viewer_left')
  tell(relayOf(zone), 'left', ingest, 'viewer_left', node)
end
openIngest(p, zone, cam, node, nonce)
local vkey = p..'viewers:'..zone
local v = redis.call('HGETALL', vkey)
for i = 1, #v, 2 do
  if v[i + 1] ~= '' then
    redis.call('DEL', p..'peer:'..v[i + 1])
    tell(relayOf(zone), 'left', v[i + 1], 'viewer_left', node)
  end
  local peer = nonce..'-'..((i + 1) / 2)
  pair(p, zone, peer, relayOf(zone), v[i], node)
  redis.call('HSET', vkey, v[i], peer)
  tell(relayOf(zone), 'joined', peer, '', node)
end
return {{'ok'}, fx}
`;

/**
 * ARGV: p, zone, cameraSid, now → {{nextExpiry}, effects}: held pairings past their expiry are
 * dropped (their viewer did not come back; the camera is told). nextExpiry is '' when none are left.
 */
export const EXPIRE_HELD = `${COMMON}
local p, zone, sid, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local hkey = p..'held:'..zone
if redis.call('HGET', p..'zone:'..zone, 'cam') ~= sid then return {{''}, fx} end
local nextExpiry = nil
local h = redis.call('HGETALL', hkey)
for i = 1, #h, 2 do
  local expiry = tonumber(h[i + 1])
  if expiry <= now then
    redis.call('HDEL', hkey, h[i])
    tell(sid, 'left', h[i], 'viewer_left')
  elseif not nextExpiry or expiry < nextExpiry then
    nextExpiry = expiry
  end
end
return {{nextExpiry and tostring(nextExpiry) or ''}, fx}
`;
