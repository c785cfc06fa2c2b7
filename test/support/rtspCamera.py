#!/usr/bin/python3
"""An IP camera for tests: GStreamer's RTSP server (Debian's gir1.2-gst-rtsp-server-1.0).

Usage: rtspCamera.py <port> <variant> [--gop FRAMES] [--size WxH] [--fps N] [--user U --password P]

Serves rtsp://127.0.0.1:<port>/cam, shared by every client like a real camera's encoder (a
client that joins mid-GOP waits for the next keyframe), over TCP and UDP. Variants:
  baseline  H.264 Constrained Baseline, no B-frames
  high      H.264 High, no B-frames
  bframes   H.264 High with B-frames (what browsers cannot decode over WebRTC)
  h265      H.265 Main
SPS/PPS go in-band before every keyframe (config-interval=-1), as most cameras send them.
With --user/--password the server asks for Basic authentication. Prints "ready" once it listens.
"""
import argparse
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument('port', type=int)
parser.add_argument('variant', choices=['baseline', 'high', 'bframes', 'h265'])
parser.add_argument('--gop', type=int, default=60)
parser.add_argument('--size', default='640x360')
parser.add_argument('--fps', type=int, default=30)
parser.add_argument('--user')
parser.add_argument('--password')
args = parser.parse_args()
width, height = args.size.split('x')

SOURCE = (f'videotestsrc is-live=true pattern=ball ! '
          f'video/x-raw,width={width},height={height},framerate={args.fps}/1,format=I420 ! timeoverlay ! ')
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

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(str(args.port))
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(f'( {SOURCE}{ENCODERS[args.variant]} )')
factory.set_shared(True)
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
