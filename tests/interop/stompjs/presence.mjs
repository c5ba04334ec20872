// A device and a monitoring console, both the unmodified @stomp/stompjs client (as browsers
// and Node apps use it), against a real spidi-server: join, heartbeat, an error, an idle spell
// kept alive by STOMP heart-beats, leave; the console follows the room's roster and metrics.
// Asserts as it goes; prints one JSON summary line for tst_stompjs_interop to cross-check
// against the server's REST API.
//
// usage: node presence.mjs WS_URL DEVICE_TOKEN MONITOR_TOKEN ROOM_CODE HEARTBEAT_MS
import assert from 'node:assert/strict';
import { Client } from '@stomp/stompjs';
import WebSocket from 'ws';

Object.assign(globalThis, { WebSocket });

const [url, deviceToken, monitorToken, room, heartBeatArg] = process.argv.slice(2);
const heartBeatMs = Number(heartBeatArg);
const deadline = setTimeout(() => fail(new Error('timed out after 60 s')), 60000);

function fail(error) {
  console.error(`stompjs interop failed: ${error.stack || error}`);
  process.exit(1);
}

// Messages received on a subscription, and a way to wait for the next one that matches.
class Inbox {
  constructor() {
    this.messages = [];
    this.waiters = [];
  }
  push(message) {
    const body = JSON.parse(message.body);
    const entry = { headers: message.headers, body };
    const waiter = this.waiters.findIndex((w) => w.match(entry));
    if (waiter >= 0) {
      const [w] = this.waiters.splice(waiter, 1);
      w.resolve(entry);
    } else {
      this.messages.push(entry);
    }
  }
  next(match, what, ms = 10000) {
    const index = this.messages.findIndex(match);
    if (index >= 0) return Promise.resolve(this.messages.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      this.waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
    });
  }
}

function connect(token, name) {
  return new Promise((resolve, reject) => {
    const client = new Client({
      brokerURL: url,
      connectHeaders: { login: name, passcode: token },
      heartbeatIncoming: heartBeatMs,
      heartbeatOutgoing: heartBeatMs,
      reconnectDelay: 0,
      debug: () => {},
    });
    client.onConnect = (frame) => resolve({ client, connected: frame });
    client.onStompError = (frame) => reject(new Error(`${name}: ERROR ${frame.headers.message}`));
    client.onWebSocketError = () => reject(new Error(`${name}: WebSocket error`));
    client.activate();
  });
}

function receipt(client, id) {
  return new Promise((resolve) => client.watchForReceipt(id, resolve));
}

function publish(client, action, body, receiptId) {
  const headers = { 'content-type': 'application/json' };
  if (receiptId) headers.receipt = receiptId;
  client.publish({ destination: `/app/presence/${action}`, body: JSON.stringify(body), headers });
}

const rosterHas = (sessionId) => (e) =>
  (e.body.type === 'ROOM_ROSTER' &&
    e.body.users.some((u) => u.sessions.some((s) => s.sessionId === sessionId))) ||
  (e.body.type === 'ROOM_ROSTER_DIFF' && e.body.joins.some((s) => s.sessionId === sessionId));

async function main() {
  const summary = { heartBeatMs };

  const monitor = await connect(monitorToken, 'monitor');
  summary.version = monitor.connected.headers.version;
  summary.server = monitor.connected.headers.server;
  const roster = new Inbox();
  const metrics = new Inbox();
  monitor.client.subscribe(`/topic/room/${room}/roster`, (m) => roster.push(m));
  monitor.client.subscribe(`/topic/room/${room}/metrics`, (m) => metrics.push(m));
  const snapshot = await roster.next((e) => e.body.type === 'ROOM_ROSTER', 'roster snapshot');
  assert.equal(snapshot.body.roomCode, room);
  assert.equal(snapshot.headers['content-type'], 'application/json');
  assert.ok(snapshot.headers.subscription, 'MESSAGE carries its subscription id');
  assert.ok(snapshot.headers['message-id'], 'MESSAGE carries a message-id');
  assert.equal(snapshot.headers.destination, `/topic/room/${room}/roster`);
  const before = await metrics.next((e) => e.body.type === 'ROOM_METRICS', 'metrics snapshot');
  summary.onlineBefore = before.body.online;

  const device = await connect(deviceToken, 'device');
  const acks = new Inbox();
  const errors = new Inbox();
  device.client.subscribe('/user/queue/ack', (m) => acks.push(m));
  device.client.subscribe('/user/queue/errors', (m) => errors.push(m));

  const joined = receipt(device.client, 'hello-1');
  publish(device.client, 'hello', {
    seq: 1, roomCode: room, clientId: 'stompjs-device', appVersion: '7.5.0',
    device: 'Node', os: process.platform,
  }, 'hello-1');
  const ack = await acks.next((e) => e.body.type === 'ACK' && e.body.ref === 1, 'ACK of the HELLO');
  await joined;
  const sessionId = ack.body.sessionId;
  assert.match(sessionId, /^[0-9a-f-]{36}$/);
  assert.equal(ack.body.roomCode, room);
  summary.sessionId = sessionId;

  await roster.next(rosterHas(sessionId), 'roster with the new session');
  const online = await metrics.next((e) => e.body.online === summary.onlineBefore + 1, 'metrics with one more online');
  summary.onlineAfterJoin = online.body.online;

  publish(device.client, 'heartbeat', { seq: 2, sessionId, latencyMs: 37 });
  const beat = await acks.next((e) => e.body.type === 'HEARTBEAT_ACK' && e.body.ref === 2, 'HEARTBEAT_ACK');
  assert.equal(beat.body.sessionId, sessionId);
  assert.ok(beat.body.serverTime > 0);
  const latency = await metrics.next((e) => e.body.avgLatencyMs === 37, 'metrics with the latency');
  summary.avgLatencyMs = latency.body.avgLatencyMs;

  publish(device.client, 'hello', { seq: 3, roomCode: 'NO-SUCH-ROOM', clientId: 'x', appVersion: '1' });
  const error = await errors.next((e) => e.body.ref === 3, 'ERROR for the unknown room');
  assert.equal(error.body.type, 'ERROR');
  summary.errorCode = error.body.code;

  // Idle for several heart-beat periods: only STOMP heart-beats keep both sockets open.
  const idleMs = 5 * heartBeatMs;
  await new Promise((resolve) => setTimeout(resolve, idleMs));
  assert.ok(device.client.connected && monitor.client.connected, 'connections survive idling');
  summary.idleSurvivedMs = idleMs;
  publish(device.client, 'heartbeat', { seq: 4, sessionId });
  await acks.next((e) => e.body.type === 'HEARTBEAT_ACK' && e.body.ref === 4, 'HEARTBEAT_ACK after idling');

  publish(device.client, 'leave', { seq: 5, sessionId });
  await acks.next((e) => e.body.type === 'ACK' && e.body.ref === 5, 'ACK of the LEAVE');
  await roster.next((e) => e.body.type === 'ROOM_ROSTER_DIFF' && e.body.leaves.includes(sessionId), 'roster diff with the leave');
  const after = await metrics.next((e) => e.body.online === summary.onlineBefore, 'metrics back to before');
  summary.onlineAfterLeave = after.body.online;

  await device.client.deactivate();
  await monitor.client.deactivate();
  clearTimeout(deadline);
  console.log(JSON.stringify(summary));
}

main().catch(fail);
