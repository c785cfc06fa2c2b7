#!/usr/bin/python3
"""An IP camera for tests: GStreamer's RTSP server (Debian's gir1.2-gst-rtsp-server-1.0).

Usage: rtspCamera.py <port> <variant> [--gop FRAMES] [--size WxH] [--fps N] [--user U --password P] [--clock]

Serves rtsp://127.0.0.1:<port>/cam, shared by every client like a real camera's encoder (a
client that joins mid-GOP waits for the next keyframe), over TCP and UDP. Variants:
  baseline  H.264 Constrained Baseline, no B-frames
  high      H.264 High, no B-frames
  bframes   H.264 High with B-frames (what browsers cannot decode over WebRTC)
  h265      H.265 Main
  clip      a pre-encoded H.264 file (--clip), looped, not encoded here
SPS/PPS go in-band before every keyframe (config-interval=-1), as most cameras send them.
With --user/--password the server asks for Basic authentication. With --clock each picture
carries the wall-clock time it was made in Vigil's clock pattern (src/web/lib/clockPattern.ts),
so a viewer can tell a live picture from a replayed one. Prints "ready" once it listens.
"""
import argparse
import math
import sys
import time

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument('port', type=int)
parser.add_argument('variant', choices=['baseline', 'high', 'bframes', 'h265', 'clip'])
parser.add_argument('--gop', type=int, default=60)
parser.add_argument('--size', default='640x360')
parser.add_argument('--fps', type=int, default=30)
parser.add_argument('--user')
parser.add_argument('--password')
parser.add_argument('--clock', action='store_true')
parser.add_argument('--lit', action='store_true', help='the ball on a grey ground: a lit scene (on black, a detector rightly says the lens is covered)')
parser.add_argument('--audio', action='store_true', help='a G.711 A-law audio stream beside the video')
parser.add_argument('--clip', help='with the variant clip: an H.264 Annex B file, sent in a loop at --fps without encoding')
args = parser.parse_args()
width, height = (int(v) for v in args.size.split('x'))

RAW = f'video/x-raw,width={width},height={height},framerate={args.fps}/1,format=I420'
SOURCE = (f'appsrc name=clocksrc is-live=true format=time do-timestamp=true caps={RAW} ! ' if args.clock
          else f'videotestsrc is-live=true pattern=ball{" background-color=0xff707880" if args.lit else ""} ! {RAW} ! timeoverlay ! ')


def clock_picture(ms):
    """An I420 picture of the clock pattern: 8x5 blocks over the top 80 %, 32 time bits then 8 check bits."""
    value = int(ms) & 0xFFFFFFFF
    check = ~((value & 0xFF) ^ ((value >> 8) & 0xFF) ^ ((value >> 16) & 0xFF) ^ ((value >> 24) & 0xFF)) & 0xFF
    bits = [(value >> i) & 1 for i in range(31, -1, -1)] + [(check >> i) & 1 for i in range(7, -1, -1)]
    edges = [math.floor(c * width / 8) for c in range(9)]
    luma = bytearray()
    area = height * 0.8
    for row in range(5):
        line = b''.join((b'\xeb' if bits[row * 8 + c] else b'\x10') * (edges[c + 1] - edges[c]) for c in range(8))
        lines = math.floor((row + 1) * area / 5) - math.floor(row * area / 5)
        luma += line * lines
    luma += b'\x80' * (width * height - len(luma))
    return bytes(luma) + b'\x80' * (width * height // 2)


def clip_units(path):
    """The clip's access units: it must carry delimiters (x264's aud=1)."""
    delimiter = b'\x00\x00\x00\x01\x09'
    with open(path, 'rb') as clip:
        parts = clip.read().split(delimiter)
    return [delimiter + part for part in parts if part]


def on_configure(_factory, media):
    element = media.get_element()
    clock_source = element.get_by_name_recurse_up('clocksrc')
    clip_source = element.get_by_name_recurse_up('clipsrc')
    units = clip_units(args.clip) if clip_source is not None else []
    state = {'next': 0}

    def push():
        if clock_source is not None:
            clock_source.emit('push-buffer', Gst.Buffer.new_wrapped(clock_picture(time.time() * 1000)))
        elif clip_source is not None:
            clip_source.emit('push-buffer', Gst.Buffer.new_wrapped(units[state['next'] % len(units)]))
            state['next'] += 1
        return True
    if clock_source is not None or clip_source is not None:
        GLib.timeout_add(max(1, round(1000 / args.fps)), push)
X264 = f'x264enc speed-preset=superfast key-int-max={args.gop} threads=1'
ENCODERS = {
    'baseline': f'{X264} tune=zerolatency ! video/x-h264,profile=constrained-baseline ! '
                'rtph264pay name=pay0 pt=96 config-interval=-1',
    'high': f'{X264} tune=zerolatency ! video/x-h264,profile=high ! rtph264pay name=pay0 pt=96 config-interval=-1',
    'bframes': f'{X264} bframes=2 b-adapt=false ! video/x-h264,profile=high ! '
               'rtph264pay name=pay0 pt=96 config-interval=-1',
    'h265': f'x265enc speed-preset=ultrafast tune=zerolatency key-int-max={args.gop} ! '
            'rtph265pay name=pay0 pt=96 config-interval=-1',
}

if args.variant == 'clip':
    # A pre-encoded stream (access units split at its delimiters), paced to real time here:
    # many cameras cost the test machine next to nothing.
    SOURCE = ''
    ENCODERS['clip'] = (f'appsrc name=clipsrc is-live=true format=time do-timestamp=true '
                        f'caps="video/x-h264,stream-format=byte-stream,alignment=au,framerate={args.fps}/1" ! '
                        'h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1')

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(str(args.port))
factory = GstRtspServer.RTSPMediaFactory()
AUDIO = ' audiotestsrc is-live=true wave=ticks ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1 pt=8' if args.audio else ''
factory.set_launch(f'( {SOURCE}{ENCODERS[args.variant]}{AUDIO} )')
factory.set_shared(True)
factory.connect('media-configure', on_configure)
if args.user:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string('media.factory.role', 'camera-user')
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password or ''), token)
    server.set_auth(auth)
    factory.add_role_from_structure(Gst.Structure.from_string(
        'camera-user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true')[0])
server.get_mount_points().add_factory('/cam', factory)
if server.attach(None) == 0:
    print(f'cannot listen on port {args.port}', file=sys.stderr)
    sys.exit(1)
print('ready', flush=True)
GLib.MainLoop().run()
