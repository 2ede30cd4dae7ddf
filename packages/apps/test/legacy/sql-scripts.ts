/**
 * SQL for the SQLite tests, and the oracle: deterministic scripts (a shop
 * with customers, products, orders and order lines: tables, indexes, foreign
 * keys, joins, aggregates, transactions committed and rolled back, failing
 * statements), and the output packages/apps/c/sqlite-shell.c prints for a
 * script, produced from native SQLite through better-sqlite3.
 */
import Database from 'better-sqlite3';

/** A seeded generator (xorshift32): the same numbers on every run. */
class Numbers {
  #x: number;
  constructor(seed: number) {
    this.#x = seed >>> 0 || 1;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    let x = this.#x;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#x = x >>> 0;
    return this.#x % n;
  }
}

const WORDS = ['red', 'blue', 'tea', "o'clock", 'lamp', 'desk', 'chair', 'pen', 'ink', 'book', 'map', 'mug'];
const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** The schema: four tables with keys and foreign keys, and indexes. */
export const SCHEMA: readonly string[] = [
  'CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, city TEXT, joined INTEGER)',
  'CREATE TABLE product (id INTEGER PRIMARY KEY, title TEXT NOT NULL, price REAL NOT NULL CHECK (price > 0), tag BLOB)',
  'CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customer(id), day INTEGER NOT NULL)',
  'CREATE TABLE line (order_id INTEGER NOT NULL REFERENCES orders(id), product INTEGER NOT NULL REFERENCES product(id), qty INTEGER NOT NULL, PRIMARY KEY (order_id, product)) WITHOUT ROWID',
  'CREATE INDEX orders_by_customer ON orders(customer, day)',
  'CREATE INDEX line_by_product ON line(product)',
  'CREATE INDEX customer_by_city ON customer(city)',
];

/** Statements filling the tables: `orders` orders in transactions of 100, a few thousand rows in all. */
export function fill(orders: number, seed = 7): string[] {
  const r = new Numbers(seed);
  const out: string[] = ['BEGIN'];
  const customers = Math.max(10, Math.floor(orders / 10));
  const cities = ['Cambridge', 'Oxford', 'Leeds', 'York', 'Bath', null];
  for (let c = 1; c <= customers; c++) {
    const city = cities[r.below(cities.length)];
    out.push(
      `INSERT INTO customer VALUES (${c}, ${quote(`${WORDS[r.below(WORDS.length)]}-${c}`)}, ${city === null ? 'NULL' : quote(city!)}, ${1_600_000_000 + r.below(100_000_000)})`,
    );
  }
  const products: string[] = [];
  for (let p = 1; p <= 60; p++) {
    const tag = p % 4 === 0 ? 'NULL' : `x'${(p * 2654435761).toString(16).padStart(8, '0').slice(-8)}'`;
    products.push(`(${p}, ${quote(`${WORDS[p % WORDS.length]} ${p}`)}, ${(1 + r.below(9999)) / 100}, ${tag})`);
  }
  out.push(`INSERT INTO product VALUES ${products.join(', ')}`, 'COMMIT');
  for (let o = 1; o <= orders; o++) {
    if (o % 100 === 1) out.push('BEGIN');
    out.push(`INSERT INTO orders VALUES (${o}, ${1 + r.below(customers)}, ${r.below(365)})`);
    const lines = new Set<number>();
    const count = 1 + r.below(4);
    while (lines.size < count) lines.add(1 + r.below(60));
    out.push(`INSERT INTO line VALUES ${[...lines].map((p) => `(${o}, ${p}, ${1 + r.below(9)})`).join(', ')}`);
    if (o % 100 === 0 || o === orders) out.push('COMMIT');
  }
  return out;
}

