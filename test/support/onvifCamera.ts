import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An ONVIF camera's SOAP side for tests (no real camera exists here): the device and media
 * services over HTTP on loopback, answering what Vigil asks (date and time, capabilities, device
 * information, profiles, video sources, stream and snapshot URIs) and checking WS-Security
 * UsernameToken digests like a camera does. Its stream URI points at a real RTSP camera
 * (rtspCamera.ts), so what it describes can be pulled.
 */
export interface OnvifCameraOptions {
  username: string;
  password: string;
  /** What GetStreamUri answers (the real RTSP camera's URL). */
  streamUri: string;
  /** The camera's clock, this far from ours (a camera whose clock drifted). */
  clockOffsetMs?: number;
  /** Has a PTZ service (default): a dome camera; false: a fixed one. */
  ptz?: boolean;
}

/** A PTZ command the camera carried out, as it read it off the SOAP. */
export type PtzCall =
  | { action: 'ContinuousMove'; profile: string; pan: number; tilt: number; zoom: number; timeout: string | null }
  | { action: 'Stop'; profile: string }
  | { action: 'GotoPreset'; profile: string; preset: string };

/** The presets the test camera has. */
export const TEST_PRESETS = [{ token: 'p1', name: 'Gate' }, { token: 'p2', name: 'Car park' }] as const;

export interface OnvifCamera {
  readonly host: string;
  readonly port: number;
  /** The SOAP actions asked, in order, and whether each was authenticated. */
  readonly requests: { action: string; authenticated: boolean }[];
  /** The PTZ commands it carried out, in order. */
  readonly ptz: PtzCall[];
  close(): Promise<void>;
}

const envelope = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>${body}</s:Body></s:Envelope>`;

const fault = (code: string, reason: string) => envelope(`<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:${code}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">${reason}</s:Text></s:Reason></s:Fault>`);

/** UsernameToken with PasswordDigest = base64(sha1(nonce + created + password)), as ONVIF cameras check it. */
function authenticated(body: string, username: string, password: string): boolean {
  const field = (name: string) => body.match(new RegExp(`<(?:\\w+:)?${name}[^>]*>([^<]*)</(?:\\w+:)?${name}>`))?.[1];
  const [user, digest, nonce, created] = [field('Username'), field('Password'), field('Nonce'), field('Created')];
  if (user !== username || !digest || !nonce || !created) return false;
  const expected = createHash('sha1').update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(password)])).digest('base64');
  return expected === digest;
}

export async function startOnvifCamera(options: OnvifCameraOptions): Promise<OnvifCamera> {
  const requests: OnvifCamera['requests'] = [];
  const ptz: PtzCall[] = [];
  const hasPtz = options.ptz ?? true;
  let body = '';
  const field = (name: string) => body.match(new RegExp(`<(?:\\w+:)?${name}[^>]*>([^<]*)</(?:\\w+:)?${name}>`))?.[1] ?? '';
  const attribute = (element: string, name: string) => Number(body.match(new RegExp(`<(?:\\w+:)?${element}\\b[^>]*\\b${name}="([^"]*)"`))?.[1] ?? 0);
  let base = '';
  const profile = (token: string, name: string, width: number, height: number) => `<trt:Profiles token="${token}" fixed="true"><tt:Name>${name}</tt:Name>
<tt:VideoSourceConfiguration token="vsc"><tt:Name>vsc</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>vs0</tt:SourceToken><tt:Bounds x="0" y="0" width="${width}" height="${height}"/></tt:VideoSourceConfiguration>
<tt:VideoEncoderConfiguration token="vec-${token}"><tt:Name>vec</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${width}</tt:Width><tt:Height>${height}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>30</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>2048</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>60</tt:GovLength><tt:H264Profile>High</tt:H264Profile></tt:H264></tt:VideoEncoderConfiguration>
</trt:Profiles>`;
  const answers: Record<string, () => string> = {
    GetSystemDateAndTime: () => {
      const now = new Date(Date.now() + (options.clockOffsetMs ?? 0));
      return `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>${now.getUTCHours()}</tt:Hour><tt:Minute>${now.getUTCMinutes()}</tt:Minute><tt:Second>${now.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${now.getUTCFullYear()}</tt:Year><tt:Month>${now.getUTCMonth() + 1}</tt:Month><tt:Day>${now.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`;
    },
    GetCapabilities: () => `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device><tt:Media><tt:XAddr>${base}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>${hasPtz ? `<tt:PTZ><tt:XAddr>${base}/onvif/ptz_service</tt:XAddr></tt:PTZ>` : ''}</tds:Capabilities></tds:GetCapabilitiesResponse>`,
    GetDeviceInformation: () => '<tds:GetDeviceInformationResponse><tds:Manufacturer>Vigil Test Optics</tds:Manufacturer><tds:Model>VTO-2000</tds:Model><tds:FirmwareVersion>1.2.3</tds:FirmwareVersion><tds:SerialNumber>SN0001</tds:SerialNumber><tds:HardwareId>hw1</tds:HardwareId></tds:GetDeviceInformationResponse>',
    GetProfiles: () => `<trt:GetProfilesResponse>${profile('main', 'mainStream', 1280, 720)}${profile('sub', 'subStream', 640, 360)}</trt:GetProfilesResponse>`,
    GetVideoSources: () => '<trt:GetVideoSourcesResponse><trt:VideoSources token="vs0"><tt:Framerate>30</tt:Framerate><tt:Resolution><tt:Width>1280</tt:Width><tt:Height>720</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>',
    GetStreamUri: () => `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${options.streamUri}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`,
    GetSnapshotUri: () => `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>${base}/snapshot.jpg</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`,
    ...(hasPtz ? {
      GetPresets: () => `<tptz:GetPresetsResponse>${TEST_PRESETS.map((p) => `<tptz:Preset token="${p.token}"><tt:Name>${p.name}</tt:Name></tptz:Preset>`).join('')}</tptz:GetPresetsResponse>`,
      ContinuousMove: () => {
        ptz.push({ action: 'ContinuousMove', profile: field('ProfileToken'), pan: attribute('PanTilt', 'x'), tilt: attribute('PanTilt', 'y'), zoom: attribute('Zoom', 'x'), timeout: field('Timeout') || null });
        return '<tptz:ContinuousMoveResponse/>';
      },
      Stop: () => {
        ptz.push({ action: 'Stop', profile: field('ProfileToken') });
        return '<tptz:StopResponse/>';
      },
      GotoPreset: () => {
        ptz.push({ action: 'GotoPreset', profile: field('ProfileToken'), preset: field('PresetToken') });
        return '<tptz:GotoPresetResponse/>';
      },
    } : {}),
  };
  const server: Server = createServer((request, reply) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      // The answers read the request they are answering (synchronously, below) through `body`.
      body = text;
      const action = body.match(/<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/)?.[1] ?? '';
      const isAuthenticated = authenticated(body, options.username, options.password);
      requests.push({ action, authenticated: isAuthenticated });
      const answer = answers[action];
      reply.setHeader('content-type', 'application/soap+xml; charset=utf-8');
      // Only the clock may be read without credentials: the client needs it to make its digest.
      if (action !== 'GetSystemDateAndTime' && !isAuthenticated) {
        reply.statusCode = 400;
        reply.end(fault('NotAuthorized', 'Sender not Authorized'));
      } else if (!answer) {
        reply.statusCode = 400;
        reply.end(fault('ActionNotSupported', `${action} is not supported`));
      } else {
        reply.end(envelope(answer()));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    host: '127.0.0.1',
    port,
    requests,
    ptz,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
