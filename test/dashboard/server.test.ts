import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, ServeHandle } from '../../src/rx/serve';
import { rawGet, readSse, waitFor } from './http';

const open: ServeHandle[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function started(events$ = new Subject<unknown>(), options: Parameters<typeof serve>[1] = {}) {
  const h = await serve(events$, options);
  open.push(h);
  return { h, events$ };
}

const ev = (i: number) => ({ kind: 'step', epoch: 1, step: i, loss: i / 7, batchSize: 10 });

describe('rx.serve: the protocol', () => {
  it('numbers events from 1, serves them as SSE, /events.jsonl and /run, and ends with an end event', async () => {
    const { h, events$ } = await started(undefined, { run: { pipeline: 'mine' } });
    expect(h.url).toBe(`http://127.0.0.1:${h.port}/`);
    for (let i = 1; i <= 3; i++) events$.next(ev(i));
    const sse = readSse(h.port, (m) => m.some((x) => x.event === 'end'));
    await waitFor('a client', () => h.clients() === 1);
    events$.next(ev(4));
    events$.complete();
    const msgs = await sse;
    expect(msgs.filter((m) => m.id !== undefined).map((m) => [m.id, JSON.parse(m.data)])).toEqual(
      [1, 2, 3, 4].map((i) => [i, ev(i)]),
    );
    expect(JSON.parse(msgs[msgs.length - 1].data)).toEqual({ status: 'done', events: 4 });
    const jsonl = await rawGet(h.port, '/events.jsonl');
    expect(jsonl.status).toBe(200);
    expect(jsonl.body).toBe([1, 2, 3, 4].map((i) => JSON.stringify(ev(i)) + '\n').join(''));
    const run = JSON.parse((await rawGet(h.port, '/run')).body) as Record<string, unknown>;
    expect(run).toMatchObject({ pipeline: 'mine', events: 4, status: 'done' });
    expect(typeof run.startedAt).toBe('string');
  });

  it('replays from Last-Event-ID: a reconnecting client gets exactly the events after it', async () => {
    const { h, events$ } = await started();
    for (let i = 1; i <= 10; i++) events$.next(ev(i));
    const msgs = await readSse(h.port, (m) => m.length >= 4, { 'Last-Event-ID': '6' });
    expect(msgs.map((m) => m.id)).toEqual([7, 8, 9, 10]);
    await waitFor('the first client to go', () => h.clients() === 0);
    // An id beyond the log (another run's) replays nothing and waits for new events.
    const later = readSse(h.port, (m) => m.length >= 1, { 'Last-Event-ID': '99' });
    await waitFor('the client', () => h.clients() === 1);
    events$.next(ev(11));
    expect((await later).map((m) => m.id)).toEqual([11]);
  });

  it('a failing stream ends with status failed and its message', async () => {
    const { h, events$ } = await started();
    events$.next(ev(1));
    events$.error(new Error('loss is NaN'));
    const msgs = await readSse(h.port, (m) => m.some((x) => x.event === 'end'));
    expect(JSON.parse(msgs[msgs.length - 1].data)).toEqual({ status: 'failed', error: 'loss is NaN', events: 1 });
  });

  it('drops a client that never reads, while one that reads gets every event, and the stream never waits', async () => {
    const { h, events$ } = await started(undefined, { maxLag: 3000 });
    // A client that sends its request and then never reads a byte.
    const stuck = connect(h.port, '127.0.0.1');
    stuck.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n\r\n`);
    stuck.pause();
    stuck.on('error', () => {});
    await waitFor('the stuck client', () => h.clients() === 1);
    const reader = readSse(h.port, (m) => m.length >= 6000);
    await waitFor('both clients', () => h.clients() === 2);
    const pad = 'x'.repeat(2000);
    for (let turn = 0; turn < 60; turn++) {
      // 100 events of 2 kB a turn: 12 MB in all, more than the socket buffers hold.
      for (let i = 0; i < 100; i++) events$.next({ kind: 'step', step: turn * 100 + i + 1, pad });
      await new Promise((r) => setTimeout(r, 5));
    }
    const got = await reader;
    expect(got.map((m) => m.id)).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1));
    // The server closed the stuck connection: reading it now gives what was buffered, then its end.
    await waitFor('the stuck client to be dropped', () => h.clients() === 0, 30_000);
    let bytes = 0;
    stuck.on('data', (d: Buffer) => (bytes += d.length));
    const ended = new Promise<void>((resolve) => stuck.on('close', () => resolve()));
    stuck.resume();
    await ended;
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(6000 * 2000);
  });
});

describe('rx.serve: security', () => {
  it('answers only its own paths: traversal and encoded forms, directories and unknown paths are 404', async () => {
    const { h } = await started();
    const paths = [
      '/nope',
      '/../package.json',
      '/../../etc/passwd',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '/..%2f..%2fetc%2fpasswd',
      '/%252e%252e/package.json',
      '/..\\package.json',
      '//etc/passwd',
      '/dist/dashboard/index.html',
      '/dashboard/',
      '/src/',
      '/events/../package.json',
      '/index.html/..',
      '/dashboard.js/../../package.json',
    ];
    for (const p of paths) {
      const r = await rawGet(h.port, p);
      expect([p, r.status]).toEqual([p, 404]);
      expect(r.body).not.toContain('"name"');
    }
    expect((await rawGet(h.port, '/run', {}, 'POST')).status).toBe(405);
    expect((await rawGet(h.port, '/events', {}, 'DELETE')).status).toBe(405);
  });

  it('sends no CORS headers, refuses other origins and, on loopback, other Host names', async () => {
    const { h } = await started();
    const ok = await rawGet(h.port, '/run');
    expect(ok.status).toBe(200);
    expect(ok.headers.toLowerCase()).not.toContain('access-control-allow');
    expect((await rawGet(h.port, '/run', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await rawGet(h.port, '/events', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await rawGet(h.port, '/run', { Host: 'evil.example' })).status).toBe(403);
    expect((await rawGet(h.port, '/run', { Host: `localhost:${h.port}` })).status).toBe(200);
  });

  it('on another address, requires the random token printed in the URL (query, cookie or bearer), else 401', async () => {
    const { h } = await started(undefined, { host: '0.0.0.0' });
    expect(h.token).toMatch(/^[0-9a-f]{32}$/);
    expect(h.url).toMatch(new RegExp(`:${h.port}/\\?token=${h.token}$`));
    for (const p of ['/', '/run', '/events', '/events.jsonl', '/dashboard.js', '/nope']) {
      expect([p, (await rawGet(h.port, p)).status]).toEqual([p, 401]);
      expect([p, (await rawGet(h.port, `${p}?token=${'0'.repeat(32)}`)).status]).toEqual([p, 401]);
    }
    const first = await rawGet(h.port, `/run?token=${h.token}`);
    expect(first.status).toBe(200);
    expect(first.headers).toContain(`Set-Cookie: rxnn_token=${h.token}; HttpOnly; SameSite=Strict; Path=/`);
    expect((await rawGet(h.port, '/run', { Cookie: `rxnn_token=${h.token}` })).status).toBe(200);
    expect((await rawGet(h.port, '/events.jsonl', { Authorization: `Bearer ${h.token}` })).status).toBe(200);
    expect((await rawGet(h.port, '/nope', { Cookie: `rxnn_token=${h.token}` })).status).toBe(404);
  });

  it('binds 127.0.0.1 by default: another address of this machine (127.0.0.2) is refused', async () => {
    const { h } = await started();
    expect(h.url.startsWith('http://127.0.0.1:')).toBe(true);
    const reach = (host: string) =>
      new Promise<boolean>((resolve) => {
        const req = get({ host, port: h.port, path: '/run', headers: { Host: `127.0.0.1:${h.port}` } }, (res) => {
          res.resume();
          resolve(true);
        });
        req.on('error', () => resolve(false));
      });
    expect(await reach('127.0.0.1')).toBe(true);
    expect(await reach('127.0.0.2')).toBe(false);
  });

  it('checks its options: a bad port, maxLag or token is a RangeError naming it', async () => {
    await expect(serve(new Subject(), { port: 70000 })).rejects.toThrow(
      /port: expected an integer from 0 to 65535, got 70000/,
    );
    await expect(serve(new Subject(), { maxLag: 0 })).rejects.toThrow(/maxLag: expected a positive integer, got 0/);
    await expect(serve(new Subject(), { token: 'a b' })).rejects.toThrow(/token: expected at least 8/);
    const { h } = await started();
    await expect(serve(new Subject(), { port: h.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('rxnn serve', () => {
  it('a folder without a run is a usage error naming it (exit 2)', async () => {
    const { spawnSync } = await import('node:child_process');
    const bin = join(__dirname, '..', '..', 'bin', 'rxnn.js');
    const none = spawnSync(process.execPath, [bin, 'serve', join(tmpdir(), 'rxnn-no-such-run')], { encoding: 'utf8' });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`serve: ${join(tmpdir(), 'rxnn-no-such-run')}: no such folder`);
    const empty = mkdtempSync(join(tmpdir(), 'rxnn-empty-'));
    const r = spawnSync(process.execPath, [bin, 'serve', empty], { encoding: 'utf8' });
    rmSync(empty, { recursive: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(empty, 'events.jsonl')}: not found`);
    const bad = spawnSync(process.execPath, [bin, 'serve', '.', '--port', 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--port must be a port from 0 to 65535, got 'x'");
  });
});
