import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDrivers } from '../testing.ts';
import { type Database, openDatabase } from './client.ts';
import { asOneStatement, runAsOne, statement } from './statements.ts';

describe('asOneStatement', () => {
  it("numbers each part's parameters on from the ones before", () => {
    const one = asOneStatement([
      statement('INSERT INTO a (x, y) VALUES ($1, $2)', [1, 2]),
      statement('UPDATE b SET z = $1 WHERE w = $1', [3]),
      statement('DELETE FROM c WHERE v = ANY($2::int[]) AND u = $1', [4, [5]]),
    ]);
    expect(one?.params).toEqual([1, 2, 3, 4, [5]]);
    expect(one?.text).toBe(
      'WITH part0 AS (INSERT INTO a (x, y) VALUES ($1, $2)),\npart1 AS (UPDATE b SET z = $3 WHERE w = $3),\npart2 AS (DELETE FROM c WHERE v = ANY($5::int[]) AND u = $4)\nSELECT 1',
    );
  });

  it('leaves one part as it is, has nothing for none, and refuses a part whose parameters do not match its text', () => {
    expect(asOneStatement([statement('DELETE FROM a WHERE x = $1', [1])])).toEqual({ text: 'DELETE FROM a WHERE x = $1', params: [1] });
    expect(asOneStatement([])).toBeNull();
    expect(() => asOneStatement([statement('DELETE FROM a', []), statement('DELETE FROM b WHERE x = $2', [1])])).toThrow(/refers to 2/);
  });
});

describe.each(testDrivers())('runAsOne on %s', (driver) => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = await openDatabase(database.target, () => undefined);
    await db.query('CREATE TABLE one_a (id int PRIMARY KEY, v text)');
    await db.query('CREATE TABLE one_b (id int PRIMARY KEY, n int NOT NULL)');
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('writes every part, upserts included', async () => {
    await db.query('INSERT INTO one_b (id, n) VALUES (1, 10)');
    await runAsOne(db, [
      statement('INSERT INTO one_a (id, v) SELECT * FROM unnest($1::int[], $2::text[])', [
        [1, 2],
        ['x', 'y'],
      ]),
      statement('INSERT INTO one_b (id, n) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET n = one_b.n + excluded.n', [1, 5]),
    ]);
    expect(await db.query('SELECT id, v FROM one_a ORDER BY id')).toEqual([
      { id: 1, v: 'x' },
      { id: 2, v: 'y' },
    ]);
    expect(await db.query('SELECT n FROM one_b WHERE id = 1')).toEqual([{ n: 15 }]);
  });

  it('writes nothing when one part fails: the parts are one statement', async () => {
    await expect(
      runAsOne(db, [
        statement('INSERT INTO one_a (id, v) VALUES ($1, $2)', [3, 'z']),
        // A NULL where the column refuses one.
        statement('INSERT INTO one_b (id, n) VALUES ($1, NULL)', [2]),
      ]),
    ).rejects.toThrow();
    expect(await db.query('SELECT id FROM one_a WHERE id = 3')).toEqual([]);
    expect(await db.query('SELECT id FROM one_b WHERE id = 2')).toEqual([]);
  });
});
