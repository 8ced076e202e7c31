import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const artifactsDir = path.join(root, 'test-artifacts', 'e2e');
export const DEMO = { email: 'owner@comfortpro.example', password: 'comfortpro-demo-2024' };

export interface RunningKinetic {
  url: string;
  /** The data directory the server runs in (its SQLite database is kinetic.db there). */
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the real `kinetic start` (API, dashboard and worker) on SQLite in a
 * temporary directory with the demo business, on a free loopback port, and
 * resolves with the dashboard URL it prints. Builds the dashboard first if
 * its assets are missing, as a fresh clone would.
 */
export async function startKinetic(): Promise<RunningKinetic> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kinetic-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, KINETIC_DATA_DIR: dataDir, PORT: '0', KINETIC_HOST: '127.0.0.1', KINETIC_DEMO: '1', KINETIC_LOG_LEVEL: 'warn', KINETIC_ENGINE_POLL_MS: '200' };
  // SQLite in the temp dir, no real providers: whatever the shell has configured stays out.
  for (const k of ['DATABASE_URL', 'KINETIC_PUBLIC_URL', 'KINETIC_CONFIG', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'SMTP_URL']) delete env[k];
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'bin/kinetic.mjs'), 'start'], {
    cwd: dataDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /Dashboard:\s+(http:\/\/\S+)\/app/.exec(out);
      if (m) resolve(m[1].replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`kinetic start exited (${code}) before it was ready:\n${out}`)));
  });
  return {
    url,
    dataDir,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(artifactsDir, { recursive: true });
  // Debian's Chromium, never a downloaded browser; no sandbox when the tests run as root in CI.
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** What a browser suite works against: the running product and the browser driving it. */
export interface DashboardSuite {
  kinetic: RunningKinetic;
  browser: Browser;
}

/**
 * For a describe block: starts `kinetic start` and Chromium before its tests
 * and stops both after. The returned object is filled in by the time the
 * first test (or a later before hook) runs.
 */
export function useDashboard(): DashboardSuite {
  const suite = {} as DashboardSuite;
  before(async () => {
    suite.kinetic = await startKinetic();
    suite.browser = await launchBrowser();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.kinetic?.stop();
  });
  return suite;
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });

/** Logs in through the dashboard's login form and waits for Today. */
export async function logIn(context: BrowserContext, base: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/app`);
  await page.getByLabel('Email').fill(DEMO.email);
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
  return page;
}

/** Calls the API with the browser context's session cookie. */
export async function apiCall<T>(context: BrowserContext, base: string, method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const res = await context.request.fetch(`${base}${url}`, { method, data: body === undefined ? undefined : body, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
  if (!res.ok()) throw new Error(`${method} ${url} → ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Repeats `read` until `done` holds (bounded by the test's own timeout, never by a timed assertion). */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The two screens the dashboard's actions are tested at: a phone (390 × 844, touch, an iPhone 14) and a desktop. */
export const screenSizes = [
  { label: 'phone', viewport: { width: 390, height: 844 }, touch: true },
  { label: 'desktop', viewport: { width: 1280, height: 900 }, touch: false },
] as const;
export type ScreenSize = (typeof screenSizes)[number];

/** A logged-out browser context of that size (a phone is mobile with touch). */
export async function contextFor(browser: Browser, size: ScreenSize): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: size.viewport, ...(size.touch && { isMobile: true, hasTouch: true }) });
  // A shared, busy machine can take longer than the default 30 s for the first load.
  context.setDefaultNavigationTimeout(90_000);
  return context;
}

/** Presses a control as a person on that screen would: a tap on a touch screen, a click otherwise. */
export const press = (size: ScreenSize, target: Locator) => (size.touch ? target.tap() : target.click());