/** Queries and changes over the filled tables: joins, aggregates, a rollback, failing statements. */
export const QUERIES: readonly string[] = [
  'SELECT count(*), sum(qty), min(qty), max(qty) FROM line',
  'SELECT c.city, count(DISTINCT o.id), sum(l.qty * p.price), avg(p.price) FROM customer c JOIN orders o ON o.customer = c.id JOIN line l ON l.order_id = o.id JOIN product p ON p.id = l.product GROUP BY c.city ORDER BY c.city',
  'SELECT p.id, p.title, p.price, p.tag, coalesce(sum(l.qty), 0) AS sold FROM product p LEFT JOIN line l ON l.product = p.id GROUP BY p.id ORDER BY sold DESC, p.id LIMIT 20',
  "SELECT o.id, c.name, o.day, group_concat(l.product, ',') FROM orders o JOIN customer c ON c.id = o.customer JOIN line l ON l.order_id = o.id WHERE o.day BETWEEN 100 AND 110 GROUP BY o.id ORDER BY o.id",
  'SELECT customer, day, id FROM orders WHERE customer = 3 ORDER BY day, id',
  "SELECT name FROM customer WHERE name LIKE 'o''clock%' ORDER BY id LIMIT 5",
  "SELECT id, price, round(price * 1.2, 2), price / 3, printf('%.3f', price), typeof(price) FROM product ORDER BY id",
  // A rolled-back transaction changes nothing; a failing statement inside a committed one is undone alone.
  'BEGIN',
  'DELETE FROM line WHERE qty > 5',
  'UPDATE product SET price = price * 2',
  'ROLLBACK',
  'BEGIN',
  'UPDATE product SET price = price + 0.5 WHERE id % 7 = 0',
  "INSERT INTO customer VALUES (1, 'dup', NULL, 0)",
  'INSERT INTO orders VALUES (999999, 999999, 1)',
  "INSERT INTO product VALUES (1000, 'free', 0, NULL)",
  'COMMIT',
  'SELECT count(*), sum(qty) FROM line',
  'SELECT id, price FROM product WHERE id % 7 = 0 ORDER BY id',
  // Savepoints, a window function, a recursive CTE, JSON.
  'SAVEPOINT a',
  'DELETE FROM line WHERE product = 1',
  'ROLLBACK TO a',
  'RELEASE a',
  'SELECT product, qty, order_id, rank() OVER (PARTITION BY product ORDER BY qty DESC, order_id) FROM line WHERE product <= 3 ORDER BY product, 4 LIMIT 30',
  'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i, i * i, 1.0 / i FROM n',
  "SELECT json_object('id', id, 'title', title, 'price', price) FROM product WHERE id <= 3 ORDER BY id",
  "SELECT x'00ff10', NULL, -0.0, 1e300 * 10, 2e-7, 9007199254740993, -9223372036854775808",
  'DELETE FROM line WHERE order_id % 10 = 0',
  'SELECT count(*) FROM line',
  'PRAGMA integrity_check',
  'PRAGMA foreign_key_check',
];

/** The script as sqlite-shell reads it: one statement a line, each ended by ';'. */
export const asScript = (statements: readonly string[]): string => statements.map((s) => `${s};\n`).join('');

/** A REAL as C's printf("%.17g") prints it. */
export function formatReal(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, exponentText] = x.toExponential(16).split('e') as [string, string];
  const exponent = Number(exponentText);
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exponent < -4 || exponent >= 17) {
    const sign = exponent < 0 ? '-' : '+';
    return `${trim(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return trim(x.toFixed(16 - exponent));
}

function formatValue(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatReal(v);
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return `X'${Buffer.from(v).toString('hex').toUpperCase()}'`;
  throw new Error(`an SQLite value of an unexpected kind: ${typeof v}`);
}

/** What sqlite-shell prints for `statements`, from native SQLite (better-sqlite3) on database file `path`. */
export function nativeOutput(path: string, statements: readonly string[]): string {
  const db = new Database(path);
  let out = '';
  try {
    for (const sql of statements) {
      const statement = db.prepare(sql);
      try {
        if (statement.reader) {
          for (const row of statement.raw(true).safeIntegers(true).iterate() as Iterable<unknown[]>) {
            out += `${row.map(formatValue).join('|')}\n`;
          }
        } else {
          statement.run();
        }
      } catch (e) {
        out += `error: ${(e as Error).message}\n`;
      }
    }
  } finally {
    db.close();
  }
  return out;
}
