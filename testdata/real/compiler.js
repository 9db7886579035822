'use strict';
// A compiler at work: the TypeScript compiler API builds a program over a small multi-file project held
// in memory (classes, generics, async functions, getters/setters, enums, interfaces), type-checks and
// emits it (JS, declarations, source maps, all in memory), and keeps the program alive. acorn then
// parses the emitted JavaScript and a couple of real library sources, and the ASTs are kept too.
const fs = require('fs');
const path = require('path');
const ts = require('typescript');
const acorn = require('acorn');
const { ready } = require('./common');

const sources = {
  '/project/src/model.ts': `
export enum Status { Active = 'active', Suspended = 'suspended', Deleted = 'deleted' }
export interface Entity { readonly id: number; createdAt: Date }
export interface Named { name: string }
export abstract class Base implements Entity {
  private static nextId = 1;
  readonly id: number;
  createdAt: Date;
  protected constructor() { this.id = Base.nextId++; this.createdAt = new Date(0); }
  abstract describe(): string;
}
export class User extends Base implements Named {
  #email: string;
  private _status: Status = Status.Active;
  constructor(public name: string, email: string, public readonly roles: ReadonlyArray<string> = []) {
    super();
    this.#email = email;
  }
  get email(): string { return this.#email; }
  set email(v: string) {
    if (!/^[^@]+@[^@]+$/.test(v)) throw new TypeError('bad email: ' + v);
    this.#email = v;
  }
  get status(): Status { return this._status; }
  set status(s: Status) { this._status = s; }
  describe(): string { return \`\${this.name} <\${this.#email}> [\${this.roles.join(',')}]\`; }
}
export class Order extends Base {
  constructor(public readonly user: User, public lines: Array<{ sku: string; qty: number; price: number }>) { super(); }
  get total(): number { return this.lines.reduce((s, l) => s + l.qty * l.price, 0); }
  describe(): string { return \`order \${this.id} for \${this.user.name}: \${this.total.toFixed(2)}\`; }
}
`,
  '/project/src/repository.ts': `
import { Entity } from './model';
export type Predicate<T> = (item: T) => boolean;
export interface Page<T> { items: T[]; total: number; page: number }
export class Repository<T extends Entity> implements Iterable<T> {
  protected readonly items = new Map<number, T>();
  add(...items: T[]): this { for (const it of items) this.items.set(it.id, it); return this; }
  get(id: number): T | undefined { return this.items.get(id); }
  find(p: Predicate<T>): T[] { return [...this.items.values()].filter(p); }
  page(n: number, size = 10): Page<T> {
    const all = [...this.items.values()];
    return { items: all.slice((n - 1) * size, n * size), total: all.length, page: n };
  }
  get size(): number { return this.items.size; }
  *[Symbol.iterator](): Iterator<T> { yield* this.items.values(); }
  map<U>(f: (t: T) => U): U[] { return [...this].map(f); }
}
export class CachedRepository<T extends Entity, K extends keyof T> extends Repository<T> {
  private index = new Map<T[K], T[]>();
  constructor(private readonly key: K) { super(); }
  override add(...items: T[]): this {
    super.add(...items);
    for (const it of items) { const k = it[this.key]; this.index.set(k, [...(this.index.get(k) ?? []), it]); }
    return this;
  }
  by(k: T[K]): readonly T[] { return this.index.get(k) ?? []; }
}
`,
  '/project/src/service.ts': `
import { User, Order, Status } from './model';
import { Repository, CachedRepository, Page } from './repository';
import { delay, retry, Result } from './util';
export class UserService {
  readonly users = new CachedRepository<User, 'status'>('status');
  readonly orders = new Repository<Order>();
  async register(name: string, email: string, roles: string[] = []): Promise<User> {
    await delay(0);
    const u = new User(name, email, roles);
    this.users.add(u);
    return u;
  }
  async placeOrder(u: User, lines: Order['lines']): Promise<Result<Order>> {
    return retry(async () => {
      if (u.status !== Status.Active) throw new Error('inactive user ' + u.name);
      const o = new Order(u, lines);
      this.orders.add(o);
      return o;
    }, 3);
  }
  async *ordersOf(u: User): AsyncGenerator<Order, void, undefined> {
    for (const o of this.orders) if (o.user === u) { await delay(0); yield o; }
  }
  active(page = 1): Page<User> { return this.users.page(page); }
  revenue(): number { return this.orders.map(o => o.total).reduce((a, b) => a + b, 0); }
}
`,
  '/project/src/util.ts': `
declare function setTimeout(cb: () => void, ms: number): unknown;
declare const console: { error(...args: unknown[]): void };
export type Result<T, E = Error> = { ok: true; value: T } | { ok: false; error: E };
export function delay(ms: number): Promise<void> { return new Promise(r => setTimeout(r, ms)); }
export async function retry<T>(f: () => Promise<T>, times: number): Promise<Result<T>> {
  let last: unknown;
  for (let i = 0; i < times; i++) {
    try { return { ok: true, value: await f() }; } catch (e) { last = e; }
  }
  return { ok: false, error: last instanceof Error ? last : new Error(String(last)) };
}
export function groupBy<T, K extends PropertyKey>(xs: readonly T[], key: (x: T) => K): Record<K, T[]> {
  const out = {} as Record<K, T[]>;
  for (const x of xs) (out[key(x)] ??= []).push(x);
  return out;
}
export const enum Level { Debug, Info, Warn, Error }
export function log(level: Level, ...args: unknown[]): void { if (level >= Level.Warn) console.error(...args); }
`,
  '/project/src/main.ts': `
import { UserService } from './service';
import { Status } from './model';
import { groupBy, log, Level } from './util';
export async function main(n: number): Promise<{ users: number; revenue: number; byStatus: Record<string, number> }> {
  const svc = new UserService();
  for (let i = 0; i < n; i++) {
    const u = await svc.register('user' + i, \`user\${i}@example.com\`, i % 3 ? ['reader'] : ['admin', 'writer']);
    if (i % 7 === 0) u.status = Status.Suspended;
    await svc.placeOrder(u, [{ sku: 'sku-' + i, qty: 1 + (i % 4), price: 9.99 }]);
  }
  const groups = groupBy([...svc.users], u => u.status);
  const byStatus: Record<string, number> = {};
  for (const [k, v] of Object.entries(groups)) byStatus[k] = v.length;
  log(Level.Info, 'done', byStatus);
  return { users: svc.users.size, revenue: svc.revenue(), byStatus };
}
`,
  '/project/src/broken.ts': `
import { User } from './model';
// Deliberate type errors, so the checker has diagnostics to report.
export const wrong: number = 'not a number';
export function misuse(u: User): string { return u.nosuch; }
`,
};

