import { TurnBatch } from './turn-batch';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  let handed: Array<Array<[string, string[]]>>;
  let batch: TurnBatch<string>;

  beforeEach(() => {
    handed = [];
    batch = new TurnBatch<string>(3, (keys, waiters) => {
      handed.push(keys.map((key) => [key, waiters.get(key) ?? []]));
    });
  });

  it("hands one turn's calls over together on the next turn, a repeated key once", async () => {
    batch.add('a', 'first');
    batch.add('b', 'second');
    batch.add('a', 'third');
    expect(handed).toEqual([]);
    await nextTurn();
    expect(handed).toEqual([
      [
        ['a', ['first', 'third']],
        ['b', ['second']],
      ],
    ]);
  });

  it('hands over at most maxBatch keys at a time', async () => {
    for (const key of ['a', 'b', 'c', 'd', 'e']) batch.add(key, key.toUpperCase());
    await nextTurn();
    expect(handed.map((keys) => keys.map(([key]) => key))).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('starts a new batch for calls made after a hand-over', async () => {
    batch.add('a', 'first');
    await nextTurn();
    batch.add('a', 'again');
    await nextTurn();
    expect(handed).toEqual([[['a', ['first']]], [['a', ['again']]]]);
  });
});
