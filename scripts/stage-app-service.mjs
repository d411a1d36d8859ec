// Stages what Azure App Service runs into .deployment/ for the toolkit's zip deploy
// (m365agents.yml, deploy): the built dist/, the card templates, and the production
// dependencies only. Run after `npm run build`.
//
// Install scripts are skipped: App Service runs STORAGE=blob (infra/azure.bicep), so
// better-sqlite3's native addon, which is loaded only when SQLite is used, is not built
// here for this machine's Node (App Service runs Node 22).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// `--out DIR` stages elsewhere (the toolkit test does); default .deployment/, where m365agents.yml looks.
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 && process.argv[outAt + 1] ? resolve(process.argv[outAt + 1]) : join(root, '.deployment');

if (!existsSync(join(root, 'dist', 'index.js'))) {
  process.stderr.write('stage:app-service: dist/index.js is missing; run `npm run build` first\n');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
// Build outputs that are not the app (the Teams app package, the poster) stay behind.
const notTheApp = (path) => /[\\/]appPackage([\\/]|$)|\.(zip|pdf|html)$/.test(path);
for (const part of ['dist', 'cards', 'package.json', 'package-lock.json', '.npmrc']) {
  if (existsSync(join(root, part))) cpSync(join(root, part), join(out, part), { recursive: true, filter: (src) => !notTheApp(src) });
}
const npm = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
  cwd: out,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
if (npm.status !== 0) {
  process.stderr.write(`stage:app-service: npm ci --omit=dev failed (exit ${npm.status})\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ staged: out })}\n`);