const options = {
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.CommonJS,
  lib: ['lib.es2020.d.ts'],
  types: [],
  strict: true,
  declaration: true,
  sourceMap: true,
  outDir: '/project/out',
  rootDir: '/project/src',
  noEmitOnError: false,
};

const libDir = path.dirname(ts.getDefaultLibFilePath(options));
const sourceFileCache = new Map();
const emitted = new Map();
const host = {
  getSourceFile(fileName, languageVersion) {
    let sf = sourceFileCache.get(fileName);
    if (!sf) {
      const text = this.readFile(fileName);
      if (text === undefined) return undefined;
      sf = ts.createSourceFile(fileName, text, languageVersion, true);
      sourceFileCache.set(fileName, sf);
    }
    return sf;
  },
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  getDefaultLibLocation: () => libDir,
  writeFile: (fileName, text) => emitted.set(fileName, text),
  getCurrentDirectory: () => '/project',
  getDirectories: () => [],
  getCanonicalFileName: (f) => f,
  useCaseSensitiveFileNames: () => true,
  getNewLine: () => '\n',
  fileExists: (f) => f in sources || (f.startsWith(libDir) && fs.existsSync(f)),
  readFile: (f) => (f in sources ? sources[f] : f.startsWith(libDir) && fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined),
};

const t0 = Date.now();
const program = ts.createProgram(Object.keys(sources), options, host);
const checker = program.getTypeChecker();
const diagnostics = ts.getPreEmitDiagnostics(program);
const emitResult = program.emit();
const messages = diagnostics.map((d) => ({
  file: d.file && path.basename(d.file.fileName),
  code: d.code,
  text: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
}));

// Walk the checked project: every class with its members' types, as the checker sees them.
const classes = [];
for (const sf of program.getSourceFiles()) {
  if (!(sf.fileName in sources)) continue;
  ts.forEachChild(sf, function visit(node) {
    if (ts.isClassDeclaration(node) && node.name) {
      const type = checker.getTypeAtLocation(node.name);
      classes.push({
        name: node.name.text,
        file: path.basename(sf.fileName),
        members: checker.getPropertiesOfType(type).map((s) => `${s.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(s, node))}`),
      });
    }
    ts.forEachChild(node, visit);
  });
}

// acorn: parse what TypeScript emitted, and two real library sources.
const asts = new Map();
let astNodes = 0;
function countNodes(n) {
  if (!n || typeof n.type !== 'string') return;
  astNodes++;
  for (const k in n) {
    const v = n[k];
    if (Array.isArray(v)) v.forEach(countNodes);
    else if (v && typeof v === 'object' && typeof v.type === 'string') countNodes(v);
  }
}
for (const [f, text] of emitted) {
  if (!f.endsWith('.js')) continue;
  asts.set(f, acorn.parse(text, { ecmaVersion: 2022, sourceType: 'script', locations: true }));
}
for (const lib of ['lodash/lodash.js', 'express/lib/router/index.js', 'handlebars/dist/cjs/handlebars/compiler/parser.js']) {
  let file;
  try {
    file = require.resolve(lib);
  } catch {
    continue;
  }
  asts.set(lib, acorn.parse(fs.readFileSync(file, 'utf8'), { ecmaVersion: 'latest', sourceType: 'script', locations: true }));
}
for (const ast of asts.values()) countNodes(ast);

// Run the compiled project, too: the emitted CommonJS modules, loaded from memory.
const compiled = new Map();
function load(name) {
  const file = path.posix.join('/project/out', name.replace(/^\.\//, '') + '.js');
  if (compiled.has(file)) return compiled.get(file).exports;
  const module = { exports: {} };
  compiled.set(file, module);
  new Function('exports', 'require', 'module', emitted.get(file))(module.exports, load, module);
  return module.exports;
}

global.compilerWorkload = { program, checker, host, sourceFileCache, emitted, diagnostics, classes, asts, compiled };

load('./main').main(500).then((result) => {
  global.compilerWorkload.result = result;
  ready({
    workload: 'compiler',
    typescript: ts.version,
    sourceFiles: program.getSourceFiles().length,
    projectFiles: Object.keys(sources).length,
    diagnostics: messages.length,
    diagnosticCodes: messages.map((m) => m.code).sort(),
    emitted: emitted.size,
    emitSkipped: emitResult.emitSkipped,
    classes: classes.map((c) => c.name),
    asts: asts.size,
    astNodes,
    run: result,
    ms: Date.now() - t0,
  });
});
