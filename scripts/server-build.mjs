// The compiled server: src/**/*.ts → dist/**/*.js (+ .js.map), the same tree, so paths a module resolves
// from its own location (the dashboard's web/, the intake data files) stay right. Shared by
// scripts/build-server.mjs and bin/kinetic.mjs (which rebuilds when src/ is newer than the build).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, openSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const srcDir = path.join(root, 'src');
export const distDir = path.join(root, 'dist');

/** Every file under dir (relative paths), with the newest modification time among them. */
function scan(dir) {
  const files = [];
  let newest = 0;
  const walk = (d, rel) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, entry.name);
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(abs, r);
      else {
        files.push(r);
        const m = statSync(abs).mtimeMs;
        if (m > newest) newest = m;
      }
    }
  };
  walk(dir, '');
  return { files, newest };
}

/**
 * 'fresh' when dist/ was built from src/ as it is now (no file in src/ newer than the build, none added or
 * removed), 'stale' when src/ changed since, 'missing' when there is no build, 'no-source' when only dist/
 * exists (an install shipped without src/).
 */
export function buildState(outDir = distDir) {
  const stampFile = path.join(outDir, 'build.json');
  if (!existsSync(stampFile)) return existsSync(srcDir) ? 'missing' : 'no-source';
  if (!existsSync(srcDir)) return 'fresh';
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return 'missing';
  }
  const { files, newest } = scan(srcDir);
  return newest > stamp.newestSource || files.length !== stamp.files ? 'stale' : 'fresh';
}

/** Compiles src/ into a fresh directory and puts it in place of dist/ (safe when two processes build at once). */
export async function buildServer(outDir = distDir) {
  const esbuild = await import('esbuild');
  const { files, newest } = scan(srcDir);
  const tmp = path.join(path.dirname(outDir), `.dist-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(tmp, { recursive: true });
  try {
    const entryPoints = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => path.join(srcDir, f));
    await esbuild.build({
      entryPoints,
      outdir: tmp,
      outbase: srcDir,
      // One output per input: every import stays an import. Relative ones are renamed .ts → .js; packages are left to Node.
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'silent',
      plugins: [
        {
          name: 'one-file-per-module',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              if (args.kind === 'entry-point') return undefined;
              if (args.path.startsWith('.')) return { path: args.path.replace(/\.ts$/, '.js'), external: true };
              return { path: args.path, external: true };
            });
          },
        },
      ],
    });
    // Data files modules read next to themselves (the intake classifier's training set).
    for (const f of files) if (!f.endsWith('.ts')) cpSync(path.join(srcDir, f), path.join(tmp, f));
    writeFileSync(path.join(tmp, 'package.json'), '{ "type": "module" }\n');
    // `kinetic --help` lists the commands from this file instead of loading every command module (src/cli/main.ts).
    // Recorded from the compiled modules themselves, in a child process so their imports stay out of this one.
    let manifest;
    try {
      manifest = execFileSync(process.execPath, ['--input-type=module', '-e', `const { commandManifest } = await import(${JSON.stringify(new URL(`file://${path.join(tmp, 'cli/main.js')}`).href)}); process.stdout.write(JSON.stringify(await commandManifest()));`], { cwd: root, encoding: 'utf8', env: { ...process.env, KINETIC_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      // A module that does not load (a missing file, a missing export): name it, not the whole child's output.
      const why = String(err.stderr ?? '').split('\n').find((l) => /Error/.test(l)) ?? err.message;
      throw new Error(`the compiled command modules do not load: ${why.replaceAll(tmp, 'dist')}`);
    }
    writeFileSync(path.join(tmp, 'cli/commands.json'), `${JSON.stringify(JSON.parse(manifest), null, 1)}\n`);
    writeFileSync(path.join(tmp, 'build.json'), `${JSON.stringify({ newestSource: newest, files: files.length, builtAt: new Date().toISOString() })}\n`);
    const old = `${tmp}-old`;
    try {
      renameSync(outDir, old);
    } catch {
      // no build yet, or another process just moved it
    }
    try {
      renameSync(tmp, outDir);
    } catch {
      // another process put its own fresh build in place first: keep that one
    }
    rmSync(old, { recursive: true, force: true });
    return { files: entryPoints.length };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Builds unless another process is building right now (a lock file next to dist/): resolves true when
 * dist/ is fresh afterwards, false when the other build is still running (the caller runs src/ instead).
 */
export async function buildServerOnce() {
  const lock = path.join(root, '.dist.lock');
  let fd;
  try {
    fd = openSync(lock, 'wx');
  } catch {
    // A lock left by a build that died more than a minute ago is taken over.
    try {
      if (Date.now() - statSync(lock).mtimeMs < 60_000) return false;
      rmSync(lock, { force: true });
      fd = openSync(lock, 'wx');
    } catch {
      return false;
    }
  }
  try {
    if (buildState() !== 'fresh') await buildServer();
    return true;
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}
