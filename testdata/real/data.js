'use strict';
// Data processing with utility libraries: lodash and dayjs (with its utc, customParseFormat, weekOfYear
// and relativeTime plugins) over 50,000 seeded records: groupBy, sortBy, chunk, orderBy, countBy,
// keyBy, map to summaries; RegExp work (match with named groups, replace with groups, matchAll, split);
// Intl (NumberFormat, DateTimeFormat, Collator, PluralRules, RelativeTimeFormat) and Date. Everything
// computed is kept alive.
const _ = require('lodash');
const dayjs = require('dayjs');
const utc = require('dayjs/plugin/utc');
const customParseFormat = require('dayjs/plugin/customParseFormat');
const weekOfYear = require('dayjs/plugin/weekOfYear');
const relativeTime = require('dayjs/plugin/relativeTime');
const { ready, rng } = require('./common');

dayjs.extend(utc);
dayjs.extend(customParseFormat);
dayjs.extend(weekOfYear);
dayjs.extend(relativeTime);

const N = 50000;
const random = rng(42);
const t0 = Date.now();

const cities = ['Berlin', 'Zürich', 'München', 'Paris', 'Lyon', 'Kraków', 'Łódź', 'São Paulo', 'Tokyo', 'Osaka', 'Oslo', 'Ålesund'];
const categories = ['grocery', 'electronics', 'books', 'clothing', 'toys', 'garden', 'sports'];
const first = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eva', 'Fatima', 'Gustav', 'Hana', 'Ivan', 'Jürgen', 'Kenji', 'Léa'];
const last = ['Müller', 'Schmidt', 'Nowak', 'Dubois', 'Silva', 'Tanaka', 'Hansen', 'Rossi', 'García', 'Kowalski'];
const base = Date.UTC(2023, 0, 1);

class Txn {
  constructor(id) {
    this.id = id;
    this.customer = `${random.pick(first)} ${random.pick(last)}`;
    this.email = `${this.customer.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z]+/g, '.')}${id % 997}@example.org`;
    this.city = random.pick(cities);
    this.category = random.pick(categories);
    this.amount = Math.round(random() * random() * 100000) / 100;
    this.quantity = 1 + random.int(9);
    this.at = new Date(base + random.int(365 * 24 * 3600) * 1000);
    this.code = `INV-${2023}-${String(id).padStart(6, '0')}/${random.pick(['A', 'B', 'C'])}${random.int(100)}`;
    this.phone = `+${10 + random.int(89)} (${100 + random.int(899)}) ${1000000 + random.int(8999999)}`;
    this.tags = categories.filter(() => random() < 0.15);
  }
}

const records = Array.from({ length: N }, (_x, i) => new Txn(i + 1));

// lodash pipelines.
const byCity = _.groupBy(records, 'city');
const byMonth = _.groupBy(records, (r) => dayjs.utc(r.at).format('YYYY-MM'));
const sorted = _.sortBy(records, ['category', (r) => -r.amount]);
const top100 = _.take(_.orderBy(records, ['amount', 'id'], ['desc', 'asc']), 100);
const chunks = _.chunk(sorted, 500);
const chunkSummaries = chunks.map((c, i) => ({
  chunk: i,
  first: c[0].id,
  total: _.round(_.sumBy(c, 'amount'), 2),
  meanQty: _.round(_.meanBy(c, 'quantity'), 3),
  cities: _.uniq(c.map((r) => r.city)).length,
}));
const citySummaries = _.mapValues(byCity, (rows, city) => ({
  city,
  count: rows.length,
  total: _.round(_.sumBy(rows, 'amount'), 2),
  max: _.maxBy(rows, 'amount').id,
  byCategory: _.countBy(rows, 'category'),
  customers: _.uniqBy(rows, 'customer').length,
}));
const monthSummaries = _(byMonth)
  .map((rows, month) => ({ month, count: rows.length, total: _.round(_.sumBy(rows, 'amount'), 2) }))
  .sortBy('month')
  .value();
