// Builds ../vendor/ from the pinned npm packages: `npm ci && npm run build`.
// The output is committed, so running the service needs no Node.js; see
// docs/frontend.md for the recipe, upgrades and the CSP notes.
//
// ../vendor/ belongs to this script: it is wiped and rewritten on each run.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const vendor = path.resolve(here, '..', 'vendor');
const nodeModules = path.join(here, 'node_modules');

const pkgJson = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
const own = pkgJson(here);

// ---------------------------------------------------------------------------
// helpers

function packageRootOf(file) {
  // node_modules/<name>/... or node_modules/@scope/<name>/..., innermost wins
  const parts = path.relative(here, path.resolve(here, file)).split(path.sep);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) {
    return null;
  }
  const n = parts[i + 1].startsWith('@') ? 3 : 2;
  return path.join(here, ...parts.slice(0, i + n));
}

// LICENSE plus, where a package has them, NOTICE (Apache-2.0 section 4d) and
// the third-party licences it keeps under licenses/ (echarts).
function licenseTexts(dir) {
  const pick = (d, re) => fs.existsSync(d)
    ? fs.readdirSync(d).filter((f) => re.test(f)).sort().map((f) => path.join(d, f)) : [];
  const files = [
    ...pick(dir, /^(licen[cs]e|copying)(\.(md|txt))?$/i),
    ...pick(dir, /^notice(\.(md|txt))?$/i),
    ...pick(path.join(dir, 'licenses'), /./)
  ];
  return files.map((f) => ({
    name: path.relative(dir, f).split(path.sep).join('/'),
    text: fs.readFileSync(f, 'utf8').trim()
  }));
}

function kib(bytes) {
  return (bytes / 1024).toFixed(1) + ' KiB';
}

// bpmn-font ships eot/ttf/svg for IE and old Safari; every browser we serve
// reads woff2 (woff as a fallback), so only those two are vendored.
const bpmnFontPlugin = {
  name: 'bpmn-font-woff-only',
  setup(build) {
    build.onLoad({ filter: /bpmn-font[\\/]css[\\/]bpmn\.css$/ }, (args) => {
      let css = fs.readFileSync(args.path, 'utf8');
      const before = css;
      css = css.replace(/@font-face\s*{[^}]*}/, (face) => face
        .replace(/\s*src:\s*url\([^)]*\.eot[^)]*\);/, '')
        .replace(/src:[^;]*;/, "src: url('../font/bpmn.woff2') format('woff2'),\n" +
          "       url('../font/bpmn.woff') format('woff');"));
      if (css === before) {
        throw new Error('bpmn.css @font-face not recognised; update build.mjs');
      }
      return { contents: css, loader: 'css', resolveDir: path.dirname(args.path) };
    });
  }
};

// CSP `default-src 'self'` (no 'unsafe-inline' for styles) drops style="..."
// attributes in markup that a library parses from a string. Two upstream
// spots do that; they are rewritten here. Each patch must match, so an
// upgrade that changes the code fails the build instead of silently
// regressing (then re-check the CSP notes in docs/frontend.md).
const cspPatches = [
  {
    // align/distribute icons: inline SVG whose shapes are styled by style=""
    // -> the same declarations as SVG presentation attributes (not CSP-gated)
    filter: /bpmn-js[\\/]lib[\\/]features[\\/](align|distribute)-elements[\\/]\w+Icons\.js$/,
    apply: (code) => code.replace(/style="([^"]*)"/g, (m, decls) => decls.split(';')
      .map((d) => d.trim()).filter(Boolean)
      .map((d) => { const [ k, v ] = d.split(':').map((x) => x.trim()); return `${k}="${v}"`; })
      .join(' '))
  },
  {
    // properties panel containers: the two inline styles move to modeler.css
    filter: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/,
    apply: (code) => code
      .replace('\'<div style="height: 100%" tabindex="-1" class="bio-properties-panel-container">',
        '\'<div tabindex="-1" class="bio-properties-panel-container">')
      .replace('\'<div style="flex: none; height: auto" class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container">',
        '\'<div class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container">')
  }
];

const cspPatchPlugin = {
  name: 'csp-patches',
  setup(build) {
    for (const patch of cspPatches) {
      patch.hits = 0;
      build.onLoad({ filter: patch.filter }, (args) => {
        const code = fs.readFileSync(args.path, 'utf8');
        const out = patch.apply(code);
        if (out === code || /\sstyle="/.test(out)) {
          throw new Error('CSP patch did not apply to ' + args.path + '; update build.mjs');
        }
        patch.hits++;
        return { contents: out, loader: 'js' };
      });
    }
    build.onEnd(() => {
      const missed = cspPatches.filter((p) => !p.hits);
      if (missed.length) {
        throw new Error('CSP patch matched no file: ' + missed.map((p) => p.filter).join(', '));
      }
    });
  }
};

