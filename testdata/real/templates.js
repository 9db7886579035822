'use strict';
// Template engines: handlebars (helpers, partials, block helpers, a precompiled-then-loaded template),
// ejs (compiled functions with includes via a custom includer) and marked (markdown → HTML, with a
// custom renderer), rendering 3,000 pages of seeded data. Compiled templates and the output cache stay
// alive.
const Handlebars = require('handlebars');
const ejs = require('ejs');
const { Marked } = require('marked');
const { ready, rng } = require('./common');

const random = rng(99);
const t0 = Date.now();
const PAGES = 3000;

// ---- handlebars ---------------------------------------------------------------------------------
const hbs = Handlebars.create();
hbs.registerHelper('money', (v) => `€${Number(v).toFixed(2)}`);
hbs.registerHelper('eq', (a, b) => a === b);
hbs.registerHelper('upper', (s) => String(s).toUpperCase());
hbs.registerHelper('join', (xs, sep) => (Array.isArray(xs) ? xs.join(typeof sep === 'string' ? sep : ', ') : ''));
hbs.registerHelper('link', function link(text, options) {
  const url = hbs.escapeExpression(options.hash.href || '#');
  return new hbs.SafeString(`<a href="${url}">${hbs.escapeExpression(text)}</a>`);
});
hbs.registerHelper('repeat', function repeat(n, options) {
  let out = '';
  for (let i = 0; i < n; i++) out += options.fn({ i, first: i === 0 }, { data: { index: i } });
  return out;
});
hbs.registerPartial('header', '<header><h1>{{upper site}}</h1>{{#if user}}<p>Hello, {{user.name}}!</p>{{else}}<p>Welcome, guest</p>{{/if}}</header>');
hbs.registerPartial('footer', '<footer>{{site}} · page {{page}} of {{pages}}</footer>');
hbs.registerPartial('item', '<li class="{{#if (eq stock 0)}}sold-out{{/if}}">{{link name href=url}} — {{money price}} {{#each tags}}<span>{{this}}</span>{{/each}}</li>');
const pageSrc = `<!doctype html><html><head><title>{{title}}</title></head><body>
{{> header}}
<main>
  <h2>{{title}}</h2>
  <ul>{{#each items}}{{> item}}{{/each}}</ul>
  {{#with summary}}<p>{{count}} items, total {{money total}}</p>{{/with}}
  <ol>{{#repeat 3}}<li>{{#if first}}first{{else}}step {{i}}{{/if}}</li>{{/repeat}}</ol>
  <p>Tags: {{join allTags " | "}}</p>
  {{{body}}}
</main>
{{> footer}}
</body></html>`;
const hbsPage = hbs.compile(pageSrc, { strict: false });
// Precompile to a template spec and load it back, as build tools do.
const emailSpec = hbs.precompile('<p>Dear {{name}},</p><p>Your order #{{order}} of {{money total}} has shipped.</p>{{#each lines}}<div>{{qty}} × {{sku}}</div>{{/each}}');
const hbsEmail = hbs.template(new Function(`return ${emailSpec}`)());

// ---- ejs ----------------------------------------------------------------------------------------
const ejsTemplates = {
  nav: '<nav><% links.forEach(function (l, i) { %><a href="<%= l.href %>" class="<%= i === active ? "on" : "" %>"><%= l.text %></a><% }) %></nav>',
  row: '<tr><td><%= r.id %></td><td><%= r.name %></td><td><%= r.price.toFixed(2) %></td></tr>',
  table: `<%- include('nav', { links: links, active: active }) %>
<table>
<% rows.forEach(function (r) { %><%- include('row', { r: r }) %>
<% }) %></table>
<% if (rows.length > 5) { %><p>and <%= rows.length - 5 %> more&hellip;</p><% } %>
<script>var data = <%- JSON.stringify(rows.slice(0, 2)) %>;</script>`,
};
const ejsOptions = {
  cache: false,
  includer: (originalPath) => ({ template: ejsTemplates[originalPath] }),
};
const ejsTable = ejs.compile(ejsTemplates.table, ejsOptions);

// ---- marked -------------------------------------------------------------------------------------
const marked = new Marked({ gfm: true });
marked.use({
  renderer: {
    heading({ tokens, depth }) {
      const text = this.parser.parseInline(tokens);
      const id = text.toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\w]+/g, '-');
      return `<h${depth} id="${id}">${text}</h${depth}>\n`;
    },
  },
});

// ---- render -------------------------------------------------------------------------------------
const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
const phrase = (n) => Array.from({ length: n }, () => random.pick(words)).join(' ');
const cache = new Map();
const emails = [];
let bytes = 0;
for (let p = 1; p <= PAGES; p++) {
  const items = Array.from({ length: 5 + random.int(15) }, (_, i) => ({
    name: `${phrase(2)} ${p}-${i}`,
    url: `/p/${p}/${i}?ref=<home>&x="1"`,
    price: random() * 200,
    stock: random.int(4),
    tags: words.filter(() => random() < 0.2),
  }));
  const md = `# Page ${p}: ${phrase(3)}\n\nSome **bold** and _italic_ text, \`code\`, and a [link](https://example.com/${p}).\n\n## List\n\n${items
    .slice(0, 4)
    .map((it) => `- ${it.name} — ${it.price.toFixed(2)}`)
    .join('\n')}\n\n| id | name |\n|---|---|\n${items
    .slice(0, 3)
    .map((it, i) => `| ${i} | ${it.name} |`)
    .join('\n')}\n\n> ${phrase(12)}\n\n\`\`\`js\nconst page = ${p};\n\`\`\`\n`;
  const body = marked.parse(md);
  const html = hbsPage({
    site: 'corewalk shop',
    title: `Page ${p}`,
    user: p % 3 ? { name: `user${p}` } : null,
    items,
    summary: { count: items.length, total: items.reduce((s, it) => s + it.price, 0) },
    allTags: [...new Set(items.flatMap((it) => it.tags))].sort(),
    body,
    page: p,
    pages: PAGES,
  });
  const table = ejsTable({
    links: [
      { href: '/', text: 'Home' },
      { href: '/shop', text: 'Shop' },
      { href: '/about', text: 'About <us>' },
    ],
    active: p % 3,
    rows: items.map((it, i) => ({ id: i, name: it.name, price: it.price })),
  });
  cache.set(`/page/${p}`, { html, table, markdown: md, etag: `W/"${p}-${html.length}"` });
  bytes += html.length + table.length;
  if (p % 10 === 0) emails.push(hbsEmail({ name: `user${p}`, order: 100000 + p, total: items[0].price, lines: items.slice(0, 3).map((it, i) => ({ qty: i + 1, sku: `SKU-${p}-${i}` })) }));
}

global.templatesWorkload = { hbs, hbsPage, hbsEmail, emailSpec, ejsTable, ejsTemplates, marked, cache, emails };
ready({
  workload: 'templates',
  pages: cache.size,
  emails: emails.length,
  bytes,
  helpers: Object.keys(hbs.helpers).length,
  partials: Object.keys(hbs.partials).length,
  firstTitle: /<title>([^<]*)<\/title>/.exec(cache.get('/page/1').html)[1],
  soldOut: [...cache.values()].reduce((n, v) => n + (v.html.match(/class="sold-out"/g) || []).length, 0),
  ms: Date.now() - t0,
});