const byId = _.keyBy(records, 'id');
const tagCounts = _.countBy(_.flatMap(records, 'tags'));
const customerIndex = _.mapValues(_.groupBy(records, 'email'), (rows) => rows.map((r) => r.id));
const partitioned = _.partition(records, (r) => r.amount > 100);
const deepCopy = _.cloneDeep(top100);

// dayjs.
const weeks = _.countBy(records, (r) => dayjs.utc(r.at).week());
const parsedDates = records.slice(0, 5000).map((r) => dayjs(dayjs.utc(r.at).format('DD.MM.YYYY HH:mm'), 'DD.MM.YYYY HH:mm'));
const relative = records.slice(0, 1000).map((r) => dayjs.utc(r.at).from(dayjs.utc(base + 400 * 86400000)));

// RegExp: named groups, replace with groups and a function, matchAll, split, sticky, unicode.
const codeRe = /^INV-(?<year>\d{4})-(?<num>\d{6})\/(?<series>[A-C])(?<sub>\d+)$/;
const parsedCodes = records.map((r) => r.code.match(codeRe).groups);
const phoneRe = /^\+(\d{2}) \((\d{3})\) (\d{3})(\d{4})$/;
const normalizedPhones = records.map((r) => r.phone.replace(phoneRe, '+$1-$2-$3-$4'));
const masked = records.slice(0, 10000).map((r) => r.email.replace(/^([^@]{2})[^@]*(@.*)$/, (m, a, b) => `${a}***${b}`));
const text = records.slice(0, 2000).map((r) => `${r.customer} bought ${r.quantity}x ${r.category} in ${r.city} for ${r.amount}`).join('\n');
const wordFreq = _.countBy([...text.matchAll(/\p{L}+/gu)].map((m) => m[0].toLowerCase()));
const amountsInText = text.match(/\d+\.\d+/g);
const lines = text.split(/\n/);
const sticky = /\w+/y;
const stickyHits = lines.slice(0, 100).map((l) => ((sticky.lastIndex = 0), sticky.exec(l)[0]));

// Intl and Date.
const money = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });
const compact = new Intl.NumberFormat('en', { notation: 'compact' });
const dateFmt = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' });
const collator = new Intl.Collator('de', { sensitivity: 'base' });
const plural = new Intl.PluralRules('en-US');
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const formatted = top100.map((r) => ({
  id: r.id,
  amount: money.format(r.amount),
  compact: compact.format(r.amount * 1000),
  when: dateFmt.format(r.at),
  iso: r.at.toISOString(),
  items: `${r.quantity} item${plural.select(r.quantity) === 'one' ? '' : 's'}`,
  ago: rtf.format(-Math.round((base + 400 * 86400000 - r.at.getTime()) / 86400000), 'day'),
}));
const customersSorted = _.uniq(records.map((r) => r.customer)).sort(collator.compare);
const citiesSorted = [...cities].sort(collator.compare);
const dates = records.slice(0, 20000).map((r) => new Date(r.at.getTime() + 3600000));

global.dataWorkload = {
  records, byCity, byMonth, sorted, top100, chunks, chunkSummaries, citySummaries, monthSummaries, byId,
  tagCounts, customerIndex, partitioned, deepCopy, weeks, parsedDates, relative, parsedCodes,
  normalizedPhones, masked, text, wordFreq, amountsInText, lines, stickyHits, formatted, customersSorted,
  citiesSorted, dates, formatters: { money, compact, dateFmt, collator, plural, rtf }, regexps: { codeRe, phoneRe, sticky },
};

ready({
  workload: 'data',
  records: records.length,
  cities: Object.keys(byCity).length,
  months: monthSummaries.length,
  chunks: chunks.length,
  top: top100[0].id,
  over100: partitioned[0].length,
  customers: customersSorted.length,
  emails: Object.keys(customerIndex).length,
  words: Object.keys(wordFreq).length,
  seriesA: parsedCodes.filter((g) => g.series === 'A').length,
  firstPhone: normalizedPhones[0],
  firstMoney: formatted[0].amount,
  firstCustomer: customersSorted[0],
  ms: Date.now() - t0,
});
