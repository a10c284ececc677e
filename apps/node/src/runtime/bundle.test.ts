import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../errors.ts';
import { bundleBlocklet } from './bundle.ts';
import { SOURCE_SCAN_LIMITS, scanSource } from './bundle-scan.ts';

/** The bundler: sources that nest too deeply are refused before esbuild, and a dead esbuild service is replaced. */

const HANDLER = 'export default { call() { return 1; } };';

async function refusal(run: Promise<unknown>): Promise<NodeError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeError);
  return error as NodeError;
}

/** The pids of this process's esbuild service children. */
function esbuildServices(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]).toString();
  return out
    .split('\n')
    .filter((line) => line.includes('esbuild') && line.includes('--service'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('bundleBlocklet', () => {
  it.each([
    ['brackets', `export default ${'['.repeat(100_000)}${']'.repeat(100_000)};`],
    ['prefix operators', `export default ${'!'.repeat(400_000)}1;`],
    ['member chains', `const a = {}; export default a${'.b'.repeat(200_000)};`],
    ['nested ifs', `${'if(1)'.repeat(100_000)};export default 1;`],
    ['template substitutions', `export default ${'`${'.repeat(50_000)}1${'}`'.repeat(50_000)};`],
  ])(
    'refuses source nested too deeply (%s) with BUNDLE_INVALID naming the file and line, and bundles the next upload',
    async (_what, deep) => {
      const error = await refusal(bundleBlocklet({ 'index.js': HANDLER, 'deep.js': `\n${deep}` }, 'index.js'));
      expect(error.code).toBe('BUNDLE_INVALID');
      expect(error.message).toMatch(/^deep\.js:2: /);
      const ok = await bundleBlocklet({ 'index.js': HANDLER }, 'index.js');
      expect(ok.code).toContain('call()');
    },
  );

  it('refuses deeply nested JSON imported by the entry', async () => {
    const files = {
      'index.js': "import data from './data.json'; export default { call() { return data; } };",
      'data.json': '['.repeat(200_000) + ']'.repeat(200_000),
    };
    const error = await refusal(bundleBlocklet(files, 'index.js'));
    expect(error).toMatchObject({ code: 'BUNDLE_INVALID' });
    expect(error.message).toMatch(/^data\.json:1: nested more than 64 levels/);
  });

  it('refuses sources whose bundle would be mostly indentation', async () => {
    // 60 levels of blocks, repeated: within the depth bound, but every printed line is indented ~120 bytes.
    const unit = `${'{\n'.repeat(60)}x;\n${'}\n'.repeat(60)}`;
    const files: Record<string, string> = { 'index.js': `let x = 1;\n${unit.repeat(Math.floor(400_000 / unit.length))}\n${HANDLER}` };
    for (let n = 0; n < 4; n += 1) files[`more${n}.js`] = `let x = 1;\n${unit.repeat(Math.floor(400_000 / unit.length))}`;
    const error = await refusal(bundleBlocklet(files, 'index.js'));
    expect(error).toMatchObject({ code: 'BUNDLE_INVALID' });
    expect(error.message).toMatch(/indentation/);
  });

  it('does not count brackets inside strings, comments, templates and regular expressions', () => {
    const quoted = '('.repeat(SOURCE_SCAN_LIMITS.nestingDepthMax * 4);
    const source = [
      `const a = "${quoted}";`,
      `const b = '${quoted}';`,
      `// ${quoted}`,
      `/* ${quoted} */`,
      `const c = \`${quoted} \${a} ${quoted}\`;`,
      `const d = /${quoted.replaceAll('(', '\\(')}[(]/;`,
      'const e = a == b ? c !== d : a <= b;',
    ].join('\n');
    expect(() => scanSource('strings.js', source)).not.toThrow();
  });

  it('accepts ordinary code: long files, long lines separated by commas and statements', () => {
    const table = `export const table = [${Array.from({ length: 20_000 }, (_, n) => `{ id: ${n}, neg: -${n}, ok: !${n % 2} }`).join(', ')}];`;
    const calls = Array.from({ length: 5000 }, (_, n) => `if (x.a.b(${n})) { y = -x.c?.d ?? !z; }`).join('\n');
    expect(() => scanSource('table.js', table)).not.toThrow();
    expect(() => scanSource('calls.ts', `let x: Array<Map<string, number>>, y, z;\n${calls}`)).not.toThrow();
  });

  it('starts a new esbuild service when the old one died', async () => {
    await bundleBlocklet({ 'index.js': HANDLER }, 'index.js');
    const services = esbuildServices();
    expect(services.length).toBeGreaterThan(0);
    for (const pid of services) process.kill(pid, 'SIGKILL');
    // The kill is noticed on the service's exit; whenever that is, the next upload bundles.
    const ok = await bundleBlocklet({ 'index.js': HANDLER.replace('1', '2') }, 'index.js');
    expect(ok.code).toContain('return 2');
    const again = await bundleBlocklet({ 'index.js': HANDLER.replace('1', '3') }, 'index.js');
    expect(again.code).toContain('return 3');
  });
});