// CSP `default-src 'self'` forbids data: images, so the few inline SVGs in
// the upstream CSS become files next to it.
function externaliseDataUris(cssFile) {
  const css = fs.readFileSync(cssFile, 'utf8');
  let out = '', pos = 0, count = 0;
  for (;;) {
    const start = css.indexOf('url(', pos);
    if (start < 0) {
      break;
    }
    let i = start + 4;
    while (css[i] === ' ') { i++; }
    const quote = css[i] === '"' || css[i] === "'" ? css[i] : null;
    let j = quote ? i + 1 : i, value = '';
    for (; j < css.length; j++) {
      const c = css[j];
      if (quote && c === '\\') { value += css[++j]; continue; }
      if (quote ? c === quote : c === ')') { break; }
      value += c;
    }
    const end = css.indexOf(')', quote ? j + 1 : j) + 1;
    out += css.slice(pos, start);
    if (/^data:/.test(value)) {
      const comma = value.indexOf(',');
      const meta = value.slice(0, comma), payload = value.slice(comma + 1);
      if (!/^data:image\/svg\+xml/.test(meta)) {
        throw new Error(cssFile + ': unexpected data: URL ' + meta + ' (CSP would block it)');
      }
      let svg;
      if (/;base64$/.test(meta)) {
        svg = Buffer.from(payload, 'base64').toString('utf8');
      } else {
        try { svg = decodeURIComponent(payload); } catch (e) { svg = payload; }
      }
      const name = 'img/' + createHash('sha256').update(svg).digest('hex').slice(0, 8) + '.svg';
      fs.mkdirSync(path.join(vendor, 'img'), { recursive: true });
      fs.writeFileSync(path.join(vendor, name), svg);
      count++;
      out += 'url(' + name + ')';
    } else {
      out += css.slice(start, end);
    }
    pos = end;
  }
  out += css.slice(pos);
  fs.writeFileSync(cssFile, out);
  return count;
}

// ---------------------------------------------------------------------------
// build

fs.rmSync(vendor, { recursive: true, force: true });
fs.mkdirSync(vendor, { recursive: true });

const bundled = new Set(Object.keys(own.dependencies));
const versions = {};
for (const name of Object.keys(own.dependencies)) {
  versions[name] = pkgJson(path.join(nodeModules, name)).version;
}

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
  target: 'es2020'
};

const js = await esbuild.build({
  ...common,
  entryPoints: { 'bpmn-modeler': 'modeler.js' },
  outdir: vendor,
  format: 'iife',
  plugins: [ cspPatchPlugin ],
  define: { __YZ_VERSIONS__: JSON.stringify(versions) }
});

const css = await esbuild.build({
  ...common,
  entryPoints: { 'bpmn-modeler': 'modeler.css' },
  outdir: vendor,
  assetNames: 'fonts/[name]-[hash]',
  loader: { '.woff2': 'file', '.woff': 'file' },
  plugins: [ bpmnFontPlugin ]
});

const svgs = externaliseDataUris(path.join(vendor, 'bpmn-modeler.css'));

fs.copyFileSync(path.join(nodeModules, 'echarts/dist/echarts.min.js'), path.join(vendor, 'echarts.min.js'));

// ---------------------------------------------------------------------------
// LICENSES.md: every package whose code or assets landed in vendor/

const packages = new Map();
for (const meta of [ js.metafile, css.metafile ]) {
  for (const input of Object.keys(meta.inputs)) {
    const root = packageRootOf(input.replace(/^[a-z-]+:/, ''));
    if (root && !packages.has(root)) {
      packages.set(root, pkgJson(root));
    }
  }
}
packages.set(path.join(nodeModules, 'echarts'), pkgJson(path.join(nodeModules, 'echarts')));
// echarts.min.js is a prebuilt bundle of echarts + zrender (+ tslib helpers)
for (const dep of [ 'zrender', 'tslib' ]) {
  packages.set(path.join(nodeModules, dep), pkgJson(path.join(nodeModules, dep)));
}

const where = {
  echarts: 'echarts.min.js', zrender: 'echarts.min.js', tslib: 'echarts.min.js'
};
const licenceNote = {
  'bpmn-js': 'bpmn.io License (MIT terms, plus: the bpmn.io watermark shown on ' +
    'rendered diagrams must not be removed or changed)'
};

const rows = [ ...packages.entries() ]
  .map(([ root, p ]) => ({ root, name: p.name, version: p.version, license: licenceNote[p.name] || p.license }))
  .sort((a, b) => a.name.localeCompare(b.name));

let md = '# Vendored front-end packages\n\n' +
  'Generated by `service/static/src/build.mjs` (`npm ci && npm run build` in\n' +
  '`service/static/src/`); do not edit by hand. Recipe, upgrades and CSP notes:\n' +
  '`docs/frontend.md`.\n\n' +
  '| file | size |\n| --- | --- |\n';
const outputs = fs.readdirSync(vendor, { recursive: true })
  .filter((f) => fs.statSync(path.join(vendor, f)).isFile()).sort();
for (const f of outputs) {
  md += `| \`${f.split(path.sep).join('/')}\` | ${kib(fs.statSync(path.join(vendor, f)).size)} |\n`;
}
md += '\n| package | version | licence | in | pinned directly |\n| --- | --- | --- | --- | --- |\n';
for (const r of rows) {
  md += `| ${r.name} | ${r.version} | ${r.license} | ${where[r.name] || 'bpmn-modeler.js/.css'} | ${bundled.has(r.name) ? 'yes' : 'no (dependency)'} |\n`;
}
md += '\nBuilt with esbuild ' + pkgJson(path.join(nodeModules, 'esbuild')).version +
  ' (build tool only, nothing of it is vendored).\n\n## Licence texts\n';
for (const r of rows) {
  const texts = licenseTexts(r.root);
  md += `\n### ${r.name} ${r.version}\n`;
  if (!texts.length) {
    md += `\n(no licence file in the package; its package.json says ${r.license})\n`;
  }
  for (const t of texts) {
    md += (texts.length > 1 ? `\n${t.name}:\n` : '') + '\n```text\n' + t.text + '\n```\n';
  }
}
fs.writeFileSync(path.join(vendor, 'LICENSES.md'), md);

// ---------------------------------------------------------------------------

for (const f of outputs) {
  console.log(kib(fs.statSync(path.join(vendor, f)).size).padStart(12), ' vendor/' + f.split(path.sep).join('/'));
}
console.log(`${rows.length} packages in LICENSES.md; ${svgs} inline SVG(s) moved out of the CSS`);
