// Builds the web remote into web-remote/dist: typecheck (tsc, noEmit), bundle src/main.ts with
// esbuild (ESM, minified, source map, for Safari 14.1 and later), copy the pages and the
// stylesheet. The bundle must be browser-only: a Node built-in or a package from node_modules
// in it fails the build. `node web-remote/build.mjs --no-check` skips the typecheck.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const require = createRequire(import.meta.url);

if (!process.argv.includes('--no-check')) {
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json')], { stdio: 'inherit' });
  } catch {
    console.error('web-remote: typecheck failed');
    process.exit(1);
  }
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const result = await build({
  entryPoints: [path.join(here, 'src', 'main.ts')],
  outfile: path.join(dist, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'safari14.1'],
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const foreign = Object.keys(result.metafile.inputs).filter((f) => f.includes('node_modules') || f.startsWith('node:'));
if (foreign.length > 0) {
  console.error(`web-remote: the bundle must not pull Node modules, but it includes:\n  ${foreign.join('\n  ')}`);
  process.exit(1);
}

// The page loads app.js and style.css with a content hash in the query: a new build is never
// hidden by a cached old one.
const bundle = readFileSync(path.join(dist, 'app.js'));
const css = readFileSync(path.join(here, 'style.css'));
const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 10);
const stamp = (html) => html.replace('src="/app.js"', `src="/app.js?v=${hash(bundle)}"`).replaceAll('href="/style.css"', `href="/style.css?v=${hash(css)}"`);
writeFileSync(path.join(dist, 'index.html'), stamp(readFileSync(path.join(here, 'index.html'), 'utf8')));
writeFileSync(path.join(dist, 'login.html'), stamp(readFileSync(path.join(here, 'login.html'), 'utf8')));
writeFileSync(path.join(dist, 'style.css'), css);

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`web-remote: dist/app.js ${kib(bundle.length)}, ${Object.keys(result.metafile.inputs).length} modules`);
